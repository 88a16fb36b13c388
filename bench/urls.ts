import { Agent, request } from 'node:http';
import { zipFiles } from '../test/helpers/zip.js';
import { startBaselineProcess } from './lib/baseline-server.js';
import { concurrent, sequential, type PhaseResult } from './lib/measure.js';
import { SignedClient, type BenchRequest } from './lib/signed-client.js';
import { SigV4Signer } from './lib/sigv4-signer.js';
import { BENCH_ACCOUNT, benchDataDir, removeDataDir, startSluiceProcess } from './lib/sluice-process.js';
import { summarize, type LatencySummary } from './lib/stats.js';

/**
 * Function URLs: requests/s and p50/p99 of a no-op handler through a function URL, next to the same handler through
 * the Invoke API and the bare Node HTTP baseline of the same run; and time to first byte of a response whose
 * handler writes a first chunk, then works for WORK_MS before finishing: streamed (InvokeWithResponseStream, a
 * RESPONSE_STREAM URL) against buffered (Invoke, a BUFFERED URL).
 */
export interface UrlBenchOptions {
  warmup: number;
  requests: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  ttfbSamples: number;
  sandbox?: string;
  log: (line: string) => void;
}

export interface UrlRow {
  what: string;
  target: 'function-url' | 'invoke-api' | 'baseline';
  phase: PhaseResult;
}

export interface TtfbRow {
  what: string;
  /** Request sent → first body byte. */
  firstByte: LatencySummary;
  /** Request sent → last byte. */
  total: LatencySummary;
}

export interface UrlBenchResult {
  rows: UrlRow[];
  ttfb: TtfbRow[];
  workMs: number;
}

