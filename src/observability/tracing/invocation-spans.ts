import type { InvocationEvent } from '../invocation-events.js';
import { newSpanId } from './trace-header.js';
import type { Span } from './otlp-exporter.js';

type Invoked = Extract<InvocationEvent, { type: 'invoked' }>;

/** Span names (docs/tracing.md). */
export const SPAN_NAMES = {
  request: 'Invoke',
  queueWait: 'QueueWait',
  environmentStart: 'EnvironmentStart',
  invocation: 'Invocation',
} as const;

/**
 * The spans of one sampled invocation, in its X-Ray trace: the API request (a server span, child of the caller's
 * segment when the request carried one), the wait before an environment took it, the environment's start on a cold
 * start, and the invocation itself — whose span id is the `Parent` the function saw, so spans the function exports
 * itself nest under it.
 */
export function invocationSpans(e: Invoked): Span[] {
  const { trace } = e;
  const common = {
    'cloud.account.id': e.scope.account,
    'cloud.region': e.scope.region,
    'faas.name': e.functionName,
    'faas.version': e.version,
  };
  const invokeStart = Math.max(e.dispatchedAt, e.finishedAt - e.durationMs);
  const request: Span = {
    traceId: trace.traceId,
    spanId: trace.requestSpanId,
    ...(trace.callerSpanId ? { parentSpanId: trace.callerSpanId } : {}),
    name: SPAN_NAMES.request,
    kind: 2,
    startMs: e.receivedAt ?? e.acceptedAt,
    endMs: e.finishedAt,
    attributes: {
      ...common,
      'rpc.system': 'aws-api', 'rpc.service': 'Lambda', 'rpc.method': 'Invoke',
      'faas.invoked_name': e.functionName, 'faas.invoked_provider': 'aws', 'faas.invocation_mode': e.mode,
      'aws.request_id': e.requestId, 'aws.xray.trace_id': trace.root,
      ...(e.qualifier === undefined ? {} : { 'aws.lambda.qualifier': e.qualifier }),
    },
  };
  const child = (name: string, spanId: string, startMs: number, endMs: number, attributes: Span['attributes']): Span => ({
    traceId: trace.traceId, spanId, parentSpanId: trace.requestSpanId, name, kind: 1, startMs, endMs, attributes: { ...common, ...attributes },
  });
  const spans: Span[] = [request, child(SPAN_NAMES.queueWait, newSpanId(), e.acceptedAt, e.dispatchedAt, {})];
  if (e.coldStart) {
    spans.push(child(SPAN_NAMES.environmentStart, newSpanId(), e.dispatchedAt, invokeStart, {
      'faas.coldstart': true, ...(e.initDurationMs === undefined ? {} : { 'aws.lambda.init_duration_ms': Math.round(e.initDurationMs * 100) / 100 }),
    }));
  }
  const invocation = child(SPAN_NAMES.invocation, trace.invocationSpanId, invokeStart, e.finishedAt, {
    'faas.invocation_id': e.requestId, 'faas.coldstart': e.coldStart, 'aws.lambda.duration_ms': Math.round(e.durationMs * 100) / 100,
  });
  if (e.errorType !== undefined) {
    invocation.error = e.errorType;
    request.error = e.errorType;
  }
  spans.push(invocation);
  return spans;
}
