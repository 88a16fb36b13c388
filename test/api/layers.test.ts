import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AddLayerVersionPermissionCommand, CreateFunctionCommand, DeleteLayerVersionCommand, GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand, GetLayerVersionCommand, GetLayerVersionPolicyCommand, ListLayerVersionsCommand, ListLayersCommand,
  PublishLayerVersionCommand, RemoveLayerVersionPermissionCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2,
  type LambdaClient, type PublishLayerVersionCommandInput,
} from '@aws-sdk/client-lambda';
import { RUNTIME_ENUM } from '../../src/domain/runtimes.js';
import { startTestServer, ROLE, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { rejectsWith } from '../helpers/aws-errors.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const LAYER = 'arn:aws:lambda:us-east-1:111111111111:layer';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;
const RUNTIMES = `[${RUNTIME_ENUM.join(', ')}]`;
const layerZip = (body = 'module.exports = 1;') => zipFiles({ 'nodejs/node_modules/lib/index.js': body });

function publish(name: string, extra: Partial<PublishLayerVersionCommandInput> = {}, client: LambdaClient = t.lambda) {
  return client.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: layerZip() }, ...extra }));
}


test('PublishLayerVersion returns 201 with the AWS shape; Content.Location downloads the archive', async () => {
  const zip = layerZip('module.exports = "v1";');
  const out = await t.lambda.send(new PublishLayerVersionCommand({
    LayerName: 'l-shape', Description: 'my layer', Content: { ZipFile: zip }, CompatibleRuntimes: ['nodejs22.x', 'python3.12'],
    CompatibleArchitectures: ['arm64'], LicenseInfo: 'MIT',
  }));
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.equal(out.LayerArn, `${LAYER}:l-shape`);
  assert.equal(out.LayerVersionArn, `${LAYER}:l-shape:1`);
  assert.equal(out.Version, 1);
  assert.equal(out.Description, 'my layer');
  assert.match(out.CreatedDate!, TIMESTAMP);
  assert.deepEqual(out.CompatibleRuntimes, ['nodejs22.x', 'python3.12']);
  assert.deepEqual(out.CompatibleArchitectures, ['arm64']);
  assert.equal(out.LicenseInfo, 'MIT');
  assert.equal(out.Content?.CodeSha256, createHash('sha256').update(zip).digest('base64'));
  assert.equal(out.Content?.CodeSize, zip.length);
  const res = await fetch(out.Content!.Location!);
  assert.equal(res.status, 200);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), zip);

  const minimal = await publish('l-shape');
  assert.equal(minimal.Version, 2);
  assert.equal(minimal.Description, '');
  assert.equal(minimal.CompatibleRuntimes, undefined);
  assert.equal(minimal.LicenseInfo, undefined);
  // {LayerName} may be the layer ARN.
  const byArn = await publish(`${LAYER}:l-shape`);
  assert.equal(byArn.LayerVersionArn, `${LAYER}:l-shape:3`);
});

