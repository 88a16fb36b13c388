import { zipFiles } from '../test/helpers/zip.js';
import { startBaselineProcess } from './lib/baseline-server.js';
import { concurrent, sequential, type Operation, type PhaseResult } from './lib/measure.js';
import { SignedClient, type BenchRequest } from './lib/signed-client.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess } from './lib/sluice-process.js';
import { summarize, type LatencySummary } from './lib/stats.js';

/**
 * Control-plane reads with many functions stored: GetFunction, GetFunctionConfiguration and ListFunctions
 * (pages of 50) against `sluice serve`, next to a bare Node server answering `{}` driven by the same
 * signed keep-alive client. Budget (DESIGN.md): GET/List ≤ 2 ms p50 with 1,000 functions.
 */
export interface ControlPlaneOptions {
  functions: number;
  warmup: number;
  requests: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  createConcurrency: number;
  log: (line: string) => void;
}

export interface OperationResult {
  operation: string;
  target: 'sluice' | 'baseline';
  sequential: PhaseResult;
  concurrent: PhaseResult;
}

export interface ControlPlaneResult {
  functions: number;
  seed: { seconds: number; createsPerSecond: number; createLatency: LatencySummary; activeAfterSeconds: number };
  operations: OperationResult[];
  budget: { operation: string; p50: number; limit: number; ok: boolean }[];
}

export const GET_LIST_P50_BUDGET_MS = 2;
const PAGE = 50;
const REGION = 'us-east-1';

const fnName = (i: number) => `bench-fn-${String(i).padStart(5, '0')}`;
/** Spreads requests over every stored function (a stride coprime with typical counts, not a hot key). */
const pick = (i: number, n: number) => (i * 7919) % n;

export async function controlPlaneBenchmark(opts: ControlPlaneOptions): Promise<ControlPlaneResult> {
  const dataDir = benchDataDir();
  const sluice = await startSluiceProcess({ dataDir });
  const baseline = await startBaselineProcess();
  const creds = { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey, region: REGION };
  const sockets = Math.max(opts.concurrency, opts.createConcurrency);
  const api = new SignedClient(sluice.url, creds, sockets);
  const bare = new SignedClient(baseline.url, creds, sockets);
  try {
    opts.log(`sluice ${sluice.url} (data ${dataDir}) · baseline ${baseline.url}`);
    const seed = await seedFunctions(api, opts);
    opts.log(`stored ${opts.functions} functions in ${seed.seconds.toFixed(1)} s (${seed.createsPerSecond.toFixed(0)} creates/s), all Active after ${seed.activeAfterSeconds.toFixed(1)} s`);
    const markers = await listMarkers(api);

    const requests: Record<string, (i: number) => BenchRequest> = {
      GetFunction: (i) => ({ method: 'GET', path: `/2015-03-31/functions/${fnName(pick(i, opts.functions))}` }),
      GetFunctionConfiguration: (i) => ({ method: 'GET', path: `/2015-03-31/functions/${fnName(pick(i, opts.functions))}/configuration` }),
      ListFunctions: (i) => {
        const marker = markers[i % markers.length];
        return { method: 'GET', path: '/2015-03-31/functions', query: marker ? [['MaxItems', String(PAGE)], ['Marker', marker]] : [['MaxItems', String(PAGE)]] };
      },
    };
    await checkResponses(api, requests, opts.functions);

    const operations: OperationResult[] = [];
    const measure = async (operation: string, target: 'sluice' | 'baseline', op: Operation) => {
      const seq = await sequential(op, { warmup: opts.warmup, requests: opts.requests });
      const conc = await concurrent(op, { concurrency: opts.concurrency, warmupMs: opts.warmupMs, durationMs: opts.durationMs });
      operations.push({ operation, target, sequential: seq, concurrent: conc });
      opts.log(`${target.padEnd(8)} ${operation.padEnd(26)} p50 ${seq.latency.p50.toFixed(3)} ms · ${conc.throughput.toFixed(0)} req/s at ${opts.concurrency}`);
    };
    // The baseline gets the same signed GET the API gets, so signing and parsing costs cancel out.
    await measure('{} (bare Node HTTP)', 'baseline', (i) => bare.ok(requests.GetFunction!(i)));
    for (const [operation, build] of Object.entries(requests)) await measure(operation, 'sluice', (i) => api.ok(build(i)));

    const budget = operations
      .filter((o) => o.target === 'sluice')
      .map((o) => ({ operation: o.operation, p50: o.sequential.latency.p50, limit: GET_LIST_P50_BUDGET_MS, ok: o.sequential.latency.p50 <= GET_LIST_P50_BUDGET_MS }));
    return { functions: opts.functions, seed, operations, budget };
  } finally {
    api.close();
    bare.close();
    await baseline.stop();
    await sluice.stop();
    removeDataDir(dataDir);
  }
}

