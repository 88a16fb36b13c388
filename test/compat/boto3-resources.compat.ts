import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { python, Scratch, zipFixture } from './clients.js';

/** Aliases, layers, permissions, tags, concurrency, URLs and event invoke configs through stock boto3. */

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

test('boto3: the resources around a function', async () => {
  const fn = await zipFixture(scratch, 'functions/python-hello');
  const layer = await zipFixture(scratch, 'layers/greeting');
  const r = await python(t, scratch, 'resources.py', { ZIP_FUNCTION: fn.file, ZIP_LAYER: layer.file });
  assert.equal(r.code, 0, `python exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.ok(r.json, `no JSON summary:\n${r.stdout}`);
  assert.equal(r.json.alias, 'arn:aws:lambda:us-east-1:111111111111:function:boto-res:live');
  assert.equal(r.json.layer, 'arn:aws:lambda:us-east-1:111111111111:layer:boto-layer:1');
  assert.deepEqual(r.json.tags, { b: '2' });
  assert.match(r.json.functionUrl, /^https?:\/\//);
});
