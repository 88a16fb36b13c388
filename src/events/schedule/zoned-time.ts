/**
 * Wall-clock time in an IANA time zone, through Intl (no tz database of our own). A wall time is represented as
 * the epoch ms it would have in UTC ("naive" ms), which makes calendar arithmetic plain Date.UTC arithmetic.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (IANA names such as `America/New_York`, and `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time (naive ms, whole seconds) an instant shows in the zone. */
export function wallTime(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/**
 * The instants that show this wall time in the zone, earliest first: none inside a daylight-saving gap, two in the
 * repeated hour when clocks go back, one otherwise.
 */
export function instantsOf(wall: number, timeZone: string): number[] {
  if (timeZone === 'UTC') return [wall];
  const out = new Set<number>();
  // Offsets in force a day either side cover every transition a wall time can straddle.
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) {
    const offset = wallTime(probe, timeZone) - Math.floor(probe / 1000) * 1000;
    const candidate = wall - offset;
    if (wallTime(candidate, timeZone) === wall) out.add(candidate);
  }
  return [...out].sort((a, b) => a - b);
}
