import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { aws, awsOk, clientVersions, Scratch, zipFixture } from './clients.js';

/** The function lifecycle through the unmodified AWS CLI v2, as a user types it. */

let t: TestServer;
let scratch: Scratch;
let v1: { file: string; bytes: Buffer };
let v2: { file: string; bytes: Buffer };
const ARN = 'arn:aws:lambda:us-east-1:111111111111:function:cli-node';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('base64');

before(async () => {
  t = await startTestServer();
  scratch = new Scratch();
  v1 = await zipFixture(scratch, 'functions/node-hello');
  v2 = await zipFixture(scratch, 'functions/node-hello-v2');
});
after(async () => {
  await t.close();
  scratch.remove();
});

const createArgs = (name: string, zip: string, runtime = 'nodejs22.x', handler = 'index.handler') => [
  'lambda', 'create-function', '--function-name', name, '--runtime', runtime, '--handler', handler,
  '--role', ROLE, '--zip-file', `fileb://${zip}`,
];

test('the stock clients are the ones under test', async (ctx) => {
  const v = await clientVersions();
  ctx.diagnostic(`${v.aws} · boto3/botocore ${v.boto3}`);
  assert.match(v.aws, /^aws-cli\/2\./);
});

test('create-function with a fileb:// zip, then wait function-active-v2', async () => {
  const out = await awsOk(t, scratch, [...createArgs('cli-node', v1.file), '--memory-size', '256', '--tags', 'team=compat,env=test']);
  assert.equal(out.FunctionName, 'cli-node');
  assert.equal(out.FunctionArn, ARN);
  assert.equal(out.State, 'Pending');
  assert.equal(out.Version, '$LATEST');
  assert.equal(out.MemorySize, 256);
  assert.equal(out.CodeSha256, sha(v1.bytes));
  assert.equal(out.CodeSize, v1.bytes.length);
  const wait = await aws(t, scratch, ['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-node']);
  assert.equal(wait.code, 0, wait.stderr);
  const py = await awsOk(t, scratch, createArgs('cli-python', (await zipFixture(scratch, 'functions/python-hello')).file, 'python3.12', 'handler.handler'));
  assert.equal(py.Runtime, 'python3.12');
  assert.equal((await aws(t, scratch, ['lambda', 'wait', 'function-active-v2', '--function-name', 'cli-python'])).code, 0);
});

test('get-function returns Active configuration, tags and a Code.Location that downloads the same bytes', async () => {
  const out = await awsOk(t, scratch, ['lambda', 'get-function', '--function-name', 'cli-node']);
  assert.equal(out.Configuration.State, 'Active');
  assert.equal(out.Configuration.LastUpdateStatus, 'Successful');
  assert.deepEqual(out.Tags, { team: 'compat', env: 'test' });
  assert.equal(out.Code.RepositoryType, 'S3');
  const res = await fetch(out.Code.Location);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), v1.bytes);
});

test('get-function-configuration by full ARN and partial ARN', async () => {
  for (const name of [ARN, '111111111111:function:cli-node', `${ARN}:$LATEST`]) {
    const out = await awsOk(t, scratch, ['lambda', 'get-function-configuration', '--function-name', name]);
    assert.equal(out.FunctionName, 'cli-node');
    assert.equal(out.CodeSha256, sha(v1.bytes));
  }
});

test('list-functions pages with --max-items / --starting-token and follows markers with --page-size', async () => {
  for (const n of ['cli-list-a', 'cli-list-b', 'cli-list-c']) await awsOk(t, scratch, createArgs(n, v1.file));
  const first = await awsOk(t, scratch, ['lambda', 'list-functions', '--max-items', '2']);
  assert.equal(first.Functions.length, 2);
  assert.ok(first.NextToken, 'a NextToken for the rest');
  const names: string[] = first.Functions.map((f: any) => f.FunctionName);
  let token: string | undefined = first.NextToken;
  while (token) {
    const page = await awsOk(t, scratch, ['lambda', 'list-functions', '--max-items', '2', '--starting-token', token]);
    assert.ok(page.Functions.length <= 2);
    names.push(...page.Functions.map((f: any) => f.FunctionName));
    token = page.NextToken;
  }
  assert.deepEqual([...names].sort(), ['cli-list-a', 'cli-list-b', 'cli-list-c', 'cli-node', 'cli-python']);
  // --page-size 1 makes the CLI send MaxItems=1 and walk every NextMarker itself.
  const all = await awsOk(t, scratch, ['lambda', 'list-functions', '--page-size', '1']);
  assert.deepEqual(all.Functions.map((f: any) => f.FunctionName).sort(), [...names].sort());
  const query = await awsOk(t, scratch, ['lambda', 'list-functions', '--query', 'Functions[?Runtime==`python3.12`].FunctionName']);
  assert.deepEqual(query, ['cli-python']);
});

test('update-function-configuration, then wait function-updated-v2', async () => {
  const out = await awsOk(t, scratch, [
    'lambda', 'update-function-configuration', '--function-name', 'cli-node', '--memory-size', '512', '--timeout', '7',
    '--description', 'from the cli', '--environment', 'Variables={GREETING=hello,COLOR=blue}',
  ]);
  assert.equal(out.MemorySize, 512);
  assert.equal(out.LastUpdateStatus, 'InProgress');
  const wait = await aws(t, scratch, ['lambda', 'wait', 'function-updated-v2', '--function-name', 'cli-node']);
  assert.equal(wait.code, 0, wait.stderr);
  const cfg = await awsOk(t, scratch, ['lambda', 'get-function-configuration', '--function-name', 'cli-node']);
  assert.equal(cfg.Timeout, 7);
  assert.equal(cfg.Description, 'from the cli');
  assert.deepEqual(cfg.Environment, { Variables: { GREETING: 'hello', COLOR: 'blue' } });
  assert.equal(cfg.LastUpdateStatus, 'Successful');
});

