import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, DeleteFunctionConcurrencyCommand,
  DeleteLayerVersionCommand, DeleteProvisionedConcurrencyConfigCommand, GetAccountSettingsCommand, GetFunctionCommand, GetFunctionConcurrencyCommand,
  GetProvisionedConcurrencyConfigCommand, ListProvisionedConcurrencyConfigsCommand, PublishLayerVersionCommand, PublishVersionCommand,
  PutFunctionConcurrencyCommand, PutProvisionedConcurrencyConfigCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { setProvisionedStatus } from '../../src/api/routes/provisioned-concurrency.js';
import { rejectsWith } from '../helpers/aws-errors.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const ARN = 'arn:aws:lambda:us-east-1:111111111111:function';
const SCOPE = { account: '111111111111', region: 'us-east-1' };
const wait = { maxWaitTime: 30, minDelay: 1 };
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;

/** A function with published versions 1..count; returns the $LATEST CodeSize. */
async function withVersions(name: string, count: number): Promise<number> {
  const created = await t.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': `exports.handler = async () => '${name}';` }) },
  }));
  await waitUntilFunctionActiveV2({ client: t.lambda, ...wait }, { FunctionName: name });
  for (let i = 1; i <= count; i++) {
    if (i > 1) {
      await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 3 + i }));
      await waitUntilFunctionUpdatedV2({ client: t.lambda, ...wait }, { FunctionName: name });
    }
    await t.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  }
  return created.CodeSize!;
}


const unreserved = async () =>
  (await t.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions;
const drop = async (...names: string[]) => {
  for (const n of names) await t.lambda.send(new DeleteFunctionCommand({ FunctionName: n }));
};
const FLOOR_MESSAGE = "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].";

test('reserved concurrency: put, get, shown by GetFunction, delete', async () => {
  await withVersions('rc-life', 0);
  const none = await t.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'rc-life' }));
  assert.equal(none.ReservedConcurrentExecutions, undefined);
  const put = await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-life', ReservedConcurrentExecutions: 10 }));
  assert.equal(put.$metadata.httpStatusCode, 200);
  assert.equal(put.ReservedConcurrentExecutions, 10);
  const got = await t.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: `${ARN}:rc-life` }));
  assert.equal(got.ReservedConcurrentExecutions, 10);
  const fn = await t.lambda.send(new GetFunctionCommand({ FunctionName: 'rc-life' }));
  assert.deepEqual(fn.Concurrency, { ReservedConcurrentExecutions: 10 });
  assert.equal(await unreserved(), 990);
  // Replacing a reservation does not count the old one.
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-life', ReservedConcurrentExecutions: 0 }));
  assert.equal(await unreserved(), 1000);
  const del = await t.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'rc-life' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  const after = await t.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'rc-life' }));
  assert.equal(after.ReservedConcurrentExecutions, undefined);
  assert.equal((await t.lambda.send(new GetFunctionCommand({ FunctionName: 'rc-life' }))).Concurrency, undefined);
  await drop('rc-life');
});

test('reserved concurrency keeps 100 of the account unreserved', async () => {
  await withVersions('rc-big', 0);
  await withVersions('rc-small', 0);
  await rejectsWith(t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-big', ReservedConcurrentExecutions: 901 })),
    'InvalidParameterValueException', 400, FLOOR_MESSAGE);
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-big', ReservedConcurrentExecutions: 900 }));
  assert.equal(await unreserved(), 100);
  await rejectsWith(t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-small', ReservedConcurrentExecutions: 1 })),
    'InvalidParameterValueException', 400, FLOOR_MESSAGE);
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-small', ReservedConcurrentExecutions: 0 }));
  // Another account's pool is separate.
  const other = t.clientFor(TEST_ACCOUNTS[1]!);
  const theirs = await other.send(new GetAccountSettingsCommand({}));
  assert.equal(theirs.AccountLimit?.UnreservedConcurrentExecutions, 1000);
  await drop('rc-big', 'rc-small');
  assert.equal(await unreserved(), 1000);
});

