import { zipFiles } from '../test/helpers/zip.js';
import { concurrent, sequential, type PhaseResult } from './lib/measure.js';
import { SignedClient, type BenchRequest } from './lib/signed-client.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess } from './lib/sluice-process.js';
import { summarize, type LatencySummary } from './lib/stats.js';

/**
 * Asynchronous invocation (InvocationType Event) against `sluice serve` in its own process:
 * - enqueue → handler start: the time from sending the Event request until the handler's first line runs (the
 *   handler logs its wall clock; both clocks are this machine's), one event at a time, paced so none queue;
 * - 202 latency: how long the caller waits for the durable acknowledgement;
 * - drain rate: N events of a no-op function queued while its reserved concurrency is 0, then the concurrency is
 *   raised to 16 and the clock runs until the queue is empty (events/s);
 * - next to the synchronous figures of the same function in the same run (sequential latency, throughput at 16).
 * Budgets (DESIGN.md): ≤ 5 ms p50 enqueue → handler start; ≥ 5,000 events/s drained.
 */
export interface AsyncBenchOptions {
  /** Paced single events for the latency figure. */
  latencySamples: number;
  /** Events queued for the drain figure. */
  drainEvents: number;
  concurrency: number;
  warmup: number;
  requests: number;
  warmupMs: number;
  durationMs: number;
  sandbox?: string;
  log: (line: string) => void;
}

export interface AsyncBenchResult {
  sandbox: string;
  runtime: string;
  /** Send → handler start, per event. */
  enqueueToStart: LatencySummary;
  /** Send → 202 (durably queued). */
  accepted: LatencySummary;
  drain: { events: number; concurrency: number; seconds: number; eventsPerSecond: number; enqueuePerSecond: number };
  sync: { sequential: PhaseResult; throughput: PhaseResult };
  budget: { enqueueToStartP50Ms: number; drainEventsPerSecond: number };
}

