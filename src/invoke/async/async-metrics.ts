import type { Scope } from '../../domain/scope.js';

/**
 * The asynchronous-invocation metrics Lambda publishes per function (CloudWatch names), as counters and a
 * listener hook for the metrics/observability layer:
 * - AsyncEventsReceived: events queued (Event invocations and destination records);
 * - AsyncEventAge: ms between queueing and each attempt's start (grows with retries and throttling);
 * - AsyncEventsDropped: events that ended without running successfully (retries exhausted, too old, function
 *   gone), whether or not a record then went to an OnFailure destination — AWS counts them the same way;
 * - DestinationDeliveryFailures: records that could not be delivered to their destination.
 */
export type AsyncMetricName = 'AsyncEventsReceived' | 'AsyncEventAge' | 'AsyncEventsDropped' | 'DestinationDeliveryFailures';

export interface AsyncMetricSample {
  metric: AsyncMetricName;
  scope: Scope;
  functionName: string;
  /** 1 for counts, milliseconds for AsyncEventAge. */
  value: number;
  timestamp: number;
}

export interface AsyncMetricTotals {
  AsyncEventsReceived: number;
  AsyncEventsDropped: number;
  DestinationDeliveryFailures: number;
  /** Attempts started, and the sum / maximum of their event ages (ms). */
  AsyncEventAge: { count: number; sum: number; max: number };
}

const zero = (): AsyncMetricTotals => ({
  AsyncEventsReceived: 0, AsyncEventsDropped: 0, DestinationDeliveryFailures: 0, AsyncEventAge: { count: 0, sum: 0, max: 0 },
});

export class AsyncMetrics {
  private readonly byFunction = new Map<string, AsyncMetricTotals>();
  private readonly all = zero();
  private readonly listeners = new Set<(s: AsyncMetricSample) => void>();

  /** Every sample as it happens; returns the unsubscribe function. */
  onSample(listener: (s: AsyncMetricSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Totals since start, for one function or all of them. */
  totals(scope?: Scope, functionName?: string): AsyncMetricTotals {
    const t = scope && functionName !== undefined ? this.byFunction.get(key(scope, functionName)) : this.all;
    return structuredClone(t ?? zero());
  }

  record(metric: AsyncMetricName, scope: Scope, functionName: string, value: number, timestamp: number): void {
    const k = key(scope, functionName);
    let f = this.byFunction.get(k);
    if (!f) {
      f = zero();
      this.byFunction.set(k, f);
    }
    for (const t of [f, this.all]) {
      if (metric === 'AsyncEventAge') {
        t.AsyncEventAge.count++;
        t.AsyncEventAge.sum += value;
        t.AsyncEventAge.max = Math.max(t.AsyncEventAge.max, value);
      } else {
        t[metric] += value;
      }
    }
    for (const l of this.listeners) l({ metric, scope, functionName, value, timestamp });
  }
}

const key = (scope: Scope, functionName: string) => `${scope.account}/${scope.region}/${functionName}`;
