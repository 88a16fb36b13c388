import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, DeleteFunctionConcurrencyCommand, InvokeCommand, PublishVersionCommand, PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { createFunction, invoke, waitUpdated } from './helpers.js';

const SCOPE = { account: '111111111111', region: 'us-east-1' };
let t: TestServer;
before(async () => { t = await startTestServer({ accountConcurrencyLimit: 1000 }); });
after(async () => { await t.close(); });

test('N concurrent invocations run in N environments; afterwards they are reused', async () => {
  await createFunction(t.lambda, 'inv-parallel', 'inv-node', { Timeout: 30 });
  const n = 6;
  let created = 0;
  const off = t.sluice.environments.onEvent((e) => { if (e.type === 'created' && e.environment.spec.functionName === 'inv-parallel') created++; });
  try {
    const results = await Promise.all(Array.from({ length: n }, () => invoke(t.lambda, 'inv-parallel', { action: 'sleep', ms: 600 })));
    for (const r of results) assert.equal(r.body, 'slept');
    assert.equal(created, n);
    assert.equal(t.sluice.environments.counts(SCOPE, 'inv-parallel').idle, n);
    // The same load again is served by the warm environments: none is created.
    await Promise.all(Array.from({ length: n }, () => invoke(t.lambda, 'inv-parallel', { action: 'sleep', ms: 600 })));
    assert.equal(created, n);
    assert.equal(t.sluice.environments.counts(SCOPE, 'inv-parallel').total, n);
  } finally {
    off();
  }
});

test('reserved concurrency 0 throttles every invocation with 429, Reason and Retry-After', async () => {
  await createFunction(t.lambda, 'inv-reserved', 'inv-node');
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'inv-reserved', ReservedConcurrentExecutions: 0 }));
  await assert.rejects(invoke(t.lambda, 'inv-reserved'), (e: any) => {
    assert.equal(e.name, 'TooManyRequestsException');
    assert.equal(e.$metadata.httpStatusCode, 429);
    assert.equal(e.message, 'Rate Exceeded.');
    assert.equal(e.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    assert.equal(e.Type, 'User');
    assert.ok(e.retryAfterSeconds !== undefined, 'Retry-After');
    return true;
  });
  await t.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'inv-reserved' }));
  assert.equal((await invoke(t.lambda, 'inv-reserved', { action: 'echo', value: 'ok' })).body, 'ok');
});

test('reserved concurrency N lets N run at once and throttles the next', async () => {
  await createFunction(t.lambda, 'inv-reserved-2', 'inv-node', { Timeout: 30 });
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'inv-reserved-2', ReservedConcurrentExecutions: 2 }));
  const slow = [invoke(t.lambda, 'inv-reserved-2', { action: 'sleep', ms: 1500 }), invoke(t.lambda, 'inv-reserved-2', { action: 'sleep', ms: 1500 })];
  // Both leases are taken as soon as the invocations are admitted.
  while (t.sluice.context.invoker.concurrency.running(SCOPE, 'inv-reserved-2') < 2) await new Promise((r) => setImmediate(r));
  await assert.rejects(invoke(t.lambda, 'inv-reserved-2'), (e: any) => e.Reason === 'ReservedFunctionConcurrentInvocationLimitExceeded');
  for (const r of await Promise.all(slow)) assert.equal(r.body, 'slept');
});

test('the account concurrency limit throttles unreserved functions with ConcurrentInvocationLimitExceeded', async () => {
  const small = await startTestServer({ accountConcurrencyLimit: 2 });
  try {
    await createFunction(small.lambda, 'inv-account', 'inv-node', { Timeout: 30 });
    const slow = [invoke(small.lambda, 'inv-account', { action: 'sleep', ms: 1500 }), invoke(small.lambda, 'inv-account', { action: 'sleep', ms: 1500 })];
    while (small.sluice.context.invoker.concurrency.running(SCOPE) < 2) await new Promise((r) => setImmediate(r));
    await assert.rejects(invoke(small.lambda, 'inv-account'), (e: any) =>
      e.name === 'TooManyRequestsException' && e.Reason === 'ConcurrentInvocationLimitExceeded' && e.message === 'Rate Exceeded.');
    for (const r of await Promise.all(slow)) assert.equal(r.body, 'slept');
  } finally {
    await small.close();
  }
});

test('alias routing honours weights per invocation and reports X-Amz-Executed-Version', async () => {
  await createFunction(t.lambda, 'inv-alias', 'inv-node');
  await t.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'inv-alias', ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => "one";' }) }));
  await waitUpdated(t.lambda, 'inv-alias');
  const v1 = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'inv-alias' }));
  await t.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'inv-alias', ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => "two";' }) }));
  await waitUpdated(t.lambda, 'inv-alias');
  const v2 = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'inv-alias' }));
  await t.lambda.send(new CreateAliasCommand({
    FunctionName: 'inv-alias', Name: 'live', FunctionVersion: v1.Version!, RoutingConfig: { AdditionalVersionWeights: { [v2.Version!]: 0.3 } },
  }));
  const counts: Record<string, number> = {};
  const total = 200;
  for (let i = 0; i < total; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, () => invoke(t.lambda, 'inv-alias', {}, { Qualifier: 'live' })));
    for (const r of batch) {
      const expected = r.out.ExecutedVersion === v1.Version ? 'one' : 'two';
      assert.equal(r.body, expected);
      counts[r.out.ExecutedVersion!] = (counts[r.out.ExecutedVersion!] ?? 0) + 1;
    }
  }
  const second = (counts[v2.Version!] ?? 0) / total;
  assert.ok(second >= 0.2 && second <= 0.4, `share of version ${v2.Version}: ${second}`);
  // The name suffix works as the qualifier too, and a version qualifier runs exactly that version.
  const bySuffix = await invoke(t.lambda, `inv-alias:${v1.Version}`);
  assert.equal(bySuffix.body, 'one');
  assert.equal(bySuffix.out.ExecutedVersion, v1.Version);
  const ctx = await t.lambda.send(new InvokeCommand({ FunctionName: 'inv-alias', Qualifier: v2.Version }));
  assert.equal(ctx.ExecutedVersion, v2.Version);
});
