import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { aws, awsOk, Scratch, zipFixture } from './clients.js';

/**
 * Everything around a function through the unmodified AWS CLI v2: aliases, layers, resource policies,
 * tags, reserved concurrency, function URLs and async invoke configuration.
 */

let t: TestServer;
let scratch: Scratch;
const FN = 'res-fn';
const ARN = `arn:aws:lambda:us-east-1:111111111111:function:${FN}`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('base64');

/** Runs a command that must fail with a service error: exit code 254 and AWS's error line on stderr. */
async function awsFails(args: string[], code: string, message?: RegExp): Promise<string> {
  const r = await aws(t, scratch, args);
  assert.equal(r.code, 254, `expected exit 254 from aws ${args.join(' ')}, got ${r.code}: ${r.stdout}${r.stderr}`);
  assert.match(r.stderr, new RegExp(`An error occurred \\(${code}\\) when calling the \\w+ operation`));
  if (message) assert.match(r.stderr, message);
  return r.stderr;
}

const waitUpdated = async (name = FN) => {
  const w = await aws(t, scratch, ['lambda', 'wait', 'function-updated-v2', '--function-name', name]);
  assert.equal(w.code, 0, w.stderr);
};

before(async () => {
  t = await startTestServer();
  scratch = new Scratch();
  const zip = await zipFixture(scratch, 'functions/node-hello');
  await awsOk(t, scratch, [
    'lambda', 'create-function', '--function-name', FN, '--runtime', 'nodejs22.x', '--handler', 'index.handler',
    '--role', ROLE, '--zip-file', `fileb://${zip.file}`, '--publish',
  ]);
  assert.equal((await aws(t, scratch, ['lambda', 'wait', 'function-active-v2', '--function-name', FN])).code, 0);
  await awsOk(t, scratch, ['lambda', 'update-function-configuration', '--function-name', FN, '--timeout', '11']);
  await waitUpdated();
  const v2 = await awsOk(t, scratch, ['lambda', 'publish-version', '--function-name', FN]);
  assert.equal(v2.Version, '2');
});
after(async () => {
  await t.close();
  scratch.remove();
});

test('aliases: create, get, list, update with routing, resolve, conflict, delete', async () => {
  const created = await awsOk(t, scratch, ['lambda', 'create-alias', '--function-name', FN, '--name', 'live', '--function-version', '1', '--description', 'prod']);
  assert.equal(created.AliasArn, `${ARN}:live`);
  assert.equal(created.Name, 'live');
  assert.equal(created.FunctionVersion, '1');
  assert.equal(created.Description, 'prod');
  assert.ok(created.RevisionId);
  const got = await awsOk(t, scratch, ['lambda', 'get-alias', '--function-name', FN, '--name', 'live']);
  assert.deepEqual(got, created);
  await awsFails(['lambda', 'create-alias', '--function-name', FN, '--name', 'live', '--function-version', '2'], 'ResourceConflictException', /Alias already exists: arn:aws:lambda:us-east-1:111111111111:function:res-fn:live/);

  const updated = await awsOk(t, scratch, [
    'lambda', 'update-alias', '--function-name', FN, '--name', 'live', '--function-version', '2',
    '--routing-config', 'AdditionalVersionWeights={1=0.25}',
  ]);
  assert.equal(updated.FunctionVersion, '2');
  assert.deepEqual(updated.RoutingConfig, { AdditionalVersionWeights: { '1': 0.25 } });
  assert.notEqual(updated.RevisionId, created.RevisionId);
  const viaAlias = await awsOk(t, scratch, ['lambda', 'get-function-configuration', '--function-name', `${FN}:live`]);
  assert.equal(viaAlias.Version, '2');
  assert.equal(viaAlias.Timeout, 11);

  await awsOk(t, scratch, ['lambda', 'create-alias', '--function-name', ARN, '--name', 'canary', '--function-version', '1']);
  const list = await awsOk(t, scratch, ['lambda', 'list-aliases', '--function-name', FN]);
  assert.deepEqual(list.Aliases.map((a: any) => a.Name), ['canary', 'live']);
  const forV1 = await awsOk(t, scratch, ['lambda', 'list-aliases', '--function-name', FN, '--function-version', '1']);
  assert.deepEqual(forV1.Aliases.map((a: any) => a.Name), ['canary']);
  const paged = await awsOk(t, scratch, ['lambda', 'list-aliases', '--function-name', FN, '--page-size', '1']);
  assert.deepEqual(paged.Aliases.map((a: any) => a.Name), ['canary', 'live']);

  const del = await aws(t, scratch, ['lambda', 'delete-alias', '--function-name', FN, '--name', 'canary']);
  assert.equal(del.code, 0, del.stderr);
  await awsFails(['lambda', 'get-alias', '--function-name', FN, '--name', 'canary'], 'ResourceNotFoundException', /Cannot find alias arn: arn:aws:lambda:us-east-1:111111111111:function:res-fn:canary/);
});

