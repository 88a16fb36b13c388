import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

/** Where the `sluice` client commands send requests, and what they sign them with. */
export interface ClientSettings {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The account of the key, when known (for a default Role ARN). */
  accountId: string | undefined;
  /** Where the credentials came from (for messages). */
  credentialSource: string;
}

/**
 * Client commands (`sluice deploy/invoke/ls/rm/logs`):
 * - endpoint: `--endpoint`, else SLUICE_ENDPOINT, else the local server of this configuration (host and port);
 * - credentials: SLUICE_ACCESS_KEY_ID / SLUICE_SECRET_ACCESS_KEY (+ SLUICE_ACCOUNT_ID), else the first account of
 *   `<dataDir>/credentials.json`, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY;
 * - region: `--region` / SLUICE_REGION, else AWS_REGION / AWS_DEFAULT_REGION, else the default (us-east-1).
 */
export function clientSettings(config: Config, env: Record<string, string | undefined>, flags: Record<string, string> = {}): ClientSettings {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const endpoint = (flags.endpoint ?? env.SLUICE_ENDPOINT ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`).replace(/\/+$/, '');
  const regionGiven = flags.region !== undefined || env.SLUICE_REGION !== undefined;
  const region = regionGiven ? config.region : env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? config.region;
  const base = { endpoint, region };
  if (config.accessKeyId && config.secretAccessKey) {
    return { ...base, accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, accountId: config.accountId, credentialSource: 'SLUICE_ACCESS_KEY_ID' };
  }
  const file = join(config.dataDir, 'credentials.json');
  if (existsSync(file)) {
    let first: { accountId?: string; accessKeyId?: string; secretAccessKey?: string } | undefined;
    try {
      first = (JSON.parse(readFileSync(file, 'utf8')) as { accounts?: (typeof first)[] }).accounts?.[0];
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    if (first?.accessKeyId && first.secretAccessKey) {
      return { ...base, accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey, accountId: first.accountId, credentialSource: file };
    }
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { ...base, accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, accountId: undefined, credentialSource: 'AWS_ACCESS_KEY_ID' };
  }
  throw new Error(
    `no credentials: none in SLUICE_ACCESS_KEY_ID/SLUICE_SECRET_ACCESS_KEY, ${file} or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ` +
    '(start `sluice serve` once with this --data-dir, or export the keys it printed)',
  );
}
