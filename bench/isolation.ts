import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipFiles } from '../test/helpers/zip.js';
import { RuntimeTable } from '../src/sandbox/runtime-table.js';
import { sandboxCanReach } from '../src/sandbox/isolation/select-backend.js';
import { isolationAvailable } from '../src/sandbox/isolation/host-capabilities.js';
import { startBaselineProcess } from './lib/baseline-server.js';
import { sequential } from './lib/measure.js';
import { SignedClient, type BenchRequest } from './lib/signed-client.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess, type SluiceProcess } from './lib/sluice-process.js';
import { summarize, type LatencySummary } from './lib/stats.js';

/**
 * Execution environments (`--only isolation`): cold starts end to end through the HTTP Invoke API, fresh isolated
 * and from the pre-started pool, next to `node -e 0` / `python3 -c 0` spawned in the same run; 100 concurrent cold
 * starts; idle memory per environment (RSS and PSS from smaps_rollup, and what its cgroup is charged); warm invoke
 * overhead on the isolated and the process backend. Targets: ../shared/DESIGN.md "Performance budgets".
 */
export interface IsolationBenchOptions {
  coldStarts: number;
  concurrent: number;
  warmup: number;
  warmRequests: number;
  log: (line: string) => void;
}

export interface ColdStartRow {
  runtime: string;
  mode: 'fresh isolated' | 'pre-started pool';
  latency: LatencySummary;
  /** Of the samples, how many the pool served (pool mode). */
  pooled?: number;
}

export interface ConcurrentRow {
  runtime: string;
  mode: 'fresh isolated' | 'pool (default config)';
  latency: LatencySummary;
  p99OverP50: number;
  pooled?: number;
}

export interface IdleMemoryRow {
  runtime: string;
  environments: number;
  /** Per environment, MiB. */
  rss: number;
  pss: number;
  cgroupCharged: number;
  perGiBByPss: number;
  perGiBByRss: number;
}

export interface WarmRow {
  runtime: string;
  backend: 'isolated' | 'process';
  p50: number;
  p99: number;
  overheadP50: number;
  overheadP99: number;
}

export interface TargetRow {
  what: string;
  target: string;
  measured: string;
  ok: boolean;
}

export interface IsolationBenchResult {
  skipped?: string;
  baselines: { what: string; latency: LatencySummary }[];
  coldStarts: ColdStartRow[];
  concurrent: ConcurrentRow[];
  idleMemory: IdleMemoryRow[];
  warm: WarmRow[];
  warmBaseline?: LatencySummary;
  targets: TargetRow[];
}

