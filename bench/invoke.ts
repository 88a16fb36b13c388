import { zipFiles } from '../test/helpers/zip.js';
import { startBaselineProcess } from './lib/baseline-server.js';
import { concurrent, sequential, type PhaseResult } from './lib/measure.js';
import { SignedClient, type BenchRequest } from './lib/signed-client.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess } from './lib/sluice-process.js';
import { summarize, type LatencySummary } from './lib/stats.js';

/**
 * The invoke path through the HTTP Invoke API with a keep-alive signed client: warm overhead of no-op Node and
 * Python handlers, throughput at several concurrencies, and cold starts (a fresh environment, end to end). Each
 * figure sits next to the same client driving a bare Node HTTP server that answers `{}`.
 * Budgets (DESIGN.md): warm overhead ≤ 0.5 ms p50 / ≤ 2 ms p99; cold start Node ≤ 100 ms p50, Python ≤ 60 ms p50 (isolated).
 */
export interface InvokeBenchOptions {
  warmup: number;
  requests: number;
  concurrencies: number[];
  warmupMs: number;
  durationMs: number;
  coldStarts: number;
  /** `sluice serve --sandbox` (auto, isolated, process). */
  sandbox?: string;
  log: (line: string) => void;
}

export interface InvokeRow {
  what: string;
  target: 'sluice' | 'baseline';
  runtime?: string;
  phase: PhaseResult;
}

export interface ColdStartResult {
  runtime: string;
  latency: LatencySummary;
}

export interface InvokeBenchResult {
  sandbox: string;
  skipped: { runtime: string; reason: string }[];
  warm: InvokeRow[];
  throughput: InvokeRow[];
  coldStarts: ColdStartResult[];
  overhead: { runtime: string; p50: number; p99: number }[];
}

