import { Readable } from 'node:stream';
import type { InvokeResponse } from '../../invoke/index.js';
import type { ApiContext } from '../context.js';
import { empty, type ApiResponse, type Route } from '../types.js';
import { functionTarget } from '../services/function-resolver.js';
import { invokeStreaming, type StreamingStart } from '../services/streaming-invoke.js';
import { errorMessage, eventMessage } from '../wire/event-stream.js';
import { INVOKE_MAX_BYTES, clientContext, enumHeader, eventPayload, header } from './invoke.js';

const INVOCATION_TYPES = ['RequestResponse', 'DryRun'] as const;
const LOG_TYPES = ['None', 'Tail'] as const;
const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * InvokeWithResponseStream: the function's bytes go out as PayloadChunk events as the runtime writes them, then one
 * InvokeComplete (with ErrorCode/ErrorDetails when the function failed, LogResult for LogType Tail). A handler that
 * does not stream answers with one PayloadChunk holding its whole response.
 */
export function invokeStreamRoutes(ctx: ApiContext): Route[] {
  return [
    {
      method: 'POST', path: '/2021-11-15/functions/{FunctionName}/response-streaming-invocations',
      operation: 'InvokeWithResponseStream', maxBodyBytes: INVOKE_MAX_BYTES,
      handler: async (req): Promise<ApiResponse> => {
        const type = enumHeader(header(req.headers, 'x-amz-invocation-type'), INVOCATION_TYPES, 'invocationType', 'RequestResponse');
        const logType = enumHeader(header(req.headers, 'x-amz-log-type'), LOG_TYPES, 'logType', 'None');
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        if (type === 'DryRun') {
          ctx.invoker.check(req.scope, target.name, target.qualifier);
          return empty(204);
        }
        const context = clientContext(header(req.headers, 'x-amz-client-context'));
        const payload = eventPayload(req.body);
        const start = await invokeStreaming(ctx.invoker, {
          scope: req.scope, functionName: target.name, qualifier: target.qualifier, payload, requestId: req.requestId,
          tail: logType === 'Tail', ...(context === undefined ? {} : { clientContext: context }),
        });
        const executedVersion = start.kind === 'stream' ? start.executedVersion : start.out.executedVersion;
        return {
          status: 200,
          headers: { 'Content-Type': EVENT_STREAM, 'X-Amz-Executed-Version': executedVersion },
          body: Readable.from(events(start, (err) => ctx.logger.error('streamed invocation failed', { requestId: req.requestId, error: String(err) }))),
        };
      },
    },
  ];
}

const chunk = (bytes: Uint8Array) => eventMessage('PayloadChunk', 'application/octet-stream', bytes);

/** The event messages of one invocation, pulled as the client reads them (Readable.from honours backpressure). */
async function* events(start: StreamingStart, onError: (err: unknown) => void): AsyncGenerator<Buffer> {
  let out: InvokeResponse;
  if (start.kind === 'stream') {
    try {
      // An early return (the client went away) destroys the body: the rest of the function's output is discarded.
      for await (const bytes of start.stream.body as AsyncIterable<Buffer>) {
        if (bytes.length > 0) yield chunk(bytes);
      }
    } catch {
      // The environment went away mid-stream (timeout, crash): the invocation's result says why.
    }
    try {
      out = await start.done;
    } catch (err) {
      onError(err);
      yield errorMessage('ServiceException', 'The streamed invocation failed.');
      return;
    }
  } else {
    out = start.out;
    if (out.result.kind === 'response' && out.result.payload.length > 0) yield chunk(out.result.payload);
  }
  const complete: Record<string, string> = {};
  if (out.result.kind === 'function-error') {
    complete.ErrorCode = out.result.errorType;
    complete.ErrorDetails = out.result.payload.toString('utf8');
  }
  if (out.logResult !== undefined) complete.LogResult = out.logResult;
  yield eventMessage('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(complete)));
}