const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${BENCH_ACCOUNT.accountId}:role/bench`;
const RUNTIME = 'nodejs22.x';
const LATENCY_FN = 'bench-async-latency';
const DRAIN_FN = 'bench-async-drain';

const wallNow = () => performance.timeOrigin + performance.now();
const invokeRequest = (name: string, type?: 'Event'): BenchRequest => ({
  method: 'POST', path: `/2015-03-31/functions/${name}/invocations`, body: Buffer.from('{}'),
  ...(type ? { headers: { 'X-Amz-Invocation-Type': type } } : {}),
});

export async function asyncBenchmark(opts: AsyncBenchOptions): Promise<AsyncBenchResult> {
  const dataDir = benchDataDir();
  const sluice = await startSluiceProcess({ dataDir, args: opts.sandbox ? ['--sandbox', opts.sandbox] : [] });
  const creds = { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey, region: REGION };
  const api = new SignedClient(sluice.url, creds, 64);
  try {
    opts.log(`sluice ${sluice.url} (data ${dataDir})`);
    await createFunction(api, LATENCY_FN, {
      'index.js': "exports.handler = async (e, c) => { console.log('T ' + c.awsRequestId + ' ' + (performance.timeOrigin + performance.now()).toFixed(3)); return {}; };\n",
    });
    await createFunction(api, DRAIN_FN, { 'index.js': 'exports.handler = async () => ({});\n' });
    await waitActive(api, [LATENCY_FN, DRAIN_FN]);

    // Synchronous figures of the same no-op, same server, same run.
    await api.ok(invokeRequest(DRAIN_FN));
    const syncSequential = await sequential(() => api.ok(invokeRequest(DRAIN_FN)), { warmup: opts.warmup, requests: opts.requests });
    for (let k = 0; k < 3; k++) await Promise.all(Array.from({ length: opts.concurrency }, () => api.ok(invokeRequest(DRAIN_FN))));
    const syncThroughput = await concurrent(() => api.ok(invokeRequest(DRAIN_FN)), {
      concurrency: opts.concurrency, warmupMs: opts.warmupMs, durationMs: opts.durationMs,
    });
    opts.log(`sync ${RUNTIME} no-op   p50 ${syncSequential.latency.p50.toFixed(3)} ms · p99 ${syncSequential.latency.p99.toFixed(3)} ms · ${syncThroughput.throughput.toFixed(0)} invokes/s at ${opts.concurrency}`);

    // Enqueue → handler start, one event at a time on a warm environment.
    for (let i = 0; i < 20; i++) await api.ok(invokeRequest(LATENCY_FN));
    const sent = new Map<string, number>();
    const acceptedMs: number[] = [];
    const since = Date.now() - 1000;
    for (let i = 0; i < opts.latencySamples; i++) {
      const t0 = wallNow();
      const res = await api.send(invokeRequest(LATENCY_FN, 'Event'));
      const t1 = wallNow();
      if (res.status !== 202) throw new Error(`Event invoke → ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
      sent.set(res.headers['x-amzn-requestid'] as string, t0);
      acceptedMs.push(t1 - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
    const starts = await handlerStarts(api, LATENCY_FN, since, sent.size);
    const samples: number[] = [];
    for (const [id, t0] of sent) {
      const t = starts.get(id);
      if (t === undefined) throw new Error(`event ${id} never started`);
      samples.push(t - t0);
    }
    const enqueueToStart = summarize(samples);
    const accepted = summarize(acceptedMs);
    opts.log(`async enqueue → handler start p50 ${enqueueToStart.p50.toFixed(3)} ms · p99 ${enqueueToStart.p99.toFixed(3)} ms (202 after p50 ${accepted.p50.toFixed(3)} ms)`);

    // Drain rate: queue N while the function may not run, then let it run at 16.
    await putConcurrency(api, DRAIN_FN, 0);
    let next = 0;
    const enqueueStart = performance.now();
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < opts.drainEvents) {
        next++;
        const res = await api.send(invokeRequest(DRAIN_FN, 'Event'));
        if (res.status !== 202) throw new Error(`Event invoke → ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
      }
    }));
    const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
    const queuedBefore = await pending(api, DRAIN_FN);
    if (queuedBefore !== opts.drainEvents) throw new Error(`expected ${opts.drainEvents} queued events, found ${queuedBefore}`);
    const t0 = performance.now();
    await putConcurrency(api, DRAIN_FN, opts.concurrency);
    // Polled every 100 ms (±50 ms on a drain of several seconds): polling harder would load the server it measures.
    while ((await pending(api, DRAIN_FN)) > 0) await new Promise((r) => setTimeout(r, 100));
    const seconds = (performance.now() - t0) / 1000;
    const drain = {
      events: opts.drainEvents, concurrency: opts.concurrency, seconds,
      eventsPerSecond: opts.drainEvents / seconds, enqueuePerSecond: opts.drainEvents / enqueueSeconds,
    };
    opts.log(`async drain at ${opts.concurrency}: ${drain.events} events in ${seconds.toFixed(2)} s = ${drain.eventsPerSecond.toFixed(0)} events/s (queued at ${drain.enqueuePerSecond.toFixed(0)}/s)`);
    return {
      sandbox: opts.sandbox ?? 'auto', runtime: RUNTIME, enqueueToStart, accepted, drain,
      sync: { sequential: syncSequential, throughput: syncThroughput },
      budget: { enqueueToStartP50Ms: 5, drainEventsPerSecond: 5000 },
    };
  } finally {
    api.close();
    await sluice.stop();
    removeDataDir(dataDir);
  }
}

async function createFunction(api: SignedClient, name: string, files: Record<string, string>): Promise<void> {
  await api.ok({
    method: 'POST', path: '/2015-03-31/functions',
    body: Buffer.from(JSON.stringify({
      FunctionName: name, Runtime: RUNTIME, Handler: 'index.handler', Role: ROLE, MemorySize: 256,
      Code: { ZipFile: zipFiles(files).toString('base64') },
    })),
  });
}

async function waitActive(api: SignedClient, names: string[]): Promise<void> {
  for (const name of names) {
    for (;;) {
      const res = await api.ok({ method: 'GET', path: `/2015-03-31/functions/${name}/configuration` });
      if ((JSON.parse(res.body.toString('utf8')) as { State?: string }).State === 'Active') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function putConcurrency(api: SignedClient, name: string, n: number): Promise<void> {
  await api.ok({
    method: 'PUT', path: `/2017-10-31/functions/${name}/concurrency`,
    body: Buffer.from(JSON.stringify({ ReservedConcurrentExecutions: n })),
  });
}

/** Events of the function not yet finished (queued, waiting or running). */
async function pending(api: SignedClient, name: string): Promise<number> {
  const res = await api.ok({ method: 'GET', path: `/_sluice/events/${name}`, query: [['limit', '0']] });
  const { counts } = JSON.parse(res.body.toString('utf8')) as { counts: { queued: number; inFlight: number; retrying: number } };
  return counts.queued + counts.inFlight + counts.retrying;
}

/** The wall-clock start the handler logged, per request id. */
async function handlerStarts(api: SignedClient, name: string, since: number, expected: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const deadline = Date.now() + 30_000;
  while (out.size < expected && Date.now() < deadline) {
    let after = 0;
    out.clear();
    for (;;) {
      const res = await api.ok({ method: 'GET', path: `/_sluice/logs/${name}`, query: [['since', String(since)], ['after', String(after)]] });
      const page = JSON.parse(res.body.toString('utf8')) as { events: { message: string }[]; next: number };
      for (const e of page.events) {
        const m = /\tT ([0-9a-f-]{36}) ([0-9.]+)/.exec(e.message);
        if (m) out.set(m[1]!, Number(m[2]));
      }
      if (page.events.length < 1000) break;
      after = page.next;
    }
    if (out.size < expected) await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}
