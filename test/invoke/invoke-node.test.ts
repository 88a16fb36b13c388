import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from './helpers.js';

const SCOPE = { account: '111111111111', region: 'us-east-1' };
let t: TestServer;
before(async () => {
  // Must never reach a function: environments are built from scratch.
  process.env.SLUICE_TEST_LEAK = 'leaked';
  t = await startTestServer();
  await createFunction(t.lambda, 'inv-node', 'inv-node', {
    MemorySize: 256, Timeout: 30, Environment: { Variables: { CUSTOMER_VAR: 'hello', PATH: '/usr/local/bin:/usr/bin:/bin:/custom' } },
  });
});
after(async () => { await t.close(); });

test('a Node.js function answers 200 with its exact bytes, $LATEST as executed version', async () => {
  const r = await invoke(t.lambda, 'inv-node', { action: 'echo', value: { a: [1, 2, 'ü'] } });
  assert.equal(r.out.StatusCode, 200);
  assert.equal(r.out.FunctionError, undefined);
  assert.equal(r.out.ExecutedVersion, '$LATEST');
  assert.equal(r.text, '{"a":[1,2,"ü"]}');
});

test('the function sees AWS context and environment; the request id is the x-amzn-RequestId', async () => {
  const r = await invoke(t.lambda, 'inv-node', {}, {
    ClientContext: Buffer.from(JSON.stringify({ custom: { k: 'v' }, env: { platform: 'test' } })).toString('base64'),
  });
  const { context, env } = r.body;
  assert.equal(context.awsRequestId, r.out.$metadata.requestId);
  assert.match(context.awsRequestId, /^[0-9a-f-]{36}$/);
  assert.equal(context.functionName, 'inv-node');
  assert.equal(context.functionVersion, '$LATEST');
  assert.equal(context.invokedFunctionArn, 'arn:aws:lambda:us-east-1:111111111111:function:inv-node');
  assert.equal(context.memoryLimitInMB, '256');
  assert.equal(context.logGroupName, '/aws/lambda/inv-node');
  assert.match(context.logStreamName, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.deepEqual(context.clientContext?.custom, { k: 'v' });
  assert.ok(context.remaining > 25_000 && context.remaining <= 30_000, `remaining ${context.remaining}`);
  assert.equal(env._HANDLER, 'index.handler');
  assert.equal(env.AWS_REGION, 'us-east-1');
  assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'inv-node');
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
  assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
  assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/inv-node');
  assert.equal(env.AWS_LAMBDA_LOG_STREAM_NAME, context.logStreamName);
  assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs22.x');
  assert.match(env.AWS_LAMBDA_RUNTIME_API, /^[\d.]+:\d+$/);
  assert.equal(env.TZ, ':UTC');
  assert.equal(env.LAMBDA_TASK_ROOT, r.body.cwd);
  assert.ok(env.LAMBDA_RUNTIME_DIR);
  assert.equal(env.CUSTOMER_VAR, 'hello');
  assert.equal(env.PATH, '/usr/local/bin:/usr/bin:/bin:/custom');
  assert.equal(env.SLUICE_TEST_LEAK, undefined);
  assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
  assert.ok(env.TMPDIR);
});

test('warm reuse: module state and /tmp persist across invocations of one environment', async () => {
  await createFunction(t.lambda, 'inv-warm', 'inv-node');
  const a = await invoke(t.lambda, 'inv-warm');
  const b = await invoke(t.lambda, 'inv-warm');
  assert.equal(a.body.instance, b.body.instance);
  assert.equal(b.body.counter, a.body.counter + 1);
  assert.equal(a.body.tmpExisted, false);
  assert.equal(b.body.tmpExisted, true);
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-warm').total, 1);
});

