/** What the platform records as the error type of a runtime-reported failure ([RIE] GetValidRuntimeOrFunctionErrorType). */
const VALID = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

/** The Lambda-Runtime-Function-Error-Type header as recorded: valid names pass, others become *.Unknown. */
export function validErrorType(header: string): string {
  if (VALID.test(header)) return header;
  return header.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

/**
 * Without the header (the Node RIC and aws-lambda-cpp send none on invoke errors) the body's own errorType is
 * what describes the failure; it is free-form (e.g. "Error", "TypeError") and kept as is.
 */
export function errorTypeFromBody(body: Buffer): string {
  if (body.length === 0 || body.length > 1_048_576) return 'Runtime.Unknown';
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object') {
      const t = (parsed as Record<string, unknown>).errorType;
      if (typeof t === 'string' && t !== '') return t;
    }
  } catch {
    // not JSON: nothing to take
  }
  return 'Runtime.Unknown';
}
