/**
 * Shapes of Sluice's own internal routes (`/_sluice/events`, `/_sluice/schedules`), shared by the server that
 * writes them and the CLI client that reads them.
 */

/** How `sluice events` shows one asynchronous event. */
export interface EventView {
  requestId: string;
  qualifier?: string;
  state: 'queued' | 'in-flight' | 'retrying' | 'dropped';
  /** Attempts that reached the function; failures = those that ended in a function error; throttles = refusals. */
  attempts: number;
  failures: number;
  throttles: number;
  enqueuedAt: string;
  expiresAt: string;
  /** Queued / retrying: when it may run next. */
  nextAttemptAt?: string;
  lastError?: string;
  /** Dropped: why, and where its record went. */
  condition?: string;
  deliveredTo?: string;
  finishedAt?: string;
}

export type EventState = EventView['state'];

/** How `sluice schedules` shows a scheduled rule or a schedule. */
export interface ScheduleView {
  kind: 'rule' | 'schedule';
  arn: string;
  /** Event bus (rules) or schedule group. */
  container: string;
  name: string;
  expression: string;
  timeZone?: string;
  state: string;
  nextFireAt?: string;
  lastFiredAt?: string;
  /** Deliveries since the server started: handed to the async queue, and failed (no permission, no function). */
  invocations: number;
  failedInvocations: number;
  lastFailure?: string;
}