test('LogType Tail returns the invocation log: START, output, END, REPORT with Init Duration on a cold start', async () => {
  await createFunction(t.lambda, 'inv-tail', 'inv-node', { MemorySize: 192 });
  const cold = await invoke(t.lambda, 'inv-tail', { action: 'log', messages: ['first line', 'second line'] }, { LogType: 'Tail' });
  const id = cold.out.$metadata.requestId!;
  assert.ok(cold.log.endsWith('\n'));
  const lines = cold.log.slice(0, -1).split('\n');
  assert.ok(lines.some((l) => l.startsWith('INIT_START Runtime Version: ')), cold.log);
  const start = lines.indexOf(`START RequestId: ${id} Version: $LATEST`);
  assert.ok(start >= 0, cold.log);
  assert.ok(lines.some((l) => l.includes('first line')), cold.log);
  assert.ok(lines.some((l) => l.includes('second line')), cold.log);
  assert.equal(lines[lines.length - 2], `END RequestId: ${id}`);
  assert.match(lines[lines.length - 1]!,
    new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 192 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`));
  const warm = await invoke(t.lambda, 'inv-tail', { action: 'echo', value: 1 }, { LogType: 'Tail' });
  assert.ok(!warm.log.includes('Init Duration'), warm.log);
  assert.ok(!warm.log.includes('INIT_START'), warm.log);
  assert.ok(warm.log.startsWith(`START RequestId: ${warm.out.$metadata.requestId}`), warm.log);
  // Without Tail there is no log result.
  const none = await invoke(t.lambda, 'inv-tail', { action: 'echo', value: 1 });
  assert.equal(none.out.LogResult, undefined);
});

test('the tail is cut to the last 4 KB', async () => {
  const messages = Array.from({ length: 100 }, (_, i) => `line-${i}-${'y'.repeat(80)}`);
  const r = await invoke(t.lambda, 'inv-node', { action: 'log', messages }, { LogType: 'Tail' });
  assert.equal(Buffer.from(r.out.LogResult!, 'base64').length, 4096);
  assert.ok(r.log.includes('line-99-'));
  assert.ok(!r.log.includes('line-0-'));
  assert.ok(r.log.trimEnd().split('\n').pop()!.startsWith('REPORT RequestId: '));
});

test('a thrown error is 200 + X-Amz-Function-Error: Unhandled + the runtime error body; the next invoke succeeds', async () => {
  const r = await invoke(t.lambda, 'inv-node', { action: 'throw', message: 'some_error_msg' });
  assert.equal(r.out.StatusCode, 200);
  assert.equal(r.out.FunctionError, 'Unhandled');
  assert.equal(r.out.ExecutedVersion, '$LATEST');
  assert.equal(r.body.errorType, 'Error');
  assert.equal(r.body.errorMessage, 'some_error_msg');
  assert.ok(Array.isArray(r.body.trace));
  const ok = await invoke(t.lambda, 'inv-node', { action: 'echo', value: 'fine' });
  assert.equal(ok.body, 'fine');
});

test('init failures: bad handler, syntax error, import error reach the caller; a fixed function then works', async () => {
  await createFunction(t.lambda, 'inv-bad-handler', 'inv-node', { Handler: 'index.nope' });
  const bad = await invoke(t.lambda, 'inv-bad-handler');
  assert.equal(bad.out.FunctionError, 'Unhandled');
  assert.equal(bad.body.errorType, 'Runtime.HandlerNotFound');
  assert.match(bad.body.errorMessage, /index\.nope is undefined or not exported/);

  await createFunction(t.lambda, 'inv-syntax', 'inv-node-syntax');
  const syn = await invoke(t.lambda, 'inv-syntax', {}, { LogType: 'Tail' });
  assert.equal(syn.out.FunctionError, 'Unhandled');
  assert.equal(syn.body.errorType, 'Runtime.UserCodeSyntaxError');
  assert.match(syn.log, /Status: error\tError Type: Runtime\.UserCodeSyntaxError/);

  await createFunction(t.lambda, 'inv-import', 'inv-node-import');
  const imp = await invoke(t.lambda, 'inv-import');
  assert.equal(imp.out.FunctionError, 'Unhandled');
  assert.equal(imp.body.errorType, 'Runtime.ImportModuleError');
  assert.match(imp.body.errorMessage, /inv-no-such-module/);
  // Every failed init left nothing behind, and retrying inits afresh (same answer, new environment).
  const again = await invoke(t.lambda, 'inv-import');
  assert.equal(again.body.errorType, 'Runtime.ImportModuleError');
  for (const n of ['inv-bad-handler', 'inv-syntax', 'inv-import']) assert.equal(t.sluice.environments.counts(SCOPE, n).total, 0, n);
});

test('payload rules: empty means {}, non-JSON is 400 InvalidRequestContentException, > 6 MB is 413', async () => {
  const empty = await t.lambda.send(new InvokeCommand({ FunctionName: 'inv-node' }));
  const body = JSON.parse(Buffer.from(empty.Payload!).toString());
  assert.deepEqual(body.event, {});
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'inv-node', Payload: Buffer.from('not json') })),
    (e: any) => e.name === 'InvalidRequestContentException' && e.$metadata.httpStatusCode === 400 && /^Could not parse request body into json: /.test(e.message),
  );
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'inv-node', Payload: Buffer.from(JSON.stringify('z'.repeat(6_291_456))) })),
    (e: any) => e.name === 'RequestEntityTooLargeException' && e.$metadata.httpStatusCode === 413 &&
      e.message === 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
  );
});

test('a response over 6 MB is Function.ResponseSizeTooLarge; the next invoke succeeds', async () => {
  const r = await invoke(t.lambda, 'inv-node', { action: 'big' });
  assert.equal(r.out.FunctionError, 'Unhandled');
  assert.deepEqual(r.body, {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
  });
  assert.equal((await invoke(t.lambda, 'inv-node', { action: 'echo', value: 2 })).body, 2);
});

test('DryRun answers 204 for an invocable function and 404 for a missing one', async () => {
  const out = await t.lambda.send(new InvokeCommand({ FunctionName: 'inv-node', InvocationType: 'DryRun' }));
  assert.equal(out.StatusCode, 204);
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'inv-nope', InvocationType: 'DryRun' })),
    (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:us-east-1:111111111111:function:inv-nope',
  );
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'inv-node', Qualifier: '9' })),
    (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:us-east-1:111111111111:function:inv-node:9',
  );
});

test('Event invocations are accepted with 202 and run in the background', async () => {
  const out = await t.lambda.send(new InvokeCommand({ FunctionName: 'inv-node', InvocationType: 'Event', Payload: Buffer.from('{"action":"log","messages":["from-async"]}') }));
  assert.equal(out.StatusCode, 202);
  const id = out.$metadata.requestId!;
  await t.sluice.context.asyncInvoker.idle();
  const events = t.sluice.context.logs.query(SCOPE, { logGroupName: '/aws/lambda/inv-node', contains: id });
  assert.ok(events.some((e) => e.message === `START RequestId: ${id} Version: $LATEST`));
  assert.ok(events.some((e) => e.message.includes('from-async')));
  assert.ok(events.some((e) => e.message.startsWith(`REPORT RequestId: ${id}\t`)));
});
