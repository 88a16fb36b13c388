import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Scope } from '../../domain/scope.js';
import type { InvocationEvent, InvocationSubject } from '../invocation-events.js';

/** What the metrics read and listen to; the composition root wires the invoker and the environment pool in. */
export interface MetricsSources {
  /** Invocation events (Invoker.events). */
  onInvocation(listener: (e: InvocationEvent) => void): () => void;
  /** Environment pool events (EnvironmentPool.onEvent). */
  onPool(listener: (e: PoolEventLike) => void): () => void;
  /** The pool's environments per version (EnvironmentPool.snapshot). */
  environments(): VersionSnapshotLike[];
  /** Concurrent executions per scope (ConcurrencyLimiter.snapshot). */
  concurrency(): { scope: Scope; unreserved: number; functions: [string, number][] }[];
}

/** The parts of src/sandbox's pool events and snapshots the metrics use (no import of the sandbox layer). */
export interface EnvironmentLike {
  spec: { scope: Scope; functionName: string; version: string; runtime: string };
  initializationType: string;
  initDuration: number | undefined;
  initFailureKind: string | undefined;
}
export type PoolEventLike = { type: string; environment: EnvironmentLike };
export interface VersionSnapshotLike {
  scope: Scope;
  functionName: string;
  version: string;
  starting: number;
  idle: number;
  busy: number;
  provisionedTarget: number;
  provisionedBusy: number;
}

const FUNCTION = ['account', 'region', 'function_name'] as const;
const RESOURCE = [...FUNCTION, 'qualifier', 'executed_version'] as const;
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const INIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const AGE_BUCKETS = [0.01, 0.1, 1, 10, 60, 300, 900, 3600, 21600];

const fn = (s: { scope: Scope; functionName: string }) => ({ account: s.scope.account, region: s.scope.region, function_name: s.functionName });
const resource = (s: InvocationSubject) => ({ ...fn(s), qualifier: s.qualifier ?? '', executed_version: s.version });

/**
 * Lambda's CloudWatch metric set as Prometheus metrics (docs/metrics.md): per function, qualifier and executed
 * version — invocations, errors, throttles, duration, concurrency, provisioned utilisation, the async pipeline —
 * and the platform's own: environments by state, cold starts, sandbox start failures, queue depths.
 * Counters move on events; gauges are read from the pool and the concurrency limiter when scraped.
 */
export class LambdaMetrics {
  readonly registry = new Registry();
  private readonly queues = new Map<string, () => number>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const invocations = new Counter({ name: 'sluice_lambda_invocations_total', help: 'Invocations that ran the function (successful or with a function error), as CloudWatch Invocations.', labelNames: RESOURCE, registers });
    const errors = new Counter({ name: 'sluice_lambda_errors_total', help: 'Invocations that ended in a function error, as CloudWatch Errors.', labelNames: RESOURCE, registers });
    const throttles = new Counter({ name: 'sluice_lambda_throttles_total', help: 'Invocation requests refused for lack of concurrency (429), as CloudWatch Throttles.', labelNames: RESOURCE, registers });
    const duration = new Histogram({ name: 'sluice_lambda_duration_seconds', help: 'Time the function spent on an invocation, as CloudWatch Duration.', labelNames: RESOURCE, buckets: DURATION_BUCKETS, registers });
    const coldStarts = new Counter({ name: 'sluice_lambda_cold_starts_total', help: 'Invocations that had to start a new execution environment.', labelNames: FUNCTION, registers });
    const asyncReceived = new Counter({ name: 'sluice_lambda_async_events_received_total', help: 'Events accepted for asynchronous invocation, as CloudWatch AsyncEventsReceived.', labelNames: RESOURCE, registers });
    const asyncAge = new Histogram({ name: 'sluice_lambda_async_event_age_seconds', help: 'Time from receiving an async event to each attempt to invoke it, as CloudWatch AsyncEventAge.', labelNames: RESOURCE, buckets: AGE_BUCKETS, registers });
    const asyncDropped = new Counter({ name: 'sluice_lambda_async_events_dropped_total', help: 'Async events dropped without a successful execution, as CloudWatch AsyncEventsDropped.', labelNames: [...RESOURCE, 'reason'], registers });
    const destinationFailures = new Counter({ name: 'sluice_lambda_destination_delivery_failures_total', help: 'Failed deliveries of invocation records to destinations, as CloudWatch DestinationDeliveryFailures.', labelNames: RESOURCE, registers });
    const initDuration = new Histogram({ name: 'sluice_cold_start_duration_seconds', help: 'Init phase of new execution environments (cold starts and provisioned environments).', labelNames: ['runtime', 'initialization_type'], buckets: INIT_BUCKETS, registers });
    const initFailures = new Counter({ name: 'sluice_environment_init_failures_total', help: 'Execution environments whose init phase failed, by why.', labelNames: ['runtime', 'reason'], registers });
    const sandboxFailures = new Counter({ name: 'sluice_sandbox_start_failures_total', help: 'Execution environments whose sandbox or runtime process could not be started at all.', labelNames: ['runtime'], registers });
    const created = new Counter({ name: 'sluice_environments_created_total', help: 'Execution environments created.', labelNames: ['initialization_type'], registers });

