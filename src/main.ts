import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.js';
import { systemClock, type Clock } from './domain/scope.js';
import { createLogger, type Logger } from './observability/index.js';
import { CodeStore, FileBlobStore, Repositories, SqliteDocumentStore, SqliteEventQueue } from './store/index.js';
import { ApiServer, allRoutes, FunctionLifecycle, UrlSigner, loadCredentials, type ApiContext, type CredentialSet } from './api/index.js';
import { setProvisionedStatus } from './api/routes/provisioned-concurrency.js';
import { FunctionUrlFrontDoor } from './api/function-urls/index.js';
import { SqliteLogStore } from './observability/sqlite-log-store.js';
import { LambdaMetrics } from './observability/metrics/lambda-metrics.js';
import { OtlpExporter } from './observability/tracing/otlp-exporter.js';
import { invocationSpans } from './observability/tracing/invocation-spans.js';
import { RuntimeEndpoint } from './runtime-api/index.js';
import { EnvironmentPool, OptMerger, systemTimers, type Timers } from './sandbox/index.js';
import { sandboxCanReach, selectBackend } from './sandbox/isolation/select-backend.js';
import { RuntimeTable } from './sandbox/runtime-table.js';
import { AsyncInvoker, Invoker, ProvisionedConcurrency } from './invoke/index.js';
import { layerCodeKeys } from './invoke/target.js';
import { DebugSessions, FunctionDirectories, HotReload } from './hot-reload/index.js';
import { Delivery, EventBridge, EventScheduler, ScheduleRunner } from './events/index.js';

/** Our runtime clients (code that runs inside environments), shipped beside dist/. */
export const RUNTIMES_DIR = fileURLToPath(new URL('../../runtimes', import.meta.url));

export interface Sluice {
  readonly config: Config;
  readonly address: AddressInfo;
  readonly url: string;
  readonly credentials: CredentialSet;
  readonly context: ApiContext;
  /** The execution environments (for introspection: counts, events). */
  readonly environments: EnvironmentPool;
  /** Hot-reload directories (reload events) and debugger sessions. */
  readonly hotReload: HotReload;
  readonly debugSessions: DebugSessions;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Timers for keep-alive and timeouts (fake time in tests). */
  timers?: Timers;
  /** Time for EventBridge schedules and Scheduler (defaults to clock / timers): tests move it by hand. */
  scheduleClock?: Clock;
  scheduleTimers?: Timers;
}

/** Reads (or creates) the secret that signs download URLs; it never leaves the data directory. */
function serverSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'server-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

