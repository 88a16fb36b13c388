import type { IncomingHttpHeaders } from 'node:http';
import {
  InvalidRequestContentException, RequestEntityTooLargeException, ValidationException,
} from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type ApiResponse, type Route } from '../types.js';
import { ASYNC_PAYLOAD_MAX_BYTES, INVOKE_ASYNC_MAX_BYTES } from '../../invoke/index.js';
import { functionTarget } from '../services/function-resolver.js';

/** Synchronous invoke payloads: 6 MB (AWS's front door answers 413 RequestEntityTooLargeException beyond). */
export const INVOKE_MAX_BYTES = 6_291_456;
/** Asynchronous (Event) payloads: 1 MB. */
export const ASYNC_INVOKE_MAX_BYTES = ASYNC_PAYLOAD_MAX_BYTES;
const CLIENT_CONTEXT_MAX = 3583;

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'] as const;
const LOG_TYPES = ['None', 'Tail'] as const;

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function enumHeader<T extends string>(value: string | undefined, allowed: readonly T[], member: string, fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationException(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

/** X-Amz-Client-Context: base64 of a JSON object, handed to the runtime decoded. */
export function clientContext(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > CLIENT_CONTEXT_MAX) {
    throw new ValidationException(
      `1 validation error detected: Value '${raw}' at 'clientContext' failed to satisfy constraint: Member must have length less than or equal to ${CLIENT_CONTEXT_MAX}`,
    );
  }
  const decoded = Buffer.from(raw, 'base64').toString('utf8');
  try {
    const v: unknown = JSON.parse(decoded);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
  } catch {
    throw new InvalidRequestContentException('Client context must be a valid Base64-encoded JSON object.');
  }
  return decoded;
}

/** The event bytes: empty means `{}`; anything else must be JSON. */
export function eventPayload(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InvalidRequestContentException(`Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
  return body;
}

export function invokeRoutes(ctx: ApiContext): Route[] {
  return [
    {
      // AWS names this operation InvokeFunction internally, which is what its body-size error says.
      method: 'POST', path: '/2015-03-31/functions/{FunctionName}/invocations', operation: 'InvokeFunction', maxBodyBytes: INVOKE_MAX_BYTES,
      handler: async (req): Promise<ApiResponse> => {
        const type = enumHeader(header(req.headers, 'x-amz-invocation-type'), INVOCATION_TYPES, 'invocationType', 'RequestResponse');
        const logType = enumHeader(header(req.headers, 'x-amz-log-type'), LOG_TYPES, 'logType', 'None');
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        if (type === 'DryRun') {
          ctx.invoker.check(req.scope, target.name, target.qualifier);
          return empty(204);
        }
        const context = clientContext(header(req.headers, 'x-amz-client-context'));
        if (type === 'Event') {
          if (req.body.length > ASYNC_INVOKE_MAX_BYTES) {
            throw new RequestEntityTooLargeException(`Request must be smaller than ${ASYNC_INVOKE_MAX_BYTES} bytes for the InvokeFunction operation`);
          }
          // Acknowledged only once durably queued; the function sees this request id as its awsRequestId.
          // Client context is for synchronous invocations only (AWS drops it for Event).
          const payload = eventPayload(req.body);
          const traceHeader = header(req.headers, 'x-amzn-trace-id');
          await ctx.asyncInvoker.enqueue({
            scope: req.scope, functionName: target.name, qualifier: target.qualifier, payload, requestId: req.requestId,
            ...(traceHeader === undefined ? {} : { traceHeader }),
          });
          return empty(202);
        }
        const payload = eventPayload(req.body);
        const out = await ctx.invoker.invoke({
          scope: req.scope, functionName: target.name, qualifier: target.qualifier, payload, requestId: req.requestId,
          tail: logType === 'Tail', ...(context === undefined ? {} : { clientContext: context }),
          trace: { header: header(req.headers, 'x-amzn-trace-id'), receivedAt: req.receivedAt },
        });
        const headers: Record<string, string> = { 'X-Amz-Executed-Version': out.executedVersion };
        if (out.logResult !== undefined) headers['X-Amz-Log-Result'] = out.logResult;
        if (out.result.kind === 'function-error') {
          headers['X-Amz-Function-Error'] = 'Unhandled';
          headers['Content-Type'] = 'application/json';
        } else {
          headers['Content-Type'] = out.result.contentType ?? 'application/json';
        }
        return { status: 200, body: out.result.payload, headers };
      },
    },
    {
      // Deprecated, still called by older tools: the same queue as Event, 256 KB, `Status` from the HTTP status.
      method: 'POST', path: '/2014-11-13/functions/{FunctionName}/invoke-async', operation: 'InvokeAsync', maxBodyBytes: INVOKE_ASYNC_MAX_BYTES,
      handler: async (req): Promise<ApiResponse> => {
        const target = functionTarget(req.params.FunctionName!, req.scope, undefined);
        const payload = eventPayload(req.body);
        const traceHeader = header(req.headers, 'x-amzn-trace-id');
        await ctx.asyncInvoker.enqueue({
          scope: req.scope, functionName: target.name, qualifier: target.qualifier, payload, requestId: req.requestId,
          ...(traceHeader === undefined ? {} : { traceHeader }),
        });
        return json(202, { Status: 202 });
      },
    },
  ];
}