test('GetLayerVersion by name or ARN and GetLayerVersionByArn return the published version', async () => {
  const pub = await publish('l-get', { Description: 'd', CompatibleRuntimes: ['python3.12'] });
  const byName = await t.lambda.send(new GetLayerVersionCommand({ LayerName: 'l-get', VersionNumber: 1 }));
  const byLayerArn = await t.lambda.send(new GetLayerVersionCommand({ LayerName: `${LAYER}:l-get`, VersionNumber: 1 }));
  const byArn = await t.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}:l-get:1` }));
  for (const got of [byName, byLayerArn, byArn]) {
    assert.equal(got.$metadata.httpStatusCode, 200);
    const { Content, $metadata, ...rest } = got;
    const { Content: pc, $metadata: pm, ...expected } = pub;
    void $metadata; void pm;
    assert.deepEqual(rest, expected);
    assert.equal(Content?.CodeSha256, pc?.CodeSha256);
    assert.equal(Content?.CodeSize, pc?.CodeSize);
    assert.equal((await fetch(Content!.Location!)).status, 200);
  }
});

test('missing layer versions are 404; GetLayerVersionByArn validates the ARN', async () => {
  await publish('l-missing');
  const notFound = 'The resource you requested does not exist.';
  await rejectsWith(t.lambda.send(new GetLayerVersionCommand({ LayerName: 'l-missing', VersionNumber: 2 })), 'ResourceNotFoundException', 404, notFound);
  await rejectsWith(t.lambda.send(new GetLayerVersionCommand({ LayerName: 'nope', VersionNumber: 1 })), 'ResourceNotFoundException', 404, notFound);
  await rejectsWith(t.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}:nope:1` })), 'ResourceNotFoundException', 404, notFound);
  await rejectsWith(t.lambda.send(new GetLayerVersionCommand({ LayerName: 'l-missing', VersionNumber: 0 })), 'InvalidParameterValueException', 400, 'Layer Version Cannot be less than 1');
  await rejectsWith(
    t.lambda.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}:l-missing` })), 'ValidationException', 400,
    `1 validation error detected: Value '${LAYER}:l-missing' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+`,
  );
  await rejectsWith(
    t.lambda.send(new GetLayerVersionCommand({ LayerName: 'bad name!', VersionNumber: 1 })), 'ValidationException', 400,
    "1 validation error detected: Value 'bad name!' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+",
  );
});

test('DeleteLayerVersion is idempotent and version numbers are never reused', async () => {
  await publish('l-del');
  await publish('l-del');
  const del = await t.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'l-del', VersionNumber: 2 }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejectsWith(t.lambda.send(new GetLayerVersionCommand({ LayerName: 'l-del', VersionNumber: 2 })), 'ResourceNotFoundException', 404, 'The resource you requested does not exist.');
  await t.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'l-del', VersionNumber: 2 }));
  await t.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'never-existed', VersionNumber: 7 }));
  assert.equal((await publish('l-del')).Version, 3);
  // Even with every version gone, numbering continues.
  for (const v of [1, 3]) await t.lambda.send(new DeleteLayerVersionCommand({ LayerName: `${LAYER}:l-del`, VersionNumber: v }));
  assert.equal((await publish('l-del')).Version, 4);
  await rejectsWith(t.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'l-del', VersionNumber: 0 })), 'InvalidParameterValueException', 400, 'Layer Version Cannot be less than 1');
});

test('PublishLayerVersion validation errors use AWS wording', async () => {
  const v = (msg: string) => `1 validation error detected: ${msg}`;
  await rejectsWith(publish('l-val', { CompatibleRuntimes: ['nodejs22.x', 'cobol'] as any }), 'ValidationException', 400,
    v(`Value '[nodejs22.x, cobol]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: ${RUNTIMES}`));
  const sixteen = RUNTIME_ENUM.slice(0, 16);
  await rejectsWith(publish('l-val', { CompatibleRuntimes: sixteen as any }), 'ValidationException', 400,
    v(`Value '[${sixteen.join(', ')}]' at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15`));
  await rejectsWith(publish('l-val', { CompatibleArchitectures: ['x86_64', 'arm64', 'arm64'] }), 'ValidationException', 400,
    v("Value '[x86_64, arm64, arm64]' at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to 2"));
  await rejectsWith(publish('l-val', { CompatibleRuntimes: ['nope'] as any, CompatibleArchitectures: ['mips'] as any }), 'ValidationException', 400,
    `2 validation errors detected: Value '[nope]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: ${RUNTIMES}; `
    + "Value '[mips]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]");
  await rejectsWith(publish('l-val', { Description: 'x'.repeat(257) }), 'ValidationException', 400,
    v(`Value '${'x'.repeat(257)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`));
  await rejectsWith(publish('l-val', { LicenseInfo: 'x'.repeat(513) }), 'ValidationException', 400,
    v(`Value '${'x'.repeat(513)}' at 'licenseInfo' failed to satisfy constraint: Member must have length less than or equal to 512`));
  await rejectsWith(publish('l-val', { Content: undefined as any }), 'ValidationException', 400,
    v("Value null at 'content' failed to satisfy constraint: Member must not be null"));
  await rejectsWith(publish('l-val', { Content: { ZipFile: Buffer.from('not a zip') } }), 'InvalidParameterValueException', 400,
    'Could not unzip uploaded file. Please check your file, then try to upload again.');
  await rejectsWith(publish('l-val', { Content: { S3Bucket: 'b', S3Key: 'k' } }), 'InvalidParameterValueException', 400, /S3Bucket\/S3Key code locations are not supported/);
  // Deprecated runtimes stay valid for layers; nothing above created a version.
  const ok = await publish('l-val', { CompatibleRuntimes: ['nodejs12.x', 'python3.12'] as any });
  assert.equal(ok.Version, 1);
});

