import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { makeProject, reloads } from '../cli/helpers.js';
import { aws, awsOk, Scratch } from './clients.js';

/** Hot reload through the unmodified AWS CLI v2, asked for as LocalStack users do: S3Bucket=hot-reload, S3Key=<dir>. */

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

test('create-function --code S3Bucket=hot-reload,S3Key=<dir> serves the directory live', async () => {
  const dir = makeProject({ 'index.mjs': `export const handler = async () => 'v1';\n` });
  const created = await awsOk(t, scratch, [
    'lambda', 'create-function', '--function-name', 'hot', '--runtime', 'nodejs22.x', '--handler', 'index.handler',
    '--role', ROLE, '--code', `S3Bucket=hot-reload,S3Key=${dir}`,
  ]);
  assert.equal(created.CodeSha256, 'hot-reloading-hash-not-available');
  assert.equal(created.CodeSize, 0);
  assert.equal((await aws(t, scratch, ['lambda', 'wait', 'function-active-v2', '--function-name', 'hot'])).code, 0);
  const out = join(scratch.dir, 'out.json');
  assert.equal((await aws(t, scratch, ['lambda', 'invoke', '--function-name', 'hot', out])).code, 0);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(out, 'utf8'), '"v1"');
  const events = reloads(t);
  writeFileSync(join(dir, 'index.mjs'), `export const handler = async () => 'v2';\n`);
  await events.next();
  assert.equal((await aws(t, scratch, ['lambda', 'invoke', '--function-name', 'hot', out])).code, 0);
  assert.equal(readFileSync(out, 'utf8'), '"v2"');
  events.stop();
});

test('a hot-reload S3Key must be an existing absolute directory', async () => {
  const r = await aws(t, scratch, [
    'lambda', 'create-function', '--function-name', 'hot-bad', '--runtime', 'nodejs22.x', '--handler', 'index.handler',
    '--role', ROLE, '--code', 'S3Bucket=hot-reload,S3Key=relative/dir',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /InvalidParameterValueException.*absolute directory path/);
});
