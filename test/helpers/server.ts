import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startSluice, type Sluice, type StartOptions } from '../../src/main.js';
import { createLogger } from '../../src/observability/index.js';
import type { AccountCredentials } from '../../src/api/index.js';

export interface TestServer {
  sluice: Sluice;
  url: string;
  dataDir: string;
  account: AccountCredentials;
  lambda: LambdaClient;
  /** A client for another account configured on the same server. */
  clientFor(account: AccountCredentials, region?: string): LambdaClient;
  /** Stops the server (the data directory stays for a restart). */
  stop(): Promise<void>;
  /** Stops and removes the data directory. */
  close(): Promise<void>;
}

export const TEST_ACCOUNTS: AccountCredentials[] = [
  { accountId: '111111111111', accessKeyId: 'AKIASLUICETESTONE111', secretAccessKey: 'test-secret-key-number-one-0000000000000' },
  { accountId: '222222222222', accessKeyId: 'AKIASLUICETESTTWO222', secretAccessKey: 'test-secret-key-number-two-0000000000000' },
];

export function lambdaClient(url: string, account: AccountCredentials, region = 'us-east-1'): LambdaClient {
  return new LambdaClient({
    endpoint: url,
    region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 1,
  });
}

/** Starts the real server on port 0 with a fresh data directory holding two test accounts. */
export async function startTestServer(
  overrides: Partial<Config> = {}, existingDataDir?: string, options: Omit<StartOptions, 'logger'> = {},
): Promise<TestServer> {
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dataDir, 'credentials.json'), JSON.stringify({ accounts: TEST_ACCOUNTS }), { mode: 0o600 });
  const config = loadConfig({ overrides: { dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent', ...overrides } });
  const sluice = await startSluice(config, { ...options, logger: createLogger('silent') });
  const account = TEST_ACCOUNTS[0]!;
  const clients: LambdaClient[] = [];
  const clientFor = (a: AccountCredentials, region?: string) => {
    const c = lambdaClient(sluice.url, a, region);
    clients.push(c);
    return c;
  };
  const lambda = clientFor(account);
  const stop = async () => {
    for (const c of clients) c.destroy();
    await sluice.close();
  };
  return {
    sluice, url: sluice.url, dataDir, account, lambda, clientFor, stop,
    close: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}

export const ROLE = 'arn:aws:iam::111111111111:role/lambda-role';