test('ListLayerVersions: newest first, filters, pagination; unknown layer lists nothing', async () => {
  const c = t.clientFor(TEST_ACCOUNTS[0]!, 'eu-west-1');
  await publish('l-list', { CompatibleRuntimes: ['nodejs22.x'], CompatibleArchitectures: ['x86_64'] }, c);
  await publish('l-list', { CompatibleRuntimes: ['python3.12'], CompatibleArchitectures: ['arm64'] }, c);
  await publish('l-list', { CompatibleRuntimes: ['nodejs22.x', 'python3.12'] }, c);
  await publish('l-list', {}, c);
  const all = await c.send(new ListLayerVersionsCommand({ LayerName: 'l-list' }));
  assert.deepEqual(all.LayerVersions?.map((v) => v.Version), [4, 3, 2, 1]);
  assert.equal(all.NextMarker, undefined);
  const item = all.LayerVersions![1]!;
  assert.equal(item.LayerVersionArn, 'arn:aws:lambda:eu-west-1:111111111111:layer:l-list:3');
  assert.match(item.CreatedDate!, TIMESTAMP);
  assert.equal((item as any).Content, undefined);
  const node = await c.send(new ListLayerVersionsCommand({ LayerName: 'l-list', CompatibleRuntime: 'nodejs22.x' }));
  assert.deepEqual(node.LayerVersions?.map((v) => v.Version), [3, 1]);
  const arm = await c.send(new ListLayerVersionsCommand({ LayerName: 'l-list', CompatibleArchitecture: 'arm64' }));
  assert.deepEqual(arm.LayerVersions?.map((v) => v.Version), [2]);
  const p1 = await c.send(new ListLayerVersionsCommand({ LayerName: 'l-list', MaxItems: 3 }));
  assert.deepEqual(p1.LayerVersions?.map((v) => v.Version), [4, 3, 2]);
  assert.ok(p1.NextMarker);
  const p2 = await c.send(new ListLayerVersionsCommand({ LayerName: 'l-list', MaxItems: 3, Marker: p1.NextMarker }));
  assert.deepEqual(p2.LayerVersions?.map((v) => v.Version), [1]);
  assert.equal(p2.NextMarker, undefined);
  const none = await c.send(new ListLayerVersionsCommand({ LayerName: 'no-such-layer' }));
  assert.deepEqual(none.LayerVersions, []);
  await rejectsWith(c.send(new ListLayerVersionsCommand({ LayerName: 'l-list', CompatibleRuntime: 'cobol' as any })), 'ValidationException', 400,
    `1 validation error detected: Value 'cobol' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set: ${RUNTIMES}`);
  await rejectsWith(c.send(new ListLayerVersionsCommand({ LayerName: 'l-list', MaxItems: 51 })), 'ValidationException', 400,
    "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50");
});

