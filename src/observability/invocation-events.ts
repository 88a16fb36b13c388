import type { Scope } from '../domain/scope.js';
import type { TraceContext } from './tracing/trace-header.js';

/** Which function an event is about: the caller's qualifier (if any) and the version that ran or would have. */
export interface InvocationSubject {
  scope: Scope;
  functionName: string;
  /** As the caller named it: undefined (unqualified), `$LATEST`, a version number or an alias. */
  qualifier: string | undefined;
  /** The executed version. */
  version: string;
}

/** High-resolution wall-clock milliseconds (performance.timeOrigin + now()): span timestamps. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export type InvocationEvent =
  /** An invocation ran (successfully or with a function error). Times are wallNow() values. */
  | (InvocationSubject & {
      type: 'invoked';
      requestId: string;
      mode: 'sync' | 'async';
      /** The function's error type (Unhandled, Runtime.ExitError, Sandbox.Timedout, ...) when it failed. */
      errorType?: string;
      durationMs: number;
      coldStart: boolean;
      /** The init phase's duration on a cold start. */
      initDurationMs?: number;
      /** When the API received the request (undefined for invocations not from the API). */
      receivedAt?: number;
      /** When the invoker accepted it, handed it to an environment, and got the result. */
      acceptedAt: number;
      dispatchedAt: number;
      finishedAt: number;
      trace: TraceContext;
    })
  /** Refused for lack of concurrency (429 TooManyRequestsException). */
  | (InvocationSubject & { type: 'throttled'; requestId: string; reason: string })
  // The asynchronous invocation pipeline (InvocationType Event) reports these.
  | (InvocationSubject & { type: 'async-received'; requestId: string })
  /** An event left the queue for its (first or retried) attempt, `ageMs` after it was received. */
  | (InvocationSubject & { type: 'async-dequeued'; requestId: string; ageMs: number })
  /** An event was dropped without a successful execution (retries or maximum age exhausted, or never runnable). */
  | (InvocationSubject & { type: 'async-dropped'; requestId: string; reason: string })
  /** Sending an invocation record to a destination (or dead-letter queue) failed. */
  | (InvocationSubject & { type: 'destination-failed'; requestId: string; destination: string });

/**
 * What happens to invocations, for observers (metrics, traces) that must not be sprinkled through the invoke path.
 * Listeners run synchronously and must be cheap; one that throws is isolated from the others and from the invoke.
 */
export class InvocationEvents {
  private readonly listeners = new Set<(e: InvocationEvent) => void>();

  on(listener: (e: InvocationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: InvocationEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // An observer's failure never fails an invocation.
      }
    }
  }
}
