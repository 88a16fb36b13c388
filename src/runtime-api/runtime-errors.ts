/** Messages of the Runtime API's own errors (bodies are {"errorMessage","errorType"} like [RIE] rendering). */
export const RUNTIME_ERRORS = {
  invalidRequestId: 'Invalid request ID',
  concurrentNext: 'State transition is not allowed: another GET /runtime/invocation/next is already waiting',
  nextWhileInvoking: 'State transition is not allowed: the current invocation has not been answered yet',
  nextAfterInitError: 'State transition is not allowed: the runtime reported an init error',
  nextBeforeAssignment: 'State transition is not allowed: this pre-started environment has no function yet',
  initErrorAfterInit: 'State transition is not allowed: /runtime/init/error is only valid during initialization',
} as const;

export function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage, errorType }));
}

export function tooLarge(limit: number): string {
  return `Exceeded maximum allowed payload size (${limit} bytes).`;
}
