import type { Scope } from '../domain/scope.js';

/**
 * The asynchronous-invocation queue: every `InvocationType: Event` call and every destination record waits here
 * until it has run. It is its own store interface (not a DocumentStore kind) so cluster mode can move it to a
 * networked queue; the embedded implementation is SQLite (sqlite/sqlite-event-queue.ts), in Sluice's database.
 *
 * Life of an event: `queued` (waiting until `availableAt`) → `leased` by one drainer (`availableAt` is then the
 * lease's expiry: an owner that dies leaves a lease that expires and the event runs again) → deleted once it has
 * run (success, or failure handed to a destination) or kept as `dropped` for inspection.
 */
export type QueuedEventStatus = 'queued' | 'leased' | 'dropped';

/** Why a queued event waits: after a function error (retry back-off) or for capacity (throttles, platform errors). */
export type QueuedEventWait = 'retry' | 'throttle';

/** The response of the last attempt that ran, kept for the destination record of a later expiry. */
export interface LastResponse {
  statusCode: number;
  executedVersion?: string;
  functionError?: string;
  /** The function's result or error document (base64 when stored). */
  payload?: Buffer;
}

export interface NewQueuedEvent {
  /** The request id the caller got in x-amzn-RequestId; the function sees it as its awsRequestId, on every attempt. */
  id: string;
  scope: Scope;
  functionName: string;
  /** As the caller gave it (alias, version, `$LATEST`); absent for the unqualified function. */
  qualifier?: string;
  payload: Buffer;
  /** The caller's X-Amzn-Trace-Id, handed on to every attempt. */
  traceHeader?: string;
  enqueuedAt: number;
  /** Enqueue time + the maximum event age in force then: past this the event is not run again. */
  expiresAt: number;
}

export interface QueuedEvent extends NewQueuedEvent {
  status: QueuedEventStatus;
  /** When a queued event may run; for a leased one, when the lease expires. */
  availableAt: number;
  wait?: QueuedEventWait;
  leaseOwner?: string;
  /** Attempts handed to the function (including one in flight): the record's approximateInvokeCount. */
  attempts: number;
  /** Attempts that ended in a function error (what MaximumRetryAttempts counts). */
  failures: number;
  /** Attempts refused before the function ran: throttles and platform errors (retried until the maximum age). */
  throttles: number;
  lastError?: string;
  lastResponse?: LastResponse;
  /** Dropped events: why (`RetriesExhausted`, `EventAgeExceeded`, or absent when the function itself is gone)... */
  condition?: string;
  /** ...and the OnFailure destination the record went to, when it went somewhere. */
  deliveredTo?: string;
  finishedAt?: number;
}

/** `account/region/function`: the unit the drainer schedules (concurrency is per function). */
export type FunctionKey = string;
export const functionKey = (scope: Scope, functionName: string): FunctionKey => `${scope.account}/${scope.region}/${functionName}`;
export function parseFunctionKey(key: FunctionKey): { scope: Scope; functionName: string } {
  const [account = '', region = '', functionName = ''] = key.split('/');
  return { scope: { account, region }, functionName };
}

/**
 * How many ready events of a function the drainer takes now (at most `upTo`; 0: none, it is at its concurrency),
 * or that its ready events wait until `deferUntil` (it is throttled; never past an event's expiry).
 */
export type FunctionRoom = number | { deferUntil: number };

export interface ClaimRequest {
  owner: string;
  now: number;
  /** Lease expiry of what is taken. */
  leaseUntil: number;
  /** At most this many are taken. */
  limit: number;
  /**
   * Asked once per function with ready events, functions with the oldest ready event first. Events past their
   * expiry are taken without asking (they only need to be reported), before anything else.
   */
  room(key: FunctionKey, upTo: number): FunctionRoom;
}

export interface ClaimResult {
  events: QueuedEvent[];
  /** True when the claim stopped before seeing every ready event (another claim may find more). */
  more: boolean;
}

export type Settlement =
  /** Ran to a final outcome with nothing to keep: delete it; `then` are destination records to enqueue atomically. */
  | { kind: 'delete'; id: string; then?: NewQueuedEvent[] }
  /** Back to the queue (retry, throttle, shutdown). */
  | {
    kind: 'release'; id: string; availableAt: number; wait?: QueuedEventWait;
    attempts: number; failures: number; throttles: number; lastError?: string; lastResponse?: LastResponse;
  }
  /** Final without success: kept as `dropped` for `sluice events`, with the destination record (if any) enqueued atomically. */
  | {
    kind: 'drop'; id: string; finishedAt: number; attempts: number; failures: number; throttles: number;
    condition?: string; deliveredTo?: string; lastError?: string; then?: NewQueuedEvent[];
  };

export interface QueueListOptions {
  /** Include dropped events (newest first after the pending ones). */
  dropped?: boolean;
  limit?: number;
}

export interface QueueCounts {
  /** Waiting for a first attempt. */
  queued: number;
  inFlight: number;
  /** Waiting after a failed or refused attempt (or a lease that ran out). */
  retrying: number;
  dropped: number;
}

export interface EventQueue {
  /**
   * Stores an event durably: the promise resolves only once it would survive a crash (the 202 waits for it).
   * `leaseTo`: store it already leased to this owner (the drainer runs it straight away) until `leaseUntil`.
   */
  enqueue(event: NewQueuedEvent, lease?: { owner: string; until: number }): Promise<void>;
  /** Leases ready events (available, or leased by an owner whose lease expired). */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Records the outcome of a leased event; durable when the promise resolves. */
  settle(settlement: Settlement): Promise<void>;
  /**
   * Ends every lease not held by `owner` now. Only for a queue one server owns alone (the embedded SQLite one): a
   * lease found at startup was taken by a process that no longer runs, so its events run again without waiting.
   */
  expireForeignLeases(owner: string, now: number): Promise<number>;
  /** Extends every lease an owner holds (a live drainer keeps its in-flight events). */
  renewLeases(owner: string, until: number): Promise<number>;
  /** Makes a function's events that wait for capacity available now (its concurrency was raised, it became Active). */
  wake(key: FunctionKey, now: number): Promise<number>;
  /** The earliest time after `now` at which a queued event (or someone else's lease) becomes available, or expires. */
  nextAvailableAt(now: number, owner: string): Promise<number | undefined>;
  /** A function's events: pending ones (oldest first), then dropped ones (newest first) when asked. */
  list(key: FunctionKey, options?: QueueListOptions): Promise<QueuedEvent[]>;
  /** How many of a function's events are in each state (`inFlight`: leased with a lease running at `now`). */
  counts(key: FunctionKey, now: number): Promise<QueueCounts>;
  /** Events not yet finished (queued or leased), in total. */
  pendingCount(): Promise<number>;
  /** Forgets dropped events that finished before `before`. */
  pruneDropped(before: number): Promise<number>;
  close(): void;
}