/** The composition root: config → services → servers. Nothing else constructs services. */
export async function startSluice(config: Config, options: StartOptions = {}): Promise<Sluice> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const credentials = loadCredentials(config);
  const store = new SqliteDocumentStore(join(config.dataDir, 'sluice.db'));
  const repos = new Repositories(store);
  const code = new CodeStore(new FileBlobStore(join(config.dataDir, 'blobs')), join(config.dataDir, 'code'));
  const lifecycle = new FunctionLifecycle(repos, code, clock, logger);
  const timers = options.timers ?? systemTimers;
  const logs = new SqliteLogStore(join(config.dataDir, 'logs.db'), {
    clock, maxStoredBytes: config.logStoreMaxBytes, retentionSweepMs: config.logRetentionSweepMs,
  });
  const backend = await selectBackend({
    dataDir: config.dataDir, runtimesDir: RUNTIMES_DIR, mode: config.sandbox, uid: config.sandboxUid, gid: config.sandboxUid, logger,
    // Derived from the data dir: a restart sweeps its own leftovers and never another server's.
    cgroupParent: `sluice-${createHash('sha256').update(config.dataDir).digest('hex').slice(0, 12)}`,
    network: config.sandboxNetwork, egressSubnet: config.sandboxEgressSubnet,
  });
  const hotReload = new HotReload({ debounceMs: config.hotReloadDebounceMs, logs, clock, logger });
  const debugSessions = new DebugSessions((scope, name) => environments.retireFunction(scope, name));
  const environments = new EnvironmentPool({
    backend,
    development: {
      settled: (dirs) => hotReload.settled(dirs),
      attach: (dirs, owner, onChange) => hotReload.attach(dirs, owner, onChange),
      debugSession: (scope, name) => debugSessions.get(scope, name),
    },
    launcher: new RuntimeTable({
      dataDir: config.dataDir, overrides: { ...config.runtimeInterpreters }, searchPath: config.runtimeSearchPath,
      ...(backend.isolated ? { usable: sandboxCanReach } : {}),
    }),
    createEndpoint: (opts) => new RuntimeEndpoint(opts),
    logs: config.functionLogs === 'off' ? { append: () => undefined } : logs, clock, timers, logger,
    runtimeDir: RUNTIMES_DIR,
    initTimeoutMs: config.environmentInitTimeoutMs,
    code,
    optMerger: new OptMerger(join(config.dataDir, 'opt')),
    idleTimeoutMs: config.environmentIdleTimeoutMs,
    standbyPoolSize: config.environmentPoolSize,
  });
  const invoker = new Invoker({ repos, runner: environments, clock, logger, accountConcurrencyLimit: config.accountConcurrencyLimit });
  // Observability listens to the invoker's and the pool's events (docs/metrics.md, docs/tracing.md).
  const metrics = config.metrics === 'off' ? undefined : new LambdaMetrics({
    onInvocation: (l) => invoker.events.on(l),
    onPool: (l) => environments.onEvent(l),
    environments: () => environments.snapshot(),
    concurrency: () => invoker.concurrency.snapshot(),
  });
  const tracer = config.otlpTracesEndpoint ? new OtlpExporter({ endpoint: config.otlpTracesEndpoint, logger }) : undefined;
  if (tracer) invoker.events.on((e) => { if (e.type === 'invoked' && e.trace.sampled) tracer.export(invocationSpans(e)); });
  // The async event queue: its own table in the same database, on its own connection.
  const eventQueue = new SqliteEventQueue(join(config.dataDir, 'sluice.db'));
  const asyncInvoker = new AsyncInvoker({
    queue: eventQueue, invoker, repos, clock, logger, timeScale: config.asyncTimeScale,
    maxInFlight: config.accountConcurrencyLimit, exclusiveQueue: true, events: invoker.events,
  });
  const provisioned = new ProvisionedConcurrency({
    repos, runner: environments, invoker, logger,
    setStatus: (scope, name, qualifier, update) => { setProvisionedStatus(repos, scope, name, qualifier, update); },
  });
  const liveDirectories = new FunctionDirectories(hotReload, repos.versions, (_scope, v) => layerCodeKeys(repos, v));
  lifecycle.onVersionChanged((scope, name, version) => {
    liveDirectories.changed(scope, name, version);
    invoker.versionChanged(scope, name, version);
    asyncInvoker.functionChanged(scope, name);
    void provisioned.reconcile(scope, name);
  });
  // EventBridge rules and Scheduler schedules deliver through the async queue (src/events/delivery.ts).
  const scheduleClock = options.scheduleClock ?? clock;
  const delivery = new Delivery({
    repos, clock: scheduleClock, timers: options.scheduleTimers ?? timers, logger,
    asyncInvoke: { enqueue: (r) => asyncInvoker.enqueue({ scope: r.scope, functionName: r.functionName, qualifier: r.qualifier, payload: r.payload, requestId: randomUUID() }) },
  });
  const eventBridge = new EventBridge({ repos, clock: scheduleClock, logger, delivery });
  const scheduler = new EventScheduler({ repos, clock: scheduleClock, logger, delivery });
  const scheduleRunner = new ScheduleRunner({
    repos, clock: scheduleClock, timers: options.scheduleTimers ?? timers, logger,
    fire: (f) => (f.kind === 'rule' ? eventBridge.fireScheduledRule(f.scope, f.rule, f.at) : scheduler.fire(f.scope, f.schedule, f.at)),
    completed: (scope, schedule) => scheduler.completed(scope, schedule),
  });
  eventBridge.attachRunner(scheduleRunner);
  scheduler.attachRunner(scheduleRunner);
  const context: ApiContext = {
    config, repos, code, clock, logger, lifecycle, urlSigner: new UrlSigner(serverSecret(config.dataDir)), invoker, asyncInvoker, logs,
    eventBridge, scheduler, scheduleRunner,
    debug: debugSessions,
    sandboxIsolated: backend.isolated,
    ...(metrics ? {
      metrics: {
        render: () => metrics.render(), contentType: metrics.contentType,
        secretFor: (akid: string) => credentials.accounts.find((a) => a.accessKeyId === akid),
      },
    } : {}),
  };
  const byKey = new Map(credentials.accounts.map((a) => [a.accessKeyId, a]));
  const lookupSecret = (akid: string) => byKey.get(akid);
  const server = new ApiServer({
    routes: allRoutes(context),
    // An unknown operation of any service we serve is an UnknownOperationException, not a signature error.
    services: ['lambda', 'logs', 'events', 'scheduler'],
    lookupSecret,
    clock,
    logger,
    frontDoor: new FunctionUrlFrontDoor({ repos, invoker, clock, logger, lookupSecret, publicBase: config.functionUrlBase }),
  });
  lifecycle.recover();
  liveDirectories.recover();
  provisioned.recover();
  await asyncInvoker.start();
  scheduleRunner.start();
  const address = await server.listen(config.port, config.host);
  let closing: Promise<void> | undefined;
  return {
    config,
    address,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    credentials,
    context,
    environments,
    hotReload,
    debugSessions,
    close: () =>
      (closing ??= (async () => {
        // Stop accepting, end running invocations (their callers get the runtime's exit), then drain.
        const serverClosed = server.close();
        hotReload.close();
        provisioned.close();
        scheduleRunner.close();
        delivery.close();
        // Async events running now go back to the queue (they run again after a restart).
        asyncInvoker.stop();
        await invoker.close();
        await asyncInvoker.close();
        eventQueue.close();
        await serverClosed;
        await lifecycle.close();
        await provisioned.idle();
        await debugSessions.close();
        await tracer?.close();
        metrics?.close();
        await logs.close();
        store.close();
      })()),
  };
}