test('update-function-code --publish, publish-version and list-versions-by-function', async () => {
  const code = await awsOk(t, scratch, ['lambda', 'update-function-code', '--function-name', 'cli-node', '--zip-file', `fileb://${v2.file}`, '--publish']);
  assert.equal(code.Version, '1');
  assert.equal(code.FunctionArn, `${ARN}:1`);
  assert.equal(code.CodeSha256, sha(v2.bytes));
  assert.equal((await aws(t, scratch, ['lambda', 'wait', 'function-updated-v2', '--function-name', 'cli-node'])).code, 0);
  // Nothing changed since version 1: publishing again returns it instead of a new number.
  const same = await awsOk(t, scratch, ['lambda', 'publish-version', '--function-name', 'cli-node']);
  assert.equal(same.Version, '1');
  await awsOk(t, scratch, ['lambda', 'update-function-configuration', '--function-name', 'cli-node', '--timeout', '9']);
  assert.equal((await aws(t, scratch, ['lambda', 'wait', 'function-updated-v2', '--function-name', 'cli-node'])).code, 0);
  const pub = await awsOk(t, scratch, ['lambda', 'publish-version', '--function-name', 'cli-node', '--description', 'second']);
  assert.equal(pub.Version, '2');
  assert.equal(pub.Description, 'second');
  assert.equal(pub.Timeout, 9);
  const list = await awsOk(t, scratch, ['lambda', 'list-versions-by-function', '--function-name', 'cli-node']);
  assert.deepEqual(list.Versions.map((v: any) => v.Version), ['$LATEST', '1', '2']);
  assert.equal(list.Versions[0].FunctionArn, `${ARN}:$LATEST`);
  const q1 = await awsOk(t, scratch, ['lambda', 'get-function-configuration', '--function-name', 'cli-node', '--qualifier', '1']);
  assert.equal(q1.Timeout, 7);
  assert.equal(q1.CodeSha256, sha(v2.bytes));
  const got = await awsOk(t, scratch, ['lambda', 'get-function', '--function-name', `${ARN}:1`]);
  assert.deepEqual(Buffer.from(await (await fetch(got.Code.Location)).arrayBuffer()), v2.bytes);
});

test('errors: exit code 254 with the service error text', async () => {
  const missing = await aws(t, scratch, ['lambda', 'get-function', '--function-name', 'cli-missing']);
  assert.equal(missing.code, 254);
  assert.match(missing.stderr, /An error occurred \(ResourceNotFoundException\) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:111111111111:function:cli-missing/);
  const noVersion = await aws(t, scratch, ['lambda', 'get-function-configuration', '--function-name', 'cli-node', '--qualifier', '42']);
  assert.equal(noVersion.code, 254);
  assert.match(noVersion.stderr, /\(ResourceNotFoundException\) when calling the GetFunctionConfiguration operation: Function not found: arn:aws:lambda:us-east-1:111111111111:function:cli-node:42/);
  const dup = await aws(t, scratch, createArgs('cli-node', v1.file));
  assert.equal(dup.code, 254);
  assert.match(dup.stderr, /An error occurred \(ResourceConflictException\) when calling the CreateFunction operation: Function already exist: cli-node/);
  const latest = await aws(t, scratch, ['lambda', 'delete-function', '--function-name', 'cli-node', '--qualifier', '$LATEST']);
  assert.equal(latest.code, 254);
  assert.match(latest.stderr, /\(InvalidParameterValueException\) when calling the DeleteFunction operation: \$LATEST version cannot be deleted without deleting the function\./);
  // A parameter the CLI itself rejects never reaches the server: exit code 252.
  const bad = await aws(t, scratch, ['lambda', 'get-function']);
  assert.equal(bad.code, 252);
});

test('delete-function --qualifier removes one version; delete-function removes everything', async () => {
  const del1 = await aws(t, scratch, ['lambda', 'delete-function', '--function-name', 'cli-node', '--qualifier', '1']);
  assert.equal(del1.code, 0, del1.stderr);
  assert.equal(del1.stdout.trim(), '');
  const list = await awsOk(t, scratch, ['lambda', 'list-versions-by-function', '--function-name', 'cli-node']);
  assert.deepEqual(list.Versions.map((v: any) => v.Version), ['$LATEST', '2']);
  assert.equal((await aws(t, scratch, ['lambda', 'delete-function', '--function-name', ARN])).code, 0);
  const gone = await aws(t, scratch, ['lambda', 'get-function', '--function-name', 'cli-node']);
  assert.equal(gone.code, 254);
  assert.match(gone.stderr, /ResourceNotFoundException/);
  const again = await aws(t, scratch, ['lambda', 'delete-function', '--function-name', 'cli-node']);
  assert.equal(again.code, 254);
  assert.match(again.stderr, /when calling the DeleteFunction operation: Function not found: arn:aws:lambda:us-east-1:111111111111:function:cli-node/);
  const names = (await awsOk(t, scratch, ['lambda', 'list-functions'])).Functions.map((f: any) => f.FunctionName);
  assert.ok(!names.includes('cli-node'));
});