const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${BENCH_ACCOUNT.accountId}:role/bench`;

const RUNTIMES = [
  { id: 'nodejs22.x', handler: 'index.handler', files: { 'index.js': 'exports.handler = async () => ({});\n' } },
  { id: 'python3.12', handler: 'handler.handler', files: { 'handler.py': 'def handler(event, context):\n    return {}\n' } },
] as const;

const invokeRequest = (name: string): BenchRequest => ({
  method: 'POST', path: `/2015-03-31/functions/${name}/invocations`, body: Buffer.from('{}'),
});

export async function invokeBenchmark(opts: InvokeBenchOptions): Promise<InvokeBenchResult> {
  const dataDir = benchDataDir();
  const sluice = await startSluiceProcess({ dataDir, args: opts.sandbox ? ['--sandbox', opts.sandbox] : [] });
  const baseline = await startBaselineProcess();
  const creds = { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey, region: REGION };
  const sockets = Math.max(...opts.concurrencies, 16);
  const api = new SignedClient(sluice.url, creds, sockets);
  const bare = new SignedClient(baseline.url, creds, sockets);
  try {
    opts.log(`sluice ${sluice.url} (data ${dataDir}) · baseline ${baseline.url}`);
    const warmNames: Record<string, string> = {};
    for (const rt of RUNTIMES) {
      warmNames[rt.id] = `bench-warm-${rt.id.replace('.', '-')}`;
      await createFunction(api, warmNames[rt.id]!, rt);
      for (let i = 0; i < opts.coldStarts; i++) await createFunction(api, coldName(rt.id, i), rt);
    }
    await waitActive(api);
    // A runtime that cannot run here is reported and left out, never measured as fast errors.
    const runtimes: (typeof RUNTIMES)[number][] = [];
    const skipped: { runtime: string; reason: string }[] = [];
    for (const rt of RUNTIMES) {
      try {
        await checkInvoke(api, warmNames[rt.id]!);
        runtimes.push(rt);
      } catch (err) {
        skipped.push({ runtime: rt.id, reason: (err as Error).message });
        opts.log(`SKIPPED ${rt.id}: ${(err as Error).message}`);
      }
    }

    const warm: InvokeRow[] = [];
    const base = await sequential(() => bare.ok(invokeRequest('baseline')), { warmup: opts.warmup, requests: opts.requests });
    warm.push({ what: 'warm invoke, sequential', target: 'baseline', phase: base });
    opts.log(`baseline {}            p50 ${base.latency.p50.toFixed(3)} ms · p99 ${base.latency.p99.toFixed(3)} ms`);
    for (const rt of runtimes) {
      const phase = await sequential(() => api.ok(invokeRequest(warmNames[rt.id]!)), { warmup: opts.warmup, requests: opts.requests });
      warm.push({ what: 'warm invoke, sequential', target: 'sluice', runtime: rt.id, phase });
      opts.log(`${rt.id.padEnd(12)} no-op     p50 ${phase.latency.p50.toFixed(3)} ms · p99 ${phase.latency.p99.toFixed(3)} ms`);
    }

    const throughput: InvokeRow[] = [];
    for (const c of opts.concurrencies) {
      const b = await concurrent(() => bare.ok(invokeRequest('baseline')), { concurrency: c, warmupMs: opts.warmupMs, durationMs: opts.durationMs });
      throughput.push({ what: `throughput at ${c}`, target: 'baseline', phase: b });
      for (const rt of runtimes) {
        // Sustained throughput: the c environments exist before the clock starts (cold starts are measured below).
        for (let k = 0; k < 3; k++) await Promise.all(Array.from({ length: c }, () => api.ok(invokeRequest(warmNames[rt.id]!))));
        const phase = await concurrent(() => api.ok(invokeRequest(warmNames[rt.id]!)), { concurrency: c, warmupMs: opts.warmupMs, durationMs: opts.durationMs });
        throughput.push({ what: `throughput at ${c}`, target: 'sluice', runtime: rt.id, phase });
        opts.log(`${rt.id.padEnd(12)} at ${String(c).padStart(2)}     ${phase.throughput.toFixed(0)} invokes/s · p99 ${phase.latency.p99.toFixed(3)} ms (baseline ${b.throughput.toFixed(0)}/s)`);
      }
    }

    const coldStarts: ColdStartResult[] = [];
    for (const rt of runtimes) {
      const samples: number[] = [];
      for (let i = 0; i < opts.coldStarts; i++) {
        const t0 = performance.now();
        await api.ok(invokeRequest(coldName(rt.id, i)));
        samples.push(performance.now() - t0);
      }
      const latency = summarize(samples);
      coldStarts.push({ runtime: rt.id, latency });
      opts.log(`${rt.id.padEnd(12)} cold start p50 ${latency.p50.toFixed(1)} ms · p99 ${latency.p99.toFixed(1)} ms (${samples.length} fresh environments)`);
    }

    const overhead = runtimes.map((rt) => {
      const row = warm.find((w) => w.runtime === rt.id)!;
      return { runtime: rt.id, p50: row.phase.latency.p50 - base.latency.p50, p99: row.phase.latency.p99 - base.latency.p99 };
    });
    return { sandbox: opts.sandbox ?? 'auto', skipped, warm, throughput, coldStarts, overhead };
  } finally {
    api.close();
    bare.close();
    await baseline.stop();
    await sluice.stop();
    removeDataDir(dataDir);
  }
}

const coldName = (runtime: string, i: number) => `bench-cold-${runtime.replace('.', '-')}-${i}`;

async function createFunction(api: SignedClient, name: string, rt: (typeof RUNTIMES)[number]): Promise<void> {
  await api.ok({
    method: 'POST', path: '/2015-03-31/functions',
    body: Buffer.from(JSON.stringify({
      FunctionName: name, Runtime: rt.id, Handler: rt.handler, Role: ROLE, MemorySize: 256,
      Code: { ZipFile: zipFiles({ ...rt.files }).toString('base64') },
    })),
  });
}

async function waitActive(api: SignedClient): Promise<void> {
  for (;;) {
    let pending = 0;
    let marker: string | undefined;
    do {
      const res = await api.ok({ method: 'GET', path: '/2015-03-31/functions', query: marker ? [['Marker', marker]] : [] });
      const page = JSON.parse(res.body.toString('utf8')) as { Functions: { State?: string }[]; NextMarker?: string };
      pending += page.Functions.filter((f) => f.State !== 'Active').length;
      marker = page.NextMarker;
    } while (marker);
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The measured invocation really runs the handler (a fast error is not a result). */
async function checkInvoke(api: SignedClient, name: string): Promise<void> {
  const res = await api.send(invokeRequest(name));
  const body = res.body.toString('utf8');
  if (res.status !== 200 || body !== '{}') throw new Error(`invoke ${name} → ${res.status}: ${body.slice(0, 300)}`);
}
