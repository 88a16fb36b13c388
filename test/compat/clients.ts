import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AccountCredentials } from '../../src/api/index.js';
import { TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';

/**
 * Runs the stock clients (AWS CLI v2, boto3, zip) the way a user does: as separate processes with
 * credentials in the environment and `--endpoint-url`. Everything is asynchronous because the server
 * under test runs in this process: a synchronous spawn would block the event loop it needs to answer.
 */

/** The repository root, from dist/test/compat/ (compiled) — fixtures and Python scripts stay in the source tree. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');
export const PYTHON_SCRIPTS = join(REPO_ROOT, 'test/compat/python');

// The Debian packages (awscli, python3-boto3) install here; prefer them over whatever a version manager
// puts first on PATH, so the suite always drives the clients CI installs.
const AWS_BIN = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
const PYTHON_BIN = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** A scratch directory per suite: HOME for the clients (so no ~/.aws of the machine leaks in) and zips. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-compat-'));
  path(name: string): string {
    return join(this.dir, name);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The environment a user would set up: the exported keys, a region, no pager. */
export function clientEnv(scratch: Scratch, account: AccountCredentials = TEST_ACCOUNTS[0]!, region = 'us-east-1'): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch.dir,
    LANG: 'C.UTF-8',
    AWS_ACCESS_KEY_ID: account.accessKeyId,
    AWS_SECRET_ACCESS_KEY: account.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_PAGER: '',
  };
}

export interface CliResult extends ProcessResult {
  /** stdout parsed as JSON when there is any (the CLI prints nothing for 204 responses). */
  json: any;
}

/** `aws <args> --endpoint-url <server> --output json`. */
export async function aws(t: TestServer, scratch: Scratch, args: string[], account?: AccountCredentials): Promise<CliResult> {
  const r = await run(AWS_BIN, [...args, '--endpoint-url', t.url, '--output', 'json'], { env: clientEnv(scratch, account) });
  const text = r.stdout.trim();
  let json: unknown;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { ...r, json };
}

/** Like aws() but fails with the CLI's own output when the command does not exit 0. */
export async function awsOk(t: TestServer, scratch: Scratch, args: string[]): Promise<any> {
  const r = await aws(t, scratch, args);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.json;
}

/** Zips a fixture folder (`functions/node-hello`, `layers/greeting`) with the `zip` command, as a user packages code. */
export async function zipFixture(scratch: Scratch, fixture: string): Promise<{ file: string; bytes: Buffer }> {
  const file = scratch.path(`${fixture.replace(/\//g, '-')}-${Math.random().toString(36).slice(2)}.zip`);
  const r = await run('zip', ['-q', '-r', '-X', file, '.'], { cwd: join(FIXTURES, fixture) });
  if (r.code !== 0) throw new Error(`zip failed (${r.code}): ${r.stderr}`);
  return { file, bytes: readFileSync(file) };
}

/**
 * Runs test/compat/python/<script> with python3. Scripts read SLUICE_ENDPOINT and the usual AWS_* variables,
 * assert with Python's `assert`, and print one JSON object as their last stdout line.
 */
export async function python(t: TestServer, scratch: Scratch, script: string, extraEnv: Record<string, string> = {}): Promise<ProcessResult & { json: any }> {
  const r = await run(PYTHON_BIN, [join(PYTHON_SCRIPTS, script)], {
    env: { ...clientEnv(scratch), SLUICE_ENDPOINT: t.url, PYTHONDONTWRITEBYTECODE: '1', ...extraEnv },
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

export async function clientVersions(): Promise<{ aws: string; boto3: string }> {
  const a = await run(AWS_BIN, ['--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() } });
  const b = await run(PYTHON_BIN, ['-c', 'import boto3, botocore; print(boto3.__version__, botocore.__version__)']);
  return { aws: (a.stdout || a.stderr).trim(), boto3: b.stdout.trim() };
}
