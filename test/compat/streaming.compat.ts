import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { allowPublic, createUrl } from '../urls/helpers.js';
import { clientEnv, PYTHON_SCRIPTS, run, Scratch } from './clients.js';

/**
 * InvokeWithResponseStream through boto3, whose event-stream parser is independent of the JS SDK's. The Debian
 * boto3 of the other compat suites predates the operation (botocore < 1.29.1xx), so this uses the newest boto3 on
 * PATH and says so when there is none.
 */

let t: TestServer;
let scratch: Scratch;
before(async () => {
  t = await startTestServer();
  scratch = new Scratch();
});
after(async () => {
  await t.close();
  scratch.remove();
});

test('boto3 invoke_with_response_stream: chunks as produced, InvokeComplete, errors; a streamed URL through urllib', async (ctx) => {
  const probe = await run('python3', ['-c', 'import sys, botocore.session as s; print(sys.executable if "InvokeWithResponseStream" in s.get_session().get_service_model("lambda").operation_names else "")']);
  const python = probe.stdout.trim();
  if (probe.code !== 0 || python === '') {
    ctx.skip('no boto3 with InvokeWithResponseStream on PATH');
    return;
  }
  await createFunction(t.lambda, 'compat-stream', 'url-stream', { Timeout: 20 });
  const url = await createUrl(t.lambda, 'compat-stream', { InvokeMode: 'RESPONSE_STREAM' });
  await allowPublic(t.lambda, 'compat-stream');
  // urllib cannot resolve *.localhost: the path form on the API host.
  const id = new URL(url).hostname.split('.')[0]!;
  const r = await run(python, [join(PYTHON_SCRIPTS, 'streaming.py')], {
    env: { ...clientEnv(scratch), SLUICE_ENDPOINT: t.url, FN: 'compat-stream', STREAM_URL: `${t.url}/lambda-url/${id}/`, PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(r.code, 0, `python exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(summary.hello, 'hello world');
  assert.equal(summary.failure, 'Error');
  assert.equal(summary.url, 'hello world');
  assert.ok(summary.firstChunkBeforeEndSeconds > 0.9);
});
