import type { DebugTarget } from './backend.js';
import type { RuntimeLaunchPlan } from './environment.js';
import type { TimerHandle, Timers } from '../domain/timers.js';

/**
 * A function's debugger session as environments see it (implemented in src/hot-reload/debug): a host port
 * relayed to the debugger of the function's newest environment, and whether a debugger is attached.
 */
export interface EnvironmentDebugSession {
  /** The host port debuggers connect to. */
  readonly port: number;
  readonly attached: boolean;
  /** Calls listener on every attach and detach; returns the unsubscribe function. */
  onAttachChange(listener: (attached: boolean) => void): () => void;
  /** The launch plan with the runtime's debugger switched on (listening at `listen`), and a log line saying so. */
  instrument(runtime: string, plan: RuntimeLaunchPlan, listen: { host: string; port: number }): { plan: RuntimeLaunchPlan; note: string };
  /** Relays the session's port to this environment's debugger from now on. */
  target(to: DebugTarget): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * A timeout that stands still while a debugger is attached (a paused breakpoint must not be killed as a timed-out
 * invocation): the clock stops at attach and goes on with the time that was left at detach. Both are logged.
 */
export function debugAwareTimeout(
  timers: Timers, ms: number, session: EnvironmentDebugSession | undefined, fire: () => void, log: (line: string) => void,
): TimerHandle {
  if (!session) return timers.after(ms, fire);
  let remaining = ms;
  let armedAt = 0;
  let timer: TimerHandle | undefined;
  const arm = () => {
    armedAt = performance.now();
    timer = timers.after(remaining, fire);
  };
  const change = (attached: boolean) => {
    if (attached && timer) {
      timer.cancel();
      timer = undefined;
      remaining = Math.max(0, remaining - (performance.now() - armedAt));
      log(`SLUICE DEBUG: debugger attached, timeout suspended (${seconds(remaining)} left)`);
    } else if (!attached && !timer) {
      log(`SLUICE DEBUG: debugger detached, timeout resumed (${seconds(remaining)} left)`);
      arm();
    }
  };
  if (session.attached) log(`SLUICE DEBUG: debugger attached, timeout suspended (${seconds(remaining)} left)`);
  else arm();
  const off = session.onAttachChange(change);
  return {
    cancel() {
      timer?.cancel();
      timer = undefined;
      off();
    },
  };
}
