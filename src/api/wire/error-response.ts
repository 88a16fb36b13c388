import type { ServerResponse } from 'node:http';
import { AwsError, ServiceException } from '../../errors/index.js';

/** The one place AWS errors become HTTP: `x-amzn-ErrorType` + `{"Type", "<Message|message>", ...extra}`. */
export function errorBody(err: AwsError, protocol: 'rest-json' | 'json-1.1' = 'rest-json'): { status: number; headers: Record<string, string>; body: string } {
  if (protocol === 'json-1.1') {
    // JSON 1.1 services (EventBridge, CloudWatch Logs) name the error in the body's `__type`.
    return {
      status: err.status,
      headers: { 'x-amzn-ErrorType': err.code, 'Content-Type': 'application/x-amz-json-1.1', ...err.headers },
      body: JSON.stringify({ __type: err.code, message: err.message, ...err.extra }),
    };
  }
  const body: Record<string, unknown> = { Type: err.type, [err.messageKey]: err.message, ...err.extra };
  return {
    status: err.status,
    headers: { 'x-amzn-ErrorType': err.code, 'Content-Type': 'application/json', ...err.headers },
    body: JSON.stringify(body),
  };
}

export function asAwsError(err: unknown): AwsError {
  return err instanceof AwsError ? err : new ServiceException();
}

export function sendError(res: ServerResponse, requestId: string, err: AwsError, protocol: 'rest-json' | 'json-1.1' = 'rest-json'): void {
  const { status, headers, body } = errorBody(err, protocol);
  res.writeHead(status, { ...headers, 'x-amzn-RequestId': requestId, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
