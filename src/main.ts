import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.js';
import { systemClock, type Clock } from './domain/scope.js';
import { createLogger, type Logger } from './observability/index.js';
import { CodeStore, FileBlobStore, Repositories, SqliteDocumentStore } from './store/index.js';
import { ApiServer, allRoutes, FunctionLifecycle, UrlSigner, loadCredentials, type ApiContext, type CredentialSet } from './api/index.js';

export interface Sluice {
  readonly config: Config;
  readonly address: AddressInfo;
  readonly url: string;
  readonly credentials: CredentialSet;
  readonly context: ApiContext;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
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
  const context: ApiContext = {
    config, repos, code, clock, logger, lifecycle, urlSigner: new UrlSigner(serverSecret(config.dataDir)),
  };
  const byKey = new Map(credentials.accounts.map((a) => [a.accessKeyId, a]));
  const server = new ApiServer({
    routes: allRoutes(context),
    lookupSecret: (akid) => byKey.get(akid),
    clock,
    logger,
  });
  lifecycle.recover();
  const address = await server.listen(config.port, config.host);
  let closing: Promise<void> | undefined;
  return {
    config,
    address,
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    credentials,
    context,
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await lifecycle.close();
        store.close();
      })()),
  };
}
