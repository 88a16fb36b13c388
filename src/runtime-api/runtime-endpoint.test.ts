import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeEndpoint, MAX_RUNTIME_RESPONSE_BYTES } from './runtime-endpoint.js';
import type { InvocationRequest } from './types.js';

interface Reply { status: number; headers: IncomingHttpHeaders; body: string }

interface Target { hostPort: string; socketPath?: string }

function call(
  target: Target,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string; trailers?: Record<string, string>; chunks?: string[] } = {},
): Promise<Reply> {
  const [host, port] = target.hostPort.split(':');
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      method,
      path,
      headers: opts.headers,
      ...(target.socketPath ? { socketPath: target.socketPath } : { host, port: Number(port) }),
      agent: new Agent({ keepAlive: false }),
    }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    if (opts.chunks) {
      for (const c of opts.chunks) req.write(c);
      if (opts.trailers) req.addTrailers(opts.trailers);
      req.end();
    } else {
      req.end(opts.body);
    }
  });
}

const next = (t: Target) => call(t, 'GET', '/2018-06-01/runtime/invocation/next');
const post = (t: Target, id: string, what: 'response' | 'error', body: string | Buffer, headers?: Record<string, string>) =>
  call(t, 'POST', `/2018-06-01/runtime/invocation/${id}/${what}`, { body, headers });

function event(id: string, extra: Partial<InvocationRequest> = {}): InvocationRequest {
  return {
    requestId: id,
    payload: Buffer.from('{"hello":"world"}'),
    deadlineMs: 1_900_000_000_000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:f',
    ...extra,
  };
}

async function started(opts: ConstructorParameters<typeof RuntimeEndpoint>[0] = {}) {
  const ep = new RuntimeEndpoint(opts);
  const addr = await ep.listen();
  return { ep, addr };
}

/** Waits until the runtime side has parked a GET /next (init resolves on the first one). */
async function parkedNext(ep: RuntimeEndpoint, t: Target): Promise<{ reply: Promise<Reply> }> {
  const reply = next(t);
  await ep.waitForInit();
  return { reply };
}

test('first /next completes init; invoke hands the event over with every header and returns the response', async () => {
  const { ep, addr } = await started();
  try {
    assert.match(addr.hostPort, /^127\.0\.0\.1:\d+$/);
    const pending = next(addr);
    assert.deepEqual(await ep.waitForInit(), { kind: 'ready' });
    const result = ep.invoke(event('req-1', {
      traceId: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      clientContext: '{"custom":{"a":1}}',
      cognitoIdentity: '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
      tenantId: 'tenant-7',
    }));
    const got = await pending;
    assert.equal(got.status, 200);
    assert.equal(got.body, '{"hello":"world"}');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['lambda-runtime-aws-request-id'], 'req-1');
    assert.equal(got.headers['lambda-runtime-deadline-ms'], '1900000000000');
    assert.equal(got.headers['lambda-runtime-invoked-function-arn'], 'arn:aws:lambda:us-east-1:111111111111:function:f');
    assert.equal(got.headers['lambda-runtime-trace-id'], 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    assert.equal(got.headers['lambda-runtime-client-context'], '{"custom":{"a":1}}');
    assert.equal(got.headers['lambda-runtime-cognito-identity'], '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}');
    assert.equal(got.headers['lambda-runtime-aws-tenant-id'], 'tenant-7');

    const ack = await post(addr, 'req-1', 'response', '"done"', { 'Content-Type': 'text/plain' });
    assert.equal(ack.status, 202);
    assert.equal(ack.body, '{"status":"OK"}');
    const outcome = await result;
    assert.equal(outcome.kind, 'response');
    assert.equal(outcome.kind === 'response' && outcome.payload.toString(), '"done"');
    assert.equal(outcome.kind === 'response' && outcome.contentType, 'text/plain');
  } finally {
    await ep.close();
  }
});

