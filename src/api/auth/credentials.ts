import { existsSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import type { Config } from '../../config/index.js';

export interface AccountCredentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CredentialSet {
  accounts: AccountCredentials[];
  /** Set when this start generated the credentials (to print them once). */
  generated: boolean;
  file: string;
}

export function credentialsFile(dataDir: string): string {
  return join(dataDir, 'credentials.json');
}

function validate(a: AccountCredentials, where: string): AccountCredentials {
  if (!/^\d{12}$/.test(a.accountId)) throw new Error(`${where}: accountId must be 12 digits`);
  if (!/^[A-Z0-9]{16,128}$/.test(a.accessKeyId)) throw new Error(`${where}: accessKeyId must be 16-128 upper-case letters or digits`);
  if (!a.secretAccessKey || a.secretAccessKey.length < 16) throw new Error(`${where}: secretAccessKey must be at least 16 characters`);
  return a;
}

function generate(): AccountCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let akid = 'AKIA';
  for (let i = 0; i < 16; i++) akid += alphabet[randomInt(alphabet.length)];
  let account = '';
  for (let i = 0; i < 12; i++) account += String(randomInt(10));
  return { accountId: account, accessKeyId: akid, secretAccessKey: randomBytes(30).toString('base64').replace(/[+/=]/g, 'x').slice(0, 40) };
}

/**
 * Credentials come from configuration, else from `<dataDir>/credentials.json` (several accounts), else
 * one key pair is generated and stored there with mode 0600.
 */
export function loadCredentials(config: Config): CredentialSet {
  const file = credentialsFile(config.dataDir);
  const accounts: AccountCredentials[] = [];
  if (config.accessKeyId || config.secretAccessKey) {
    if (!config.accessKeyId || !config.secretAccessKey) {
      throw new Error('SLUICE_ACCESS_KEY_ID and SLUICE_SECRET_ACCESS_KEY must be set together');
    }
    accounts.push(validate({ accountId: config.accountId ?? '000000000000', accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }, 'configuration'));
  }
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { accounts?: AccountCredentials[] };
    for (const a of parsed.accounts ?? []) accounts.push(validate(a, file));
  }
  if (accounts.length > 0) return { accounts, generated: false, file };
  const created = generate();
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ accounts: [created] }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { accounts: [created], generated: true, file };
}

export function exportLines(a: AccountCredentials, region: string): string {
  return [
    `export AWS_ACCESS_KEY_ID=${a.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${a.secretAccessKey}`,
    `export AWS_DEFAULT_REGION=${region}`,
    `# account ${a.accountId}`,
  ].join('\n');
}