const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${BENCH_ACCOUNT.accountId}:role/bench`;
const WORK_MS = 300;

const FILES = {
  'index.mjs': [
    'export const handler = async () => ({});',
    `const sleep = (ms) => new Promise((r) => setTimeout(r, ms));`,
    `export const slowBuffered = async () => { await sleep(${WORK_MS}); return 'first last'; };`,
    'export const slowStream = awslambda.streamifyResponse(async (event, stream) => {',
    `  stream.write('first '); await sleep(${WORK_MS}); stream.end('last');`,
    '});',
    '',
  ].join('\n'),
};

export async function urlBenchmark(opts: UrlBenchOptions): Promise<UrlBenchResult> {
  const dataDir = benchDataDir();
  const sluice = await startSluiceProcess({ dataDir, logLevel: 'warn', args: opts.sandbox ? ['--sandbox', opts.sandbox] : [] });
  const baseline = await startBaselineProcess();
  const creds = { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey, region: REGION };
  const api = new SignedClient(sluice.url, creds, Math.max(opts.concurrency, 16));
  const bare = new SignedClient(baseline.url, creds, Math.max(opts.concurrency, 16));
  const plain = new PlainClient(Math.max(opts.concurrency, 16));
  try {
    opts.log(`sluice ${sluice.url} (data ${dataDir}) · baseline ${baseline.url}`);
    const noop = await createWithUrl(api, 'bench-url-noop', 'index.handler', 'BUFFERED');
    const slowUrl = await createWithUrl(api, 'bench-url-slow', 'index.slowBuffered', 'BUFFERED');
    const streamUrl = await createWithUrl(api, 'bench-url-stream', 'index.slowStream', 'RESPONSE_STREAM');
    const invokeReq = (name: string): BenchRequest => ({ method: 'POST', path: `/2015-03-31/functions/${name}/invocations`, body: Buffer.from('{}') });
    const check = await plain.get(noop);
    if (check.status !== 200 || check.body !== '{}') throw new Error(`function URL → ${check.status}: ${check.body.slice(0, 200)}`);

    const rows: UrlRow[] = [];
    const seq = { warmup: opts.warmup, requests: opts.requests };
    const conc = { concurrency: opts.concurrency, warmupMs: opts.warmupMs, durationMs: opts.durationMs };
    const url = () => plain.ok(noop);
    const inv = () => api.ok(invokeReq('bench-url-noop'));
    const base = () => bare.ok(invokeReq('baseline'));
    for (const [what, target, op] of [
      ['no-op, sequential', 'baseline', base], ['no-op, sequential', 'invoke-api', inv], ['no-op, sequential', 'function-url', url],
    ] as const) {
      const phase = await sequential(op, seq);
      rows.push({ what, target, phase });
      opts.log(`${target.padEnd(12)} sequential  p50 ${phase.latency.p50.toFixed(3)} ms · p99 ${phase.latency.p99.toFixed(3)} ms · ${phase.throughput.toFixed(0)} req/s`);
    }
    for (const [target, op] of [['baseline', base], ['invoke-api', inv], ['function-url', url]] as const) {
      // The environments for this concurrency exist before the clock starts.
      if (target !== 'baseline') for (let k = 0; k < 3; k++) await Promise.all(Array.from({ length: opts.concurrency }, () => op()));
      const phase = await concurrent(op, conc);
      rows.push({ what: `no-op at ${opts.concurrency}`, target, phase });
      opts.log(`${target.padEnd(12)} at ${opts.concurrency}       ${phase.throughput.toFixed(0)} req/s · p50 ${phase.latency.p50.toFixed(3)} ms · p99 ${phase.latency.p99.toFixed(3)} ms`);
    }

    const signer = new SigV4Signer(creds);
    const host = new URL(sluice.url).host;
    const signed = (path: string): TimedRequest => {
      const body = Buffer.from('{}');
      return { url: `${sluice.url}${path}`, method: 'POST', body, headers: { Host: host, 'Content-Type': 'application/json', ...signer.sign('POST', host, path, [], body) } };
    };
    const cases: [string, () => TimedRequest][] = [
      ['InvokeWithResponseStream (streamed)', () => signed('/2021-11-15/functions/bench-url-stream/response-streaming-invocations')],
      ['function URL, RESPONSE_STREAM (streamed)', () => ({ url: streamUrl, method: 'GET' })],
      ['Invoke, same streaming handler (buffered)', () => signed('/2015-03-31/functions/bench-url-stream/invocations')],
      ['function URL, BUFFERED', () => ({ url: slowUrl, method: 'GET' })],
    ];
    const ttfb: TtfbRow[] = [];
    for (const [what, make] of cases) {
      const first: number[] = [];
      const total: number[] = [];
      await timed(make(), plain.agent); // warm
      for (let i = 0; i < opts.ttfbSamples; i++) {
        const t = await timed(make(), plain.agent);
        first.push(t.firstByte);
        total.push(t.total);
      }
      const row = { what, firstByte: summarize(first), total: summarize(total) };
      ttfb.push(row);
      opts.log(`${what.padEnd(42)} first byte p50 ${row.firstByte.p50.toFixed(1)} ms · complete p50 ${row.total.p50.toFixed(1)} ms`);
    }
    return { rows, ttfb, workMs: WORK_MS };
  } finally {
    api.close();
    bare.close();
    plain.close();
    await baseline.stop();
    await sluice.stop();
    removeDataDir(dataDir);
  }
}

/** Creates a function with a public function URL; returns the URL in its path form on the API host. */
async function createWithUrl(api: SignedClient, name: string, handler: string, mode: 'BUFFERED' | 'RESPONSE_STREAM'): Promise<string> {
  await api.ok({
    method: 'POST', path: '/2015-03-31/functions',
    body: Buffer.from(JSON.stringify({
      FunctionName: name, Runtime: 'nodejs22.x', Handler: handler, Role: ROLE, MemorySize: 256, Timeout: 10,
      Code: { ZipFile: zipFiles({ ...FILES }).toString('base64') },
    })),
  });
  for (;;) {
    const f = JSON.parse((await api.ok({ method: 'GET', path: `/2015-03-31/functions/${name}` })).body.toString()) as { Configuration: { State: string } };
    if (f.Configuration.State === 'Active') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const created = JSON.parse((await api.ok({
    method: 'POST', path: `/2021-10-31/functions/${name}/url`, body: Buffer.from(JSON.stringify({ AuthType: 'NONE', InvokeMode: mode })),
  })).body.toString()) as { FunctionUrl: string };
  for (const [sid, action, extra] of [
    ['url', 'lambda:InvokeFunctionUrl', { FunctionUrlAuthType: 'NONE' }], ['invoke', 'lambda:InvokeFunction', { InvokedViaFunctionUrl: true }],
  ] as const) {
    await api.ok({
      method: 'POST', path: `/2015-03-31/functions/${name}/policy`,
      body: Buffer.from(JSON.stringify({ StatementId: sid, Action: action, Principal: '*', ...extra })),
    });
  }
  // The path form on the API host: a plain client needs no *.localhost resolution for it.
  const u = new URL(created.FunctionUrl);
  return `http://127.0.0.1:${u.port}/lambda-url/${u.hostname.split('.')[0]!}/`;
}

/** An unsigned keep-alive client for function URLs. */
class PlainClient {
  readonly agent: Agent;
  constructor(maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  get(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const r = request(url, { agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end();
    });
  }

  async ok(url: string): Promise<void> {
    const res = await this.get(url);
    if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${res.body.slice(0, 200)}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

interface TimedRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** Milliseconds from sending to the first body byte, and to the end. */
function timed(req: TimedRequest, agent: Agent): Promise<{ firstByte: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByte = -1;
    const r = request(req.url, { method: req.method, headers: { ...(req.headers ?? {}), ...(req.body ? { 'Content-Length': String(req.body.length) } : {}) }, agent }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${req.url} → ${res.statusCode}`));
      res.on('data', () => { if (firstByte < 0) firstByte = performance.now() - t0; });
      res.on('end', () => resolve({ firstByte, total: performance.now() - t0 }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
