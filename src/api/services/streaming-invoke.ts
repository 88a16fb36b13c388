import type { Invoker, InvokeRequest, InvokeResponse, StreamedResponse } from '../../invoke/index.js';

/** How a streaming invocation began: the function started streaming, or it answered (or failed) without a stream. */
export type StreamingStart =
  | { kind: 'stream'; stream: StreamedResponse; executedVersion: string; done: Promise<InvokeResponse> }
  | { kind: 'done'; out: InvokeResponse };

/**
 * Invokes with a stream hand-off: resolves as soon as the function's first streamed bytes can flow, or with the
 * whole result when the handler does not stream. Platform errors (throttling, not found) reject, as for Invoke.
 */
export async function invokeStreaming(invoker: Invoker, req: Omit<InvokeRequest, 'onStream'>): Promise<StreamingStart> {
  let started!: (s: { stream: StreamedResponse; executedVersion: string }) => void;
  const streamStarted = new Promise<{ stream: StreamedResponse; executedVersion: string }>((resolve) => { started = resolve; });
  const done = invoker.invoke({ ...req, onStream: (stream, executedVersion) => started({ stream, executedVersion }) });
  // Once streaming began, the caller observes `done` later; it must never count as unhandled meanwhile.
  done.catch(() => {});
  const first = await Promise.race([
    streamStarted.then((s) => ({ k: 'stream' as const, ...s })),
    done.then((out) => ({ k: 'done' as const, out })),
  ]);
  return first.k === 'stream'
    ? { kind: 'stream', stream: first.stream, executedVersion: first.executedVersion, done }
    : { kind: 'done', out: first.out };
}
