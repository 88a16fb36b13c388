import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateFunctionCommand, GetFunctionCommand, ListTagsCommand, TagResourceCommand, UntagResourceCommand, waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { rejectsWith } from '../helpers/aws-errors.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const FN = 'arn:aws:lambda:us-east-1:111111111111:function';

async function create(name: string, tags?: Record<string, string>): Promise<string> {
  await t.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) }, Tags: tags,
  }));
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  return `${FN}:${name}`;
}

const list = async (arn: string) => (await t.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags;


test('TagResource merges, UntagResource removes, ListTags and GetFunction show the tags', async () => {
  const arn = await create('t-basic', { team: 'a' });
  assert.deepEqual(await list(arn), { team: 'a' });
  const tagged = await t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: 'prod', team: 'b', cost: '1' } }));
  assert.equal(tagged.$metadata.httpStatusCode, 204);
  assert.deepEqual(await list(arn), { team: 'b', env: 'prod', cost: '1' });
  const untagged = await t.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['team', 'cost', 'not-there'] }));
  assert.equal(untagged.$metadata.httpStatusCode, 204);
  assert.deepEqual(await list(arn), { env: 'prod' });
  assert.deepEqual((await t.lambda.send(new GetFunctionCommand({ FunctionName: 't-basic' }))).Tags, { env: 'prod' });
  await t.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['env'] }));
  assert.deepEqual(await list(arn), {});
});

test('unknown functions are 404; non-function resources are refused', async () => {
  await rejectsWith(t.lambda.send(new ListTagsCommand({ Resource: `${FN}:t-none` })), 'ResourceNotFoundException', 404, `Function not found: ${FN}:t-none`);
  await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: `${FN}:t-none`, Tags: { a: 'b' } })), 'ResourceNotFoundException', 404,
    `Function not found: ${FN}:t-none`);
  await rejectsWith(t.lambda.send(new UntagResourceCommand({ Resource: `${FN}:t-none`, TagKeys: ['a'] })), 'ResourceNotFoundException', 404,
    `Function not found: ${FN}:t-none`);
  const layer = 'arn:aws:lambda:us-east-1:111111111111:layer:my-layer';
  await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: layer, Tags: { a: 'b' } })), 'InvalidParameterValueException', 400,
    `${layer} is not a function ARN. This Sluice server supports tags on Lambda functions only.`);
  await rejectsWith(t.lambda.send(new ListTagsCommand({ Resource: 'arn:aws:sqs:us-east-1:111111111111:queue' })), 'InvalidParameterValueException', 400,
    /is not a function ARN/);
  await rejectsWith(t.lambda.send(new ListTagsCommand({ Resource: 't-basic' })), 'ValidationException', 400,
    /^1 validation error detected: Value 't-basic' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:/);
});

test('tags live on the function, not on versions or aliases', async () => {
  const arn = await create('t-qual');
  for (const q of ['1', 'live', '$LATEST']) {
    await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: `${arn}:${q}`, Tags: { a: 'b' } })), 'InvalidParameterValueException', 400,
      'Tags on function aliases and versions are not supported. Please specify a function ARN.');
  }
});

test('tag validation: AWS limits and wording', async () => {
  const arn = await create('t-val');
  await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: {} })), 'InvalidParameterValueException', 400,
    'An error occurred and the request cannot be processed.');
  await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { 'aws:reserved': 'x' } })), 'InvalidParameterValueException', 400,
    'Tag keys that start with "aws:" are reserved: aws:reserved');
  await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { k: 'v'.repeat(257) } })), 'InvalidParameterValueException', 400,
    'Tag value must be at most 256 characters: k');
  const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
  await t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: fifty }));
  await rejectsWith(t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { one: 'more' } })), 'InvalidParameterValueException', 400,
    'Number of tags exceeds resource tag limit. A resource can have at most 50 tags.');
  // Re-tagging existing keys stays within the limit.
  await t.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { k0: 'changed' } }));
  assert.equal((await list(arn))?.k0, 'changed');
  await rejectsWith(t.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: [] })), 'ValidationException', 400,
    "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
});

test('accounts are isolated: another account can neither tag nor list', async () => {
  const arn = await create('t-iso', { owner: 'one' });
  const other = t.clientFor(TEST_ACCOUNTS[1]!);
  const denied = (action: string) =>
    `User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:${action} on resource: ${arn} because no resource-based policy allows the lambda:${action} action`;
  await rejectsWith(other.send(new ListTagsCommand({ Resource: arn })), 'AccessDeniedException', 403, denied('ListTags'));
  await rejectsWith(other.send(new TagResourceCommand({ Resource: arn, Tags: { owner: 'two' } })), 'AccessDeniedException', 403, denied('TagResource'));
  await rejectsWith(other.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['owner'] })), 'AccessDeniedException', 403, denied('UntagResource'));
  // The same name in account 2 is a different function.
  await rejectsWith(other.send(new ListTagsCommand({ Resource: 'arn:aws:lambda:us-east-1:222222222222:function:t-iso' })), 'ResourceNotFoundException', 404,
    'Function not found: arn:aws:lambda:us-east-1:222222222222:function:t-iso');
  assert.deepEqual(await list(arn), { owner: 'one' });
});
