import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { python, Scratch, zipFixture } from './clients.js';

/** The function lifecycle through stock boto3 (test/compat/python/lifecycle.py), checked from both sides. */

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

test('boto3: create, waiters, get, list, update, publish, versions, errors, delete', async () => {
  const v1 = await zipFixture(scratch, 'functions/python-hello');
  const v2 = await zipFixture(scratch, 'functions/node-hello-v2');
  const r = await python(t, scratch, 'lifecycle.py', { ZIP_V1: v1.file, ZIP_V2: v2.file });
  assert.equal(r.code, 0, `python exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.ok(r.json, `no JSON summary:\n${r.stdout}`);
  assert.equal(r.json.createdState, 'Pending');
  assert.equal(r.json.downloadMatches, true);
  assert.deepEqual(r.json.listed, ['boto-fn', 'boto-list-a', 'boto-list-b']);
  assert.deepEqual(r.json.versions, ['$LATEST', '1', '2']);
  assert.equal(r.json.notFound, 'Function not found: arn:aws:lambda:us-east-1:111111111111:function:boto-missing');
  assert.equal(r.json.conflict, 'Function already exist: boto-fn');
  assert.deepEqual(r.json.afterDelete, ['boto-list-a', 'boto-list-b']);
  // What boto3 left behind is what the JS SDK sees.
  await assert.rejects(t.lambda.send(new GetFunctionCommand({ FunctionName: 'boto-fn' })), { name: 'ResourceNotFoundException' });
  const other = await t.lambda.send(new GetFunctionCommand({ FunctionName: 'boto-list-a' }));
  assert.equal(other.Configuration?.Runtime, 'python3.12');
});
