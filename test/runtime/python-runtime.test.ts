// Our Python runtime client (runtimes/python) as a real process against a real RuntimeEndpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime, payloadOf, FUNCTION_ARN, type RunningRuntime, type StartOptions } from './harness.js';

/** The runtime id of the Python 3 installed here, so the table resolves it exactly. */
const MINOR = spawnSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).stdout.trim();
const RUNTIME = `python${MINOR}`;
const TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

async function withRuntime(opts: Omit<StartOptions, 'runtime'>, body: (rt: RunningRuntime) => Promise<void>): Promise<void> {
  const rt = await startRuntime({ runtime: RUNTIME, ...opts });
  try {
    await body(rt);
  } finally {
    await rt.close();
  }
}

type PyError = { errorMessage: string; errorType: string; requestId: string; stackTrace: string[] };

test('handler gets the event and the full context; warm state persists; trace id set per invoke', () =>
  withRuntime({ fixture: 'python-basic', handler: 'handler.handler' }, async (rt) => {
    assert.deepEqual(await rt.init, { kind: 'ready' });
    assert.equal(rt.launch.warning, undefined);
    const deadlineMs = Date.now() + 9_000;
    const first = await rt.invoke({ x: 1 }, {
      deadlineMs,
      traceId: 'Root=1-65f0aaaa-0123456789abcdef01234567;Parent=1111111111111111;Sampled=0',
      clientContext: '{"custom":{"k":"v"},"env":{"e":"1"},"client":{"app_title":"t"}}',
      cognitoIdentity: '{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}',
      tenantId: 'tenant-1',
    });
    assert.equal(first.kind === 'response' && first.contentType, 'application/json');
    const r = payloadOf(first) as Record<string, any>;
    assert.deepEqual(r.event, { x: 1 });
    assert.equal(r.invocations, 1);
    const { remaining, ...context } = r.context as Record<string, unknown>;
    assert.deepEqual(context, {
      function_name: 'fixture',
      function_version: '$LATEST',
      invoked_function_arn: FUNCTION_ARN,
      memory_limit_in_mb: '128',
      aws_request_id: first.requestId,
      log_group_name: '/aws/lambda/fixture',
      log_stream_name: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      identity: ['id-1', 'pool-1'],
      client_context: { custom: { k: 'v' }, env: { e: '1' }, app_title: 't' },
      tenant_id: 'tenant-1',
    });
    assert.ok(typeof remaining === 'number' && remaining > 7_000 && remaining <= 9_000, `remaining ${remaining}`);
    assert.equal(r.trace_id, 'Root=1-65f0aaaa-0123456789abcdef01234567;Parent=1111111111111111;Sampled=0');
    assert.equal(r.cwd, rt.taskRoot);
    assert.equal(r.execution_env, `AWS_Lambda_${RUNTIME}`);
    const opt = join(rt.taskRoot, '..', 'opt');
    assert.deepEqual(r.sys_path_head, [rt.taskRoot, `${opt}/python/lib/python${MINOR}/site-packages`, `${opt}/python`]);

    const second = payloadOf(await rt.invoke({ y: 2 })) as Record<string, any>;
    assert.equal(second.invocations, 2);
    assert.equal(second.trace_id, null);
    assert.deepEqual(second.context.identity, [null, null]);
    assert.equal(second.context.client_context, null);
  }));

test('print() goes to stdout as is; the root logger writes [LEVEL]\\ttime\\trequest id\\tmessage at WARNING and up', () =>
  withRuntime({ fixture: 'python-basic', handler: 'handler.handler' }, async (rt) => {
    await rt.init;
    const { requestId } = await rt.invoke({ x: 1 });
    await rt.waitForLine(/warned here/);
    assert.deepEqual(rt.lines().slice(0, 1), ["printed {'x': 1}"]);
    assert.match(rt.lines()[1] ?? '', new RegExp(`^\\[WARNING\\]\\t${TIME}\\t${requestId}\\twarned here$`));
    assert.equal(rt.lines().length, 2, 'INFO is below the root logger default level');
  }));

