import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, invoke, PYTHON } from './helpers.js';

let t: TestServer;
before(async () => {
  process.env.SLUICE_TEST_LEAK = 'leaked';
  t = await startTestServer();
  await createFunction(t.lambda, 'inv-py', 'inv-python', { ...PYTHON, MemorySize: 512, Timeout: 20, Environment: { Variables: { CUSTOMER_VAR: 'py' } } });
});
after(async () => { await t.close(); });

test('a Python function answers with its JSON and sees AWS context and environment', async () => {
  const echo = await invoke(t.lambda, 'inv-py', { action: 'echo', value: { n: 1 } });
  assert.equal(echo.out.StatusCode, 200);
  assert.equal(echo.out.ExecutedVersion, '$LATEST');
  assert.deepEqual(echo.body, { n: 1 });
  const r = await invoke(t.lambda, 'inv-py', {}, {
    ClientContext: Buffer.from(JSON.stringify({ custom: { k: 'v' } })).toString('base64'),
  });
  const { context, env } = r.body;
  assert.equal(context.awsRequestId, r.out.$metadata.requestId);
  assert.equal(context.functionName, 'inv-py');
  assert.equal(context.functionVersion, '$LATEST');
  assert.equal(context.invokedFunctionArn, 'arn:aws:lambda:us-east-1:111111111111:function:inv-py');
  assert.equal(context.memoryLimitInMB, '512');
  assert.equal(context.logGroupName, '/aws/lambda/inv-py');
  assert.deepEqual(context.clientCustom, { k: 'v' });
  assert.ok(context.remaining > 15_000 && context.remaining <= 20_000);
  assert.equal(env._HANDLER, 'handler.handler');
  assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_python3.12');
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '512');
  assert.equal(env.CUSTOMER_VAR, 'py');
  assert.equal(env.TZ, ':UTC');
  assert.equal(env.SLUICE_TEST_LEAK, undefined);
});

test('Python warm reuse keeps module state and /tmp', async () => {
  await createFunction(t.lambda, 'inv-py-warm', 'inv-python', PYTHON);
  const a = await invoke(t.lambda, 'inv-py-warm');
  const b = await invoke(t.lambda, 'inv-py-warm');
  assert.equal(a.body.instance, b.body.instance);
  assert.equal(b.body.counter, 2);
  assert.equal(a.body.tmpExisted, false);
  assert.equal(b.body.tmpExisted, true);
});

test('a raised exception is Unhandled with the Python error shape; the next invoke succeeds', async () => {
  const r = await invoke(t.lambda, 'inv-py', { action: 'raise', message: 'Handler fails' }, { LogType: 'Tail' });
  assert.equal(r.out.FunctionError, 'Unhandled');
  assert.equal(r.body.errorType, 'ValueError');
  assert.equal(r.body.errorMessage, 'Handler fails');
  assert.equal(r.body.requestId, r.out.$metadata.requestId);
  assert.ok(Array.isArray(r.body.stackTrace));
  assert.match(r.log, /\[ERROR\]/);
  assert.equal((await invoke(t.lambda, 'inv-py', { action: 'echo', value: 'ok' })).body, 'ok');
});

test('Python import errors and exits mid-invoke are reported; each is followed by a working invoke', async () => {
  await createFunction(t.lambda, 'inv-py-import', 'inv-python-import', PYTHON);
  const imp = await invoke(t.lambda, 'inv-py-import');
  assert.equal(imp.out.FunctionError, 'Unhandled');
  assert.equal(imp.body.errorType, 'Runtime.ImportModuleError');
  assert.match(imp.body.errorMessage, /^Unable to import module 'handler': /);

  const exit = await invoke(t.lambda, 'inv-py', { action: 'exit', code: 3 });
  assert.equal(exit.body.errorType, 'Runtime.ExitError');
  assert.equal(exit.body.errorMessage, `RequestId: ${exit.out.$metadata.requestId} Error: Runtime exited with error: exit status 3`);
  assert.equal((await invoke(t.lambda, 'inv-py', { action: 'echo', value: 'again' })).body, 'again');
});

test('Python timeout is Sandbox.Timedout', async () => {
  await createFunction(t.lambda, 'inv-py-timeout', 'inv-python', { ...PYTHON, Timeout: 1 });
  const r = await invoke(t.lambda, 'inv-py-timeout', { action: 'sleep', ms: 4000 });
  assert.deepEqual(r.body, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${r.out.$metadata.requestId} Error: Task timed out after 1.00 seconds` });
  assert.equal((await invoke(t.lambda, 'inv-py-timeout', { action: 'echo', value: 1 })).body, 1);
});