test('ListLayers: each layer with its latest matching version, filters and pagination', async () => {
  const c = t.clientFor(TEST_ACCOUNTS[0]!, 'us-west-2');
  await publish('a-layer', { CompatibleRuntimes: ['nodejs22.x'], CompatibleArchitectures: ['x86_64', 'arm64'] }, c);
  await publish('a-layer', { CompatibleRuntimes: ['python3.12'] }, c);
  await publish('b-layer', { CompatibleRuntimes: ['nodejs22.x'] }, c);
  await publish('c-layer', {}, c);
  await publish('d-gone', {}, c);
  await c.send(new DeleteLayerVersionCommand({ LayerName: 'd-gone', VersionNumber: 1 }));
  const all = await c.send(new ListLayersCommand({}));
  assert.deepEqual(all.Layers?.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version]), [['a-layer', 2], ['b-layer', 1], ['c-layer', 1]]);
  assert.equal(all.Layers![0]!.LayerArn, 'arn:aws:lambda:us-west-2:111111111111:layer:a-layer');
  assert.equal(all.Layers![0]!.LatestMatchingVersion?.LayerVersionArn, 'arn:aws:lambda:us-west-2:111111111111:layer:a-layer:2');
  const node = await c.send(new ListLayersCommand({ CompatibleRuntime: 'nodejs22.x' }));
  assert.deepEqual(node.Layers?.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version]), [['a-layer', 1], ['b-layer', 1]]);
  const arm = await c.send(new ListLayersCommand({ CompatibleArchitecture: 'arm64' }));
  assert.deepEqual(arm.Layers?.map((l) => l.LayerName), ['a-layer']);
  const p1 = await c.send(new ListLayersCommand({ MaxItems: 2 }));
  assert.deepEqual(p1.Layers?.map((l) => l.LayerName), ['a-layer', 'b-layer']);
  const p2 = await c.send(new ListLayersCommand({ MaxItems: 2, Marker: p1.NextMarker }));
  assert.deepEqual(p2.Layers?.map((l) => l.LayerName), ['c-layer']);
  assert.equal(p2.NextMarker, undefined);
  await rejectsWith(c.send(new ListLayersCommand({ CompatibleArchitecture: 'mips' as any })), 'ValidationException', 400,
    "1 validation error detected: Value 'mips' at 'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]");
});

test('a published layer can be used by a function, subject to compatibility', async () => {
  const lv = await publish('l-use', { CompatibleRuntimes: ['nodejs22.x'], CompatibleArchitectures: ['x86_64'] });
  const created = await t.lambda.send(new CreateFunctionCommand({
    FunctionName: 'f-with-layer', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => require("lib");' }) }, Layers: [lv.LayerVersionArn!],
  }));
  assert.deepEqual(created.Layers, [{ Arn: lv.LayerVersionArn, CodeSize: lv.Content?.CodeSize }]);
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'f-with-layer' });
  const cfg = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f-with-layer' }));
  assert.equal(cfg.State, 'Active');
  assert.deepEqual(cfg.Layers, [{ Arn: lv.LayerVersionArn, CodeSize: lv.Content?.CodeSize }]);

  await rejectsWith(t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f-with-layer', Runtime: 'python3.12', Handler: 'h.h' })),
    'InvalidParameterValueException', 400, `Layer version ${lv.LayerVersionArn} is not compatible with runtime python3.12. Compatible runtimes: [nodejs22.x]`);
  await t.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'l-use', VersionNumber: 1 }));
  await rejectsWith(t.lambda.send(new CreateFunctionCommand({
    FunctionName: 'f-deleted-layer', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) }, Layers: [lv.LayerVersionArn!],
  })), 'InvalidParameterValueException', 400, `Layer version ${lv.LayerVersionArn} does not exist.`);
});

