/**
 * Alias routing: a primary version plus up to one additional version with a weight in [0, 1]. Each invocation
 * picks a version at random by weight (`random` is injectable for tests).
 */
export function pickVersion(
  primary: string, additional: Readonly<Record<string, number>> | undefined, random: () => number = Math.random,
): string {
  if (!additional) return primary;
  let r = random();
  for (const [version, weight] of Object.entries(additional)) {
    if (r < weight) return version;
    r -= weight;
  }
  return primary;
}
