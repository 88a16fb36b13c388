/** X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log lines. */
export const LOG_TAIL_BYTES = 4096;

export function logTail(lines: readonly string[]): string {
  let bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  if (bytes.length > LOG_TAIL_BYTES) bytes = bytes.subarray(bytes.length - LOG_TAIL_BYTES);
  return bytes.toString('base64');
}
