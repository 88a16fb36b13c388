// Our Node.js runtime client (runtimes/nodejs) as a real process against a real RuntimeEndpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime, payloadOf, FUNCTION_ARN, type RunningRuntime, type StartOptions } from './harness.js';

const RUNTIME = `nodejs${process.versions.node.split('.')[0]}.x`;
const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

async function withRuntime(opts: Omit<StartOptions, 'runtime'>, body: (rt: RunningRuntime) => Promise<void>): Promise<void> {
  const rt = await startRuntime({ runtime: RUNTIME, ...opts });
  try {
    await body(rt);
  } finally {
    await rt.close();
  }
}

type ErrorBody = { errorType: string; errorMessage: string; trace: string[] };

test('CommonJS handler: event, every context member, per-invoke trace id, warm module state', () =>
  withRuntime({ fixture: 'node-cjs', handler: 'index.handler' }, async (rt) => {
    assert.deepEqual(await rt.init, { kind: 'ready' });
    const deadlineMs = Date.now() + 12_000;
    const first = await rt.invoke({ x: 1 }, {
      deadlineMs,
      traceId: 'Root=1-65f0aaaa-0123456789abcdef01234567;Parent=1111111111111111;Sampled=1',
      clientContext: '{"custom":{"k":"v"},"env":{"e":"1"},"client":{"app_title":"t"}}',
      cognitoIdentity: '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
      tenantId: 'tenant-1',
    });
    const r1 = payloadOf(first) as { event: unknown; invocations: number; context: Record<string, unknown>; traceId: string | null; cwd: string };
    assert.deepEqual(r1.event, { x: 1 });
    assert.equal(r1.invocations, 1);
    assert.equal(r1.cwd, rt.taskRoot);
    assert.equal(r1.traceId, 'Root=1-65f0aaaa-0123456789abcdef01234567;Parent=1111111111111111;Sampled=1');
    const { remaining, ...context } = r1.context;
    assert.deepEqual(context, {
      functionName: 'fixture',
      functionVersion: '$LATEST',
      invokedFunctionArn: FUNCTION_ARN,
      memoryLimitInMB: '128',
      awsRequestId: first.requestId,
      logGroupName: '/aws/lambda/fixture',
      logStreamName: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      identity: { cognitoIdentityId: 'id-1', cognitoIdentityPoolId: 'pool-1' },
      clientContext: { custom: { k: 'v' }, env: { e: '1' }, client: { app_title: 't' } },
      tenantId: 'tenant-1',
      callbackWaitsForEmptyEventLoop: true,
      hasLegacy: true,
    });
    assert.ok(typeof remaining === 'number' && remaining > 10_000 && remaining <= 12_000, `remaining ${remaining}`);

    const second = payloadOf(await rt.invoke({ y: 2 })) as { invocations: number; traceId: string | null; context: Record<string, unknown> };
    assert.equal(second.invocations, 2, 'module state survives between invokes of one environment');
    assert.equal(second.traceId, null, '_X_AMZN_TRACE_ID is removed when the invoke has no trace header');
    assert.equal(second.context.identity, undefined);
    assert.equal(second.context.clientContext, undefined);
    assert.equal(first.kind === 'response' && first.contentType, 'application/json');
  }));

test('console output uses AWS text format: time, request id, level, message; newlines become \\r', () =>
  withRuntime({ fixture: 'node-cjs', handler: 'index.handler' }, async (rt) => {
    await rt.init;
    const { requestId } = await rt.invoke({ x: 1 });
    const id = requestId.replace(/-/g, '\\-');
    await rt.waitForLine(/\tERROR\tfailed/);
    const lines = rt.lines();
    assert.match(lines[0] ?? '', new RegExp(`^${TIME}\\t${id}\\tINFO\\tgot event \\{"x":1\\}$`));
    assert.match(lines[1] ?? '', new RegExp(`^${TIME}\\t${id}\\tINFO\\tmulti\\rline$`));
    assert.match(lines[2] ?? '', new RegExp(`^${TIME}\\t${id}\\tWARN\\twarned$`));
    assert.match(lines[3] ?? '', new RegExp(`^${TIME}\\t${id}\\tDEBUG\\tdebugged$`));
    assert.match(lines[4] ?? '', new RegExp(`^${TIME}\\t${id}\\tERROR\\tfailed TypeError: inner\\r    at `));
    assert.equal(lines.length, 5);
    assert.equal(rt.stderr(), '');
  }));