test('layer version permissions: add, get, remove, and every error', async () => {
  const lv = await publish('l-perm');
  const added = await t.lambda.send(new AddLayerVersionPermissionCommand({
    LayerName: 'l-perm', VersionNumber: 1, StatementId: 'xaccount', Action: 'lambda:GetLayerVersion', Principal: '222222222222',
  }));
  assert.equal(added.$metadata.httpStatusCode, 201);
  assert.equal(added.Statement, JSON.stringify({
    Sid: 'xaccount', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'lambda:GetLayerVersion', Resource: lv.LayerVersionArn,
  }));
  assert.match(added.RevisionId!, /^[0-9a-f-]{36}$/);
  const org = await t.lambda.send(new AddLayerVersionPermissionCommand({
    LayerName: `${LAYER}:l-perm`, VersionNumber: 1, StatementId: 'org', Action: 'lambda:GetLayerVersion', Principal: '*',
    OrganizationId: 'o-abcdefghij', RevisionId: added.RevisionId,
  }));
  assert.deepEqual(JSON.parse(org.Statement!).Condition, { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } });
  assert.equal(JSON.parse(org.Statement!).Principal, '*');
  const got = await t.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'l-perm', VersionNumber: 1 }));
  assert.equal(got.RevisionId, org.RevisionId);
  const doc = JSON.parse(got.Policy!);
  assert.equal(doc.Version, '2012-10-17');
  assert.equal(doc.Id, 'default');
  assert.deepEqual(doc.Statement.map((s: any) => s.Sid), ['xaccount', 'org']);

  const missingArn = `${LAYER}:l-perm:9`;
  const perm = (extra: Record<string, unknown>) => t.lambda.send(new AddLayerVersionPermissionCommand({
    LayerName: 'l-perm', VersionNumber: 1, StatementId: 's', Action: 'lambda:GetLayerVersion', Principal: '*', ...extra,
  }));
  await rejectsWith(perm({ StatementId: 'xaccount' }), 'ResourceConflictException', 409,
    'The statement id (xaccount) provided already exists. Please provide a new statement id, or remove the existing statement.');
  await rejectsWith(perm({ Action: 'lambda:GetFunction' }), 'ValidationException', 400,
    "1 validation error detected: Value 'lambda:GetFunction' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion");
  await rejectsWith(perm({ Action: 'lambda:DeleteLayerVersion' }), 'ValidationException', 400,
    "2 validation errors detected: Value 'lambda:DeleteLayerVersion' at 'action' failed to satisfy constraint: Member must have length less than or equal to 22; "
    + "Value 'lambda:DeleteLayerVersion' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion");
  await rejectsWith(perm({ Principal: 's3.amazonaws.com' }), 'ValidationException', 400,
    "1 validation error detected: Value 's3.amazonaws.com' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root");
  await rejectsWith(perm({ StatementId: 'bad sid' }), 'ValidationException', 400,
    "1 validation error detected: Value 'bad sid' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
  await rejectsWith(perm({ OrganizationId: 'org-1' }), 'ValidationException', 400,
    "1 validation error detected: Value 'org-1' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}");
  await rejectsWith(perm({ RevisionId: 'stale' }), 'PreconditionFailedException', 412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id');
  await rejectsWith(perm({ VersionNumber: 9 }), 'ResourceNotFoundException', 404, `Layer version ${missingArn} does not exist.`);
  await rejectsWith(t.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'l-perm', VersionNumber: 9 })), 'ResourceNotFoundException', 404,
    `Layer version ${missingArn} does not exist.`);
  await rejectsWith(t.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: 'l-perm', VersionNumber: 9, StatementId: 'org' })),
    'ResourceNotFoundException', 404, `Layer version ${missingArn} does not exist.`);
  await rejectsWith(t.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: 'l-perm', VersionNumber: 1, StatementId: 'nope' })),
    'ResourceNotFoundException', 404, 'Statement nope is not found in resource policy.');
  await rejectsWith(t.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: 'l-perm', VersionNumber: 1, StatementId: 'org', RevisionId: 'stale' })),
    'PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id');

  const removed = await t.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: 'l-perm', VersionNumber: 1, StatementId: 'org', RevisionId: got.RevisionId }));
  assert.equal(removed.$metadata.httpStatusCode, 204);
  const after = await t.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'l-perm', VersionNumber: 1 }));
  assert.deepEqual(JSON.parse(after.Policy!).Statement.map((s: any) => s.Sid), ['xaccount']);
  assert.notEqual(after.RevisionId, got.RevisionId);
  await t.lambda.send(new RemoveLayerVersionPermissionCommand({ LayerName: 'l-perm', VersionNumber: 1, StatementId: 'xaccount' }));
  await rejectsWith(t.lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'l-perm', VersionNumber: 1 })), 'ResourceNotFoundException', 404,
    'No policy is associated with the given resource.');
});