test('reserved concurrency errors: qualified name, missing function, negative value', async () => {
  await withVersions('rc-err', 1);
  await rejectsWith(t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-err:1', ReservedConcurrentExecutions: 1 })),
    'InvalidParameterValueException', 400,
    'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.');
  await rejectsWith(t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-nope', ReservedConcurrentExecutions: 1 })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:rc-nope`);
  await rejectsWith(t.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'rc-nope' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:rc-nope`);
  await rejectsWith(t.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'rc-nope' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:rc-nope`);
  await rejectsWith(t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rc-err', ReservedConcurrentExecutions: -1 })),
    'ValidationException', 400,
    "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0");
  await drop('rc-err');
});

test('provisioned concurrency on a version and an alias', async () => {
  await withVersions('pc-life', 2);
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'pc-life', Name: 'live', FunctionVersion: '1' }));

  const put = await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: '1', ProvisionedConcurrentExecutions: 5 }));
  assert.equal(put.$metadata.httpStatusCode, 202);
  assert.equal(put.RequestedProvisionedConcurrentExecutions, 5);
  assert.equal(put.AvailableProvisionedConcurrentExecutions, 0);
  assert.equal(put.AllocatedProvisionedConcurrentExecutions, 0);
  assert.equal(put.Status, 'IN_PROGRESS');
  assert.equal(put.StatusReason, undefined);
  assert.match(put.LastModified!, TIMESTAMP);
  // The qualifier may come as a suffix of the function name.
  const got = await t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life:1', Qualifier: undefined as unknown as string }));
  assert.equal(got.RequestedProvisionedConcurrentExecutions, 5);
  assert.equal(got.LastModified, put.LastModified);
  // Without a reservation, provisioned concurrency comes out of the unreserved pool.
  assert.equal(await unreserved(), 995);

  // A version is provisioned directly or through an alias, not both.
  await rejectsWith(t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: 'live', ProvisionedConcurrentExecutions: 1 })),
    'ResourceConflictException', 409, "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
  await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: '2', ProvisionedConcurrentExecutions: 3 }));
  const list = await t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-life' }));
  assert.deepEqual(list.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn, c.RequestedProvisionedConcurrentExecutions, c.Status]),
    [[`${ARN}:pc-life:1`, 5, 'IN_PROGRESS'], [`${ARN}:pc-life:2`, 3, 'IN_PROGRESS']]);
  const page = await t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-life', MaxItems: 1 }));
  assert.equal(page.ProvisionedConcurrencyConfigs?.length, 1);
  const rest = await t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-life', MaxItems: 1, Marker: page.NextMarker }));
  assert.equal(rest.ProvisionedConcurrencyConfigs?.[0]?.FunctionArn, `${ARN}:pc-life:2`);
  assert.equal(rest.NextMarker, undefined);

  const del = await t.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: '1' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  // Deleting again is not an error.
  await t.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: '1' }));
  await rejectsWith(t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: '1' })),
    'ProvisionedConcurrencyConfigNotFoundException', 404, 'No Provisioned Concurrency Config found for this function');

  await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: 'live', ProvisionedConcurrentExecutions: 2 }));
  await rejectsWith(t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: '1', ProvisionedConcurrentExecutions: 1 })),
    'ResourceConflictException', 409, 'Version is pointed by a Provisioned Concurrency alias');

  // The invoke layer reports readiness through setProvisionedStatus.
  assert.equal(setProvisionedStatus(t.sluice.context.repos, SCOPE, 'pc-life', 'live', { status: 'READY', available: 2, allocated: 2 }), true);
  const ready = await t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: 'live' }));
  assert.equal(ready.Status, 'READY');
  assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
  assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
  setProvisionedStatus(t.sluice.context.repos, SCOPE, 'pc-life', 'live', { status: 'FAILED', available: 0, allocated: 0, reason: 'Init failed' });
  const failed = await t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-life', Qualifier: 'live' }));
  assert.equal(failed.Status, 'FAILED');
  assert.equal(failed.StatusReason, 'Init failed');
  assert.equal(setProvisionedStatus(t.sluice.context.repos, SCOPE, 'pc-life', 'gone', { status: 'READY', available: 1, allocated: 1 }), false);

  // Deleting the alias removes its config.
  await t.lambda.send(new DeleteAliasCommand({ FunctionName: 'pc-life', Name: 'live' }));
  const left = await t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-life' }));
  assert.deepEqual(left.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn), [`${ARN}:pc-life:2`]);
  await drop('pc-life');
  assert.equal(await unreserved(), 1000);
});

