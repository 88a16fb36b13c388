import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { allowPublic, createUrl, urlRequest, urlStream } from './helpers.js';

const SCOPE = { account: '111111111111', region: 'us-east-1' };
let t: TestServer;
let streamUrl: string;
before(async () => {
  t = await startTestServer();
  await createFunction(t.lambda, 'us-stream', 'url-stream', { Timeout: 30 });
  streamUrl = await createUrl(t.lambda, 'us-stream', { InvokeMode: 'RESPONSE_STREAM' });
  await allowPublic(t.lambda, 'us-stream');
  await urlRequest(streamUrl, { path: 'hello' }); // warm: the timings below are about streaming, not cold starts
});
after(async () => { await t.close(); });

/** Resolves once no invocation of the function is running (its environment is back in the pool). */
async function idle(name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (t.sluice.context.invoker.concurrency.running(SCOPE, name) > 0) {
    if (Date.now() > deadline) throw new Error(`${name} still running`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('RESPONSE_STREAM: the prelude sets status, headers and cookies; the first chunk arrives while the handler waits', async () => {
  const sent = Date.now();
  const res = await urlStream(streamUrl, { path: 'slow?waitMs=2000' });
  const headAt = Date.now();
  assert.equal(res.statusCode, 201);
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.headers['x-streamed'], 'yes');
  assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
  const received: { at: number; text: string }[] = [];
  for await (const c of res) received.push({ at: Date.now(), text: (c as Buffer).toString() });
  const text = received.map((c) => c.text).join('');
  const [first, last] = text.trim().split('\n');
  assert.match(first!, /^first \d+$/);
  const handlerFinished = Number(last!.split(' ')[1]);
  const firstByte = received[0]!.at;
  assert.ok(firstByte <= handlerFinished - 1000, `first chunk came ${handlerFinished - firstByte} ms before the handler finished`);
  assert.ok(headAt <= handlerFinished - 1000, `head after ${headAt - sent} ms`);
});

test('RESPONSE_STREAM without the prelude: 200 with the runtime content type; a stream ended before any write (no prelude) is an empty 200', async () => {
  const raw = await urlRequest(streamUrl, { path: 'raw' });
  assert.equal(raw.status, 200);
  assert.equal(raw.headers['content-type'], 'text/plain');
  assert.equal(raw.text, 'raw body');
  const hello = await urlRequest(streamUrl, { path: 'hello' });
  assert.equal(hello.status, 201);
  assert.equal(hello.text, 'hello world');
  const empty = await urlRequest(streamUrl, { path: 'empty' });
  assert.equal(empty.status, 200);
  assert.equal(empty.text, '');
});

test('RESPONSE_STREAM: a mid-stream error cuts the response after the partial body', async () => {
  const res = await urlStream(streamUrl, { path: 'fail' });
  assert.equal(res.statusCode, 201);
  const chunks: Buffer[] = [];
  const outcome = await new Promise<string>((resolve) => {
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve('end'));
    res.on('aborted', () => resolve('aborted'));
    res.on('error', () => resolve('error'));
  });
  assert.notEqual(outcome, 'end', 'an incomplete response must not look complete');
  assert.equal(Buffer.concat(chunks).toString(), 'partial');
  // The environment survived the handler's error.
  assert.equal((await urlRequest(streamUrl, { path: 'hello' })).text, 'hello world');
});

test('RESPONSE_STREAM with a handler that does not stream sends its result as it is', async () => {
  await createFunction(t.lambda, 'us-buffered', 'url-stream', { Handler: 'index.buffered' });
  const url = await createUrl(t.lambda, 'us-buffered', { InvokeMode: 'RESPONSE_STREAM' });
  await allowPublic(t.lambda, 'us-buffered');
  const r = await urlRequest(url, { path: 'x' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json(), { statusCode: 200, body: JSON.stringify({ buffered: true, path: '/x' }) });
});

test('a client that disconnects mid-stream: the function finishes into the void and its environment is reused', async () => {
  await idle('us-stream');
  let created = 0;
  const off = t.sluice.environments.onEvent((e) => { if (e.type === 'created' && e.environment.spec.functionName === 'us-stream') created++; });
  try {
    const res = await urlStream(streamUrl, { path: 'big?mb=100' });
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    res.destroy();
    await idle('us-stream');
    const again = await urlRequest(streamUrl, { path: 'hello' });
    assert.equal(again.text, 'hello world');
    assert.equal(created, 0, 'no new environment was needed');
  } finally {
    off();
  }
});

test('a slow reader holds the function back instead of making Sluice buffer (200 MB-class responses stay bounded)', async () => {
  await idle('us-stream');
  const before = process.memoryUsage().arrayBuffers;
  const res = await urlStream(streamUrl, { path: 'big?mb=64' });
  res.pause();
  // Long enough to stream 64 MB many times over locally, had nothing held the function back.
  await new Promise((r) => setTimeout(r, 1000));
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.equal(t.sluice.context.invoker.concurrency.running(SCOPE, 'us-stream'), 1, 'the function is still blocked writing');
  assert.ok(grown < 24 * 1024 * 1024, `memory grew by ${Math.round(grown / 1048576)} MB`);
  let total = 0;
  for await (const c of res) total += (c as Buffer).length;
  assert.equal(total, 64 * 1024 * 1024);
});

const exec = promisify(execFile);

test('curl reaches the URL by its *.localhost name and sees the stream as it is produced', async () => {
  const { stdout } = await exec('curl', ['-sS', '-i', `${streamUrl}hello`]);
  assert.match(stdout, /^HTTP\/1\.1 201 Created\r\n/);
  assert.match(stdout, /\r\nset-cookie: a=1; Path=\/\r\n/i);
  assert.ok(stdout.endsWith('\r\n\r\nhello world'));
  const timing = await exec('curl', ['-sS', '-N', '-o', '/dev/null', '-w', '%{time_starttransfer} %{time_total}', `${streamUrl}slow?waitMs=2000`]);
  const [firstByte, total] = timing.stdout.trim().split(' ').map(Number) as [number, number];
  assert.ok(total - firstByte >= 1.0, `curl: first byte at ${firstByte}s, done at ${total}s`);
});
