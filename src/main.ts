import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.js';
import { systemClock, type Clock } from './domain/scope.js';
import { createLogger, type Logger } from './observability/index.js';
import { CodeStore, FileBlobStore, Repositories, SqliteDocumentStore } from './store/index.js';
import { ApiServer, allRoutes, FunctionLifecycle, UrlSigner, loadCredentials, type ApiContext, type CredentialSet } from './api/index.js';
import { setProvisionedStatus } from './api/routes/provisioned-concurrency.js';
import { SqliteLogStore } from './observability/sqlite-log-store.js';
import { RuntimeEndpoint } from './runtime-api/index.js';
import { EnvironmentPool, OptMerger, systemTimers, type Timers } from './sandbox/index.js';
import { sandboxCanReach, selectBackend } from './sandbox/isolation/select-backend.js';
import { RuntimeTable } from './sandbox/runtime-table.js';
import { Invoker, ProvisionedConcurrency } from './invoke/index.js';

/** Our runtime clients (code that runs inside environments), shipped beside dist/. */
const RUNTIMES_DIR = fileURLToPath(new URL('../../runtimes', import.meta.url));

export interface Sluice {
  readonly config: Config;
  readonly address: AddressInfo;
  readonly url: string;
  readonly credentials: CredentialSet;
  readonly context: ApiContext;
  /** The execution environments (for introspection: counts, events). */
  readonly environments: EnvironmentPool;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Timers for keep-alive and timeouts (fake time in tests). */
  timers?: Timers;
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
  const logs = new SqliteLogStore(join(config.dataDir, 'logs.db'), { clock });
  const backend = await selectBackend({
    dataDir: config.dataDir, runtimesDir: RUNTIMES_DIR, mode: config.sandbox, uid: config.sandboxUid, gid: config.sandboxUid, logger,
    // Derived from the data dir: a restart sweeps its own leftovers and never another server's.
    cgroupParent: `sluice-${createHash('sha256').update(config.dataDir).digest('hex').slice(0, 12)}`,
  });
  const environments = new EnvironmentPool({
    backend,
    launcher: new RuntimeTable({
      dataDir: config.dataDir, overrides: { ...config.runtimeInterpreters }, searchPath: config.runtimeSearchPath,
      ...(backend.isolated ? { usable: sandboxCanReach } : {}),
    }),
    createEndpoint: (opts) => new RuntimeEndpoint(opts),
    logs, clock, timers, logger,
    runtimeDir: RUNTIMES_DIR,
    initTimeoutMs: config.environmentInitTimeoutMs,
    code,
    optMerger: new OptMerger(join(config.dataDir, 'opt')),
    idleTimeoutMs: config.environmentIdleTimeoutMs,
  });
  const invoker = new Invoker({ repos, runner: environments, clock, logger, accountConcurrencyLimit: config.accountConcurrencyLimit });
  const provisioned = new ProvisionedConcurrency({
    repos, runner: environments, invoker, logger,
    setStatus: (scope, name, qualifier, update) => { setProvisionedStatus(repos, scope, name, qualifier, update); },
  });
  lifecycle.onVersionChanged((scope, name, version) => {
    invoker.versionChanged(scope, name, version);
    void provisioned.reconcile(scope, name);
  });
  const context: ApiContext = {
    config, repos, code, clock, logger, lifecycle, urlSigner: new UrlSigner(serverSecret(config.dataDir)), invoker, logs,
  };
  const byKey = new Map(credentials.accounts.map((a) => [a.accessKeyId, a]));
  const server = new ApiServer({
    routes: allRoutes(context),
    lookupSecret: (akid) => byKey.get(akid),
    clock,
    logger,
  });
  lifecycle.recover();
  provisioned.recover();
  const address = await server.listen(config.port, config.host);
  let closing: Promise<void> | undefined;
  return {
    config,
    address,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    credentials,
    context,
    environments,
    close: () =>
      (closing ??= (async () => {
        // Stop accepting, end running invocations (their callers get the runtime's exit), then drain.
        const serverClosed = server.close();
        provisioned.close();
        await invoker.close();
        await serverClosed;
        await lifecycle.close();
        await provisioned.idle();
        logs.close();
        store.close();
      })()),
  };
}
