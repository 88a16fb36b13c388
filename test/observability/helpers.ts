import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import type { AccountCredentials } from '../../src/api/index.js';

/** The real SDK's CloudWatch Logs client against the test server (SigV4 service `logs`, JSON 1.1). */
export function logsClient(t: TestServer, account: AccountCredentials = TEST_ACCOUNTS[0]!, options: { systemClockOffset?: number } = {}): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint: t.url,
    region: 'us-east-1',
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 1,
    ...options,
  });
}

/** Resolves once `check` returns a value (re-checked on each turn of the event loop, up to a deadline). */
export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
