import { randomUUID } from 'node:crypto';
import type { Clock, Scope } from '../../domain/scope.js';
import { AwsError, ResourceNotFoundException, ServiceException, TooManyRequestsException } from '../../errors/index.js';
import type { Logger } from '../../observability/index.js';
import {
  functionKey, parseFunctionKey, type EventQueue, type FunctionKey, type LastResponse, type NewQueuedEvent,
  type QueueCounts, type QueuedEvent, type Repositories, type Settlement,
} from '../../store/index.js';
import type { InvocationEvent } from '../invocation-events.js';
import type { InvokeRequest, InvokeResponse } from '../invoker.js';
import { AsyncMetrics } from './async-metrics.js';
import { FunctionGates } from './function-gates.js';
import { destinationEvent } from './destinations.js';
import { errorSummary, type RecordCondition } from './invocation-record.js';
import { afterFailure, expiryOf } from './retry-policy.js';
import { asyncSettings } from './settings.js';

/** What the drainer needs from the Invoker: the same entry point synchronous calls use. */
export interface AsyncTarget {
  invoke(req: InvokeRequest): Promise<InvokeResponse>;
  /** Resolves the function and qualifier and checks the version can run (404 / 409 as AWS). */
  check(scope: Scope, functionName: string, qualifier: string | undefined): { executedVersion: string };
}

export interface AsyncInvokeRequest {
  scope: Scope;
  functionName: string;
  qualifier: string | undefined;
  payload: Buffer;
  /** The caller's x-amzn-RequestId: the function sees it as awsRequestId on every attempt. */
  requestId: string;
  /** The caller's X-Amzn-Trace-Id. */
  traceHeader?: string;
}

/** What became of one attempt, once it is durably recorded (tests and tooling listen to these). */
export interface AsyncOutcome {
  id: string;
  scope: Scope;
  functionName: string;
  qualifier?: string;
  kind: 'succeeded' | 'retrying' | 'throttled' | 'dropped' | 'released';
  /** Attempts that reached the function so far. */
  attempts: number;
  condition?: RecordCondition;
  /** The destination a record went to, and the request id of that record's own asynchronous invocation. */
  destination?: { arn: string; requestId: string };
  error?: string;
}

export interface AsyncInvokerOptions {
  queue: EventQueue;
  invoker: AsyncTarget;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  /** Multiplies retry delays, throttle back-off and maximum event age (1 = AWS's timings). */
  timeScale: number;
  /** Invocations the drainer runs at once, all functions together. */
  maxInFlight: number;
  /** The queue belongs to this server alone (embedded store): leases found at start are from a dead process. */
  exclusiveQueue: boolean;
  metrics?: AsyncMetrics;
  /** Where the pipeline's events go for metrics and traces (the Invoker's `events`). */
  events?: { emit(e: InvocationEvent): void };
}