test('optional /next headers are absent when empty; an event queued before /next is delivered when it comes', async () => {
  const { ep, addr } = await started();
  try {
    const result = ep.invoke(event('req-q', { traceId: '', clientContext: undefined }));
    const got = await next(addr);
    assert.equal(got.headers['lambda-runtime-aws-request-id'], 'req-q');
    for (const h of ['lambda-runtime-trace-id', 'lambda-runtime-client-context', 'lambda-runtime-cognito-identity', 'lambda-runtime-aws-tenant-id']) {
      assert.equal(got.headers[h], undefined, h);
    }
    await post(addr, 'req-q', 'response', 'null');
    const outcome = await result;
    assert.equal(outcome.kind, 'response');
    assert.equal(outcome.kind === 'response' && outcome.contentType, undefined);
  } finally {
    await ep.close();
  }
});

test('state errors: a second concurrent /next and a /next while an invocation is outstanding get 403 InvalidStateTransition', async () => {
  const { ep, addr } = await started();
  try {
    const first = (await parkedNext(ep, addr)).reply;
    const second = await next(addr);
    assert.equal(second.status, 403);
    assert.equal(JSON.parse(second.body).errorType, 'InvalidStateTransition');
    assert.equal(typeof JSON.parse(second.body).errorMessage, 'string');

    const result = ep.invoke(event('req-2'));
    assert.equal((await first).status, 200);
    const during = await next(addr);
    assert.equal(during.status, 403);
    assert.deepEqual(Object.keys(JSON.parse(during.body)), ['errorMessage', 'errorType']);
    assert.equal(JSON.parse(during.body).errorType, 'InvalidStateTransition');

    await assert.rejects(ep.invoke(event('req-3')), /already in progress/);
    await post(addr, 'req-2', 'response', '{}');
    assert.equal((await result).kind, 'response');
  } finally {
    await ep.close();
  }
});

test('unknown or already answered request ids get 400 InvalidRequestID', async () => {
  const { ep, addr } = await started();
  try {
    const pending = (await parkedNext(ep, addr)).reply;
    const unknownBefore = await post(addr, 'nope', 'response', '{}');
    assert.equal(unknownBefore.status, 400);
    assert.equal(JSON.parse(unknownBefore.body).errorType, 'InvalidRequestID');

    const result = ep.invoke(event('req-a'));
    await pending;
    const wrong = await post(addr, 'req-b', 'error', '{}');
    assert.equal(wrong.status, 400);
    assert.equal(JSON.parse(wrong.body).errorType, 'InvalidRequestID');
    assert.equal((await post(addr, 'req-a', 'response', '1')).status, 202);
    await result;
    const again = await post(addr, 'req-a', 'response', '2');
    assert.equal(again.status, 400);
    assert.equal(JSON.parse(again.body).errorType, 'InvalidRequestID');
  } finally {
    await ep.close();
  }
});

test('a response over 6,291,556 bytes gets 413 and the invocation ends as response-too-large; exactly the limit passes', async () => {
  const { ep, addr } = await started();
  try {
    let pending = (await parkedNext(ep, addr)).reply;
    let result = ep.invoke(event('big'));
    await pending;
    const tooBig = await post(addr, 'big', 'response', Buffer.alloc(MAX_RUNTIME_RESPONSE_BYTES + 1, 0x61));
    assert.equal(tooBig.status, 413);
    assert.deepEqual(JSON.parse(tooBig.body), {
      errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'RequestEntityTooLarge',
    });
    assert.deepEqual(await result, { kind: 'response-too-large' });

    pending = next(addr);
    result = ep.invoke(event('fits'));
    await pending;
    assert.equal((await post(addr, 'fits', 'response', Buffer.alloc(MAX_RUNTIME_RESPONSE_BYTES, 0x61))).status, 202);
    const outcome = await result;
    assert.equal(outcome.kind === 'response' && outcome.payload.length, MAX_RUNTIME_RESPONSE_BYTES);
  } finally {
    await ep.close();
  }
});

