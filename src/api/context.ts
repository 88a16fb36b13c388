import type { Config } from '../config/index.js';
import type { Clock } from '../domain/scope.js';
import type { Logger } from '../observability/index.js';
import type { LogStore } from '../observability/log-store.js';
import type { MetricsEndpoint } from './routes/metrics.js';
import type { AsyncInvoker, Invoker } from '../invoke/index.js';
import type { CodeStore, Repositories } from '../store/index.js';
import type { FunctionLifecycle } from './services/function-lifecycle.js';
import type { UrlSigner } from './services/url-signer.js';
import type { DebugControl } from './routes/sluice-debug.js';
import type { EventBridge } from '../events/event-bridge.js';
import type { EventScheduler } from '../events/event-scheduler.js';
import type { ScheduleRunner } from '../events/schedule-runner.js';

/** What route handlers are given; built once by the composition root. */
export interface ApiContext {
  readonly config: Config;
  readonly repos: Repositories;
  readonly code: CodeStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lifecycle: FunctionLifecycle;
  readonly urlSigner: UrlSigner;
  /** Runs functions (the Invoke API, and later every trigger). */
  readonly invoker: Invoker;
  /** Asynchronous invocation: the durable event queue and its drainer (Event, InvokeAsync, destinations). */
  readonly asyncInvoker: AsyncInvoker;
  /** Function logs (log groups / streams). */
  readonly logs: LogStore;
  /** `GET /metrics` (absent: metrics are off). */
  readonly metrics?: MetricsEndpoint;
  /** Functions run as an unprivileged user (isolated backend): hot-reload directories must be reachable by it. */
  readonly sandboxIsolated?: boolean;
  /** EventBridge (rules, buses, PutEvents) and EventBridge Scheduler, with the runner that fires schedules. */
  readonly eventBridge: EventBridge;
  readonly scheduler: EventScheduler;
  readonly scheduleRunner: ScheduleRunner;
  /** Debugger sessions (`sluice deploy --watch --debug`); absent when the server offers none. */
  readonly debug?: DebugControl;
}