test('AWS_LAMBDA_LOG_FORMAT=JSON writes JSON lines and AWS_LAMBDA_LOG_LEVEL filters them', () =>
  withRuntime({ fixture: 'node-cjs', handler: 'index.handler', env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' } }, async (rt) => {
    await rt.init;
    const { requestId } = await rt.invoke({ x: 1 }, { tenantId: 'tenant-9' });
    await rt.waitForLine(/"level":"ERROR"/);
    const records = rt.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 2, 'INFO and DEBUG are below WARN');
    assert.match(String(records[0]!.timestamp), new RegExp(`^${TIME}$`));
    assert.deepEqual({ ...records[0], timestamp: 'T' },
      { timestamp: 'T', level: 'WARN', requestId, tenantId: 'tenant-9', message: 'warned' });
    const err = records[1]!;
    assert.equal(err.level, 'ERROR');
    assert.match(String(err.message), /^failed TypeError: inner\n    at /);
    assert.equal(err.errorType, 'TypeError');
    assert.equal(err.errorMessage, 'inner');
    assert.ok(Array.isArray(err.stackTrace) && err.stackTrace[0] === 'TypeError: inner');
  }));

test('ES modules by "type":"module", .mjs and .cjs files, and nested handler paths', async () => {
  for (const [fixture, handler, expected] of [
    ['node-esm', 'index.handler', { greeting: 'hello ada', kind: 'esm-js' }],
    ['node-esm', 'other.handler', { kind: 'mjs', streamify: 'function' }],
    ['node-esm', 'legacy.handler', { kind: 'cjs' }],
    ['node-nested', 'src/app.handlers.main', { nested: true, input: { name: 'ada' } }],
  ] as const) {
    await withRuntime({ fixture, handler }, async (rt) => {
      assert.deepEqual(await rt.init, { kind: 'ready' }, `${fixture} ${handler}`);
      assert.deepEqual(payloadOf(await rt.invoke({ name: 'ada' })), expected, `${fixture} ${handler}`);
    });
  }
});

test('layers: modules under /opt/nodejs/node_modules resolve through NODE_PATH', () =>
  withRuntime({
    fixture: 'node-cjs', handler: 'layer.handler',
    prepare: (task, opt) => {
      mkdirSync(join(opt, 'nodejs', 'node_modules', 'layer-lib'), { recursive: true });
      writeFileSync(join(opt, 'nodejs', 'node_modules', 'layer-lib', 'index.js'), 'exports.value = "from the layer";\n');
      writeFileSync(join(task, 'layer.js'), 'exports.handler = async () => require("layer-lib").value;\n');
    },
  }, async (rt) => {
    await rt.init;
    assert.equal(payloadOf(await rt.invoke({})), 'from the layer');
  }));

test('callback handlers honour callbackWaitsForEmptyEventLoop, legacy succeed, first call wins, no call → null', async () => {
  for (const [handler, expected] of [
    ['index.waits', { timerRan: true }],
    ['index.doesNotWait', { timerRan: false }],
    ['index.neverCalls', null],
    ['index.legacySucceed', { legacy: true }],
    ['index.twice', 'first'],
  ] as const) {
    await withRuntime({ fixture: 'node-callback', handler }, async (rt) => {
      await rt.init;
      assert.deepEqual(payloadOf(await rt.invoke({})), expected, handler);
      assert.deepEqual(payloadOf(await rt.invoke({})), expected, `${handler} (warm)`);
    });
  }
});

test('a thrown error becomes {errorType, errorMessage, trace} (the recorded AWS shape) and an "Invoke Error" log line', () =>
  withRuntime({ fixture: 'node-errors', handler: 'index.throws' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({ error_msg: 'some_error_msg' });
    assert.equal(out.kind, 'function-error');
    assert.equal(out.kind === 'function-error' && out.errorType, 'Error');
    const body = payloadOf(out, 'function-error') as ErrorBody;
    assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage', 'trace']);
    assert.equal(body.errorType, 'Error');
    assert.equal(body.errorMessage, 'Error: some_error_msg');
    assert.equal(body.trace[0], 'Error: Error: some_error_msg');
    assert.match(body.trace[1] ?? '', /^ {4}at .*index\.js:2:/);
    const id = out.requestId.replace(/-/g, '\\-');
    const line = await rt.waitForLine(/Invoke Error/);
    assert.match(line, new RegExp(`^${TIME}\\t${id}\\tERROR\\tInvoke Error \\t\\{"errorType":"Error","errorMessage":"Error: some_error_msg","stack":\\["Error: Error: some_error_msg",`));
    // The environment stays usable.
    assert.equal((await rt.invoke({ error_msg: 'again' })).kind, 'function-error');
  }));

