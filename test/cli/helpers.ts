import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReloadEvent } from '../../src/hot-reload/index.js';
import type { TestServer } from '../helpers/server.js';

/** The real `sluice` entry point as built (tests run from dist/). */
export const CLI = fileURLToPath(new URL('../../src/cli/sluice.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for the CLI talking to a test server: its endpoint and data dir (for the credentials file). */
export function cliEnv(t: TestServer, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', SLUICE_ENDPOINT: t.url, SLUICE_DATA_DIR: t.dataDir, ...extra };
}

/** Runs `sluice <args>` to completion. Asynchronous: the server under test runs in this same process. */
export function runCli(args: string[], env: Record<string, string>, opts: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: opts.cwd ?? tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI command (`deploy --watch`): its output so far, a way to await a line, and its exit. */
export interface RunningCli {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Sends SIGINT and resolves with the exit status. */
  stop(): Promise<number | null>;
}

export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = out.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  const onData = (c: Buffer) => { out += c.toString(); check(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitFor: (pattern) => new Promise((resolve, reject) => {
      waiters.push({ pattern, resolve });
      void exited.then((code) => reject(new Error(`sluice exited (${code}) before printing ${pattern}:\n${out}`)));
      check();
    }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

const projects: string[] = [];

/** A project folder with these files, readable by the sandbox user (mkdtemp makes 0700 directories). */
export function makeProject(files: Record<string, string>, modes: Record<string, number> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-project-'));
  if (projects.length === 0) process.once('exit', () => { for (const d of projects) rmSync(d, { recursive: true, force: true }); });
  projects.push(dir);
  chmodSync(dir, 0o755);
  writeFiles(dir, files, modes);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>, modes: Record<string, number> = {}): void {
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
    writeFileSync(p, text, { mode: modes[name] ?? 0o644 });
  }
}

/** Collects the server's reload events; `next()` resolves with the next one (or one already collected but not taken). */
export function reloads(t: TestServer): { all: ReloadEvent[]; next(): Promise<ReloadEvent>; stop(): void } {
  const all: ReloadEvent[] = [];
  let taken = 0;
  const waiting: ((e: ReloadEvent) => void)[] = [];
  const off = t.sluice.hotReload.onReload((e) => {
    all.push(e);
    const w = waiting.shift();
    if (w) { taken++; w(e); }
  });
  return {
    all,
    next: () => (taken < all.length ? Promise.resolve(all[taken++]!) : new Promise((resolve) => waiting.push(resolve))),
    stop: off,
  };
}

/** Lines that look like a stack trace (`    at fn (file:1:2)`): a CLI error must never print one. */
export const STACK_LINE = /^\s+at .+[:(]/m;
