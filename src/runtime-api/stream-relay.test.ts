import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { RuntimeEndpoint } from './runtime-endpoint.js';
import type { InvocationOutcome, RuntimeEndpointOptions } from './types.js';

/** A runtime's side of the conversation, over real HTTP. */
function get(hostPort: string, path: string): Promise<IncomingMessage> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port: Number(port), path, agent: new Agent({ keepAlive: false }) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Opens a streamed POST /response (chunked, trailers announced) and hands back the request to write to. */
function streamPost(hostPort: string, id: string): { req: ClientRequest; reply: Promise<{ status: number; body: string }> } {
  const [host, port] = hostPort.split(':');
  let req!: ClientRequest;
  const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = httpRequest({
      host, port: Number(port), method: 'POST', path: `/2018-06-01/runtime/invocation/${id}/response`, agent: new Agent({ keepAlive: false }),
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Content-Type': 'text/event-stream', 'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
  });
  return { req, reply };
}

/** An endpoint with one invocation delivered (streaming requested), ready for the runtime's streamed answer. */
async function delivered(id: string, opts: RuntimeEndpointOptions = {}) {
  const ep = new RuntimeEndpoint(opts);
  const addr = await ep.listen();
  const nextReply = get(addr.hostPort, '/2018-06-01/runtime/invocation/next');
  await ep.waitForInit();
  const outcome = ep.invoke({ requestId: id, payload: Buffer.from('{}'), deadlineMs: Date.now() + 60_000, invokedFunctionArn: 'arn', streaming: true });
  (await nextReply).resume();
  return { ep, addr, outcome };
}

function nextChunk(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    body.once('data', (c: Buffer) => { body.pause(); resolve(c.toString()); });
    body.once('error', reject);
    body.resume();
  });
}

function asStream(o: InvocationOutcome) {
  assert.equal(o.kind, 'stream');
  return o as Extract<InvocationOutcome, { kind: 'stream' }>;
}

test('a streamed response is passed through as it arrives: each chunk reaches the reader before the next is written', async () => {
  const { ep, addr, outcome } = await delivered('s1');
  try {
    const { req, reply } = streamPost(addr.hostPort, 's1');
    req.write('one ');
    const s = asStream(await outcome);
    assert.equal(s.stream.contentType, 'text/event-stream');
    assert.equal(await nextChunk(s.stream.body), 'one ');
    req.write('two');
    assert.equal(await nextChunk(s.stream.body), 'two');
    let ended = false;
    void s.end.then(() => { ended = true; });
    await new Promise((r) => setImmediate(r));
    assert.equal(ended, false, 'the stream has not ended while the runtime is still writing');
    req.end();
    s.stream.body.resume();
    assert.deepEqual(await s.end, { kind: 'complete' });
    assert.deepEqual(await reply, { status: 202, body: '{"status":"OK"}' });
  } finally {
    await ep.close();
  }
});

test('error trailers end the stream as a function error with the runtime\'s own error type', async () => {
  const { ep, addr, outcome } = await delivered('s2');
  try {
    const { req, reply } = streamPost(addr.hostPort, 's2');
    req.write('partial');
    const s = asStream(await outcome);
    const errJson = '{"errorType":"Error","errorMessage":"broke"}';
    req.addTrailers({ 'Lambda-Runtime-Function-Error-Type': 'Error', 'Lambda-Runtime-Function-Error-Body': Buffer.from(errJson).toString('base64') });
    req.end();
    let text = '';
    for await (const c of s.stream.body) text += String(c);
    assert.equal(text, 'partial');
    const end = await s.end;
    assert.equal(end.kind === 'function-error' && end.errorType, 'Error');
    assert.equal(end.kind === 'function-error' && end.payload.toString(), errJson);
    assert.equal((await reply).status, 202);
  } finally {
    await ep.close();
  }
});

test('past the streamed-size limit the stream is cut: Function.ResponseSizeTooLarge, and 413 for the runtime', async () => {
  const { ep, addr, outcome } = await delivered('s3', { maxStreamedResponseBytes: 10 });
  try {
    const { req, reply } = streamPost(addr.hostPort, 's3');
    req.write('123456');
    const s = asStream(await outcome);
    req.end('7890abcdef');
    let text = '';
    for await (const c of s.stream.body) text += String(c);
    assert.equal(text, '123456');
    const end = await s.end;
    assert.equal(end.kind === 'function-error' && end.errorType, 'Function.ResponseSizeTooLarge');
    assert.match(end.kind === 'function-error' ? end.payload.toString() : '', /\(10 bytes\)/);
    assert.equal((await reply).status, 413);
  } finally {
    await ep.close();
  }
});

test('a reader that goes away: the rest is discarded and the runtime still finishes normally', async () => {
  const { ep, addr, outcome } = await delivered('s4');
  try {
    const { req, reply } = streamPost(addr.hostPort, 's4');
    req.write('a');
    const s = asStream(await outcome);
    s.stream.body.destroy();
    for (let i = 0; i < 64; i++) req.write(Buffer.alloc(64 * 1024));
    req.end();
    assert.deepEqual(await s.end, { kind: 'complete' });
    assert.equal((await reply).status, 202);
  } finally {
    await ep.close();
  }
});

test('a reader that does not read pauses the runtime: Sluice holds at most a small buffer', async () => {
  const { ep, addr, outcome } = await delivered('s5');
  try {
    const { req, reply } = streamPost(addr.hostPort, 's5');
    req.write('x');
    const s = asStream(await outcome);
    const chunk = Buffer.alloc(256 * 1024);
    let written = 0;
    const total = 64 * 1024 * 1024;
    const writer = (async () => {
      while (written < total) {
        written += chunk.length;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(written < total / 2, `the runtime got ${written} bytes out while nobody read`);
    assert.ok(s.stream.body.readableLength <= 128 * 1024, `relay holds ${s.stream.body.readableLength} bytes`);
    let received = 0;
    for await (const c of s.stream.body) received += (c as Buffer).length;
    await writer;
    assert.equal(received, total + 1);
    assert.deepEqual(await s.end, { kind: 'complete' });
    assert.equal((await reply).status, 202);
  } finally {
    await ep.close();
  }
});

test('abort mid-stream errors the body and settles the end', async () => {
  const { ep, addr, outcome } = await delivered('s6');
  const { req, reply } = streamPost(addr.hostPort, 's6');
  reply.catch(() => {});
  req.on('error', () => {});
  req.write('a');
  const s = asStream(await outcome);
  const failed = new Promise<Error>((resolve) => s.stream.body.once('error', resolve));
  ep.abort('task timed out');
  assert.match((await failed).message, /task timed out/);
  assert.equal((await s.end).kind, 'function-error');
  await ep.close();
});

test('without `streaming` a streamed response is still buffered into one response outcome', async () => {
  const ep = new RuntimeEndpoint();
  const addr = await ep.listen();
  try {
    const nextReply = get(addr.hostPort, '/2018-06-01/runtime/invocation/next');
    await ep.waitForInit();
    const outcome = ep.invoke({ requestId: 'b1', payload: Buffer.from('{}'), deadlineMs: Date.now() + 60_000, invokedFunctionArn: 'arn' });
    (await nextReply).resume();
    const { req, reply } = streamPost(addr.hostPort, 'b1');
    req.write('hel');
    req.end('lo');
    const o = await outcome;
    assert.equal(o.kind === 'response' && o.payload.toString(), 'hello');
    assert.equal((await reply).status, 202);
  } finally {
    await ep.close();
  }
});
