import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignedClient } from './lib/signed-client.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess } from './lib/sluice-process.js';
import { summarize, type LatencySummary } from './lib/stats.js';

/**
 * The edit → run loop: how long from saving a file to the first invocation that runs the saved code, with hot
 * reload (`sluice deploy --watch`), next to a full `sluice deploy` (package, upload, wait for Successful) of the
 * same folder followed by its first invocation, in the same run, for Node.js and Python.
 */
const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../src/cli/sluice.js');

export interface HotReloadBenchRow {
  runtime: string;
  /** save → first response from the new code, hot reload. */
  hotReload: LatencySummary;
  /** save → `sluice deploy` done → first response from the new code. */
  deploy: LatencySummary;
}

export interface HotReloadBenchResult {
  rows: HotReloadBenchRow[];
  debounceMs: number;
}

const SOURCES: Record<string, { file: string; handler: string; code: (v: number) => string }> = {
  'nodejs22.x': { file: 'index.mjs', handler: 'index.handler', code: (v) => `export const handler = async () => ({ v: ${v} });\n` },
  'python3.12': { file: 'app.py', handler: 'app.handler', code: (v) => `def handler(event, context):\n    return {"v": ${v}}\n` },
};

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' });
    child.once('close', resolvePromise);
  });
}

export async function hotReloadBenchmark(opts: { samples: number; deploySamples: number; log: (line: string) => void }): Promise<HotReloadBenchResult> {
  const dataDir = benchDataDir();
  const debounceMs = 150;
  const sluice = await startSluiceProcess({ dataDir, logLevel: 'warn', args: ['--hot-reload-debounce-ms', String(debounceMs)] });
  const api = new SignedClient(sluice.url, { ...BENCH_ACCOUNT, region: 'us-east-1' }, 4);
  const env = { PATH: process.env.PATH ?? '', SLUICE_ENDPOINT: sluice.url, SLUICE_DATA_DIR: dataDir };
  const invoke = async (name: string): Promise<number> => {
    const res = await api.send({ method: 'POST', path: `/2015-03-31/functions/${name}/invocations`, body: Buffer.from('{}') });
    return (JSON.parse(res.body.toString()) as { v: number }).v;
  };
  /** Saves version v, then invokes until v answers; the time from the save. */
  const untilServed = async (name: string, write: () => void | Promise<void>, v: number): Promise<number> => {
    const started = performance.now();
    await write();
    while ((await invoke(name)) !== v) { /* the change is not in yet: the next invoke */ }
    return performance.now() - started;
  };
  const rows: HotReloadBenchRow[] = [];
  try {
    for (const [runtime, src] of Object.entries(SOURCES)) {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-fn-'));
      chmodSync(dir, 0o755);
      const file = join(dir, src.file);
      let v = 0;
      writeFileSync(file, src.code(v));
      const live = `live-${runtime.replace(/\W/g, '')}`;
      const packaged = `pkg-${runtime.replace(/\W/g, '')}`;
      const base = ['--runtime', runtime, '--handler', src.handler];
      // `deploy --watch` stays in the foreground; the function keeps serving the folder after it is stopped.
      const watch = spawn(process.execPath, [CLI, 'deploy', dir, '--name', live, '--watch', ...base], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let said = '';
      await new Promise<void>((ok, fail) => {
        const on = (c: Buffer) => { said += c.toString(); if (said.includes('Watching')) ok(); };
        watch.stdout!.on('data', on);
        watch.stderr!.on('data', on);
        watch.once('close', (code) => fail(new Error(`sluice deploy --watch exited (${code}): ${said}`)));
      });
      watch.kill('SIGINT');
      if ((await cli(['deploy', dir, '--name', packaged, ...base], env)) !== 0) throw new Error(`sluice deploy of ${packaged} failed`);
      await invoke(live);
      await invoke(packaged);

      const hot: number[] = [];
      for (let i = 0; i < opts.samples; i++) {
        const n = ++v;
        hot.push(await untilServed(live, () => writeFileSync(file, src.code(n)), n));
      }
      const full: number[] = [];
      for (let i = 0; i < opts.deploySamples; i++) {
        const n = ++v;
        full.push(await untilServed(packaged, async () => {
          writeFileSync(file, src.code(n));
          await cli(['deploy', dir, '--name', packaged], env);
        }, n));
      }
      const row = { runtime, hotReload: summarize(hot), deploy: summarize(full) };
      opts.log(`${runtime}: hot reload p50 ${row.hotReload.p50.toFixed(1)} ms, full deploy p50 ${row.deploy.p50.toFixed(1)} ms`);
      rows.push(row);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await sluice.stop();
    removeDataDir(dataDir);
  }
  return { rows, debounceMs };
}
