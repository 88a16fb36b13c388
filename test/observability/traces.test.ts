import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: { code: number };
}

/** A minimal OTLP/HTTP JSON receiver: records every span and wakes whoever waits for a trace. */
class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  readonly resources: Record<string, unknown>[] = [];
  readonly contentTypes: string[] = [];
  private waiters: { traceId: string; count: number; resolve: (s: OtlpSpan[]) => void }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.contentTypes.push(String(req.headers['content-type']));
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { resource: Record<string, unknown>; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of body.resourceSpans) {
        this.resources.push(rs.resource);
        for (const ss of rs.scopeSpans) this.spans.push(...ss.spans);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      this.wake();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/traces`;
  }

  /** Resolves with a trace's spans once at least `count` have arrived. */
  trace(traceId: string, count: number): Promise<OtlpSpan[]> {
    return new Promise((resolve) => {
      this.waiters.push({ traceId, count, resolve });
      this.wake();
    });
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      const got = this.spans.filter((s) => s.traceId === w.traceId);
      if (got.length < w.count) return true;
      w.resolve(got);
      return false;
    });
  }
}

const HEADER = /^Root=(1-([0-9a-f]{8})-([0-9a-f]{24}));Parent=([0-9a-f]{16});Sampled=([01])$/;
const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;
const byName = (spans: OtlpSpan[]) => Object.fromEntries(spans.map((s) => [s.name, s]));
const ns = (v: string) => BigInt(v);

let receiver: OtlpReceiver;
let t: TestServer;
before(async () => {
  receiver = new OtlpReceiver();
  t = await startTestServer({ otlpTracesEndpoint: await receiver.listen() });
  await createFunction(t.lambda, 'obs-active', 'obs-node', { TracingConfig: { Mode: 'Active' } });
  await createFunction(t.lambda, 'obs-passthrough', 'obs-node');
});
after(async () => {
  await t.close();
  await receiver.close();
});

/** A Lambda client that sends this X-Amzn-Trace-Id, as a traced upstream service does. */
function tracedClient(header: string): LambdaClient {
  const a = TEST_ACCOUNTS[0]!;
  const client = new LambdaClient({ endpoint: t.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
  client.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = header;
    return next(args);
  }, { step: 'build', name: 'upstreamTraceHeader' });
  return client;
}

test('TracingConfig Active: a sampled X-Ray header reaches the function, and its spans are exported over OTLP', async () => {
  const started = Date.now();
  const r = await invoke(t.lambda, 'obs-active', { action: 'trace' }, { LogType: 'Tail' });
  const m = HEADER.exec(r.body as string);
  assert.ok(m, `the function saw ${String(r.body)}`);
  const [, root, epoch, , parent, sampled] = m;
  assert.equal(sampled, '1');
  assert.ok(Math.abs(parseInt(epoch!, 16) * 1000 - started) < 60_000, 'the root carries the time in epoch seconds');
  assert.ok(r.log.includes(`\nXRAY TraceId: ${root}\tSegmentId: ${parent}\tSampled: true`), r.log);

  const traceId = root!.slice(2).replace('-', '');
  const spans = byName(await receiver.trace(traceId, 4));
  assert.deepEqual(Object.keys(spans).sort(), ['EnvironmentStart', 'Invocation', 'Invoke', 'QueueWait']);
  const { Invoke: request, QueueWait: wait, EnvironmentStart: init, Invocation: invocation } = spans as Record<string, OtlpSpan>;
  // The function's Parent is the invocation span; everything hangs off the API request's server span.
  assert.equal(invocation!.spanId, parent);
  assert.equal(request!.parentSpanId, undefined);
  assert.equal(request!.kind, 2);
  for (const s of [wait!, init!, invocation!]) {
    assert.equal(s.parentSpanId, request!.spanId);
    assert.equal(s.kind, 1);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
  }
  assert.equal(new Set(Object.values(spans).map((s) => s.spanId)).size, 4);
  // In time: the request encloses the wait, the environment's start and the invocation, in that order.
  assert.ok(ns(request!.startTimeUnixNano) <= ns(wait!.startTimeUnixNano));
  assert.ok(ns(wait!.endTimeUnixNano) <= ns(init!.startTimeUnixNano));
  assert.ok(ns(init!.endTimeUnixNano) <= ns(invocation!.startTimeUnixNano));
  assert.ok(ns(invocation!.endTimeUnixNano) <= ns(request!.endTimeUnixNano));
  assert.deepEqual(attr(request!, 'faas.name'), { stringValue: 'obs-active' });
  assert.deepEqual(attr(request!, 'aws.request_id'), { stringValue: r.out.$metadata.requestId });
  assert.deepEqual(attr(invocation!, 'faas.coldstart'), { boolValue: true });
  assert.deepEqual(receiver.resources[0]!.attributes, [
    { key: 'service.name', value: { stringValue: 'sluice' } }, { key: 'service.version', value: { stringValue: '0' } },
    { key: 'cloud.provider', value: { stringValue: 'aws' } }, { key: 'cloud.platform', value: { stringValue: 'aws_lambda' } },
  ]);
  assert.equal(receiver.contentTypes[0], 'application/json');

  // A warm invocation: a new trace, no environment start; a function error marks its spans.
  const again = await invoke(t.lambda, 'obs-active', { action: 'throw' });
  assert.equal(again.out.FunctionError, 'Unhandled');
  const warm = await invoke(t.lambda, 'obs-active', { action: 'trace' });
  const root2 = HEADER.exec(warm.body as string)![1]!;
  assert.notEqual(root2, root);
  const warmSpans = byName(await receiver.trace(root2.slice(2).replace('-', ''), 3));
  assert.deepEqual(Object.keys(warmSpans).sort(), ['Invocation', 'Invoke', 'QueueWait']);
  assert.deepEqual(attr(warmSpans.Invocation!, 'faas.coldstart'), { boolValue: false });
  const failed = receiver.spans.filter((s) => s.name === 'Invocation' && s.status.code === 2);
  assert.equal(failed.length, 1);
});

test('PassThrough without an upstream trace: Sampled=0 and nothing is exported', async () => {
  const r = await invoke(t.lambda, 'obs-passthrough', { action: 'trace' }, { LogType: 'Tail' });
  const m = HEADER.exec(r.body as string);
  assert.ok(m, String(r.body));
  assert.equal(m[5], '0');
  assert.ok(!r.log.includes('XRAY TraceId'));
  // A sampled invocation after it is exported; the unsampled one never was.
  const marker = await invoke(t.lambda, 'obs-active', { action: 'trace' });
  await receiver.trace(HEADER.exec(marker.body as string)![1]!.slice(2).replace('-', ''), 3);
  const unsampled = m[1]!.slice(2).replace('-', '');
  assert.equal(receiver.spans.filter((s) => s.traceId === unsampled).length, 0);
});

test("an upstream X-Amzn-Trace-Id is continued: its root, its sampling decision, its segment as the request's parent", async () => {
  const upstream = tracedClient('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
  try {
    const r = await invoke(upstream, 'obs-passthrough', { action: 'trace' });
    const m = HEADER.exec(r.body as string)!;
    assert.equal(m[1], '1-5759e988-bd862e3fe1be46a994272793');
    assert.equal(m[5], '1');
    assert.notEqual(m[4], '53995c3f42cd8ad8');
    const spans = byName(await receiver.trace('5759e988bd862e3fe1be46a994272793', 3));
    assert.equal(spans.Invoke!.parentSpanId, '53995c3f42cd8ad8');
    assert.equal(spans.Invocation!.spanId, m[4]);
  } finally {
    upstream.destroy();
  }
  const declined = tracedClient('Root=1-5759e988-00000000000000000000abcd;Sampled=0');
  try {
    const r = await invoke(declined, 'obs-active', { action: 'trace' });
    assert.match(r.body as string, /^Root=1-5759e988-00000000000000000000abcd;Parent=[0-9a-f]{16};Sampled=0$/);
  } finally {
    declined.destroy();
  }
});
