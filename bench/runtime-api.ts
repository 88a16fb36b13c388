import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { startRuntime } from '../test/runtime/harness.js';
import { summarize, round3, type LatencySummary } from './lib/stats.js';

/**
 * `node dist/bench/runtime-api.js [--requests 2000] [--warmup 200]`: the Runtime API round trip alone — RuntimeEndpoint.invoke()
 * → runtime process (GET /next, handler, POST /response) → resolved outcome — for no-op Node.js and Python
 * handlers over one keep-alive connection, plus the time from spawn to the runtime's first /next (cold init).
 */
interface Row { runtime: string; roundTrip: LatencySummary; coldInit: LatencySummary }

async function measure(runtime: string, fixture: string, handler: string, requests: number, warmup: number, colds: number): Promise<Row> {
  const coldSamples: number[] = [];
  for (let i = 0; i < colds; i++) {
    const t0 = performance.now();
    const rt = await startRuntime({ runtime, fixture, handler });
    await rt.init;
    coldSamples.push(performance.now() - t0);
    await rt.close();
  }
  const rt = await startRuntime({ runtime, fixture, handler });
  try {
    await rt.init;
    const payload = Buffer.from('{}');
    const samples = new Float64Array(requests);
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now();
      const out = await rt.endpoint.invoke({ requestId: `bench-${i}`, payload, deadlineMs: Date.now() + 30_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:bench' });
      const dt = performance.now() - t0;
      if (out.kind !== 'response') throw new Error(`unexpected outcome ${out.kind}`);
      if (i >= warmup) samples[i - warmup] = dt;
    }
    return { runtime, roundTrip: summarize(samples), coldInit: summarize(coldSamples) };
  } finally {
    await rt.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const requests = flag('requests', 2000);
  const warmup = flag('warmup', 200);
  const minor = spawnSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
  const rows = [
    await measure(`nodejs${process.versions.node.split('.')[0]}.x`, 'node-cjs', 'index.noop', requests, warmup, 20),
    await measure(`python${minor}`, 'python-basic', 'handler.noop', requests, warmup, 20),
  ];
  process.stdout.write(`Runtime API round trip, ${requests} sequential invokes after ${warmup} warm-up (ms)\n`);
  process.stdout.write('runtime        rt p50   rt p90   rt p99   rt max   | cold init p50  p99\n');
  for (const r of rows) {
    const f = (n: number) => round3(n).toFixed(3).padStart(8);
    process.stdout.write(`${r.runtime.padEnd(13)} ${f(r.roundTrip.p50)} ${f(r.roundTrip.p90)} ${f(r.roundTrip.p99)} ${f(r.roundTrip.max)}   | ${f(r.coldInit.p50)} ${f(r.coldInit.p99)}\n`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
