import { controlPlaneBenchmark, GET_LIST_P50_BUDGET_MS } from './control-plane.js';
import { environment, table, writeResult } from './lib/report.js';
import { invokeBenchmark, type InvokeBenchResult } from './invoke.js';
import { asyncBenchmark, type AsyncBenchResult } from './async.js';
import { urlBenchmark, type UrlBenchResult } from './urls.js';
import { isolationBenchmark, type IsolationBenchResult } from './isolation.js';
import { hotReloadBenchmark, type HotReloadBenchResult } from './hot-reload.js';

/**
 * `npm run bench`: runs the benchmarks, prints tables and writes bench/results/<timestamp>.json.
 * Options: --functions N (1000) --requests N (3000 sequential per operation) --concurrency N (16)
 * --duration-ms N (3000 per concurrent phase) --quick (small numbers, to check the harness)
 * --only control-plane|invoke|urls|async|isolation (one section) --sandbox auto|isolated|process (the invoke section's backend).
 */
function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (name === 'quick') out.quick = 'true';
    else if (name === 'only') out.only = argv[++i] ?? '';
    else if (name === 'sandbox') out.sandbox = argv[++i] ?? '';
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}

function int(args: Record<string, string>, name: string, fallback: number): number {
  const v = args[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const quick = args.quick === 'true';
  const known = new Set(['quick', 'only', 'sandbox', 'functions', 'requests', 'concurrency', 'duration-ms']);
  const only = args.only;
  if (only !== undefined && only !== 'control-plane' && only !== 'invoke' && only !== 'urls' && only !== 'async' && only !== 'isolation' && only !== 'hot-reload') {
    throw new Error('--only must be control-plane, invoke, urls, async, isolation or hot-reload');
  }
  for (const k of Object.keys(args)) if (!known.has(k)) throw new Error(`unknown option --${k}`);
  const env = environment();
  console.log(`Sluice benchmarks · node ${env.node} · ${env.cpus} × ${env.cpuModel}`);

  const options = {
    functions: int(args, 'functions', quick ? 100 : 1000),
    warmup: quick ? 100 : 500,
    requests: int(args, 'requests', quick ? 500 : 3000),
    concurrency: int(args, 'concurrency', 16),
    warmupMs: quick ? 200 : 1000,
    durationMs: int(args, 'duration-ms', quick ? 1000 : 3000),
    createConcurrency: 16,
  };
  const cp = only === undefined || only === 'control-plane' ? await runControlPlane(options) : undefined;
  const invoke = only === undefined || only === 'invoke' ? await runInvoke(quick, options, args.sandbox) : undefined;
  const urls = only === undefined || only === 'urls' ? await runUrls(quick, options, args.sandbox) : undefined;
  const asyncInvoke = only === undefined || only === 'async' ? await runAsync(quick, options, args.sandbox, invoke) : undefined;
  const isolation = only === undefined || only === 'isolation' ? await runIsolation(quick, options) : undefined;
  const hotReload = only === undefined || only === 'hot-reload' ? await runHotReload(quick) : undefined;

  const file = writeResult({
    date: new Date().toISOString(),
    environment: env,
    options,
    controlPlane: cp,
    invoke,
    urls,
    async: asyncInvoke,
    isolation,
    hotReload,
  });
  console.log(`\nwrote ${file}`);
}

type Options = { functions: number; warmup: number; requests: number; concurrency: number; warmupMs: number; durationMs: number; createConcurrency: number };

async function runControlPlane(options: Options) {
  console.log(`\n== control plane: ${options.functions} functions stored`);
  const cp = await controlPlaneBenchmark({ ...options, log: (l) => console.log(`  ${l}`) });

  const base = cp.operations.find((o) => o.target === 'baseline')!;
  console.log('');
  console.log(table(
    ['operation', 'target', 'p50 ms', 'p99 ms', 'req/s (1)', `p50 ms (${options.concurrency})`, `p99 ms (${options.concurrency})`, `req/s (${options.concurrency})`, 'p50 − baseline'],
    cp.operations.map((o) => [
      o.operation, o.target,
      o.sequential.latency.p50, o.sequential.latency.p99, o.sequential.throughput,
      o.concurrent.latency.p50, o.concurrent.latency.p99, o.concurrent.throughput,
      o.target === 'baseline' ? '-' : (o.sequential.latency.p50 - base.sequential.latency.p50).toFixed(3),
    ]),
  ));
  console.log(`\nCreateFunction while seeding: p50 ${cp.seed.createLatency.p50.toFixed(2)} ms · p99 ${cp.seed.createLatency.p99.toFixed(2)} ms · ${cp.seed.createsPerSecond.toFixed(0)}/s at ${options.createConcurrency} in flight`);
  console.log(`Budget: GET/List p50 ≤ ${GET_LIST_P50_BUDGET_MS} ms with ${cp.functions} functions`);
  for (const b of cp.budget) console.log(`  ${b.ok ? 'ok  ' : 'OVER'} ${b.operation.padEnd(26)} p50 ${b.p50.toFixed(3)} ms`);
  return cp;
}

async function runInvoke(quick: boolean, options: Options, sandbox: string | undefined): Promise<InvokeBenchResult> {
  console.log(`\n== invoke: no-op handlers through the HTTP Invoke API (sandbox ${sandbox ?? 'auto'})`);
  const r = await invokeBenchmark({
    ...(sandbox ? { sandbox } : {}),
    warmup: options.warmup, requests: options.requests, concurrencies: [1, 4, 16, 64],
    warmupMs: options.warmupMs, durationMs: options.durationMs, coldStarts: quick ? 5 : 30, log: (l) => console.log(`  ${l}`),
  });
  console.log('');
  console.log(table(
    ['invoke', 'target', 'runtime', 'p50 ms', 'p99 ms', 'invokes/s'],
    [...r.warm, ...r.throughput].map((row) => [
      row.what, row.target, row.runtime ?? '-', row.phase.latency.p50, row.phase.latency.p99, row.phase.throughput,
    ]),
  ));
  console.log('');
  console.log(table(['cold start', 'p50 ms', 'p99 ms', 'samples'], r.coldStarts.map((c) => [c.runtime, c.latency.p50, c.latency.p99, c.latency.count])));
  console.log('\nBudget: warm overhead ≤ 0.5 ms p50 / ≤ 2 ms p99 above the baseline');
  for (const o of r.overhead) {
    console.log(`  ${o.p50 <= 0.5 && o.p99 <= 2 ? 'ok  ' : 'OVER'} ${o.runtime.padEnd(12)} p50 +${o.p50.toFixed(3)} ms · p99 +${o.p99.toFixed(3)} ms`);
  }
  return r;
}

async function runAsync(quick: boolean, options: Options, sandbox: string | undefined, invoke: InvokeBenchResult | undefined): Promise<AsyncBenchResult> {
  console.log(`\n== async: InvocationType Event through the durable queue (sandbox ${sandbox ?? 'auto'})`);
  const r = await asyncBenchmark({
    ...(sandbox ? { sandbox } : {}),
    latencySamples: quick ? 200 : 1000, drainEvents: quick ? 2000 : 20_000, concurrency: options.concurrency,
    warmup: options.warmup, requests: options.requests, warmupMs: options.warmupMs, durationMs: options.durationMs,
    log: (l) => console.log(`  ${l}`),
  });
  const syncAtC = invoke?.throughput.find((row) => row.target === 'sluice' && row.runtime === r.runtime && row.phase.concurrency === options.concurrency);
  console.log('');
  console.log(table(
    [`${r.runtime} no-op`, 'p50 ms', 'p99 ms', `per second at ${options.concurrency}`],
    [
      ['async: enqueue → handler start', r.enqueueToStart.p50, r.enqueueToStart.p99, '-'],
      ['async: send → 202 (durably queued)', r.accepted.p50, r.accepted.p99, '-'],
      ['async: drain (events/s)', '-', '-', r.drain.eventsPerSecond],
      ['sync: invoke, same server (invokes/s)', r.sync.sequential.latency.p50, r.sync.sequential.latency.p99, r.sync.throughput.throughput],
      ...(syncAtC ? [['sync: invoke section above (invokes/s)', '-', '-', syncAtC.phase.throughput] as (string | number)[]] : []),
    ],
  ));
  console.log(`\nBudget: enqueue → handler start ≤ ${r.budget.enqueueToStartP50Ms} ms p50; drain ≥ ${r.budget.drainEventsPerSecond} events/s`);
  console.log(`  ${r.enqueueToStart.p50 <= r.budget.enqueueToStartP50Ms ? 'ok   ' : 'OVER '} enqueue → handler start p50 ${r.enqueueToStart.p50.toFixed(3)} ms`);
  console.log(`  ${r.drain.eventsPerSecond >= r.budget.drainEventsPerSecond ? 'ok   ' : 'UNDER'} drain ${r.drain.eventsPerSecond.toFixed(0)} events/s`);
  return r;
}

async function runUrls(quick: boolean, options: Options, sandbox: string | undefined): Promise<UrlBenchResult> {
  console.log(`\n== function URLs and response streaming (sandbox ${sandbox ?? 'auto'})`);
  const r = await urlBenchmark({
    ...(sandbox ? { sandbox } : {}),
    warmup: options.warmup, requests: options.requests, concurrency: options.concurrency,
    warmupMs: options.warmupMs, durationMs: options.durationMs, ttfbSamples: quick ? 5 : 20, log: (l) => console.log(`  ${l}`),
  });
  console.log('');
  console.log(table(
    ['no-op handler', 'through', 'p50 ms', 'p99 ms', 'req/s'],
    r.rows.map((row) => [row.what, row.target, row.phase.latency.p50, row.phase.latency.p99, row.phase.throughput]),
  ));
  console.log('');
  console.log(table(
    [`first chunk, then ${r.workMs} ms of work`, 'first byte p50 ms', 'first byte p99 ms', 'complete p50 ms'],
    r.ttfb.map((row) => [row.what, row.firstByte.p50, row.firstByte.p99, row.total.p50]),
  ));
  return r;
}

async function runHotReload(quick: boolean): Promise<HotReloadBenchResult> {
  console.log('\n== edit → run: save a file → first invocation of the new code (hot reload vs a full `sluice deploy`)');
  const r = await hotReloadBenchmark({ samples: quick ? 5 : 30, deploySamples: quick ? 3 : 10, log: (l) => console.log(`  ${l}`) });
  console.log('');
  console.log(table(
    ['runtime', 'hot reload p50 ms', 'hot reload p99 ms', 'full deploy p50 ms', 'full deploy p99 ms'],
    r.rows.map((row) => [row.runtime, row.hotReload.p50, row.hotReload.p99, row.deploy.p50, row.deploy.p99]),
  ));
  console.log(`(hot reload includes the ${r.debounceMs} ms debounce that makes a burst of saves one reload)`);
  return r;
}

async function runIsolation(quick: boolean, options: Options): Promise<IsolationBenchResult> {
  console.log('\n== execution environments: cold starts (fresh isolated, pre-started pool), memory, warm overhead by backend');
  const r = await isolationBenchmark({
    coldStarts: quick ? 5 : 30, concurrent: quick ? 20 : 100, warmup: quick ? 100 : 300, warmRequests: quick ? 300 : 2000,
    log: (l) => console.log(`  ${l}`),
  });
  if (r.skipped) return r;
  console.log('');
  console.log(table(['cold start, end to end', 'p50 ms', 'p99 ms', 'samples'], [
    ...r.baselines.map((b) => [b.what, b.latency.p50, b.latency.p99, b.latency.count]),
    ...r.coldStarts.map((c) => [`${c.runtime} hello, ${c.mode}${c.pooled === undefined ? '' : ` (${c.pooled} pooled)`}`, c.latency.p50, c.latency.p99, c.latency.count]),
    ...r.concurrent.map((c) => [`${c.runtime} hello, ${c.latency.count} at once, ${c.mode}`, c.latency.p50, c.latency.p99, c.latency.count]),
  ]));
  console.log('');
  console.log(table(['idle environment', 'RSS MiB', 'PSS MiB', 'cgroup MiB', 'per GiB (PSS)', 'per GiB (RSS)'],
    r.idleMemory.map((m) => [m.runtime, m.rss, m.pss, m.cgroupCharged, m.perGiBByPss, m.perGiBByRss])));
  console.log('');
  console.log(table(['warm invoke', 'backend', 'p50 ms', 'p99 ms', 'p50 − baseline', 'p99 − baseline'],
    r.warm.map((w) => [w.runtime, w.backend, w.p50, w.p99, w.overheadP50, w.overheadP99])));
  console.log('\nTargets (DESIGN.md):');
  for (const t of r.targets) console.log(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.what.padEnd(58)} ${t.target.padEnd(26)} ${t.measured}`);
  return r;
}

main().catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
