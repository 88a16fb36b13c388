/**
 * Lambda's asynchronous retry rules ([DG] invocation-async), as pure functions. Every duration is multiplied by
 * the configured time scale (config `asyncTimeScale`: 1 in production, small in tests so minutes become seconds).
 */

/** Retries on function errors (MaximumRetryAttempts): 0–2, default 2. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
/** MaximumEventAgeInSeconds: 60–21,600, default 6 hours. */
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21_600;
/** Waits before the first and the second retry after a function error: about one minute, then two. */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/** Throttles and platform errors back off exponentially from one second to five minutes. */
export const THROTTLE_FIRST_DELAY_MS = 1_000;
export const THROTTLE_MAX_DELAY_MS = 300_000;

/** The wait before the retry that follows the `failures`-th function error (1-based). */
export function retryDelayMs(failures: number, scale: number): number {
  const i = Math.min(Math.max(failures, 1), RETRY_DELAYS_MS.length) - 1;
  return Math.round(RETRY_DELAYS_MS[i]! * scale);
}

/** The wait after the `consecutive`-th refusal in a row (throttle or platform error, 1-based). */
export function throttleDelayMs(consecutive: number, scale: number): number {
  const raw = THROTTLE_FIRST_DELAY_MS * 2 ** Math.min(Math.max(consecutive, 1) - 1, 20);
  return Math.max(1, Math.round(Math.min(raw, THROTTLE_MAX_DELAY_MS) * scale));
}

/** When an event enqueued at `enqueuedAt` becomes too old to run. */
export function expiryOf(enqueuedAt: number, maximumEventAgeSeconds: number, scale: number): number {
  return enqueuedAt + Math.round(maximumEventAgeSeconds * 1000 * scale);
}

/** After a function error: retry (when) or give up. */
export type AfterFailure = { retry: true; at: number } | { retry: false; condition: 'RetriesExhausted' };

/**
 * `failures` counts this one. A retry due after the event's expiry waits only until the expiry, when the event
 * fails as EventAgeExceeded: its maximum age ran out before its next attempt, and that is when AWS reports it.
 */
export function afterFailure(failures: number, maximumRetryAttempts: number, now: number, expiresAt: number, scale: number): AfterFailure {
  if (failures > maximumRetryAttempts) return { retry: false, condition: 'RetriesExhausted' };
  return { retry: true, at: Math.min(now + retryDelayMs(failures, scale), expiresAt) };
}
