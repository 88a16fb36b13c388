import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteFunctionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import type { PoolEvent } from '../../src/sandbox/index.js';
import { createFunction, invoke, waitUpdated } from './helpers.js';

const SCOPE = { account: '111111111111', region: 'us-east-1' };
let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

/** Resolves with the next pool event matching the predicate. */
function nextEvent(pred: (e: PoolEvent) => boolean): Promise<PoolEvent> {
  return new Promise((resolve) => {
    const off = t.sluice.environments.onEvent((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });
}

test('timeout: Sandbox.Timedout after Timeout seconds, REPORT Status: timeout, then a fresh environment', async () => {
  await createFunction(t.lambda, 'inv-timeout', 'inv-node', { Timeout: 1 });
  const before = await invoke(t.lambda, 'inv-timeout');
  const started = Date.now();
  const r = await invoke(t.lambda, 'inv-timeout', { action: 'sleep', ms: 5000 }, { LogType: 'Tail' });
  const took = Date.now() - started;
  assert.ok(took >= 990 && took < 3000, `took ${took} ms`);
  const id = r.out.$metadata.requestId!;
  assert.equal(r.out.StatusCode, 200);
  assert.equal(r.out.FunctionError, 'Unhandled');
  assert.deepEqual(r.body, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` });
  assert.match(r.log, new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${id} Task timed out after 1.00 seconds\\n`));
  assert.match(r.log, /\tStatus: timeout\n$/);
  const next = await invoke(t.lambda, 'inv-timeout');
  assert.notEqual(next.body.instance, before.body.instance);
  assert.equal(next.body.counter, 1);
});

test('a runtime that exits mid-invoke is Runtime.ExitError; the next invoke gets a fresh environment', async () => {
  await createFunction(t.lambda, 'inv-exit', 'inv-node');
  const r = await invoke(t.lambda, 'inv-exit', { action: 'exit', code: 1 }, { LogType: 'Tail' });
  const id = r.out.$metadata.requestId!;
  assert.equal(r.out.FunctionError, 'Unhandled');
  assert.deepEqual(r.body, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 1` });
  assert.ok(r.log.includes('about to exit'), r.log);
  assert.match(r.log, /\tStatus: error\tError Type: Runtime\.ExitError\n$/);
  const next = await invoke(t.lambda, 'inv-exit', { action: 'echo', value: 'back' });
  assert.equal(next.body, 'back');
});

test('memory overrun is Runtime.OutOfMemory with Max Memory Used = Memory Size; the next invoke succeeds', async () => {
  await createFunction(t.lambda, 'inv-oom', 'inv-node', { MemorySize: 128, Timeout: 30 });
  const r = await invoke(t.lambda, 'inv-oom', { action: 'oom' }, { LogType: 'Tail' });
  const id = r.out.$metadata.requestId!;
  assert.equal(r.out.FunctionError, 'Unhandled', r.text);
  assert.deepEqual(r.body, { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${id} Error: Runtime exited with error: signal: killed` });
  assert.match(r.log, /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime\.OutOfMemory\n$/);
  assert.equal((await invoke(t.lambda, 'inv-oom', { action: 'echo', value: 3 })).body, 3);
});

test('a code update retires old environments: the next invoke runs the new code in a new environment', async () => {
  await createFunction(t.lambda, 'inv-update', 'inv-node');
  const v1 = await invoke(t.lambda, 'inv-update');
  assert.equal(v1.body.counter, 1);
  const retired = nextEvent((e) => e.type === 'closed' && e.environment.spec.functionName === 'inv-update');
  await t.lambda.send(new UpdateFunctionCodeCommand({
    FunctionName: 'inv-update', ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => process.env.SETTING ?? "v2";' }),
  }));
  await waitUpdated(t.lambda, 'inv-update');
  const closed = await retired;
  assert.equal(closed.type === 'closed' && closed.reason, 'retired');
  assert.equal((await invoke(t.lambda, 'inv-update')).body, 'v2');
  // A configuration change retires too: the new environment sees the new variable.
  await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'inv-update', Environment: { Variables: { SETTING: 'configured' } } }));
  await waitUpdated(t.lambda, 'inv-update');
  assert.equal((await invoke(t.lambda, 'inv-update')).body, 'configured');
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-update').total, 1);
});

test('a code update while an invocation runs lets it finish on the old code, then retires its environment', async () => {
  await createFunction(t.lambda, 'inv-update-busy', 'inv-node', { Timeout: 30 });
  const running = invoke(t.lambda, 'inv-update-busy', { action: 'sleep', ms: 1500 });
  await nextEvent((e) => e.type === 'created' && e.environment.spec.functionName === 'inv-update-busy');
  const retired = nextEvent((e) => e.type === 'closed' && e.environment.spec.functionName === 'inv-update-busy');
  await t.lambda.send(new UpdateFunctionCodeCommand({
    FunctionName: 'inv-update-busy', ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => "new";' }),
  }));
  await waitUpdated(t.lambda, 'inv-update-busy');
  assert.equal((await running).body, 'slept');
  const closed = await retired;
  assert.equal(closed.type === 'closed' && closed.reason, 'retired');
  assert.equal((await invoke(t.lambda, 'inv-update-busy')).body, 'new');
});

