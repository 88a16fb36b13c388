/** AWS `Timestamp`-named shapes: ISO-8601 with milliseconds and a `+0000` offset. */
export function awsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** AWS `timestamp`-typed shapes (e.g. FunctionEventInvokeConfig.LastModified): epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
