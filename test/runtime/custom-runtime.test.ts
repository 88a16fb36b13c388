// Custom runtimes (provided.al2023): a shell + curl bootstrap in the style of AWS's tutorial, and the npm package
// aws-lambda-ric used unmodified as the bootstrap, both against a real RuntimeEndpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime, payloadOf, REPO, type RunningRuntime, type StartOptions } from './harness.js';

async function withRuntime(opts: Omit<StartOptions, 'runtime'>, body: (rt: RunningRuntime) => Promise<void>): Promise<void> {
  const rt = await startRuntime({ runtime: 'provided.al2023', ...opts });
  try {
    await body(rt);
  } finally {
    await rt.close();
  }
}

test('shell + curl bootstrap: events in, responses out, warm loop', () =>
  withRuntime({ fixture: 'provided-bash', handler: 'function.handler' }, async (rt) => {
    assert.deepEqual(await rt.init, { kind: 'ready' });
    for (const n of [1, 2, 3]) {
      const out = await rt.invoke({ n });
      assert.equal(out.kind, 'response');
      assert.equal(out.kind === 'response' && out.payload.toString(), `Echoing request: '{"n":${n}}'`);
    }
    assert.equal(rt.child.exitCode, null, 'the bootstrap keeps looping');
  }));

test('shell bootstrap reporting a handler failure to /error and an init failure to /init/error', async () => {
  await withRuntime({ fixture: 'provided-bash', handler: 'function.fail' }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({});
    assert.equal(out.kind === 'function-error' && out.errorType, 'Function.HandlerFailed');
    assert.deepEqual(payloadOf(out, 'function-error'), { errorMessage: 'handler exited with status 3', errorType: 'HandlerFailed' });
  });
  await withRuntime({ fixture: 'provided-bash', handler: 'nothere.handler' }, async (rt) => {
    const init = await rt.init;
    assert.equal(init.kind === 'init-error' && init.errorType, 'Runtime.ImportModuleError');
    assert.equal((await rt.exited).code, 1);
  });
});

const RIC = join(REPO, 'node_modules', 'aws-lambda-ric');

/** The function package ships aws-lambda-ric in its node_modules, as a user would bundle it. */
const withRic = (taskRoot: string) => {
  mkdirSync(join(taskRoot, 'node_modules'));
  symlinkSync(RIC, join(taskRoot, 'node_modules', 'aws-lambda-ric'));
};

test('aws-lambda-ric as the bootstrap: responses, callback handlers, console format, context', () => {
  assert.ok(existsSync(join(RIC, 'bin', 'index.mjs')), 'aws-lambda-ric is a devDependency (npm ci installs it)');
  return withRuntime({ fixture: 'provided-ric', handler: 'index.handler', prepare: withRic }, async (rt) => {
    assert.deepEqual(await rt.init, { kind: 'ready' });
    for (const n of [1, 2]) {
      const out = await rt.invoke({ n });
      assert.deepEqual(payloadOf(out), { echo: { n }, requestId: out.requestId, functionName: 'fixture' });
    }
    const line = await rt.waitForLine(/ric handling \{"n":2\}/);
    assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tric handling \{"n":2\}$/);
  });
});

test('aws-lambda-ric errors have the same shapes as our Node.js runtime', async () => {
  await withRuntime({ fixture: 'provided-ric', handler: 'index.throws', prepare: withRic }, async (rt) => {
    await rt.init;
    const out = await rt.invoke({ error_msg: 'some_error_msg' });
    assert.equal(out.kind === 'function-error' && out.errorType, 'Error');
    const body = payloadOf(out, 'function-error') as { errorType: string; errorMessage: string; trace: string[] };
    assert.equal(body.errorType, 'Error');
    assert.equal(body.errorMessage, 'Error: some_error_msg');
    assert.equal(body.trace[0], 'Error: Error: some_error_msg');
  });
  await withRuntime({ fixture: 'provided-ric', handler: 'index.callback', prepare: withRic }, async (rt) => {
    await rt.init;
    assert.deepEqual(payloadOf(await rt.invoke({})), { viaCallback: true });
  });
  await withRuntime({ fixture: 'provided-ric', handler: 'missing.handler', prepare: withRic }, async (rt) => {
    const init = await rt.init;
    assert.equal(init.kind === 'init-error' && init.errorType, 'Runtime.ImportModuleError');
    assert.match(JSON.parse(init.kind === 'init-error' ? init.payload.toString() : '{}').errorMessage, /^Error: Cannot find module 'missing'/);
  });
});
