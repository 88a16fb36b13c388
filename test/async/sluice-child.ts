import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SignedClient } from '../../src/client/index.js';
import { lambdaClient, TEST_ACCOUNTS } from '../helpers/server.js';

/**
 * `sluice serve` as its own process, the way an operator runs it — so a test can kill it for real (SIGKILL: no
 * shutdown code runs) and start another on the same data directory.
 */
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface SluiceChild {
  url: string;
  pid: number;
  lambda: LambdaClient;
  /** Signed client for Sluice's own routes (`/_sluice/...`). */
  http: SignedClient;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), then waits for the exit. */
  stop(): Promise<void>;
  /** What it wrote on stderr (its log). */
  stderr(): string;
}

export async function startSluiceChild(dataDir: string, args: string[] = []): Promise<SluiceChild> {
  writeFileSync(join(dataDir, 'credentials.json'), JSON.stringify({ accounts: TEST_ACCOUNTS }), { mode: 0o600 });
  const child = spawn(process.execPath, [
    CLI, 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'info', ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.off('exit', onExit);
        resolve(m[1]!);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`sluice exited (${code}) before listening:\n${out}\n${err}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  const account = TEST_ACCOUNTS[0]!;
  const lambda = lambdaClient(url, account);
  const http = new SignedClient({ endpoint: url, region: 'us-east-1', accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const end = async (signal: NodeJS.Signals) => {
    lambda.destroy();
    const descendants = signal === 'SIGKILL' ? descendantsOf(child) : [];
    child.kill(signal);
    await exited;
    // A killed server cannot end its function processes (each in its own process group): this test started
    // them, so it ends them, by pid.
    for (const pid of descendants) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  return {
    url, pid: child.pid!, lambda, http,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    stderr: () => err,
  };
}

/** Every live process below `child` (from /proc's parent links). */
function descendantsOf(child: ChildProcess): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [p, pp] of parents) {
      if (pp === pid) {
        out.push(p);
        walk(p);
      }
    }
  };
  if (child.pid !== undefined) walk(child.pid);
  return out;
}