    new Gauge({
      name: 'sluice_environments', help: 'Execution environments by state (starting, idle, busy).', labelNames: ['state'], registers,
      collect() {
        const totals = { starting: 0, idle: 0, busy: 0 };
        for (const v of sources.environments()) {
          totals.starting += v.starting;
          totals.idle += v.idle;
          totals.busy += v.busy;
        }
        this.reset();
        for (const [state, n] of Object.entries(totals)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'sluice_lambda_concurrent_executions', help: 'Invocations running right now, as CloudWatch ConcurrentExecutions.', labelNames: FUNCTION, registers,
      collect() {
        this.reset();
        for (const s of sources.concurrency()) for (const [name, n] of s.functions) this.set(fn({ scope: s.scope, functionName: name }), n);
      },
    });
    new Gauge({
      name: 'sluice_lambda_account_concurrent_executions', help: 'Invocations running right now in an account and region.', labelNames: ['account', 'region'], registers,
      collect() {
        this.reset();
        for (const s of sources.concurrency()) this.set({ account: s.scope.account, region: s.scope.region }, s.functions.reduce((a, [, n]) => a + n, 0));
      },
    });
    new Gauge({
      name: 'sluice_lambda_unreserved_concurrent_executions', help: 'Running invocations of functions without reserved concurrency, as CloudWatch UnreservedConcurrentExecutions.', labelNames: ['account', 'region'], registers,
      collect() {
        this.reset();
        for (const s of sources.concurrency()) this.set({ account: s.scope.account, region: s.scope.region }, s.unreserved);
      },
    });
    new Gauge({
      name: 'sluice_lambda_provisioned_concurrent_executions', help: 'Provisioned environments running an invocation, as CloudWatch ProvisionedConcurrentExecutions.', labelNames: [...FUNCTION, 'executed_version'], registers,
      collect() {
        this.reset();
        for (const v of sources.environments()) if (v.provisionedTarget > 0) this.set({ ...fn(v), executed_version: v.version }, v.provisionedBusy);
      },
    });
    new Gauge({
      name: 'sluice_lambda_provisioned_concurrency_utilization', help: 'Busy provisioned environments / provisioned concurrency (0..1), as CloudWatch ProvisionedConcurrencyUtilization.', labelNames: [...FUNCTION, 'executed_version'], registers,
      collect() {
        this.reset();
        for (const v of sources.environments()) if (v.provisionedTarget > 0) this.set({ ...fn(v), executed_version: v.version }, Math.min(1, v.provisionedBusy / v.provisionedTarget));
      },
    });
    const queues = this.queues;
    new Gauge({
      name: 'sluice_queue_depth', help: 'Work waiting in Sluice\'s queues (async: events accepted and not yet finished).', labelNames: ['queue'], registers,
      collect() {
        this.reset();
        for (const [queue, depth] of queues) this.set({ queue }, depth());
      },
    });

    this.unsubscribe.push(sources.onInvocation((e) => {
      switch (e.type) {
        case 'invoked': {
          const labels = resource(e);
          invocations.inc(labels);
          if (e.errorType !== undefined) errors.inc(labels);
          duration.observe(labels, e.durationMs / 1000);
          if (e.coldStart) coldStarts.inc(fn(e));
          break;
        }
        case 'throttled': throttles.inc(resource(e)); break;
        case 'async-received': asyncReceived.inc(resource(e)); break;
        case 'async-dequeued': asyncAge.observe(resource(e), e.ageMs / 1000); break;
        case 'async-dropped': asyncDropped.inc({ ...resource(e), reason: e.reason }); break;
        case 'destination-failed': destinationFailures.inc(resource(e)); break;
      }
    }));
    this.unsubscribe.push(sources.onPool((e) => {
      const env = e.environment;
      if (e.type === 'created') created.inc({ initialization_type: env.initializationType });
      if (e.type !== 'initialized') return;
      const runtime = env.spec.runtime;
      if (env.initDuration !== undefined) {
        initDuration.observe({ runtime, initialization_type: env.initializationType }, env.initDuration / 1000);
      } else if (env.initFailureKind !== undefined) {
        initFailures.inc({ runtime, reason: env.initFailureKind });
        if (env.initFailureKind === 'unavailable') sandboxFailures.inc({ runtime });
      }
    }));
  }

  /** A queue whose depth is reported as sluice_queue_depth{queue=name} (the async event queue registers itself). */
  addQueue(name: string, depth: () => number): void {
    this.queues.set(name, depth);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  close(): void {
    for (const u of this.unsubscribe) u();
    this.registry.clear();
  }
}