test('/error: the error-type header is validated, and without it the body errorType is used', async () => {
  const { ep, addr } = await started();
  try {
    const cases: [Record<string, string> | undefined, string, string][] = [
      [{ 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' }, '{"errorType":"x"}', 'Runtime.ImportModuleError'],
      [{ 'Lambda-Runtime-Function-Error-Type': 'Function.MyError' }, '{}', 'Function.MyError'],
      [{ 'Lambda-Runtime-Function-Error-Type': 'Unhandled' }, '{}', 'Runtime.Unknown'],
      [{ 'Lambda-Runtime-Function-Error-Type': 'Function.bad_name' }, '{}', 'Function.Unknown'],
      [{ 'Lambda-Runtime-Function-Error-Type': 'Runtime.X1' }, '{}', 'Runtime.Unknown'],
      [undefined, '{"errorType":"TypeError","errorMessage":"x is not a function","trace":[]}', 'TypeError'],
      [undefined, 'not json', 'Runtime.Unknown'],
    ];
    let pending = (await parkedNext(ep, addr)).reply;
    for (const [i, [headers, body, expected]] of cases.entries()) {
      const result = ep.invoke(event(`e${i}`));
      await pending;
      pending = next(addr);
      const ack = await post(addr, `e${i}`, 'error', body, headers);
      assert.equal(ack.status, 202);
      assert.equal(ack.body, '{"status":"OK"}');
      const outcome = await result;
      assert.equal(outcome.kind, 'function-error');
      assert.equal(outcome.kind === 'function-error' && outcome.errorType, expected, `case ${i}`);
      assert.equal(outcome.kind === 'function-error' && outcome.payload.toString(), body);
    }
    ep.abort('done');
    await pending;
  } finally {
    await ep.close();
  }
});

test('/init/error is accepted only during init; /next after it is refused', async () => {
  const { ep, addr } = await started();
  try {
    const body = '{"errorType":"Runtime.ImportModuleError","errorMessage":"Error: Cannot find module \'index\'","trace":[]}';
    const ack = await call(addr, 'POST', '/2018-06-01/runtime/init/error', {
      body, headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' },
    });
    assert.equal(ack.status, 202);
    const init = await ep.waitForInit();
    assert.equal(init.kind, 'init-error');
    assert.equal(init.kind === 'init-error' && init.errorType, 'Runtime.ImportModuleError');
    assert.equal(init.kind === 'init-error' && init.payload.toString(), body);
    const late = await next(addr);
    assert.equal(late.status, 403);
    assert.equal(JSON.parse(late.body).errorType, 'InvalidStateTransition');
  } finally {
    await ep.close();
  }
  const second = await started();
  try {
    await parkedNext(second.ep, second.addr);
    const afterInit = await call(second.addr, 'POST', '/2018-06-01/runtime/init/error', { body: '{}' });
    assert.equal(afterInit.status, 403);
    assert.equal(JSON.parse(afterInit.body).errorType, 'InvalidStateTransition');
  } finally {
    await second.ep.close();
  }
});

test('unknown paths are 404 JSON, extension and telemetry APIs answer "not supported", wrong methods 405', async () => {
  const { ep, addr } = await started();
  try {
    const unknown = await call(addr, 'GET', '/2018-06-01/runtime/whatever');
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).errorType, 'NotFound');
    assert.equal((await call(addr, 'GET', '/')).status, 404);
    const ext = await call(addr, 'POST', '/2020-01-01/extension/register', { body: '{"events":["INVOKE"]}', headers: { 'Lambda-Extension-Name': 'x' } });
    assert.equal(ext.status, 404);
    assert.match(JSON.parse(ext.body).errorMessage, /not supported/);
    const tel = await call(addr, 'PUT', '/2022-07-01/telemetry', { body: '{}' });
    assert.equal(tel.status, 404);
    assert.match(JSON.parse(tel.body).errorMessage, /not supported/);
    const wrong = await call(addr, 'POST', '/2018-06-01/runtime/invocation/next', { body: '' });
    assert.equal(wrong.status, 405);
  } finally {
    await ep.close();
  }
});

