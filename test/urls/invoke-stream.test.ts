import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvokeWithResponseStreamCommand, PutFunctionConcurrencyCommand, type InvokeWithResponseStreamCommandOutput,
} from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
  await createFunction(t.lambda, 'ws-stream', 'url-stream', { Timeout: 20 });
  await createFunction(t.lambda, 'ws-buffered', 'url-stream', { Handler: 'index.buffered' });
});
after(async () => { await t.close(); });

interface Read {
  out: InvokeWithResponseStreamCommandOutput;
  chunks: { at: number; text: string }[];
  complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } | undefined;
}

async function invokeStream(name: string, event: unknown, extra: Record<string, unknown> = {}): Promise<Read> {
  const out = await t.lambda.send(new InvokeWithResponseStreamCommand({
    FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), ...extra,
  }));
  const chunks: Read['chunks'] = [];
  let complete: Read['complete'];
  for await (const ev of out.EventStream!) {
    if (ev.PayloadChunk?.Payload) chunks.push({ at: Date.now(), text: Buffer.from(ev.PayloadChunk.Payload).toString() });
    if (ev.InvokeComplete) complete = ev.InvokeComplete;
  }
  return { out, chunks, complete };
}

test('InvokeWithResponseStream through the JS SDK: chunks as written, then InvokeComplete without error', async () => {
  const r = await invokeStream('ws-stream', { action: 'hello' });
  assert.equal(r.out.StatusCode, 200);
  assert.equal(r.out.ExecutedVersion, '$LATEST');
  assert.equal(r.out.ResponseStreamContentType, 'application/vnd.amazon.eventstream');
  assert.equal(r.chunks.map((c) => c.text).join(''), 'hello world');
  assert.ok(r.chunks.length >= 2, `streamed in pieces: ${JSON.stringify(r.chunks)}`);
  assert.deepEqual(r.complete, {});
});

test('the first chunk arrives while the handler is still running', async () => {
  const sent = Date.now();
  const r = await invokeStream('ws-stream', { action: 'slow', waitMs: 2000 });
  const [first, last] = r.chunks.map((c) => c.text).join('').trim().split('\n');
  const finishedAt = Number(last!.split(' ')[1]);
  const firstReceived = r.chunks[0]!.at;
  assert.match(first!, /^first \d+$/);
  assert.ok(firstReceived < finishedAt - 1000, `first chunk received ${finishedAt - firstReceived} ms before the handler finished`);
  assert.ok(Date.now() - sent >= 2000);
});

test('a mid-stream error: the partial output, then InvokeComplete with ErrorCode and ErrorDetails', async () => {
  const r = await invokeStream('ws-stream', { action: 'fail' });
  assert.equal(r.chunks.map((c) => c.text).join(''), 'partial');
  assert.equal(r.complete?.ErrorCode, 'Error');
  const details = JSON.parse(r.complete!.ErrorDetails!);
  assert.equal(details.errorMessage, 'stream broke');
  assert.equal(details.errorType, 'Error');
  // The environment survives a handler error and serves the next invocation.
  assert.equal((await invokeStream('ws-stream', { action: 'hello' })).chunks.map((c) => c.text).join(''), 'hello world');
});

test('a handler that does not stream answers with one PayloadChunk; LogType Tail adds LogResult', async () => {
  const r = await invokeStream('ws-buffered', {}, { LogType: 'Tail' });
  assert.deepEqual(r.chunks.map((c) => JSON.parse(c.text)), [{ statusCode: 200, body: JSON.stringify({ buffered: true, path: null }) }]);
  assert.equal(r.complete?.ErrorCode, undefined);
  const log = Buffer.from(r.complete!.LogResult!, 'base64').toString();
  assert.match(log, /REPORT RequestId: /);
});

test('DryRun answers 204; Event is not an invocation type of this API; throttles are 429', async () => {
  const dry = await t.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'ws-stream', InvocationType: 'DryRun' }));
  assert.equal(dry.StatusCode, 204);
  await assert.rejects(
    t.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'ws-stream', InvocationType: 'Event' as never })),
    (e: any) => e.name === 'ValidationException' && /\[RequestResponse, DryRun\]/.test(e.message),
  );
  await assert.rejects(
    t.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'no-such-fn' })),
    (e: any) => e.name === 'ResourceNotFoundException' && e.$metadata.httpStatusCode === 404,
  );
  await createFunction(t.lambda, 'ws-throttled', 'url-stream');
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'ws-throttled', ReservedConcurrentExecutions: 0 }));
  await assert.rejects(
    t.lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: 'ws-throttled' })),
    (e: any) => e.name === 'TooManyRequestsException' && e.$metadata.httpStatusCode === 429,
  );
});

test('a large streamed response (24 MB) arrives whole and in order', async () => {
  const r = await invokeStream('ws-stream', { action: 'big', mb: 24 });
  const total = r.chunks.reduce((n, c) => n + c.text.length, 0);
  assert.equal(total, 24 * 1024 * 1024);
  assert.ok(r.chunks.every((c) => /^a*$/.test(c.text)));
  assert.deepEqual(r.complete, {});
});

test('a timeout mid-stream: the bytes so far, then InvokeComplete with Sandbox.Timedout', async () => {
  await createFunction(t.lambda, 'ws-timeout', 'url-stream', { Timeout: 1 });
  const r = await invokeStream('ws-timeout', { action: 'slow', waitMs: 5000 });
  assert.match(r.chunks.map((c) => c.text).join(''), /^first \d+\n$/);
  assert.equal(r.complete?.ErrorCode, 'Sandbox.Timedout');
  assert.match(JSON.parse(r.complete!.ErrorDetails!).errorMessage, /Task timed out after 1\.00 seconds/);
});

test('a client that aborts mid-stream: the function finishes, its environment serves the next call', async () => {
  const SCOPE = { account: '111111111111', region: 'us-east-1' };
  await createFunction(t.lambda, 'ws-abort', 'url-stream', { Timeout: 30 });
  await invokeStream('ws-abort', { action: 'hello' });
  let created = 0;
  const off = t.sluice.environments.onEvent((e) => { if (e.type === 'created' && e.environment.spec.functionName === 'ws-abort') created++; });
  try {
    const abort = new AbortController();
    const out = await t.lambda.send(new InvokeWithResponseStreamCommand({
      FunctionName: 'ws-abort', Payload: Buffer.from(JSON.stringify({ action: 'big', mb: 100 })),
    }), { abortSignal: abort.signal });
    const events = out.EventStream![Symbol.asyncIterator]();
    assert.ok((await events.next()).value?.PayloadChunk);
    abort.abort();
    await events.return?.();
    const deadline = Date.now() + 20_000;
    while (t.sluice.context.invoker.concurrency.running(SCOPE, 'ws-abort') > 0) {
      assert.ok(Date.now() < deadline, 'the aborted invocation never finished');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((await invokeStream('ws-abort', { action: 'hello' })).chunks.map((c) => c.text).join(''), 'hello world');
    assert.equal(created, 0);
  } finally {
    off();
  }
});