/** The response on record for an event that only ever waited for capacity: a throttle, as AWS would have seen. */
const throttledResponse = (): LastResponse => ({
  statusCode: 429, payload: Buffer.from(JSON.stringify({ errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' })),
});

/** A lease outlives its owner by at most this; a live owner renews well before. */
const LEASE_MS = 30_000;
const RENEW_EVERY_MS = 10_000;
/** Even with nothing announced, look at the queue this often. */
const IDLE_PASS_MS = 1_000;
const DROPPED_RETENTION_MS = 3 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;
/** Claims per pass before yielding to the event loop. */
const ROUNDS_PER_PASS = 8;

/**
 * Asynchronous invocation (InvocationType Event, InvokeAsync, destination records): events are stored durably
 * before they are acknowledged, then drained through the Invoker — so concurrency limits apply — with AWS's
 * retries, maximum event age and destinations. Delivery is at-least-once (docs/async-invocation.md says when an
 * event can run twice).
 */
export class AsyncInvoker {
  /** This drainer's lease owner id (a new one per process). */
  readonly owner = randomUUID();
  readonly metrics: AsyncMetrics;
  private readonly gates: FunctionGates;
  private readonly running = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(o: AsyncOutcome) => void>();
  private idleWaiters: (() => void)[] = [];
  private passScheduled = false;
  private passing = false;
  private passAgain = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: AsyncInvokerOptions) {
    this.metrics = options.metrics ?? new AsyncMetrics();
    this.gates = new FunctionGates((key) => {
      const { scope, functionName } = parseFunctionKey(key);
      return options.repos.functions.get(scope, functionName)?.reservedConcurrency;
    }, options.timeScale);
  }

  /** Picks up what an earlier process left (queued events, and leases it held when it died), then drains. */
  async start(): Promise<void> {
    const { queue, clock, logger } = this.options;
    const now = clock.now();
    if (this.options.exclusiveQueue) {
      const orphaned = await queue.expireForeignLeases(this.owner, now);
      if (orphaned > 0) logger.info('async events in flight before the restart will run again', { events: orphaned });
    }
    await queue.pruneDropped(now - DROPPED_RETENTION_MS);
    this.renewTimer = setInterval(() => void this.renew(), RENEW_EVERY_MS).unref();
    this.pruneTimer = setInterval(() => void queue.pruneDropped(clock.now() - DROPPED_RETENTION_MS).catch(() => {}), PRUNE_EVERY_MS).unref();
    this.schedulePass();
  }

  /**
   * Accepts an event: the function must exist and be able to run (AWS answers 404 / 409 at once), and the event is
   * durable when the promise resolves — only then may the caller be told 202. When the function has room, the event
   * is stored already leased to this drainer and starts immediately.
   */
  async enqueue(req: AsyncInvokeRequest): Promise<void> {
    if (this.stopping) throw new ServiceException();
    const { queue, invoker, clock } = this.options;
    const { executedVersion } = invoker.check(req.scope, req.functionName, req.qualifier);
    const now = clock.now();
    const settings = asyncSettings(this.options.repos, req.scope, req.functionName, req.qualifier);
    const event: NewQueuedEvent = {
      id: req.requestId, scope: req.scope, functionName: req.functionName, payload: req.payload,
      enqueuedAt: now, expiresAt: expiryOf(now, settings.maximumEventAgeInSeconds, this.options.timeScale),
    };
    if (req.qualifier !== undefined) event.qualifier = req.qualifier;
    if (req.traceHeader !== undefined) event.traceHeader = req.traceHeader;
    const key = functionKey(req.scope, req.functionName);
    const direct = this.gates.total < this.options.maxInFlight && this.gates.admit(key, now) === 'take';
    if (!direct) {
      await queue.enqueue(event);
      this.received(event, executedVersion);
      this.schedulePass();
      return;
    }
    // Handed to the function while its commit (an fsync) is under way: the caller's 202 still waits for the commit,
    // and the event's outcome is written after its insert. Should the commit fail, the caller gets an error (and,
    // like any caller without a 202, may send it again) although the function has the event.
    const leaseUntil = now + LEASE_MS;
    const stored = queue.enqueue(event, { owner: this.owner, until: leaseUntil });
    this.run({ ...event, status: 'leased', availableAt: leaseUntil, leaseOwner: this.owner, attempts: 1, failures: 0, throttles: 0 }, now);
    await stored;
    this.received(event, executedVersion);
  }

  /** A function's settings changed (reserved concurrency, state): forget its back-off and wake its waiting events. */
  functionChanged(scope: Scope, functionName: string): void {
    if (this.stopping) return;
    const key = functionKey(scope, functionName);
    this.gates.reset(key);
    this.options.queue.wake(key, this.options.clock.now()).then(
      () => this.schedulePass(),
      (err: unknown) => this.options.logger.error('async queue wake failed', { error: String(err) }),
    );
  }

  /** A function's pending events (oldest first) and then its dropped ones (newest first). */
  list(scope: Scope, functionName: string, limit = 1000): Promise<QueuedEvent[]> {
    return this.options.queue.list(functionKey(scope, functionName), { dropped: true, limit });
  }

  /** How many of a function's events are queued, in flight, waiting for a retry, dropped. */
  counts(scope: Scope, functionName: string): Promise<QueueCounts> {
    return this.options.queue.counts(functionKey(scope, functionName), this.options.clock.now());
  }

  onOutcome(listener: (o: AsyncOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once nothing is queued, waiting or running. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running.size === 0 && (await this.options.queue.pendingCount()) === 0) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  /** Stops taking events (call before the Invoker closes: what is running then goes back to the queue). */
  stop(): void {
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    clearInterval(this.renewTimer);
    clearInterval(this.pruneTimer);
  }

  /** Stops, and waits until every running event's outcome is recorded. */
  close(): Promise<void> {
    this.stop();
    return (this.closing ??= (async () => {
      while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
    })());
  }

  // ---- draining -------------------------------------------------------------------------------------------

  private schedulePass(): void {
    if (this.passScheduled || this.stopping) return;
    this.passScheduled = true;
    setImmediate(() => {
      this.passScheduled = false;
      void this.pass();
    });
  }

  /** Claims what can run now, starts it, and arms a timer for the next event that becomes ready. */
  private async pass(): Promise<void> {
    if (this.stopping) return;
    if (this.passing) {
      this.passAgain = true;
      return;
    }
    this.passing = true;
    let more = false;
    try {
      for (let round = 0; round < ROUNDS_PER_PASS; round++) {
        const free = this.options.maxInFlight - this.gates.total;
        if (free <= 0 || this.stopping) break;
        const claimed = await this.claim(free);
        more = claimed.more;
        if (!more) break;
      }
      if (!this.stopping) await this.armWakeTimer();
    } catch (err) {
      this.options.logger.error('async queue pass failed', { error: String((err as Error)?.stack ?? err) });
      this.wakeTimer = setTimeout(() => this.schedulePass(), IDLE_PASS_MS).unref();
    } finally {
      this.passing = false;
    }
    if (this.passAgain || more) {
      this.passAgain = false;
      this.schedulePass();
    }
  }

  private async claim(free: number): Promise<{ more: boolean }> {
    const now = this.options.clock.now();
    // Places counted per function while the claim decides; what it did not take is given back afterwards.
    const reserved = new Map<FunctionKey, number>();
    let result;
    try {
      result = await this.options.queue.claim({
        owner: this.owner, now, leaseUntil: now + LEASE_MS, limit: free,
        room: (key, upTo) => {
          const r = this.gates.room(key, now, upTo);
          if (typeof r !== 'number') return { deferUntil: r.blockedUntil };
          if (r > 0) reserved.set(key, (reserved.get(key) ?? 0) + r);
          return r;
        },
      });
    } catch (err) {
      for (const [key, n] of reserved) this.gates.unreserve(key, n);
      throw err;
    }
    for (const e of result.events) {
      // Too old to run: reported without using its function's capacity.
      if (e.expiresAt <= now) continue;
      const key = functionKey(e.scope, e.functionName);
      reserved.set(key, (reserved.get(key) ?? 0) - 1);
    }
    for (const [key, n] of reserved) this.gates.unreserve(key, n);
    for (const e of result.events) this.run(e, now);
    return { more: result.more && result.events.length > 0 };
  }

  private async armWakeTimer(): Promise<void> {
    const now = this.options.clock.now();
    const next = await this.options.queue.nextAvailableAt(now, this.owner);
    const delay = next === undefined ? IDLE_PASS_MS : Math.min(Math.max(next - now, 1), IDLE_PASS_MS);
    clearTimeout(this.wakeTimer);
    if (!this.stopping) this.wakeTimer = setTimeout(() => this.schedulePass(), delay).unref();
  }

  private async renew(): Promise<void> {
    if (this.running.size === 0 || this.stopping) return;
    try {
      await this.options.queue.renewLeases(this.owner, this.options.clock.now() + LEASE_MS);
    } catch (err) {
      this.options.logger.error('async lease renewal failed', { error: String(err) });
    }
  }

  // ---- one event ------------------------------------------------------------------------------------------

  /** `claimedAt`: the claim's clock; an event already expired then was not counted against its function. */
  private run(e: QueuedEvent, claimedAt: number): void {
    const task = this.handle(e, claimedAt)
      .catch((err: unknown) => this.options.logger.error('async event handling failed', {
        requestId: e.id, functionName: e.functionName, error: String((err as Error)?.stack ?? err),
      }))
      .finally(() => {
        this.running.delete(e.id);
        this.wakeIdle();
      });
    this.running.set(e.id, task);
  }

  private async handle(e: QueuedEvent, claimedAt: number): Promise<void> {
    const { clock, invoker } = this.options;
    const key = functionKey(e.scope, e.functionName);
    const ranBefore = e.attempts - 1;
    if (e.expiresAt <= claimedAt) {
      // Never reached the function: it waited for capacity all along (a refusal, if one happened, is on record).
      const response = e.lastResponse ?? (ranBefore === 0 ? throttledResponse() : undefined);
      await this.fail(e, 'EventAgeExceeded', { attempts: ranBefore, failures: e.failures, throttles: e.throttles }, response);
      return;
    }
    if (this.stopping) {
      this.gates.finished(key, 'released', clock.now());
      await this.release(e, ranBefore);
      return;
    }
    const ageMs = clock.now() - e.enqueuedAt;
    this.metric('AsyncEventAge', e, ageMs);
    let out: InvokeResponse;
    try {
      out = await invoker.invoke({
        scope: e.scope, functionName: e.functionName, qualifier: e.qualifier, payload: e.payload, requestId: e.id, tail: false,
        async: true, ...(e.traceHeader === undefined ? {} : { trace: { header: e.traceHeader } }),
      });
    } catch (err) {
      this.options.events?.emit({ type: 'async-dequeued', ...this.subject(e), requestId: e.id, ageMs });
      await this.refused(e, key, err);
      return;
    }
    // Reported once the version that ran is known (its age is that of the attempt's start).
    this.options.events?.emit({
      type: 'async-dequeued', scope: e.scope, functionName: e.functionName, qualifier: e.qualifier, version: out.executedVersion,
      requestId: e.id, ageMs,
    });
    const now = clock.now();
    const { wake } = this.gates.finished(key, 'ran', now);
    if (wake) this.functionWoken(key);
    this.schedulePass();
    const settings = asyncSettings(this.options.repos, e.scope, e.functionName, e.qualifier);
    if (out.result.kind === 'response') {
      const response = { statusCode: 200, executedVersion: out.executedVersion, payload: out.result.payload };
      const dest = settings.onSuccess === undefined ? undefined : this.destinationEvent(e, settings.onSuccess, 'Success', e.attempts, response, now);
      await this.settle({ kind: 'delete', id: e.id, ...(dest ? { then: [dest] } : {}) }, dest);
      this.emit(e, { kind: 'succeeded', attempts: e.attempts, ...(dest ? { destination: { arn: settings.onSuccess!, requestId: dest.id } } : {}) });
      return;
    }
    const lastError = errorSummary(out.result.errorType, out.result.payload);
    if (this.stopping) {
      // Shutting down ends running invocations: that failure is ours, not the function's. It runs again.
      await this.release(e, ranBefore);
      return;
    }
    const failures = e.failures + 1;
    const response: LastResponse = { statusCode: 200, executedVersion: out.executedVersion, functionError: 'Unhandled', payload: out.result.payload };
    const next = afterFailure(failures, settings.maximumRetryAttempts, now, e.expiresAt, this.options.timeScale);
    if (!next.retry) {
      await this.fail(e, next.condition, { attempts: e.attempts, failures, throttles: e.throttles, lastError }, response, settings);
      return;
    }
    await this.settle({
      kind: 'release', id: e.id, availableAt: next.at, wait: 'retry', attempts: e.attempts, failures, throttles: e.throttles,
      lastError, lastResponse: response,
    });
    this.emit(e, { kind: 'retrying', attempts: e.attempts, error: lastError });
  }

  /** The Invoker refused the event before the function ran: throttled, function gone, not ready, shutting down. */
  private async refused(e: QueuedEvent, key: FunctionKey, err: unknown): Promise<void> {
    const now = this.options.clock.now();
    const ranBefore = e.attempts - 1;
    if (this.stopping) {
      this.gates.finished(key, 'released', now);
      await this.release(e, ranBefore);
      return;
    }
    const lastError = err instanceof AwsError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
    if (err instanceof ResourceNotFoundException) {
      // The function (or the alias / version invoked) is gone, and its destinations with it.
      this.gates.finished(key, 'released', now);
      this.schedulePass();
      await this.fail(e, undefined, { attempts: ranBefore, failures: e.failures, throttles: e.throttles, lastError }, e.lastResponse);
      return;
    }
    // Throttled, or refused by the platform (not Active yet, no runtime): waits and is retried until its maximum age.
    const { blockedUntil = now } = this.gates.finished(key, 'refused', now);
    if (!(err instanceof TooManyRequestsException)) {
      this.options.logger.warn('async event refused; it will be retried', { requestId: e.id, functionName: e.functionName, error: lastError });
    }
    const status = err instanceof AwsError ? err.status : 500;
    const code = err instanceof AwsError ? err.code : 'ServiceException';
    const message = err instanceof Error ? err.message : String(err);
    const lastResponse = ranBefore === 0 && e.lastResponse === undefined
      ? { statusCode: status, payload: Buffer.from(JSON.stringify({ errorType: code, errorMessage: message })) }
      : undefined;
    await this.settle({
      kind: 'release', id: e.id, availableAt: Math.min(blockedUntil, e.expiresAt), wait: 'throttle',
      attempts: ranBefore, failures: e.failures, throttles: e.throttles + 1, lastError,
      ...(lastResponse ? { lastResponse } : {}),
    });
    this.schedulePass();
    this.emit(e, { kind: 'throttled', attempts: ranBefore, error: lastError });
  }

  /** Back to the queue as it was before this attempt (shutdown): it runs again after the restart. */
  private async release(e: QueuedEvent, attempts: number): Promise<void> {
    await this.options.queue.settle({
      kind: 'release', id: e.id, availableAt: e.enqueuedAt, attempts, failures: e.failures, throttles: e.throttles,
      ...(e.wait ? { wait: e.wait } : {}), ...(e.lastError ? { lastError: e.lastError } : {}),
    });
    this.emit(e, { kind: 'released', attempts });
  }

  /**
   * The event ends without success: a record goes to the OnFailure destination when one is configured (and can be
   * delivered); either way it counts as dropped and stays visible in `sluice events` for a few days.
   */
  private async fail(
    e: QueuedEvent, condition: 'RetriesExhausted' | 'EventAgeExceeded' | undefined,
    state: { attempts: number; failures: number; throttles: number; lastError?: string },
    response: LastResponse | undefined, settings = asyncSettings(this.options.repos, e.scope, e.functionName, e.qualifier),
  ): Promise<void> {
    const now = this.options.clock.now();
    const arn = condition === undefined ? undefined : settings.onFailure;
    const dest = arn === undefined || condition === undefined
      ? undefined
      : this.destinationEvent(e, arn, condition, state.attempts, response, now);
    const lastError = state.lastError ?? (condition === 'EventAgeExceeded' ? e.lastError : undefined);
    await this.settle({
      kind: 'drop', id: e.id, finishedAt: now, attempts: state.attempts, failures: state.failures, throttles: state.throttles,
      ...(condition ? { condition } : {}), ...(dest ? { deliveredTo: arn, then: [dest] } : {}), ...(lastError ? { lastError } : {}),
    }, dest);
    this.metric('AsyncEventsDropped', e, 1);
    this.options.events?.emit({ type: 'async-dropped', ...this.subject(e, response), requestId: e.id, reason: condition ?? 'FunctionNotFound' });
    const fields = { requestId: e.id, functionName: e.functionName, condition, attempts: state.attempts, lastError };
    if (dest) this.options.logger.info('async event failed; record sent to its OnFailure destination', { ...fields, destination: arn });
    else this.options.logger.warn('async event dropped', fields);
    this.emit(e, {
      kind: 'dropped', attempts: state.attempts, ...(condition ? { condition } : {}), ...(lastError ? { error: lastError } : {}),
      ...(dest ? { destination: { arn: arn!, requestId: dest.id } } : {}),
    });
  }

  /**
   * The invocation record as a new asynchronous event of the destination function (AWS invokes destination
   * functions asynchronously). Undefined, counted and logged when it cannot be delivered.
   */
  private destinationEvent(
    e: QueuedEvent, arn: string, condition: RecordCondition, attempts: number, response: LastResponse | undefined, now: number,
  ): NewQueuedEvent | undefined {
    try {
      return destinationEvent(this.options, e, arn, condition, attempts, response, now);
    } catch (err) {
      this.metric('DestinationDeliveryFailures', e, 1);
      this.options.events?.emit({ type: 'destination-failed', ...this.subject(e, response), requestId: e.id, destination: arn });
      this.options.logger.warn('async destination delivery failed', {
        requestId: e.id, functionName: e.functionName, destination: arn, error: String((err as Error)?.message ?? err),
      });
      return undefined;
    }
  }

  private async settle(s: Settlement, destination?: NewQueuedEvent): Promise<void> {
    await this.options.queue.settle(s);
    if (destination) {
      this.received(destination);
      this.schedulePass();
    }
  }

  private functionWoken(key: FunctionKey): void {
    this.options.queue.wake(key, this.options.clock.now()).then(
      (n) => { if (n > 0) this.schedulePass(); },
      (err: unknown) => this.options.logger.error('async queue wake failed', { error: String(err) }),
    );
  }

  private received(e: NewQueuedEvent, executedVersion?: string): void {
    this.metric('AsyncEventsReceived', e, 1);
    const subject = executedVersion === undefined
      ? this.subject(e)
      : { scope: e.scope, functionName: e.functionName, qualifier: e.qualifier, version: executedVersion };
    this.options.events?.emit({ type: 'async-received', ...subject, requestId: e.id });
  }

  /** Who an event is about, for InvocationEvents: the version that ran last, or that the qualifier names now. */
  private subject(e: NewQueuedEvent, response?: LastResponse): { scope: Scope; functionName: string; qualifier: string | undefined; version: string } {
    let version = response?.executedVersion ?? (e as Partial<QueuedEvent>).lastResponse?.executedVersion;
    if (version === undefined) {
      try {
        version = this.options.invoker.check(e.scope, e.functionName, e.qualifier).executedVersion;
      } catch {
        version = e.qualifier ?? '$LATEST';
      }
    }
    return { scope: e.scope, functionName: e.functionName, qualifier: e.qualifier, version };
  }

  private metric(name: 'AsyncEventsReceived' | 'AsyncEventAge' | 'AsyncEventsDropped' | 'DestinationDeliveryFailures', e: NewQueuedEvent, value: number): void {
    this.metrics.record(name, e.scope, e.functionName, value, this.options.clock.now());
  }

  private emit(e: QueuedEvent, o: Omit<AsyncOutcome, 'id' | 'scope' | 'functionName' | 'qualifier'>): void {
    const outcome: AsyncOutcome = { id: e.id, scope: e.scope, functionName: e.functionName, ...o };
    if (e.qualifier !== undefined) outcome.qualifier = e.qualifier;
    for (const l of this.listeners) {
      try {
        l(outcome);
      } catch (err) {
        this.options.logger.error('async outcome listener failed', { error: String(err) });
      }
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
