import { controlPlaneBenchmark, GET_LIST_P50_BUDGET_MS } from './control-plane.js';
import { environment, table, writeResult } from './lib/report.js';
import { invokeBenchmark, type InvokeBenchResult } from './invoke.js';

/**
 * `npm run bench`: runs the benchmarks, prints tables and writes bench/results/<timestamp>.json.
 * Options: --functions N (1000) --requests N (3000 sequential per operation) --concurrency N (16)
 * --duration-ms N (3000 per concurrent phase) --quick (small numbers, to check the harness)
 * --only control-plane|invoke (one section) --sandbox auto|isolated|process (the invoke section's backend).
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
  if (only !== undefined && only !== 'control-plane' && only !== 'invoke') throw new Error('--only must be control-plane or invoke');
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
  const cp = only === 'invoke' ? undefined : await runControlPlane(options);
  const invoke = only === 'control-plane' ? undefined : await runInvoke(quick, options, args.sandbox);

  const file = writeResult({
    date: new Date().toISOString(),
    environment: env,
    options,
    controlPlane: cp,
    invoke,
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

main().catch((err: Error) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
