import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, GetAliasCommand, ListAliasesCommand,
  PublishVersionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { rejectsWith } from '../helpers/aws-errors.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const ARN = 'arn:aws:lambda:us-east-1:111111111111:function';
const wait = { maxWaitTime: 30, minDelay: 1 };

/** A function with published versions 1..count. */
async function withVersions(name: string, count: number): Promise<void> {
  await t.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) },
  }));
  await waitUntilFunctionActiveV2({ client: t.lambda, ...wait }, { FunctionName: name });
  for (let i = 1; i <= count; i++) {
    if (i > 1) {
      await t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 3 + i }));
      await waitUntilFunctionUpdatedV2({ client: t.lambda, ...wait }, { FunctionName: name });
    }
    const v = await t.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    assert.equal(v.Version, String(i));
  }
}


test('alias lifecycle: create, get, update with routing, list, delete', async () => {
  await withVersions('al-life', 2);
  const created = await t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-life', Name: 'live', FunctionVersion: '1' }));
  assert.equal(created.$metadata.httpStatusCode, 201);
  assert.equal(created.AliasArn, `${ARN}:al-life:live`);
  assert.equal(created.Name, 'live');
  assert.equal(created.FunctionVersion, '1');
  assert.equal(created.Description, '');
  assert.equal(created.RoutingConfig, undefined);
  assert.match(created.RevisionId!, /^[0-9a-f-]{36}$/);

  const got = await t.lambda.send(new GetAliasCommand({ FunctionName: `${ARN}:al-life`, Name: 'live' }));
  assert.equal(got.RevisionId, created.RevisionId);
  assert.equal(got.AliasArn, created.AliasArn);

  const updated = await t.lambda.send(new UpdateAliasCommand({
    FunctionName: 'al-life', Name: 'live', Description: 'canary', RoutingConfig: { AdditionalVersionWeights: { 2: 0.25 } },
    RevisionId: created.RevisionId,
  }));
  assert.equal(updated.Description, 'canary');
  assert.equal(updated.FunctionVersion, '1');
  assert.deepEqual(updated.RoutingConfig, { AdditionalVersionWeights: { 2: 0.25 } });
  assert.notEqual(updated.RevisionId, created.RevisionId);

  // Omitting RoutingConfig keeps it; an empty one clears it. Every update is a new revision.
  const kept = await t.lambda.send(new UpdateAliasCommand({ FunctionName: 'al-life', Name: 'live', Description: 'still' }));
  assert.deepEqual(kept.RoutingConfig, { AdditionalVersionWeights: { 2: 0.25 } });
  assert.notEqual(kept.RevisionId, updated.RevisionId);
  const cleared = await t.lambda.send(new UpdateAliasCommand({ FunctionName: 'al-life', Name: 'live', FunctionVersion: '2', RoutingConfig: {} }));
  assert.equal(cleared.FunctionVersion, '2');
  assert.equal(cleared.RoutingConfig, undefined);
  assert.equal(cleared.Description, 'still');

  const withDesc = await t.lambda.send(new CreateAliasCommand({
    FunctionName: 'al-life', Name: 'beta', FunctionVersion: '$LATEST', Description: 'tip',
  }));
  assert.equal(withDesc.Description, 'tip');
  const all = await t.lambda.send(new ListAliasesCommand({ FunctionName: 'al-life' }));
  assert.deepEqual(all.Aliases?.map((a) => a.Name), ['beta', 'live']);
  assert.equal(all.NextMarker, undefined);
  const { $metadata, ...clearedShape } = cleared;
  void $metadata;
  assert.deepEqual(all.Aliases?.[1], clearedShape);
  const onLatest = await t.lambda.send(new ListAliasesCommand({ FunctionName: 'al-life', FunctionVersion: '$LATEST' }));
  assert.deepEqual(onLatest.Aliases?.map((a) => a.Name), ['beta']);

  const del = await t.lambda.send(new DeleteAliasCommand({ FunctionName: 'al-life', Name: 'live' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejectsWith(t.lambda.send(new GetAliasCommand({ FunctionName: 'al-life', Name: 'live' })),
    'ResourceNotFoundException', 404, `Cannot find alias arn: ${ARN}:al-life:live`);
});

test('ListAliases paginates with Marker/MaxItems', async () => {
  await withVersions('al-page', 1);
  const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
  for (const n of names) await t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-page', Name: n, FunctionVersion: '1' }));
  const seen: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = await t.lambda.send(new ListAliasesCommand({ FunctionName: 'al-page', MaxItems: 2, Marker: marker }));
    assert.ok(page.Aliases!.length <= 2);
    seen.push(...page.Aliases!.map((a) => a.Name!));
    marker = page.NextMarker;
    pages++;
  } while (marker);
  assert.deepEqual(seen, names);
  assert.equal(pages, 3);
});

test('CreateAlias validates the name and version like AWS', async () => {
  await withVersions('al-val', 1);
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-val', Name: '123', FunctionVersion: '1' })),
    'ValidationException', 400,
    "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  const long = 'a'.repeat(129);
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-val', Name: long, FunctionVersion: '1' })),
    'ValidationException', 400,
    `1 validation error detected: Value '${long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128`);
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-val', Name: 'x', FunctionVersion: 'abc' })),
    'ValidationException', 400,
    "1 validation error detected: Value 'abc' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-val', Name: 'x', FunctionVersion: '9' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:al-val:9`);
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-missing', Name: 'x', FunctionVersion: '$LATEST' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:al-missing:$LATEST`);
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-val:1', Name: 'x', FunctionVersion: '1' })),
    'InvalidParameterValueException', 400,
    'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.');
  await rejectsWith(t.lambda.send(new GetAliasCommand({ FunctionName: 'al-val', Name: '42' })),
    'ValidationException', 400,
    "1 validation error detected: Value '42' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
});

test('a duplicate alias is a 409 naming the alias ARN', async () => {
  await withVersions('al-dup', 1);
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-dup', Name: 'custom', FunctionVersion: '1' }));
  await rejectsWith(t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-dup', Name: 'custom', FunctionVersion: '$LATEST' })),
    'ResourceConflictException', 409, `Alias already exists: ${ARN}:al-dup:custom`);
});

test('routing configuration follows AWS rules', async () => {
  await withVersions('al-route', 2);
  const create = (version: string, weights: Record<string, number>) => t.lambda.send(new CreateAliasCommand({
    FunctionName: 'al-route', Name: 'r', FunctionVersion: version, RoutingConfig: { AdditionalVersionWeights: weights },
  }));
  await rejectsWith(create('1', { 2: 0.1, 3: 0.1 }), 'InvalidParameterValueException', 400,
    'Number of items in AdditionalVersionWeights cannot be greater than 1');
  await rejectsWith(create('1', { 2: 1.5 }), 'ValidationException', 400,
    "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]");
  await rejectsWith(create('1', { 2: -1 }), 'ValidationException', 400,
    "1 validation error detected: Value '{2=-1.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]");
  await rejectsWith(create('1', { 1: 0.5 }), 'InvalidParameterValueException', 400,
    'Invalid function version 1. Function version 1 is already included in routing configuration.');
  await rejectsWith(create('$LATEST', { 1: 0.5 }), 'InvalidParameterValueException', 400,
    '$LATEST is not supported for an alias pointing to more than 1 version');
  await rejectsWith(create('1', { $LATEST: 0.5 }), 'ValidationException', 400,
    "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]");
  await rejectsWith(create('1', { 7: 0.5 }), 'ResourceNotFoundException', 404, `Function not found: ${ARN}:al-route:7`);
  // Nothing was stored by the failed attempts.
  const none = await t.lambda.send(new ListAliasesCommand({ FunctionName: 'al-route' }));
  assert.deepEqual(none.Aliases, []);

  const ok = await create('1', { 2: 1 });
  assert.deepEqual(ok.RoutingConfig, { AdditionalVersionWeights: { 2: 1 } });
  // Moving the primary onto the weighted version would route to one version twice.
  await rejectsWith(t.lambda.send(new UpdateAliasCommand({ FunctionName: 'al-route', Name: 'r', FunctionVersion: '2' })),
    'InvalidParameterValueException', 400, 'Invalid function version 2. Function version 2 is already included in routing configuration.');
  // A version an alias routes to cannot be deleted.
  await rejectsWith(t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'al-route', Qualifier: '2' })),
    'ResourceConflictException', 409, 'Unable to delete version because the following aliases reference it: [r]');
});

