import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, ListFunctionsCommand,
  UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, DeleteFunctionCommand, PublishVersionCommand,
  ListVersionsByFunctionCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const code = (body = 'exports.handler = async () => 1;') => zipFiles({ 'index.js': body });

async function create(name: string, extra: Record<string, unknown> = {}) {
  const out = await t.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code() }, ...extra,
  }));
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  return out;
}

test('CreateFunction returns a Pending configuration with AWS defaults, then becomes Active', async () => {
  const out = await t.lambda.send(new CreateFunctionCommand({
    FunctionName: 'f-create', Runtime: 'python3.12', Handler: 'handler.handler', Role: ROLE, Code: { ZipFile: code() },
    MemorySize: 256, Timeout: 5,
  }));
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.equal(out.State, 'Pending');
  assert.equal(out.StateReasonCode, 'Creating');
  assert.equal(out.Version, '$LATEST');
  assert.equal(out.FunctionArn, 'arn:aws:lambda:us-east-1:111111111111:function:f-create');
  assert.deepEqual(out.Architectures, ['x86_64']);
  assert.deepEqual(out.EphemeralStorage, { Size: 512 });
  assert.deepEqual(out.LoggingConfig, { LogFormat: 'Text', LogGroup: '/aws/lambda/f-create' });
  assert.deepEqual(out.SnapStart, { ApplyOn: 'None', OptimizationStatus: 'Off' });
  assert.equal(out.PackageType, 'Zip');
  assert.match(out.CodeSha256!, /^[A-Za-z0-9+/]{43}=$/);
  assert.match(out.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'f-create' });
  const got = await t.lambda.send(new GetFunctionCommand({ FunctionName: 'f-create' }));
  assert.equal(got.Configuration?.State, 'Active');
  assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
  assert.notEqual(got.Configuration?.RevisionId, out.RevisionId);
  assert.equal(got.Code?.RepositoryType, 'S3');
  const zip = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
  assert.deepEqual(zip, Buffer.from(code()));
});

test('duplicate create is a 409 ResourceConflictException; missing is 404', async () => {
  await create('f-dup');
  await assert.rejects(create('f-dup'), (e: any) => e.name === 'ResourceConflictException' && e.message === 'Function already exist: f-dup' && e.$metadata.httpStatusCode === 409);
  await assert.rejects(t.lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })), (e: any) =>
    e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:us-east-1:111111111111:function:nope' && e.Type === 'User');
});

test('a function is addressable by name, partial ARN and full ARN, with qualifiers', async () => {
  await create('f-arn');
  for (const name of ['f-arn', '111111111111:function:f-arn', 'arn:aws:lambda:us-east-1:111111111111:function:f-arn', 'f-arn:$LATEST']) {
    const c = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(c.FunctionName, 'f-arn');
  }
  const q = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f-arn', Qualifier: '$LATEST' }));
  assert.equal(q.FunctionArn, 'arn:aws:lambda:us-east-1:111111111111:function:f-arn:$LATEST');
});

test('update code and configuration change RevisionId; a stale RevisionId is 412', async () => {
  const c = await create('f-upd');
  const u = await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f-upd', MemorySize: 512, Environment: { Variables: { AB: '1' } }, Description: 'd' }));
  assert.equal(u.MemorySize, 512);
  assert.equal(u.LastUpdateStatus, 'InProgress');
  await waitUntilFunctionUpdatedV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'f-upd' });
  await assert.rejects(
    t.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f-upd', ZipFile: code('exports.handler=()=>2'), RevisionId: c.RevisionId })),
    (e: any) => e.name === 'PreconditionFailedException' && e.$metadata.httpStatusCode === 412,
  );
  const uc = await t.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f-upd', ZipFile: code('exports.handler=()=>2'), Publish: true }));
  assert.equal(uc.Version, '1');
  assert.deepEqual(uc.Environment?.Variables, { AB: '1' });
  await waitUntilFunctionUpdatedV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'f-upd' });
});

test('PublishVersion does not create a new version when nothing changed', async () => {
  await create('f-pub');
  const v1 = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'f-pub' }));
  assert.equal(v1.Version, '1');
  assert.equal(v1.FunctionArn, 'arn:aws:lambda:us-east-1:111111111111:function:f-pub:1');
  const again = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'f-pub' }));
  assert.equal(again.Version, '1');
  await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f-pub', Timeout: 10 }));
  await waitUntilFunctionUpdatedV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'f-pub' });
  const v2 = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'f-pub' }));
  assert.equal(v2.Version, '2');
  const list = await t.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'f-pub' }));
  assert.deepEqual(list.Versions?.map((v) => v.Version), ['$LATEST', '1', '2']);
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'f-pub', Qualifier: '1' }));
  const after = await t.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'f-pub' }));
  assert.deepEqual(after.Versions?.map((v) => v.Version), ['$LATEST', '2']);
});

test('ListFunctions paginates with Marker/MaxItems', async () => {
  const names = ['p-a', 'p-b', 'p-c'];
  for (const n of names) await create(n);
  const seen: string[] = [];
  let marker: string | undefined;
  do {
    const page = await t.lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
    assert.ok((page.Functions?.length ?? 0) <= 2);
    seen.push(...page.Functions!.map((f) => f.FunctionName!));
    marker = page.NextMarker;
  } while (marker);
  for (const n of names) assert.ok(seen.includes(n));
  assert.equal(new Set(seen).size, seen.length);
});

test('DeleteFunction removes the function', async () => {
  await create('f-del');
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'f-del' }));
  await assert.rejects(t.lambda.send(new GetFunctionCommand({ FunctionName: 'f-del' })), { name: 'ResourceNotFoundException' });
});
