import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, invoke, PYTHON } from './helpers.js';

// The development backend, forced: on hosts where `auto` picks the isolated one it would otherwise go untested.
let t: TestServer;
before(async () => { t = await startTestServer({ sandbox: 'process' }); });
after(async () => { await t.close(); });

test('process backend: host paths, a private TMPDIR that persists while warm, the environment built from scratch', async () => {
  await createFunction(t.lambda, 'inv-proc', 'inv-node', { Timeout: 20 });
  const a = await invoke(t.lambda, 'inv-proc');
  const b = await invoke(t.lambda, 'inv-proc');
  assert.equal(a.body.env.LAMBDA_TASK_ROOT, a.body.cwd);
  assert.notEqual(a.body.cwd, '/var/task');
  assert.ok(a.body.env.TMPDIR.startsWith(t.dataDir), a.body.env.TMPDIR);
  assert.equal(a.body.instance, b.body.instance);
  assert.equal(b.body.tmpExisted, true);
  assert.equal(a.body.env.AWS_LAMBDA_FUNCTION_NAME, 'inv-proc');
  assert.equal(a.body.env.HOME, undefined);
});

test('process backend: timeout, exit and memory overrun each end the environment; the next invoke works', async () => {
  await createFunction(t.lambda, 'inv-proc-fail', 'inv-node', { Timeout: 1, MemorySize: 128 });
  const timedOut = await invoke(t.lambda, 'inv-proc-fail', { action: 'sleep', ms: 4000 });
  assert.equal(timedOut.body.errorType, 'Sandbox.Timedout');
  const exited = await invoke(t.lambda, 'inv-proc-fail', { action: 'exit', code: 2 });
  assert.equal(exited.body.errorMessage, `RequestId: ${exited.out.$metadata.requestId} Error: Runtime exited with error: exit status 2`);
  const oom = await invoke(t.lambda, 'inv-proc-fail', { action: 'oom' }, { LogType: 'Tail' });
  assert.equal(oom.body.errorType, 'Runtime.OutOfMemory', oom.text);
  assert.match(oom.log, /Max Memory Used: 128 MB\t/);
  assert.equal((await invoke(t.lambda, 'inv-proc-fail', { action: 'echo', value: 'alive' })).body, 'alive');
});

test('process backend: Python runs too', async () => {
  await createFunction(t.lambda, 'inv-proc-py', 'inv-python', PYTHON);
  assert.deepEqual((await invoke(t.lambda, 'inv-proc-py', { action: 'echo', value: [1] })).body, [1]);
});