test('UpdateAlias and DeleteAlias: missing alias, missing version, stale RevisionId', async () => {
  await withVersions('al-upd', 1);
  const a = await t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-upd', Name: 'prod', FunctionVersion: '1' }));
  await rejectsWith(t.lambda.send(new UpdateAliasCommand({ FunctionName: 'al-upd', Name: 'nope', FunctionVersion: '1' })),
    'ResourceNotFoundException', 404, `Cannot find alias arn: ${ARN}:al-upd:nope`);
  await rejectsWith(t.lambda.send(new DeleteAliasCommand({ FunctionName: 'al-upd', Name: 'nope' })),
    'ResourceNotFoundException', 404, `Cannot find alias arn: ${ARN}:al-upd:nope`);
  await rejectsWith(t.lambda.send(new UpdateAliasCommand({ FunctionName: 'al-upd', Name: 'prod', FunctionVersion: '5' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:al-upd:5`);
  await rejectsWith(t.lambda.send(new UpdateAliasCommand({ FunctionName: 'al-upd', Name: 'prod', Description: 'x', RevisionId: '00000000-0000-0000-0000-000000000000' })),
    'PreconditionFailedException', 412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  const unchanged = await t.lambda.send(new GetAliasCommand({ FunctionName: 'al-upd', Name: 'prod' }));
  assert.equal(unchanged.RevisionId, a.RevisionId);
  assert.equal(unchanged.Description, '');
  await rejectsWith(t.lambda.send(new GetAliasCommand({ FunctionName: 'al-nofn', Name: 'prod' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:al-nofn`);
  await rejectsWith(t.lambda.send(new ListAliasesCommand({ FunctionName: 'al-nofn' })),
    'ResourceNotFoundException', 404, `Function not found: ${ARN}:al-nofn`);
});

test('aliases are private to their account', async () => {
  await withVersions('al-acct', 1);
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'al-acct', Name: 'mine', FunctionVersion: '1' }));
  const other = t.clientFor(TEST_ACCOUNTS[1]!);
  await assert.rejects(other.send(new GetAliasCommand({ FunctionName: 'al-acct', Name: 'mine' })),
    (e: any) => e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:us-east-1:222222222222:function:al-acct');
});