test('provisioned concurrency errors', async () => {
  await withVersions('pc-err', 1);
  const put = (qualifier: string | undefined, n = 1, name = 'pc-err') =>
    t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier as string, ProvisionedConcurrentExecutions: n }));
  await rejectsWith(put('$LATEST'), 'InvalidParameterValueException', 400,
    'Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
  await rejectsWith(t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-err', Qualifier: '$LATEST' })),
    'InvalidParameterValueException', 400, 'The function resource provided must be an alias or a published version.');
  await rejectsWith(t.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-err', Qualifier: '$LATEST' })),
    'InvalidParameterValueException', 400, 'The function resource provided must be an alias or a published version.');
  await rejectsWith(put(undefined), 'ValidationException', 400,
    "1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null");
  await rejectsWith(put('1', 0), 'ValidationException', 400,
    "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1");
  await rejectsWith(put('7'), 'ResourceNotFoundException', 404, `Function not found: ${ARN}:pc-err:7`);
  await rejectsWith(put('ghost'), 'ResourceNotFoundException', 404, `Cannot find alias arn: ${ARN}:pc-err:ghost`);
  await rejectsWith(t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-err', Qualifier: '1' })),
    'ProvisionedConcurrencyConfigNotFoundException', 404, 'No Provisioned Concurrency Config found for this function');
  await rejectsWith(t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-nope' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:pc-nope`);
  await rejectsWith(t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-err', MaxItems: 51 })),
    'ValidationException', 400,
    "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50");

  // Account floor for provisioned concurrency on a function without a reservation.
  await rejectsWith(put('1', 1001), 'InvalidParameterValueException', 400,
    "Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [1000].");
  await rejectsWith(put('1', 901), 'InvalidParameterValueException', 400,
    "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].");
  const list = await t.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc-err' }));
  assert.deepEqual(list.ProvisionedConcurrencyConfigs, []);
  await drop('pc-err');
});

test('provisioned concurrency must fit inside the reservation', async () => {
  await withVersions('pc-res', 2);
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'pc-res', ReservedConcurrentExecutions: 10 }));
  await rejectsWith(t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-res', Qualifier: '1', ProvisionedConcurrentExecutions: 11 })),
    'InvalidParameterValueException', 400, 'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function');
  await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-res', Qualifier: '1', ProvisionedConcurrentExecutions: 6 }));
  await rejectsWith(t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-res', Qualifier: '2', ProvisionedConcurrentExecutions: 5 })),
    'InvalidParameterValueException', 400, 'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function');
  // Replacing a config counts only the new value.
  await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc-res', Qualifier: '1', ProvisionedConcurrentExecutions: 10 }));
  // The reservation covers the provisioned concurrency: the pool loses 10, not 20.
  assert.equal(await unreserved(), 990);
  await rejectsWith(t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'pc-res', ReservedConcurrentExecutions: 5 })),
    'InvalidParameterValueException', 400, " ReservedConcurrentExecutions  5 should not be lower than function's total provisioned concurrency [10].");
  await drop('pc-res');
});

test('GetAccountSettings reports limits and real usage', async () => {
  const other = t.clientFor(TEST_ACCOUNTS[1]!);
  const empty = await other.send(new GetAccountSettingsCommand({}));
  assert.deepEqual(empty.AccountLimit, {
    TotalCodeSize: 80530636800, CodeSizeUnzipped: 262144000, CodeSizeZipped: 52428800,
    ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000,
  });
  assert.deepEqual(empty.AccountUsage, { TotalCodeSize: 0, FunctionCount: 0 });

  const before = (await t.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!;
  const a = await withVersions('as-a', 0);
  const b = await withVersions('as-b', 2);
  const now = (await t.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!;
  assert.equal(now.FunctionCount, before.FunctionCount! + 2);
  // $LATEST of each, plus two published copies of as-b.
  assert.equal(now.TotalCodeSize, before.TotalCodeSize! + a + 3 * b);

  // Layer versions count too.
  const layer = await t.lambda.send(new PublishLayerVersionCommand({
    LayerName: 'as-layer', Content: { ZipFile: zipFiles({ 'nodejs/lib.js': 'module.exports = 42;' }) },
  }));
  const withLayer = (await t.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!;
  assert.equal(withLayer.TotalCodeSize, now.TotalCodeSize! + layer.Content!.CodeSize!);
  assert.equal(withLayer.FunctionCount, now.FunctionCount);
  await t.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'as-layer', VersionNumber: layer.Version! }));
  await drop('as-a', 'as-b');
  const afterDrop = (await t.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!;
  assert.deepEqual(afterDrop, before);
});

test('the account concurrency limit comes from configuration', async () => {
  const small = await startTestServer({ accountConcurrencyLimit: 150 });
  try {
    const s = await small.lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(s.AccountLimit?.ConcurrentExecutions, 150);
    assert.equal(s.AccountLimit?.UnreservedConcurrentExecutions, 150);
    await small.lambda.send(new CreateFunctionCommand({
      FunctionName: 'lim', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
      Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) },
    }));
    await rejectsWith(small.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'lim', ReservedConcurrentExecutions: 51 })),
      'InvalidParameterValueException', 400, FLOOR_MESSAGE);
    await small.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'lim', ReservedConcurrentExecutions: 50 }));
    assert.equal((await small.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions, 100);
  } finally {
    await small.close();
  }
});
