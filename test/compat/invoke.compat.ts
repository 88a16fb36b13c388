import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { aws, awsOk, python, Scratch, zipFixture } from './clients.js';

/** Synchronous invocation of Node.js, Python and custom-runtime functions through the stock AWS CLI v2 and boto3. */

let t: TestServer;
let scratch: Scratch;

const FUNCTIONS: [name: string, fixture: string, runtime: string, handler: string][] = [
  ['c-node', 'functions/node-hello', 'nodejs22.x', 'index.handler'],
  ['c-python', 'functions/python-hello', 'python3.12', 'handler.handler'],
  ['c-custom', 'functions/inv-custom', 'provided.al2023', 'unused'],
  ['c-node-err', 'functions/node-errors', 'nodejs22.x', 'index.throws'],
  ['c-python-err', 'functions/python-errors', 'python3.12', 'lambda_handler_error.handler'],
];

before(async () => {
  t = await startTestServer();
  scratch = new Scratch();
  for (const [name, fixture, runtime, handler] of FUNCTIONS) {
    const zip = await zipFixture(scratch, fixture);
    await awsOk(t, scratch, ['lambda', 'create-function', '--function-name', name, '--runtime', runtime, '--handler', handler,
      '--role', ROLE, '--zip-file', `fileb://${zip.file}`]);
    await awsOk(t, scratch, ['lambda', 'wait', 'function-active-v2', '--function-name', name]);
  }
});
after(async () => {
  await t.close();
  scratch.remove();
});

async function cliInvoke(name: string, payload: string) {
  const out = scratch.path(`${name}-${Math.random().toString(36).slice(2)}.json`);
  const r = await aws(t, scratch, ['lambda', 'invoke', '--function-name', name, '--cli-binary-format', 'raw-in-base64-out',
    '--payload', payload, '--log-type', 'Tail', out]);
  assert.equal(r.code, 0, r.stderr);
  return { meta: r.json, body: JSON.parse(readFileSync(out, 'utf8')), log: Buffer.from(r.json.LogResult ?? '', 'base64').toString('utf8') };
}

test('aws lambda invoke runs Node.js, Python and custom-runtime functions', async () => {
  const node = await cliInvoke('c-node', '{"name":"cli"}');
  assert.equal(node.meta.StatusCode, 200);
  assert.equal(node.meta.ExecutedVersion, '$LATEST');
  assert.equal(node.meta.FunctionError, undefined);
  assert.deepEqual(node.body, { greeting: 'hello cli', runtime: 'nodejs' });
  assert.match(node.log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
  assert.match(node.log, /^REPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/m);
  const py = await cliInvoke('c-python', '{"name":"cli"}');
  assert.deepEqual(py.body, { greeting: 'hello cli', runtime: 'python' });
  const custom = await cliInvoke('c-custom', '{"n":1}');
  assert.deepEqual(custom.body.echo, { n: 1 });
});

test('aws lambda invoke reports function errors as AWS does (200, FunctionError Unhandled, the runtime body)', async () => {
  const node = await cliInvoke('c-node-err', '{"error_msg":"some_error_msg"}');
  assert.equal(node.meta.StatusCode, 200);
  assert.equal(node.meta.FunctionError, 'Unhandled');
  assert.equal(node.body.errorType, 'Error');
  assert.equal(node.body.errorMessage, 'Error: some_error_msg');
  assert.ok(Array.isArray(node.body.trace));
  const py = await cliInvoke('c-python-err', '{}');
  assert.equal(py.meta.FunctionError, 'Unhandled');
  assert.equal(py.body.errorType, 'Exception');
  assert.equal(py.body.errorMessage, 'Handler fails');
  assert.ok(Array.isArray(py.body.stackTrace));
});

test('boto3 invoke: payloads, errors, log tail and a missing function', async () => {
  const r = await python(t, scratch, 'invoke.py');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json, { node: 'hello boto3', python: 'hello boto3', custom: { n: 2 }, error: 'Unhandled', missing: 'ResourceNotFoundException' });
});
