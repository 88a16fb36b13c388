import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { RuntimeEndpoint } from './runtime-endpoint.js';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function standby() {
  const ep = new RuntimeEndpoint({ standby: true });
  const { hostPort } = await ep.listen();
  return { ep, port: Number(hostPort.split(':')[1]) };
}

test('a standby runtime parks on the assignment request and receives the function environment', async () => {
  const { ep, port } = await standby();
  try {
    let waiting = false;
    void ep.waitForStandby().then(() => { waiting = true; });
    const parked = get(port, '/sluice/v1/assignment');
    await ep.waitForStandby();
    assert.equal(waiting, true);
    ep.assign({ env: { _HANDLER: 'index.handler', A: '1' } });
    const r = await parked;
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { env: { _HANDLER: 'index.handler', A: '1' } });
    // After the assignment the AWS protocol applies: the first /next is the end of init.
    const next = get(port, '/2018-06-01/runtime/invocation/next');
    assert.deepEqual(await ep.waitForInit(), { kind: 'ready' });
    const outcome = ep.invoke({ requestId: 'r1', payload: Buffer.from('{}'), deadlineMs: Date.now() + 1000, invokedFunctionArn: 'arn' });
    assert.equal((await next).status, 200);
    ep.abort('done');
    await assert.rejects(outcome);
  } finally {
    await ep.close();
  }
});

test('before its assignment a standby runtime gets no events; a second assignment request is refused', async () => {
  const { ep, port } = await standby();
  try {
    const early = await get(port, '/2018-06-01/runtime/invocation/next');
    assert.equal(early.status, 403);
    assert.match(early.body, /InvalidStateTransition/);
    ep.assign({ env: {} });
    // Assigned before the runtime asked: delivered on its request.
    assert.deepEqual(JSON.parse((await get(port, '/sluice/v1/assignment')).body), { env: {} });
    assert.equal((await get(port, '/sluice/v1/assignment')).status, 403);
    assert.throws(() => ep.assign({ env: {} }));
  } finally {
    await ep.close();
  }
});

test('aborting a standby endpoint fails the waiting runtime and waitForStandby; ordinary endpoints have no assignment path', async () => {
  const { ep, port } = await standby();
  const parked = get(port, '/sluice/v1/assignment');
  await ep.waitForStandby();
  await ep.close();
  assert.equal((await parked).status, 500);

  const plain = new RuntimeEndpoint();
  const { hostPort } = await plain.listen();
  try {
    await assert.rejects(plain.waitForStandby());
    assert.equal((await get(Number(hostPort.split(':')[1]), '/sluice/v1/assignment')).status, 404);
  } finally {
    await plain.close();
  }

  const { ep: never } = await standby();
  const waited = never.waitForStandby();
  await never.close();
  await assert.rejects(waited);
});