test('AWS_LAMBDA_LOG_FORMAT=JSON and AWS_LAMBDA_LOG_LEVEL=INFO: JSON records from the root logger', () =>
  withRuntime({ fixture: 'python-basic', handler: 'handler.handler', env: { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO' } }, async (rt) => {
    await rt.init;
    const { requestId } = await rt.invoke({ x: 1 });
    await rt.waitForLine(/below the default level/);
    const records = rt.lines().filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(records.length, 2);
    assert.match(String(records[0]!.timestamp), new RegExp(`^${TIME}$`));
    assert.deepEqual({ ...records[0], timestamp: 'T' },
      { timestamp: 'T', level: 'WARNING', message: 'warned here', logger: 'root', requestId });
    assert.equal(records[1]!.level, 'INFO');
  }));

test('a raised exception: the recorded AWS body {errorMessage, errorType, requestId, stackTrace} and the [ERROR] log line', () =>
  withRuntime({ fixture: 'python-errors', handler: 'lambda_handler_error.handler' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    assert.equal(out.kind === 'function-error' && out.errorType, 'Exception');
    const body = payloadOf(out, 'function-error') as PyError;
    assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.deepEqual(body, {
      errorMessage: 'Handler fails',
      errorType: 'Exception',
      requestId: out.requestId,
      stackTrace: [`  File "${rt.taskRoot}/lambda_handler_error.py", line 2, in handler\n    raise Exception("Handler fails")\n`],
    });
    const line = await rt.waitForLine(/^\[ERROR\]/);
    assert.equal(line, '[ERROR] Exception: Handler fails\rTraceback (most recent call last):\r' +
      `\u00a0\u00a0File "${rt.taskRoot}/lambda_handler_error.py", line 2, in handler\r\u00a0\u00a0\u00a0\u00a0raise Exception("Handler fails")`);
    const again = payloadOf(await rt.invoke({ v: 1 }), 'function-error') as PyError;
    assert.equal(again.errorType, 'Exception', 'the environment keeps serving');
  }));

test('marshalling: bytes pass through raw, unserializable results are Runtime.MarshalError, context.log writes raw', async () => {
  await withRuntime({ fixture: 'python-basic', handler: 'handler.raw_bytes' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    assert.equal(out.kind === 'response' && out.contentType, 'application/unknown');
    assert.deepEqual(out.kind === 'response' && out.payload, Buffer.from('\x00raw', 'latin1'));
  });
  await withRuntime({ fixture: 'python-basic', handler: 'handler.not_serializable' }, async (rt) => {
    await rt.init;
    const body = payloadOf(await rt.invoke({}), 'function-error') as PyError;
    assert.equal(body.errorType, 'Runtime.MarshalError');
    assert.equal(body.errorMessage, 'Unable to marshal response: Object of type set is not JSON serializable');
    assert.deepEqual(body.stackTrace, []);
  });
  await withRuntime({ fixture: 'python-basic', handler: 'handler.log_line' }, async (rt) => {
    await rt.init;
    assert.equal(payloadOf(await rt.invoke({})), 'ok');
    assert.equal(await rt.waitForLine(/context\.log/), 'via context.log');
  });
});

test('nested module paths ("pkg/app.handler") and layer packages under /opt/python', async () => {
  await withRuntime({ fixture: 'python-nested', handler: 'pkg/app.handler' }, async (rt) => {
    await rt.init;
    assert.deepEqual(payloadOf(await rt.invoke({})), { nested: true, module: 'pkg.app' });
  });
  await withRuntime({
    fixture: 'python-basic', handler: 'uses_layer.handler',
    prepare: (task, opt) => {
      mkdirSync(join(opt, 'python', 'lib', `python${MINOR}`, 'site-packages'), { recursive: true });
      writeFileSync(join(opt, 'python', 'layer_a.py'), 'VALUE = "from /opt/python"\n');
      writeFileSync(join(opt, 'python', 'lib', `python${MINOR}`, 'site-packages', 'layer_b.py'), 'VALUE = "from site-packages"\n');
      writeFileSync(join(task, 'uses_layer.py'), 'import layer_a, layer_b\n\ndef handler(e, c):\n    return [layer_a.VALUE, layer_b.VALUE]\n');
    },
  }, async (rt) => {
    await rt.init;
    assert.deepEqual(payloadOf(await rt.invoke({})), ['from /opt/python', 'from site-packages']);
  });
});

test('init errors go to /runtime/init/error with AWS types and messages, and the process exits 1', async () => {
  const cases: [string, string, string, string | RegExp, string[] | RegExp][] = [
    ['python-basic', 'handler', 'Runtime.MalformedHandlerName', "Bad handler 'handler': not enough values to unpack (expected 2, got 1)", []],
    ['python-basic', 'handler.missing', 'Runtime.HandlerNotFound', "Handler 'missing' missing on module 'handler'", []],
    ['python-basic', 'nothere.handler', 'Runtime.ImportModuleError', "Unable to import module 'nothere': No module named 'nothere'", []],
    ['python-basic', 'sys.handler', 'Runtime.BuiltInModuleConflict', 'Cannot use built-in module sys as a handler module', []],
    ['python-import-error', 'handler.handler', 'Runtime.ImportModuleError',
      "Unable to import module 'handler': No module named 'this_module_does_not_exist'", []],
    ['python-syntax-error', 'handler.handler', 'Runtime.UserCodeSyntaxError', /^Syntax error in module 'handler': .*\(handler\.py, line 1\)$/,
      /^ {2}File ".*\/handler\.py" Line 1\n {4}def handler\(event, context\)\n$/],
  ];
  for (const [fixture, handler, errorType, message, trace] of cases) {
    await withRuntime({ fixture, handler }, async (rt) => {
      const init = await rt.init;
      assert.equal(init.kind === 'init-error' && init.errorType, errorType, handler);
      const body = JSON.parse(init.kind === 'init-error' ? init.payload.toString() : '{}') as PyError;
      assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
      assert.equal(body.errorType, errorType);
      assert.equal(body.requestId, '');
      if (typeof message === 'string') assert.equal(body.errorMessage, message);
      else assert.match(body.errorMessage, message);
      if (Array.isArray(trace)) assert.deepEqual(body.stackTrace, trace);
      else assert.match(body.stackTrace[0] ?? '', trace);
      assert.deepEqual(await rt.exited, { code: 1, signal: null });
      const lines = rt.lines();
      assert.match(lines[0] ?? '', new RegExp(`^\\[WARNING\\]\\t${TIME}\\t\\tLAMBDA_WARNING: Unhandled exception\\.`));
      assert.ok((lines[1] ?? '').startsWith(`[ERROR] ${errorType}: `), lines[1]);
    });
  }
});

test('an exception raised at import time reports its own type; the platform records Runtime.Unknown', () =>
  withRuntime({
    fixture: 'python-basic', handler: 'boom.handler',
    prepare: (task) => writeFileSync(join(task, 'boom.py'), 'raise RuntimeError("no config")\n'),
  }, async (rt) => {
    const init = await rt.init;
    assert.equal(init.kind === 'init-error' && init.errorType, 'Runtime.Unknown');
    const body = JSON.parse(init.kind === 'init-error' ? init.payload.toString() : '{}') as PyError;
    assert.equal(body.errorType, 'RuntimeError');
    assert.equal(body.errorMessage, 'no config');
    assert.match(body.stackTrace.at(-1) ?? '', /boom\.py", line 1, in <module>/);
  }));

test('over a unix socket (isolated backend transport); the handler sees the runtime environment, not the socket variable', () =>
  withRuntime({ fixture: 'python-basic', handler: 'handler.env', unixSocket: true }, async (rt) => {
    await rt.init;
    for (let i = 0; i < 3; i++) {
      const env = payloadOf(await rt.invoke({})) as Record<string, string>;
      assert.equal(env._SLUICE_RUNTIME_API_SOCKET, undefined);
      assert.equal(env.AWS_LAMBDA_RUNTIME_API, '127.0.0.1:9001');
      assert.equal(env.AWS_EXECUTION_ENV, `AWS_Lambda_${RUNTIME}`);
      assert.equal(env.LAMBDA_TASK_ROOT, rt.taskRoot);
      assert.equal(env.TZ, ':UTC');
    }
  }));