test('another account can use a layer only once a layer permission grants it', async () => {
  const other = t.clientFor(TEST_ACCOUNTS[1]!);
  const lv = await publish('l-shared', { CompatibleRuntimes: ['nodejs22.x'] });
  const arn = lv.LayerVersionArn!;
  const createIn2 = (name: string) => other.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: 'arn:aws:iam::222222222222:role/r',
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) }, Layers: [arn],
  }));
  const denied = `User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:GetLayerVersion on resource: ${arn}`;
  await rejectsWith(createIn2('f-x1'), 'AccessDeniedException', 403, denied);
  await rejectsWith(other.send(new GetLayerVersionByArnCommand({ Arn: arn })), 'AccessDeniedException', 403, denied);
  await rejectsWith(other.send(new GetLayerVersionCommand({ LayerName: `${LAYER}:l-shared`, VersionNumber: 1 })), 'AccessDeniedException', 403, denied);
  // Nothing leaks about versions that do not exist either.
  await rejectsWith(other.send(new GetLayerVersionByArnCommand({ Arn: `${LAYER}:l-shared:5` })), 'AccessDeniedException', 403,
    `User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:GetLayerVersion on resource: ${LAYER}:l-shared:5`);
  // An organization-scoped grant does not cover accounts outside any organization.
  await t.lambda.send(new AddLayerVersionPermissionCommand({
    LayerName: 'l-shared', VersionNumber: 1, StatementId: 'org', Action: 'lambda:GetLayerVersion', Principal: '*', OrganizationId: 'o-abcdefghij',
  }));
  await rejectsWith(createIn2('f-x1'), 'AccessDeniedException', 403, denied);
  // Account 2 cannot manage account 1's layer.
  await rejectsWith(other.send(new PublishLayerVersionCommand({ LayerName: `${LAYER}:l-shared`, Content: { ZipFile: layerZip() } })), 'AccessDeniedException', 403,
    `User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:PublishLayerVersion on resource: ${LAYER}:l-shared because no resource-based policy allows the lambda:PublishLayerVersion action`);
  await rejectsWith(other.send(new DeleteLayerVersionCommand({ LayerName: `${LAYER}:l-shared`, VersionNumber: 1 })), 'AccessDeniedException', 403,
    /not authorized to perform: lambda:DeleteLayerVersion/);
  await rejectsWith(other.send(new AddLayerVersionPermissionCommand({
    LayerName: `${LAYER}:l-shared`, VersionNumber: 1, StatementId: 'self', Action: 'lambda:GetLayerVersion', Principal: '222222222222',
  })), 'AccessDeniedException', 403, /not authorized to perform: lambda:AddLayerVersionPermission/);

  await t.lambda.send(new AddLayerVersionPermissionCommand({
    LayerName: 'l-shared', VersionNumber: 1, StatementId: 'acct2', Action: 'lambda:GetLayerVersion', Principal: '222222222222',
  }));
  const f = await createIn2('f-x1');
  assert.deepEqual(f.Layers, [{ Arn: arn, CodeSize: lv.Content?.CodeSize }]);
  await waitUntilFunctionActiveV2({ client: other, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'f-x1' });
  const got = await other.send(new GetLayerVersionByArnCommand({ Arn: arn }));
  assert.equal(got.Version, 1);
  assert.equal((await fetch(got.Content!.Location!)).status, 200);
});