test('layers: publish, get, get by ARN, list, permissions, attach to a function, delete', async () => {
  const zip = await zipFixture(scratch, 'layers/greeting');
  const pub = await awsOk(t, scratch, [
    'lambda', 'publish-layer-version', '--layer-name', 'res-layer', '--zip-file', `fileb://${zip.file}`,
    '--compatible-runtimes', 'nodejs22.x', 'nodejs20.x', '--description', 'greeting lib', '--license-info', 'MIT',
  ]);
  const layerArn = 'arn:aws:lambda:us-east-1:111111111111:layer:res-layer';
  assert.equal(pub.Version, 1);
  assert.equal(pub.LayerArn, layerArn);
  assert.equal(pub.LayerVersionArn, `${layerArn}:1`);
  assert.deepEqual(pub.CompatibleRuntimes, ['nodejs22.x', 'nodejs20.x']);
  assert.equal(pub.Content.CodeSha256, sha(zip.bytes));
  assert.equal(pub.Content.CodeSize, zip.bytes.length);
  const download = await fetch(pub.Content.Location);
  assert.equal(download.status, 200);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), zip.bytes);

  const got = await awsOk(t, scratch, ['lambda', 'get-layer-version', '--layer-name', 'res-layer', '--version-number', '1']);
  assert.equal(got.Description, 'greeting lib');
  assert.equal(got.LicenseInfo, 'MIT');
  const byArn = await awsOk(t, scratch, ['lambda', 'get-layer-version-by-arn', '--arn', `${layerArn}:1`]);
  assert.equal(byArn.LayerVersionArn, `${layerArn}:1`);
  await awsOk(t, scratch, ['lambda', 'publish-layer-version', '--layer-name', 'res-layer', '--zip-file', `fileb://${zip.file}`]);
  const versions = await awsOk(t, scratch, ['lambda', 'list-layer-versions', '--layer-name', 'res-layer']);
  assert.deepEqual(versions.LayerVersions.map((v: any) => v.Version), [2, 1]);
  const layers = await awsOk(t, scratch, ['lambda', 'list-layers']);
  assert.deepEqual(layers.Layers.map((l: any) => [l.LayerName, l.LatestMatchingVersion.Version]), [['res-layer', 2]]);
  const matching = await awsOk(t, scratch, ['lambda', 'list-layers', '--compatible-runtime', 'nodejs22.x']);
  assert.deepEqual(matching.Layers.map((l: any) => l.LatestMatchingVersion.Version), [1]);

  const perm = await awsOk(t, scratch, [
    'lambda', 'add-layer-version-permission', '--layer-name', 'res-layer', '--version-number', '1',
    '--statement-id', 'everyone', '--action', 'lambda:GetLayerVersion', '--principal', '*',
  ]);
  assert.equal(JSON.parse(perm.Statement).Sid, 'everyone');
  const policy = await awsOk(t, scratch, ['lambda', 'get-layer-version-policy', '--layer-name', 'res-layer', '--version-number', '1']);
  assert.deepEqual(JSON.parse(policy.Policy).Statement.map((s: any) => s.Sid), ['everyone']);
  assert.equal((await aws(t, scratch, ['lambda', 'remove-layer-version-permission', '--layer-name', 'res-layer', '--version-number', '1', '--statement-id', 'everyone'])).code, 0);
  await awsFails(['lambda', 'get-layer-version-policy', '--layer-name', 'res-layer', '--version-number', '1'], 'ResourceNotFoundException');

  const cfg = await awsOk(t, scratch, ['lambda', 'update-function-configuration', '--function-name', FN, '--layers', `${layerArn}:1`]);
  assert.deepEqual(cfg.Layers.map((l: any) => [l.Arn, l.CodeSize]), [[`${layerArn}:1`, zip.bytes.length]]);
  await waitUpdated();
  assert.equal((await awsOk(t, scratch, ['lambda', 'get-function-configuration', '--function-name', FN])).LastUpdateStatus, 'Successful');

  assert.equal((await aws(t, scratch, ['lambda', 'delete-layer-version', '--layer-name', 'res-layer', '--version-number', '2'])).code, 0);
  await awsFails(['lambda', 'get-layer-version', '--layer-name', 'res-layer', '--version-number', '2'], 'ResourceNotFoundException');
});

