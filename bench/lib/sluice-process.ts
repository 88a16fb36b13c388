import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs `sluice serve` as its own process, the way an operator does, so the load generator and the
 * server do not share an event loop. Logs go to <dataDir>/sluice.log.
 */
export const BENCH_ACCOUNT = {
  accountId: '123456789012',
  accessKeyId: 'AKIASLUICEBENCHMARK1',
  secretAccessKey: 'bench-secret-key-0000000000000000000000',
};

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

export interface SluiceProcess {
  url: string;
  dataDir: string;
  logFile: string;
  /** Stops the server; the data directory stays (start again on it to measure a restart). */
  stop(): Promise<void>;
}

export function benchDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'sluice-bench-'));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function startSluiceProcess(opts: { dataDir: string; logLevel?: string; args?: string[] }): Promise<SluiceProcess> {
  mkdirSync(opts.dataDir, { recursive: true });
  writeFileSync(join(opts.dataDir, 'credentials.json'), JSON.stringify({ accounts: [BENCH_ACCOUNT] }), { mode: 0o600 });
  const logFile = join(opts.dataDir, 'sluice.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [
    CLI, 'serve', '--data-dir', opts.dataDir, '--host', '127.0.0.1', '--port', '0', '--log-level', opts.logLevel ?? 'info', ...(opts.args ?? []),
  ], { stdio: ['ignore', 'pipe', logFd] });
  closeSync(logFd);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        child.stdout!.resume();
        resolveUrl(m[1]!);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`sluice exited (${code}) before listening; see ${logFile}\n${out}`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    url,
    dataDir: opts.dataDir,
    logFile,
    stop: () => new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    }),
  };
}