test('other invoke failures: TypeError, rejected string, callback(error), callback(string), unserializable result', async () => {
  const cases: [string, string, string, ErrorBody['errorType'], string][] = [
    ['node-errors', 'index.throwsType', 'TypeError', 'TypeError', "Cannot read properties of null (reading 'x')"],
    ['node-errors', 'index.rejectsString', 'string', 'string', 'just a string'],
    ['node-callback', 'index.error', 'Error', 'Error', 'callback failure'],
    ['node-callback', 'index.stringError', 'string', 'string', 'plain string failure'],
    ['node-cjs', 'index.circular', 'Error', 'Error', 'Unable to stringify response body'],
  ];
  for (const [fixture, handler, outcomeType, errorType, errorMessage] of cases) {
    await withRuntime({ fixture, handler }, async (rt) => {
      await rt.init;
      const out = await rt.invoke({});
      assert.equal(out.kind === 'function-error' && out.errorType, outcomeType, handler);
      const body = payloadOf(out, 'function-error') as ErrorBody;
      assert.equal(body.errorType, errorType, handler);
      assert.equal(body.errorMessage, errorMessage, handler);
      if (errorType === 'string') assert.deepEqual(body.trace, []);
    });
  }
});

test('an unhandled rejection fails the invoke as Runtime.UnhandledPromiseRejection and the process exits 128', () =>
  withRuntime({ fixture: 'node-errors', handler: 'index.unhandledRejection' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    assert.equal(out.kind === 'function-error' && out.errorType, 'Runtime.UnhandledPromiseRejection');
    const body = payloadOf(out, 'function-error') as ErrorBody;
    assert.equal(body.errorMessage, 'Error: HelloError');
    assert.equal(body.trace[0], 'Runtime.UnhandledPromiseRejection: Error: HelloError');
    assert.deepEqual(await rt.exited, { code: 128, signal: null });
    assert.match(await rt.waitForLine(/Unhandled Promise Rejection/),
      /\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime.UnhandledPromiseRejection","errorMessage":"Error: HelloError","reason":\{"errorType":"Error","errorMessage":"HelloError"/);
  }));

test('an uncaught exception fails the invoke with the error and the process exits 129', () =>
  withRuntime({ fixture: 'node-errors', handler: 'index.uncaught' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    const body = payloadOf(out, 'function-error') as ErrorBody;
    assert.equal(body.errorType, 'RangeError');
    assert.equal(body.errorMessage, 'thrown from a timer');
    assert.deepEqual(await rt.exited, { code: 129, signal: null });
    assert.match(rt.stdout(), /\tERROR\tUncaught Exception \t\{"errorType":"RangeError"/);
  }));

test('an async handler whose promise never settles while the loop drains: Runtime.NodeJsExit, environment reusable', () =>
  withRuntime({ fixture: 'node-errors', handler: 'index.neverSettles' }, async (rt) => {
    await rt.init;
    for (let i = 0; i < 2; i++) {
      const out = await rt.invoke({});
      assert.equal(out.kind === 'function-error' && out.errorType, 'Runtime.NodeJsExit');
      assert.match((payloadOf(out, 'function-error') as ErrorBody).errorMessage, /Promise that was never settled/);
    }
  }));

test('init errors are posted to /runtime/init/error with AWS types and messages, then the process exits 129', async () => {
  const cases: [string, string, string, RegExp | string][] = [
    ['node-cjs', 'index', 'Runtime.MalformedHandlerName', 'Bad handler'],
    ['node-cjs', '../escape.handler', 'Runtime.MalformedHandlerName',
      "'../escape.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."],
    ['node-cjs', 'index.nope', 'Runtime.HandlerNotFound', 'index.nope is undefined or not exported'],
    ['node-cjs', 'index.notAFunction', 'Runtime.HandlerNotFound', 'index.notAFunction is not a function'],
    ['node-cjs', 'missing.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'missing'\nRequire stack:\n- \S+\/index\.mjs$/],
    ['node-import-error', 'index.handler', 'Runtime.ImportModuleError', /^Error: Cannot find module 'this-package-does-not-exist'\nRequire stack:\n- \S+\/index\.js\n/],
    ['node-import-error-esm', 'index.handler', 'Runtime.ImportModuleError',
      /^Error \[ERR_MODULE_NOT_FOUND\]: Cannot find package 'this-package-does-not-exist' imported from \S+\/index\.mjs$/],
    ['node-syntax-error', 'index.handler', 'Runtime.UserCodeSyntaxError', /^SyntaxError: Unexpected token/],
  ];
  for (const [fixture, handler, errorType, message] of cases) {
    await withRuntime({ fixture, handler }, async (rt) => {
      const init = await rt.init;
      assert.equal(init.kind, 'init-error', handler);
      assert.equal(init.kind === 'init-error' && init.errorType, errorType, handler);
      const body = JSON.parse(init.kind === 'init-error' ? init.payload.toString() : '{}') as ErrorBody;
      assert.equal(body.errorType, errorType);
      if (typeof message === 'string') assert.equal(body.errorMessage, message);
      else assert.match(body.errorMessage, message);
      assert.equal(body.trace[0]?.startsWith(`${errorType}: `), true, body.trace[0]);
      assert.deepEqual(await rt.exited, { code: 129, signal: null }, handler);
      assert.match(rt.stdout(), new RegExp(`^${TIME}\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"${errorType.replace('.', '\\.')}"`));
    });
  }
});

test('an exception thrown by user code during init: its own type in the body, Runtime.Unknown as the recorded type', () =>
  withRuntime({ fixture: 'node-init-throw', handler: 'index.handler' }, async (rt) => {
    const init = await rt.init;
    assert.equal(init.kind === 'init-error' && init.errorType, 'Runtime.Unknown');
    const body = JSON.parse(init.kind === 'init-error' ? init.payload.toString() : '{}') as ErrorBody;
    assert.equal(body.errorType, 'Error');
    assert.equal(body.errorMessage, 'failed during init');
    assert.equal((await rt.exited).code, 129);
  }));

test('response streaming: chunked body with the declared content type, HTTP prelude, and errors in trailers', async () => {
  await withRuntime({ fixture: 'node-streaming', handler: 'index.handler' }, async (rt) => {
    await rt.init;
    for (let i = 0; i < 2; i++) {
      const out = await rt.invoke({});
      assert.equal(out.kind, 'response');
      assert.equal(out.kind === 'response' && out.payload.toString(), 'chunk-1 chunk-2');
      assert.equal(out.kind === 'response' && out.contentType, 'text/plain');
    }
  });
  await withRuntime({ fixture: 'node-streaming', handler: 'index.http' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    assert.equal(out.kind === 'response' && out.contentType, 'application/vnd.awslambda.http-integration-response');
    assert.deepEqual(out.kind === 'response' && out.payload,
      Buffer.concat([Buffer.from('{"statusCode":201,"headers":{"x-a":"b"}}'), Buffer.alloc(8), Buffer.from('body')]));
  });
  await withRuntime({ fixture: 'node-streaming', handler: 'index.failsMidStream' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    assert.equal(out.kind, 'function-error');
    const body = payloadOf(out, 'function-error') as ErrorBody;
    assert.equal(body.errorType, 'Error');
    assert.equal(body.errorMessage, 'stream broke');
    assert.equal((await rt.invoke({})).kind, 'function-error', 'the environment serves the next event');
  });
});

test('over a unix socket (isolated backend transport); the handler sees the runtime environment, not the socket variable', () =>
  withRuntime({ fixture: 'node-cjs', handler: 'index.env', unixSocket: true }, async (rt) => {
    assert.equal(rt.launch.env.AWS_EXECUTION_ENV, `AWS_Lambda_${RUNTIME}`);
    await rt.init;
    const env = payloadOf(await rt.invoke({})) as Record<string, string>;
    assert.equal(env._SLUICE_RUNTIME_API_SOCKET, undefined);
    assert.equal(env.AWS_LAMBDA_RUNTIME_API, '127.0.0.1:9001');
    assert.equal(env._HANDLER, 'index.env');
    assert.equal(env.AWS_EXECUTION_ENV, `AWS_Lambda_${RUNTIME}`);
    assert.equal(env.LAMBDA_TASK_ROOT, rt.taskRoot);
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.LANG, 'en_US.UTF-8');
    assert.equal(env.NODE_PATH?.split(':').at(-1), rt.taskRoot);
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'fixture');
  }));
