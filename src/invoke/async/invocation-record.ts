import { functionArn } from '../../domain/arn.js';
import type { Scope } from '../../domain/scope.js';

/** Why an asynchronous invocation ended: the `condition` of the record sent to a destination. */
export type RecordCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface RecordInput {
  requestId: string;
  scope: Scope;
  functionName: string;
  /** As invoked; the record's functionArn is always qualified (`:$LATEST` for the unqualified function). */
  qualifier: string | undefined;
  condition: RecordCondition;
  /** Attempts that reached the function. */
  approximateInvokeCount: number;
  requestPayload: Buffer;
  /** The last attempt's response; absent when the function never ran nor was refused (an event too old on arrival). */
  response?: {
    statusCode: number;
    executedVersion?: string;
    /** Present only on failures (`Unhandled`). */
    functionError?: string;
    payload?: Buffer;
  };
  timestamp: number;
}

/**
 * The invocation record Lambda delivers to an OnSuccess / OnFailure destination (reference §8.7), key order as
 * AWS writes it. Payloads are embedded as JSON when they are JSON, else as a string.
 */
export function invocationRecord(input: RecordInput): Record<string, unknown> {
  const r = input.response;
  const responseContext: Record<string, unknown> = {};
  if (r) responseContext.statusCode = r.statusCode;
  if (r?.executedVersion !== undefined) responseContext.executedVersion = r.executedVersion;
  if (r?.functionError !== undefined) responseContext.functionError = r.functionError;
  const record: Record<string, unknown> = {
    version: '1.0',
    timestamp: new Date(input.timestamp).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: functionArn(input.scope, input.functionName, input.qualifier ?? '$LATEST'),
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    requestPayload: embed(input.requestPayload),
    responseContext,
  };
  if (r?.payload !== undefined) record.responsePayload = embed(r.payload);
  return record;
}

function embed(payload: Buffer): unknown {
  const text = payload.toString('utf8');
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `ErrorType: message` from a function's error document, for `sluice events` and logs. */
export function errorSummary(errorType: string, payload: Buffer | undefined): string {
  if (payload === undefined) return errorType;
  try {
    const doc = JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown };
    if (typeof doc.errorMessage === 'string' && doc.errorMessage !== '') return `${errorType}: ${doc.errorMessage}`.slice(0, 1024);
  } catch {
    // not JSON: the type alone
  }
  return errorType;
}