test('deleting a function shuts its environments down', async () => {
  await createFunction(t.lambda, 'inv-delete', 'inv-node');
  await invoke(t.lambda, 'inv-delete');
  const closed = nextEvent((e) => e.type === 'closed' && e.environment.spec.functionName === 'inv-delete');
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'inv-delete' }));
  const e = await closed;
  assert.equal(e.type === 'closed' && e.reason, 'retired');
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-delete').total, 0);
  await assert.rejects(invoke(t.lambda, 'inv-delete'), (err: any) => err.name === 'ResourceNotFoundException');
});

test('a custom runtime (bash + curl bootstrap) gets host:port in AWS_LAMBDA_RUNTIME_API; without a bootstrap it is Runtime.InvalidEntrypoint', async () => {
  await createFunction(t.lambda, 'inv-custom', 'inv-custom', { Runtime: 'provided.al2023', Handler: 'unused' });
  const r = await invoke(t.lambda, 'inv-custom', { n: 1 }, { LogType: 'Tail' });
  assert.deepEqual(r.body, { echo: { n: 1 }, requestId: r.out.$metadata.requestId });
  assert.match(r.log, /custom runtime starting\n/);
  // Custom runtimes are billed for their init on a cold start.
  const report = /Billed Duration: (\d+) ms.*Init Duration: ([\d.]+) ms/.exec(r.log);
  assert.ok(report && Number(report[1]) >= Number(report[2]), r.log);

  await createFunction(t.lambda, 'inv-no-bootstrap', 'inv-node', { Runtime: 'provided.al2023', Handler: 'unused' });
  const missing = await invoke(t.lambda, 'inv-no-bootstrap');
  assert.equal(missing.out.FunctionError, 'Unhandled');
  assert.deepEqual(missing.body, {
    errorType: 'Runtime.InvalidEntrypoint',
    errorMessage: `RequestId: ${missing.out.$metadata.requestId} Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]`,
  });
});

test('a restart with functions already deployed still invokes them', async () => {
  const dataDir = t.dataDir;
  await createFunction(t.lambda, 'inv-restart', 'inv-node');
  assert.equal((await invoke(t.lambda, 'inv-restart', { action: 'echo', value: 'before' })).body, 'before');
  await t.stop();
  t = await startTestServer({}, dataDir);
  assert.equal((await invoke(t.lambda, 'inv-restart', { action: 'echo', value: 'after' })).body, 'after');
  // Logs written before the restart are still there.
  const events = t.sluice.context.logs.query(SCOPE, { logGroupName: '/aws/lambda/inv-restart' });
  assert.equal(events.filter((e) => e.message.startsWith('REPORT RequestId: ')).length, 2);
});

test('idle environments are shut down after the keep-alive; the next invoke is a cold start', async () => {
  const dataDir = t.dataDir;
  await t.stop();
  t = await startTestServer({ environmentIdleTimeoutMs: 300 }, dataDir);
  await createFunction(t.lambda, 'inv-keepalive', 'inv-node');
  const expired = nextEvent((e) => e.type === 'closed' && e.environment.spec.functionName === 'inv-keepalive');
  const first = await invoke(t.lambda, 'inv-keepalive', {}, { LogType: 'Tail' });
  assert.match(first.log, /Init Duration/);
  const closed = await expired;
  assert.equal(closed.type === 'closed' && closed.reason, 'expired');
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-keepalive').total, 0);
  const second = await invoke(t.lambda, 'inv-keepalive', {}, { LogType: 'Tail' });
  assert.match(second.log, /Init Duration/);
  assert.equal(second.body.counter, 1);
  assert.notEqual(second.body.instance, first.body.instance);
});

test('an init phase over the limit is Sandbox.Timedout with INIT_REPORT Status: timeout', async () => {
  const dataDir = t.dataDir;
  await t.stop();
  t = await startTestServer({ environmentInitTimeoutMs: 500 }, dataDir);
  await createFunction(t.lambda, 'inv-slow-init', 'inv-node-slow-init');
  const started = Date.now();
  const r = await invoke(t.lambda, 'inv-slow-init', {}, { LogType: 'Tail' });
  assert.ok(Date.now() - started < 2500, 'not waiting for the whole init');
  assert.equal(r.out.FunctionError, 'Unhandled');
  assert.deepEqual(r.body, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${r.out.$metadata.requestId} Error: Task timed out after 0.50 seconds` });
  assert.match(r.log, /INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout\n/);
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-slow-init').total, 0);
});