const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${BENCH_ACCOUNT.accountId}:role/bench`;
const MEMORY_MB = 256;

const RUNTIMES = [
  { id: 'nodejs22.x', short: 'node', handler: 'index.handler', files: { 'index.js': "exports.handler = async () => 'hello';\n" } },
  { id: 'python3.12', short: 'python', handler: 'handler.handler', files: { 'handler.py': "def handler(event, context):\n    return 'hello'\n" } },
] as const;
type Runtime = (typeof RUNTIMES)[number];

const invokeRequest = (name: string): BenchRequest => ({ method: 'POST', path: `/2015-03-31/functions/${name}/invocations`, body: Buffer.from('{}') });

export async function isolationBenchmark(opts: IsolationBenchOptions): Promise<IsolationBenchResult> {
  const result: IsolationBenchResult = { baselines: [], coldStarts: [], concurrent: [], idleMemory: [], warm: [], targets: [] };
  if (!isolationAvailable()) {
    result.skipped = 'the isolated backend cannot run on this host (see `sluice doctor`)';
    opts.log(`SKIPPED: ${result.skipped}`);
    return result;
  }
  const creds = { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey, region: REGION };

  // 1. The interpreters themselves, as environments run them, before any server loads the machine.
  const tableDir = benchDataDir();
  try {
    const table = new RuntimeTable({ dataDir: tableDir, searchPath: process.env.PATH ?? '', usable: sandboxCanReach });
    for (const rt of RUNTIMES) {
      const interp = table.interpreter(rt.id);
      if (!interp) continue;
      const args = rt.short === 'node' ? ['-e', '0'] : ['-c', '0'];
      const latency = summarize(await spawnTimes(interp.path, args, opts.coldStarts));
      const what = `${rt.short === 'node' ? 'node -e 0' : 'python3 -c 0'} (${interp.path}, ${interp.version})`;
      result.baselines.push({ what, latency });
      opts.log(`${what.padEnd(52)} p50 ${latency.p50.toFixed(1)} ms · p99 ${latency.p99.toFixed(1)} ms`);
    }
  } finally {
    removeDataDir(tableDir);
  }

  const baseline = await startBaselineProcess();
  const bare = new SignedClient(baseline.url, creds, 8);
  try {
    result.warmBaseline = (await sequential(() => bare.ok(invokeRequest('baseline')), { warmup: opts.warmup, requests: opts.warmRequests })).latency;

    // 2. Fresh isolated environments: every cold start builds cgroups, /tmp, sandbox and runtime.
    await withServer(['--sandbox', 'isolated', '--environment-pool-size', '0'], creds, async (api, sluice) => {
      for (const rt of RUNTIMES) {
        const names = await createMany(api, `fresh-${rt.short}`, rt, opts.coldStarts);
        const latency = summarize(await coldStartsOneByOne(api, names));
        result.coldStarts.push({ runtime: rt.id, mode: 'fresh isolated', latency });
        opts.log(`${rt.id.padEnd(12)} fresh isolated cold start  p50 ${latency.p50.toFixed(1)} ms · p99 ${latency.p99.toFixed(1)} ms (n=${latency.count})`);
      }
      // The environments just started are idle now, each having served one hello invocation.
      result.idleMemory.push(...idleMemory(sluice.dataDir));
      for (const m of result.idleMemory) {
        opts.log(`${m.runtime.padEnd(12)} idle environment  RSS ${m.rss.toFixed(1)} MiB · PSS ${m.pss.toFixed(1)} MiB · cgroup ${m.cgroupCharged.toFixed(1)} MiB → ${m.perGiBByPss} per GiB (PSS)`);
      }
      result.warm.push(...await warmOverhead(api, 'isolated', opts, result.warmBaseline!));
      for (const rt of RUNTIMES) {
        const names = await createMany(api, `burst-fresh-${rt.short}`, rt, opts.concurrent);
        const latency = summarize(await coldStartsAtOnce(api, names));
        result.concurrent.push({ runtime: rt.id, mode: 'fresh isolated', latency, p99OverP50: latency.p99 / latency.p50 });
        opts.log(`${rt.id.padEnd(12)} ${opts.concurrent} concurrent fresh   p50 ${latency.p50.toFixed(1)} ms · p99 ${latency.p99.toFixed(1)} ms (×${(latency.p99 / latency.p50).toFixed(2)})`);
      }
    });

    // 3. The pre-started pool (default size): one cold start per runtime primes it, then each sample waits for
    //    the refill (read from the server's debug log) so it measures a pool hit.
    await withServer(['--sandbox', 'isolated'], creds, async (api, sluice) => {
      for (const rt of RUNTIMES) {
        const [prime] = await createMany(api, `prime-${rt.short}`, rt, 1);
        await api.ok(invokeRequest(prime!));
        const names = await createMany(api, `pool-${rt.short}`, rt, opts.coldStarts);
        const samples: number[] = [];
        for (const name of names) {
          await poolFull(sluice.logFile, rt.id, 2);
          samples.push((await coldStartsOneByOne(api, [name]))[0]!);
        }
        const latency = summarize(samples);
        const pooled = countLog(sluice.logFile, 'cold start from the pre-started pool', rt.id);
        result.coldStarts.push({ runtime: rt.id, mode: 'pre-started pool', latency, pooled });
        opts.log(`${rt.id.padEnd(12)} pooled cold start          p50 ${latency.p50.toFixed(1)} ms · p99 ${latency.p99.toFixed(1)} ms (${pooled}/${samples.length} from the pool)`);
      }
      for (const rt of RUNTIMES) {
        await poolFull(sluice.logFile, rt.id, 2);
        const before = countLog(sluice.logFile, 'cold start from the pre-started pool', rt.id);
        const names = await createMany(api, `burst-pool-${rt.short}`, rt, opts.concurrent);
        const latency = summarize(await coldStartsAtOnce(api, names));
        const pooled = countLog(sluice.logFile, 'cold start from the pre-started pool', rt.id) - before;
        result.concurrent.push({ runtime: rt.id, mode: 'pool (default config)', latency, p99OverP50: latency.p99 / latency.p50, pooled });
        opts.log(`${rt.id.padEnd(12)} ${opts.concurrent} concurrent, pool   p50 ${latency.p50.toFixed(1)} ms · p99 ${latency.p99.toFixed(1)} ms (×${(latency.p99 / latency.p50).toFixed(2)}, ${pooled} from the pool)`);
      }
    }, 'debug');

    // 4. The process backend's warm overhead, for comparison.
    await withServer(['--sandbox', 'process'], creds, async (api) => {
      result.warm.push(...await warmOverhead(api, 'process', opts, result.warmBaseline!));
    });
  } finally {
    bare.close();
    await baseline.stop();
  }
  for (const w of result.warm) {
    opts.log(`${w.runtime.padEnd(12)} warm on ${w.backend.padEnd(8)} p50 ${w.p50.toFixed(3)} ms (+${w.overheadP50.toFixed(3)}) · p99 ${w.p99.toFixed(3)} ms (+${w.overheadP99.toFixed(3)})`);
  }
  result.targets = targets(result);
  return result;
}

type Creds = { accessKeyId: string; secretAccessKey: string; region: string };

async function withServer(args: string[], creds: Creds, fn: (api: SignedClient, sluice: SluiceProcess) => Promise<void>, logLevel?: string): Promise<void> {
  const dataDir = benchDataDir();
  let sluice: SluiceProcess;
  try {
    sluice = await startSluiceProcess({ dataDir, args, ...(logLevel ? { logLevel } : {}) });
  } catch (err) {
    removeDataDir(dataDir);
    throw err;
  }
  const api = new SignedClient(sluice.url, creds, 256);
  try {
    await fn(api, sluice);
  } finally {
    api.close();
    await sluice.stop();
    removeDataDir(dataDir);
  }
}

/** Wall time of `command args` from spawn to exit, n times (after 3 unmeasured runs). */
async function spawnTimes(command: string, args: string[], n: number): Promise<number[]> {
  const once = () => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: 'ignore', env: {} });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });
  for (let i = 0; i < 3; i++) await once();
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await once());
  return out;
}

async function createMany(api: SignedClient, prefix: string, rt: Runtime, n: number, memoryMb = MEMORY_MB): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const zip = zipFiles({ ...rt.files }).toString('base64');
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(names.slice(i, i + 16).map((name) => api.ok({
      method: 'POST', path: '/2015-03-31/functions',
      body: Buffer.from(JSON.stringify({ FunctionName: name, Runtime: rt.id, Handler: rt.handler, Role: ROLE, MemorySize: memoryMb, Code: { ZipFile: zip } })),
    })));
  }
  for (const name of names) {
    for (;;) {
      const res = await api.ok({ method: 'GET', path: `/2015-03-31/functions/${name}/configuration` });
      if ((JSON.parse(res.body.toString()) as { State?: string }).State === 'Active') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return names;
}

/** One cold start at a time: the latency of the first invoke of each function, checked to be the real answer. */
async function coldStartsOneByOne(api: SignedClient, names: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const name of names) {
    const t0 = performance.now();
    const res = await api.ok(invokeRequest(name));
    out.push(performance.now() - t0);
    assertHello(name, res.body, res.headers);
  }
  return out;
}

async function coldStartsAtOnce(api: SignedClient, names: string[]): Promise<number[]> {
  return Promise.all(names.map(async (name) => {
    const t0 = performance.now();
    const res = await api.ok(invokeRequest(name));
    const ms = performance.now() - t0;
    assertHello(name, res.body, res.headers);
    return ms;
  }));
}

function assertHello(name: string, body: Buffer, headers: Record<string, unknown>): void {
  if (body.toString() !== '"hello"' || headers['x-amz-function-error'] !== undefined) {
    throw new Error(`${name} did not answer "hello": ${body.toString().slice(0, 300)}`);
  }
}

async function warmOverhead(api: SignedClient, backend: 'isolated' | 'process', opts: IsolationBenchOptions, base: LatencySummary): Promise<WarmRow[]> {
  const rows: WarmRow[] = [];
  for (const rt of RUNTIMES) {
    // One full vCPU (1,769 MB): a closed loop of invokes must measure the platform, not the function's CPU share.
    const [name] = await createMany(api, `warm-${backend}-${rt.short}`, rt, 1, 1769);
    const phase = await sequential(() => api.ok(invokeRequest(name!)), { warmup: opts.warmup, requests: opts.warmRequests });
    rows.push({
      runtime: rt.id, backend, p50: phase.latency.p50, p99: phase.latency.p99,
      overheadP50: phase.latency.p50 - base.p50, overheadP99: phase.latency.p99 - base.p99,
    });
  }
  return rows;
}

/** Parsed JSON log lines of the server. */
function logLines(file: string): { msg?: string; runtime?: string }[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try {
      return JSON.parse(l) as { msg?: string; runtime?: string };
    } catch {
      return {};
    }
  });
}

function countLog(file: string, msg: string, runtime: string): number {
  return logLines(file).filter((l) => l.msg === msg && l.runtime === runtime).length;
}

/** Waits until the pool holds `size` ready environments of the runtime (ready − taken, from the debug log). */
async function poolFull(file: string, runtime: string, size: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (countLog(file, 'pre-started environment ready', runtime) - countLog(file, 'cold start from the pre-started pool', runtime) >= size) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the pre-started pool for ${runtime} did not fill up within 30 s (see ${file})`);
}

