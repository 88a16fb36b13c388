/**
 * Timers as a dependency, so pools and environments can be driven by fake time in tests
 * (keep-alive expiry, timeouts) without sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Runs fn once after ms; the timer never keeps the process alive on its own. */
  after(ms: number, fn: () => void): TimerHandle;
}

export const systemTimers: Timers = {
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