test('streamed responses are buffered; error trailers turn them into function errors; other modes are refused', async () => {
  const { ep, addr } = await started();
  try {
    const streamHeaders = {
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Content-Type': 'application/octet-stream',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
    };
    let pending = (await parkedNext(ep, addr)).reply;
    let result = ep.invoke(event('s1'));
    await pending;
    pending = next(addr);
    const ok = await call(addr, 'POST', '/2018-06-01/runtime/invocation/s1/response', { headers: streamHeaders, chunks: ['hel', 'lo'] });
    assert.equal(ok.status, 202);
    let outcome = await result;
    assert.equal(outcome.kind === 'response' && outcome.payload.toString(), 'hello');
    assert.equal(outcome.kind === 'response' && outcome.contentType, 'application/octet-stream');

    result = ep.invoke(event('s2'));
    await pending;
    pending = next(addr);
    const errJson = '{"errorType":"Error","errorMessage":"mid-stream"}';
    await call(addr, 'POST', '/2018-06-01/runtime/invocation/s2/response', {
      headers: streamHeaders, chunks: ['partial'],
      trailers: { 'Lambda-Runtime-Function-Error-Type': 'Function.StreamBroke', 'Lambda-Runtime-Function-Error-Body': Buffer.from(errJson).toString('base64') },
    });
    outcome = await result;
    assert.equal(outcome.kind, 'function-error');
    assert.equal(outcome.kind === 'function-error' && outcome.errorType, 'Function.StreamBroke');
    assert.equal(outcome.kind === 'function-error' && outcome.payload.toString(), errJson);

    result = ep.invoke(event('s3'));
    await pending;
    pending = next(addr);
    const bad = await post(addr, 's3', 'response', 'x', { 'Lambda-Runtime-Function-Response-Mode': 'carrier-pigeon' });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).errorType, 'InvalidFunctionResponseMode');
    outcome = await result;
    assert.equal(outcome.kind === 'function-error' && outcome.errorType, 'Runtime.InvalidResponseModeHeader');
    ep.abort('done');
    await pending;
  } finally {
    await ep.close();
  }
});

test('abort fails the pending invocation and answers the parked /next with 500; close is idempotent', async () => {
  const { ep, addr } = await started();
  const pending = (await parkedNext(ep, addr)).reply;
  const result = ep.invoke(event('x'));
  await pending;
  // The runtime asks for more work without answering the delivered event: 403, not parked.
  assert.equal((await next(addr)).status, 403);
  ep.abort('Sandbox.Timedout');
  await assert.rejects(result, /Sandbox\.Timedout/);
  await assert.rejects(ep.invoke(event('y')), /aborted/);
  await ep.close();
  await ep.close();
});

test('abort answers a parked /next with 500 InternalServerError', async () => {
  const { ep, addr } = await started();
  const pending = (await parkedNext(ep, addr)).reply;
  ep.abort('environment discarded');
  const got = await pending;
  assert.equal(got.status, 500);
  assert.equal(JSON.parse(got.body).errorType, 'InternalServerError');
  await ep.close();
});

test('listens on a unix socket when asked, and removes it on close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapi-'));
  const socketPath = join(dir, 'runtime.sock');
  try {
    const { ep, addr } = await started({ socketPath });
    assert.equal(addr.socketPath, socketPath);
    assert.equal(addr.hostPort, '127.0.0.1:9001');
    const pending = (await parkedNext(ep, addr)).reply;
    const result = ep.invoke(event('u1'));
    assert.equal((await pending).headers['lambda-runtime-aws-request-id'], 'u1');
    assert.equal((await post(addr, 'u1', 'response', '"via socket"')).status, 202);
    const outcome = await result;
    assert.equal(outcome.kind === 'response' && outcome.payload.toString(), '"via socket"');
    await ep.close();
    assert.equal(existsSync(socketPath), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a keep-alive runtime loop: many invokes over one connection', async () => {
  const { ep, addr } = await started();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const [host, port] = addr.hostPort.split(':');
  const once = (method: string, path: string, body?: string) => new Promise<Reply>((resolve, reject) => {
    const req = httpRequest({ host, port: Number(port), method, path, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const ev = await once('GET', '/2018-06-01/runtime/invocation/next');
      if (ev.status !== 200) return;
      const id = ev.headers['lambda-runtime-aws-request-id'] as string;
      await once('POST', `/2018-06-01/runtime/invocation/${id}/response`, ev.body);
    }
  })();
  try {
    await ep.waitForInit();
    for (let i = 0; i < 200; i++) {
      const outcome = await ep.invoke({ ...event(`k${i}`), payload: Buffer.from(String(i)) });
      assert.equal(outcome.kind === 'response' && outcome.payload.toString(), String(i));
    }
  } finally {
    stop = true;
    await ep.close();
    await loop.catch(() => {});
    agent.destroy();
  }
});
