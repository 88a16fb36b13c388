import { zipFiles } from '../test/helpers/zip.js';
import { concurrent, sequential, type PhaseResult } from './lib/measure.js';
import { environment, table } from './lib/report.js';
import { SignedClient, type BenchRequest } from './lib/signed-client.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess, type SluiceProcess } from './lib/sluice-process.js';
import { summarize } from './lib/stats.js';

/**
 * The cost of storing function logs: the same warm Node.js function (writing LINES lines per invocation) invoked
 * through the HTTP API on two servers, one with `--function-logs on` (the default) and one with `off`. Rounds
 * alternate between the two so drift affects both. `node dist/bench/logging.js [--requests N] [--lines N]`.
 */
const REGION = 'us-east-1';
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const REQUESTS = Number(args.get('requests') ?? 1000);
const ROUNDS = Number(args.get('rounds') ?? 4);
const LINES = Number(args.get('lines') ?? 10);

const handler = `exports.handler = async (e) => { for (let i = 0; i < ${LINES}; i++) console.log('bench line', i, 'of a logging function, long enough to look like a real log line'); return {}; };\n`;
const invokeRequest: BenchRequest = { method: 'POST', path: '/2015-03-31/functions/bench-logs/invocations', body: Buffer.from('{}') };

async function setUp(logs: 'on' | 'off'): Promise<{ sluice: SluiceProcess; api: SignedClient; dataDir: string }> {
  const dataDir = benchDataDir();
  const sluice = await startSluiceProcess({ dataDir, logLevel: 'warn', args: ['--function-logs', logs] });
  const api = new SignedClient(sluice.url, { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey, region: REGION }, 16);
  await api.ok({
    method: 'POST', path: '/2015-03-31/functions',
    body: Buffer.from(JSON.stringify({
      FunctionName: 'bench-logs', Runtime: 'nodejs22.x', Handler: 'index.handler', MemorySize: 256,
      Role: `arn:aws:iam::${BENCH_ACCOUNT.accountId}:role/bench`, Code: { ZipFile: zipFiles({ 'index.js': handler }).toString('base64') },
    })),
  });
  for (;;) {
    const res = await api.ok({ method: 'GET', path: '/2015-03-31/functions/bench-logs' });
    if ((JSON.parse(res.body.toString('utf8')) as { Configuration: { State: string } }).Configuration.State === 'Active') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const check = await api.send(invokeRequest);
  if (check.status !== 200 || check.body.toString('utf8') !== '{}') throw new Error(`invoke failed: ${check.status} ${check.body.toString('utf8')}`);
  return { sluice, api, dataDir };
}

async function main(): Promise<void> {
  const env = environment();
  console.log(`logging overhead · node ${String(env.node)} · ${String(env.cpus)} × ${String(env.cpuModel)} · ${LINES} lines per invoke`);
  const on = await setUp('on');
  const off = await setUp('off');
  try {
    const samples: Record<'on' | 'off', number[]> = { on: [], off: [] };
    const seconds: Record<'on' | 'off', number> = { on: 0, off: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, s] of [['on', on], ['off', off]] as const) {
        const phase = await sequential(() => s.api.ok(invokeRequest), { warmup: 100, requests: REQUESTS });
        // Phase summaries are all that sequential() returns: keep each round's percentiles as samples of the mix.
        samples[name].push(phase.latency.p50, phase.latency.p99);
        seconds[name] += phase.seconds;
      }
    }
    const seq = (name: 'on' | 'off') => {
      const p50s = samples[name].filter((_, i) => i % 2 === 0);
      const p99s = samples[name].filter((_, i) => i % 2 === 1);
      return { p50: summarize(p50s).p50, p99: summarize(p99s).p50, perSecond: (ROUNDS * REQUESTS) / seconds[name] };
    };
    const a = seq('on');
    const b = seq('off');
    const loaded: Record<'on' | 'off', PhaseResult> = {
      on: await concurrent(() => on.api.ok(invokeRequest), { concurrency: 8, warmupMs: 1000, durationMs: 3000 }),
      off: await concurrent(() => off.api.ok(invokeRequest), { concurrency: 8, warmupMs: 1000, durationMs: 3000 }),
    };
    const f = (n: number) => n.toFixed(3);
    console.log(table(['', 'logs on', 'logs off', 'difference'], [
      ['sequential p50 (ms, median of rounds)', f(a.p50), f(b.p50), f(a.p50 - b.p50)],
      ['sequential p99 (ms, median of rounds)', f(a.p99), f(b.p99), f(a.p99 - b.p99)],
      ['sequential invokes/s', a.perSecond.toFixed(0), b.perSecond.toFixed(0), ''],
      ['8 concurrent: invokes/s', loaded.on.throughput.toFixed(0), loaded.off.throughput.toFixed(0), ''],
      ['8 concurrent: p99 (ms)', f(loaded.on.latency.p99), f(loaded.off.latency.p99), f(loaded.on.latency.p99 - loaded.off.latency.p99)],
    ]));
  } finally {
    for (const s of [on, off]) {
      s.api.close();
      await s.sluice.stop();
      removeDataDir(s.dataDir);
    }
  }
}

await main();