test('permissions: add-permission, get-policy, conflict, remove-permission', async () => {
  const added = await awsOk(t, scratch, [
    'lambda', 'add-permission', '--function-name', FN, '--statement-id', 'from-events', '--action', 'lambda:InvokeFunction',
    '--principal', 'events.amazonaws.com', '--source-arn', 'arn:aws:events:us-east-1:111111111111:rule/nightly',
  ]);
  const statement = JSON.parse(added.Statement);
  assert.equal(statement.Sid, 'from-events');
  assert.equal(statement.Effect, 'Allow');
  assert.equal(statement.Action, 'lambda:InvokeFunction');
  assert.equal(statement.Resource, ARN);
  const policy = await awsOk(t, scratch, ['lambda', 'get-policy', '--function-name', FN]);
  assert.deepEqual(JSON.parse(policy.Policy).Statement.map((s: any) => s.Sid), ['from-events']);
  assert.ok(policy.RevisionId);
  await awsFails([
    'lambda', 'add-permission', '--function-name', FN, '--statement-id', 'from-events', '--action', 'lambda:InvokeFunction', '--principal', 'events.amazonaws.com',
  ], 'ResourceConflictException');
  await awsOk(t, scratch, [
    'lambda', 'add-permission', '--function-name', FN, '--qualifier', 'live', '--statement-id', 'alias-only', '--action', 'lambda:InvokeFunction', '--principal', '111111111111',
  ]);
  const aliasPolicy = await awsOk(t, scratch, ['lambda', 'get-policy', '--function-name', FN, '--qualifier', 'live']);
  assert.equal(JSON.parse(aliasPolicy.Policy).Statement[0].Resource, `${ARN}:live`);
  assert.equal((await aws(t, scratch, ['lambda', 'remove-permission', '--function-name', FN, '--statement-id', 'from-events'])).code, 0);
  await awsFails(['lambda', 'get-policy', '--function-name', FN], 'ResourceNotFoundException');
  await awsFails(['lambda', 'remove-permission', '--function-name', FN, '--statement-id', 'from-events'], 'ResourceNotFoundException');
});

test('tags: tag-resource, list-tags, untag-resource, get-function Tags', async () => {
  assert.equal((await aws(t, scratch, ['lambda', 'tag-resource', '--resource', ARN, '--tags', 'team=compat,cost-center=42'])).code, 0);
  assert.deepEqual((await awsOk(t, scratch, ['lambda', 'list-tags', '--resource', ARN])).Tags, { team: 'compat', 'cost-center': '42' });
  assert.equal((await aws(t, scratch, ['lambda', 'untag-resource', '--resource', ARN, '--tag-keys', 'team'])).code, 0);
  assert.deepEqual((await awsOk(t, scratch, ['lambda', 'list-tags', '--resource', ARN])).Tags, { 'cost-center': '42' });
  assert.deepEqual((await awsOk(t, scratch, ['lambda', 'get-function', '--function-name', FN])).Tags, { 'cost-center': '42' });
  await awsFails(['lambda', 'list-tags', '--resource', 'arn:aws:lambda:us-east-1:111111111111:function:res-missing'], 'ResourceNotFoundException');
});

test('concurrency: put/get/delete-function-concurrency and get-account-settings', async () => {
  assert.deepEqual(await awsOk(t, scratch, ['lambda', 'put-function-concurrency', '--function-name', FN, '--reserved-concurrent-executions', '5']), { ReservedConcurrentExecutions: 5 });
  assert.deepEqual(await awsOk(t, scratch, ['lambda', 'get-function-concurrency', '--function-name', FN]), { ReservedConcurrentExecutions: 5 });
  assert.deepEqual((await awsOk(t, scratch, ['lambda', 'get-function', '--function-name', FN])).Concurrency, { ReservedConcurrentExecutions: 5 });
  const settings = await awsOk(t, scratch, ['lambda', 'get-account-settings']);
  assert.equal(settings.AccountLimit.ConcurrentExecutions, 1000);
  assert.equal(settings.AccountLimit.UnreservedConcurrentExecutions, 995);
  await awsFails(['lambda', 'put-function-concurrency', '--function-name', FN, '--reserved-concurrent-executions', '1000'], 'InvalidParameterValueException');
  const del = await aws(t, scratch, ['lambda', 'delete-function-concurrency', '--function-name', FN]);
  assert.equal(del.code, 0, del.stderr);
  const after = await aws(t, scratch, ['lambda', 'get-function-concurrency', '--function-name', FN]);
  assert.equal(after.code, 0);
  assert.deepEqual(after.json ?? {}, {});
});