/** CreateFunction × n through the API, `createConcurrency` at a time, each with its own code archive. */
async function seedFunctions(api: SignedClient, opts: ControlPlaneOptions): Promise<ControlPlaneResult['seed']> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < opts.functions) {
      const i = next++;
      const body = Buffer.from(JSON.stringify({
        FunctionName: fnName(i), Runtime: 'nodejs22.x', Handler: 'index.handler', Role: `arn:aws:iam::${BENCH_ACCOUNT.accountId}:role/bench`,
        Code: { ZipFile: zipFiles({ 'index.js': `exports.handler = async () => ${i};\n` }).toString('base64') },
        Environment: { Variables: { INDEX: String(i) } }, Tags: { bench: 'control-plane' },
      }));
      const t0 = performance.now();
      await api.ok({ method: 'POST', path: '/2015-03-31/functions', body });
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.createConcurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  // Settling (Pending → Active) runs in the background; the reads are measured on a settled store.
  for (;;) {
    const pending = await countNotActive(api);
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const activeAfterSeconds = (performance.now() - started) / 1000;
  return { seconds, createsPerSecond: opts.functions / seconds, createLatency: summarize(latencies), activeAfterSeconds };
}

async function countNotActive(api: SignedClient): Promise<number> {
  let notActive = 0;
  let marker: string | undefined;
  do {
    const res = await api.ok({ method: 'GET', path: '/2015-03-31/functions', query: marker ? [['Marker', marker]] : [] });
    const page = JSON.parse(res.body.toString('utf8')) as { Functions: { State?: string }[]; NextMarker?: string };
    notActive += page.Functions.filter((f) => f.State !== 'Active').length;
    marker = page.NextMarker;
  } while (marker);
  return notActive;
}

/** Every page's Marker, so ListFunctions is measured across the whole keyspace, not just page one. */
async function listMarkers(api: SignedClient): Promise<(string | undefined)[]> {
  const markers: (string | undefined)[] = [undefined];
  for (;;) {
    const marker = markers[markers.length - 1];
    const query: [string, string][] = marker ? [['MaxItems', String(PAGE)], ['Marker', marker]] : [['MaxItems', String(PAGE)]];
    const page = JSON.parse((await api.ok({ method: 'GET', path: '/2015-03-31/functions', query })).body.toString('utf8')) as { NextMarker?: string };
    if (!page.NextMarker) return markers;
    markers.push(page.NextMarker);
  }
}

/** The measured requests return what they should (a fast wrong answer is not a result). */
async function checkResponses(api: SignedClient, requests: Record<string, (i: number) => BenchRequest>, n: number): Promise<void> {
  const got = JSON.parse((await api.ok(requests.GetFunction!(1))).body.toString('utf8')) as { Configuration: { FunctionName: string; State: string }; Code: { Location: string } };
  if (got.Configuration.FunctionName !== fnName(pick(1, n)) || got.Configuration.State !== 'Active' || !got.Code.Location) {
    throw new Error(`unexpected GetFunction response: ${JSON.stringify(got).slice(0, 300)}`);
  }
  const cfg = JSON.parse((await api.ok(requests.GetFunctionConfiguration!(2))).body.toString('utf8')) as { FunctionName: string };
  if (cfg.FunctionName !== fnName(pick(2, n))) throw new Error(`unexpected GetFunctionConfiguration response for ${fnName(pick(2, n))}`);
  const list = JSON.parse((await api.ok(requests.ListFunctions!(0))).body.toString('utf8')) as { Functions: unknown[] };
  if (list.Functions.length !== Math.min(PAGE, n)) throw new Error(`ListFunctions returned ${list.Functions.length} items, expected ${Math.min(PAGE, n)}`);
}
