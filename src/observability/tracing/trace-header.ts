import { randomBytes } from 'node:crypto';

/**
 * X-Ray trace headers as Lambda hands them to functions (`Lambda-Runtime-Trace-Id`, `_X_AMZN_TRACE_ID`):
 * `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=0|1`. The same ids name the OpenTelemetry
 * spans Sluice exports: trace id = the root's 32 hex digits, the function's Parent = the invocation span.
 */
export interface TraceContext {
  /** The header the function receives. */
  header: string;
  sampled: boolean;
  /** `1-5759e988-bd862e3fe1be46a994272793` */
  root: string;
  /** 32 hex: the root without its version and dashes (the OpenTelemetry trace id). */
  traceId: string;
  /** The caller's segment, when the request came with a trace header naming one. */
  callerSpanId?: string;
  /** The API request's span. */
  requestSpanId: string;
  /** The function's invocation span: the Parent the function sees. */
  invocationSpanId: string;
}

export interface IncomingTrace {
  root?: string;
  parent?: string;
  /** The upstream sampling decision, when it made one (`Sampled=?` defers to us). */
  sampled?: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN = /^[0-9a-f]{16}$/;

export function parseTraceHeader(value: string | undefined): IncomingTrace {
  const out: IncomingTrace = {};
  if (!value) return out;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim().toLowerCase();
    if (key === 'Root' && ROOT.test(v)) out.root = v;
    else if (key === 'Parent' && SPAN.test(v)) out.parent = v;
    else if (key === 'Sampled' && (v === '0' || v === '1')) out.sampled = v === '1';
  }
  return out;
}

export interface NewTraceOptions {
  /** Epoch milliseconds (the root's time part). */
  now: number;
  /** The caller's X-Amzn-Trace-Id, if any. */
  incoming?: string;
  /** TracingConfig Mode Active: sample what no upstream decided on. */
  active: boolean;
}

/**
 * The trace of one invocation. An upstream trace (its root and sampling decision) is continued, as Lambda does in
 * both modes; otherwise Active samples (every request: a local platform has no sampling budget) and PassThrough
 * does not.
 */
export function newTraceContext(o: NewTraceOptions): TraceContext {
  const incoming = parseTraceHeader(o.incoming);
  const bytes = randomBytes(28).toString('hex');
  const root = incoming.root ?? `1-${Math.floor(o.now / 1000).toString(16).padStart(8, '0').slice(-8)}-${bytes.slice(0, 24)}`;
  const sampled = incoming.sampled ?? o.active;
  const invocationSpanId = bytes.slice(24, 40);
  const ctx: TraceContext = {
    header: `Root=${root};Parent=${invocationSpanId};Sampled=${sampled ? 1 : 0}`,
    sampled,
    root,
    traceId: root.slice(2).replace('-', ''),
    requestSpanId: bytes.slice(40, 56),
    invocationSpanId,
  };
  if (incoming.parent) ctx.callerSpanId = incoming.parent;
  return ctx;
}

export const newSpanId = (): string => randomBytes(8).toString('hex');