test('function URLs: create, get, update, list, conflict, delete', async () => {
  const created = await awsOk(t, scratch, [
    'lambda', 'create-function-url-config', '--function-name', FN, '--auth-type', 'NONE',
    '--cors', 'AllowOrigins=https://example.com,AllowMethods=GET,MaxAge=60',
  ]);
  assert.equal(created.AuthType, 'NONE');
  assert.equal(created.FunctionArn, ARN);
  assert.match(created.FunctionUrl, /^https?:\/\/.+\/$/);
  assert.deepEqual(created.Cors, { AllowOrigins: ['https://example.com'], AllowMethods: ['GET'], MaxAge: 60 });
  const got = await awsOk(t, scratch, ['lambda', 'get-function-url-config', '--function-name', FN]);
  assert.equal(got.FunctionUrl, created.FunctionUrl);
  assert.equal(got.AuthType, 'NONE');
  // (CLI 2.9.19's model predates InvokeMode, so the CLI drops it from its output.)
  await awsFails(['lambda', 'create-function-url-config', '--function-name', FN, '--auth-type', 'NONE'], 'ResourceConflictException', /FunctionUrlConfig exists for this Lambda function/);
  const updated = await awsOk(t, scratch, ['lambda', 'update-function-url-config', '--function-name', FN, '--auth-type', 'AWS_IAM']);
  assert.equal(updated.AuthType, 'AWS_IAM');
  assert.equal(updated.FunctionUrl, created.FunctionUrl);
  await awsOk(t, scratch, ['lambda', 'create-function-url-config', '--function-name', FN, '--qualifier', 'live', '--auth-type', 'AWS_IAM']);
  const list = await awsOk(t, scratch, ['lambda', 'list-function-url-configs', '--function-name', FN]);
  assert.deepEqual(list.FunctionUrlConfigs.map((c: any) => c.FunctionArn).sort(), [ARN, `${ARN}:live`]);
  assert.equal((await aws(t, scratch, ['lambda', 'delete-function-url-config', '--function-name', FN])).code, 0);
  await awsFails(['lambda', 'get-function-url-config', '--function-name', FN], 'ResourceNotFoundException', /The resource you requested does not exist\./);
});

test('event invoke configs: put, get, update, list, delete', async () => {
  const put = await awsOk(t, scratch, [
    'lambda', 'put-function-event-invoke-config', '--function-name', FN, '--maximum-retry-attempts', '1', '--maximum-event-age-in-seconds', '300',
  ]);
  assert.equal(put.FunctionArn, `${ARN}:$LATEST`);
  assert.equal(put.MaximumRetryAttempts, 1);
  assert.equal(put.MaximumEventAgeInSeconds, 300);
  // The wire value is epoch seconds; the CLI prints modeled timestamps as ISO 8601.
  assert.ok(Math.abs(Date.parse(put.LastModified) - Date.now()) < 60_000, `LastModified ${put.LastModified}`);
  const got = await awsOk(t, scratch, ['lambda', 'get-function-event-invoke-config', '--function-name', FN]);
  assert.equal(got.MaximumRetryAttempts, 1);
  const updated = await awsOk(t, scratch, ['lambda', 'update-function-event-invoke-config', '--function-name', FN, '--maximum-retry-attempts', '0']);
  assert.equal(updated.MaximumRetryAttempts, 0);
  assert.equal(updated.MaximumEventAgeInSeconds, 300);
  await awsOk(t, scratch, ['lambda', 'put-function-event-invoke-config', '--function-name', FN, '--qualifier', '1', '--maximum-retry-attempts', '2']);
  const list = await awsOk(t, scratch, ['lambda', 'list-function-event-invoke-configs', '--function-name', FN]);
  assert.deepEqual(list.FunctionEventInvokeConfigs.map((c: any) => c.FunctionArn).sort(), [`${ARN}:$LATEST`, `${ARN}:1`].sort());
  await awsFails(['lambda', 'put-function-event-invoke-config', '--function-name', FN, '--maximum-retry-attempts', '3'], 'ValidationException');
  assert.equal((await aws(t, scratch, ['lambda', 'delete-function-event-invoke-config', '--function-name', FN])).code, 0);
  await awsFails(['lambda', 'get-function-event-invoke-config', '--function-name', FN], 'ResourceNotFoundException', /doesn't have an EventInvokeConfig/);
});