/** Idle environments of a server, grouped by runtime: RSS/PSS of their processes and what their cgroups are charged. */
function idleMemory(dataDir: string): IdleMemoryRow[] {
  const parent = `sluice-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
  const v1 = existsSync(join('/sys/fs/cgroup/pids', parent));
  const procsRoot = v1 ? join('/sys/fs/cgroup/pids', parent) : join('/sys/fs/cgroup', parent);
  const memRoot = v1 ? join('/sys/fs/cgroup/memory', parent) : join('/sys/fs/cgroup', parent);
  const byRuntime = new Map<string, { n: number; rss: number; pss: number; charged: number }>();
  for (const id of readdirSync(procsRoot, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    const pids = read(join(procsRoot, id, 'cgroup.procs')).split('\n').filter(Boolean);
    let runtime: string | undefined;
    let rss = 0;
    let pss = 0;
    for (const pid of pids) {
      const cmdline = read(`/proc/${pid}/cmdline`);
      if (cmdline.includes('bootstrap.mjs')) runtime = 'nodejs22.x';
      else if (cmdline.includes('bootstrap.py')) runtime = 'python3.12';
      const rollup = read(`/proc/${pid}/smaps_rollup`);
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    }
    if (!runtime) continue;
    const charged = Number(read(join(memRoot, id, v1 ? 'memory.usage_in_bytes' : 'memory.current')).trim()) || 0;
    const row = byRuntime.get(runtime) ?? { n: 0, rss: 0, pss: 0, charged: 0 };
    row.n++;
    row.rss += rss / 1024;
    row.pss += pss / 1024;
    row.charged += charged / 2 ** 20;
    byRuntime.set(runtime, row);
  }
  return [...byRuntime].map(([runtime, r]) => ({
    runtime, environments: r.n, rss: r.rss / r.n, pss: r.pss / r.n, cgroupCharged: r.charged / r.n,
    perGiBByPss: Math.floor(1024 / (r.pss / r.n)), perGiBByRss: Math.floor(1024 / (r.rss / r.n)),
  }));
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Each DESIGN.md budget against what this run measured. */
function targets(r: IsolationBenchResult): TargetRow[] {
  const out: TargetRow[] = [];
  const cold = (rt: string, mode: ColdStartRow['mode']) => r.coldStarts.find((c) => c.runtime === rt && c.mode === mode);
  const limits = { 'nodejs22.x': { fresh: 100, pool: 15, perGiB: 40 }, 'python3.12': { fresh: 60, pool: 10, perGiB: 100 } } as const;
  for (const rt of RUNTIMES) {
    const l = limits[rt.id];
    const fresh = cold(rt.id, 'fresh isolated');
    const pool = cold(rt.id, 'pre-started pool');
    if (fresh) out.push({ what: `cold start ${rt.short} hello, fresh isolated, p50`, target: `≤ ${l.fresh} ms`, measured: `${fresh.latency.p50.toFixed(1)} ms`, ok: fresh.latency.p50 <= l.fresh });
    if (pool) out.push({ what: `cold start ${rt.short} hello, pre-started pool, p50`, target: `≤ ${l.pool} ms`, measured: `${pool.latency.p50.toFixed(1)} ms`, ok: pool.latency.p50 <= l.pool });
    for (const c of r.concurrent.filter((x) => x.runtime === rt.id)) {
      out.push({ what: `${c.latency.count} concurrent cold starts ${rt.short} (${c.mode})`, target: 'p99 ≤ 3 × p50', measured: `p50 ${c.latency.p50.toFixed(0)} ms · p99 ${c.latency.p99.toFixed(0)} ms (×${c.p99OverP50.toFixed(2)})`, ok: c.p99OverP50 <= 3 });
    }
    const mem = r.idleMemory.find((m) => m.runtime === rt.id);
    if (mem) out.push({ what: `idle ${rt.short} environments per GiB (PSS)`, target: `≥ ${l.perGiB}`, measured: `${mem.perGiBByPss} (${mem.pss.toFixed(1)} MiB PSS, ${mem.rss.toFixed(1)} MiB RSS)`, ok: mem.perGiBByPss >= l.perGiB });
    for (const w of r.warm.filter((x) => x.runtime === rt.id)) {
      out.push({ what: `warm invoke overhead ${rt.short}, ${w.backend} backend`, target: '≤ 0.5 ms p50 · ≤ 2 ms p99', measured: `+${w.overheadP50.toFixed(3)} ms · +${w.overheadP99.toFixed(3)} ms`, ok: w.overheadP50 <= 0.5 && w.overheadP99 <= 2 });
    }
  }
  return out;
}
