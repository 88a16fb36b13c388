import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand, CreateAliasCommand, CreateFunctionCommand, DeleteFunctionCommand, GetPolicyCommand, PublishVersionCommand,
  RemovePermissionCommand, waitUntilFunctionActiveV2, type AddPermissionCommandInput,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { rejectsWith } from '../helpers/aws-errors.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const FN = 'arn:aws:lambda:us-east-1:111111111111:function';
const REVISION_MESSAGE = 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

async function create(name: string): Promise<void> {
  await t.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) },
  }));
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}

const add = (name: string, extra: Partial<AddPermissionCommandInput> = {}) => t.lambda.send(new AddPermissionCommand({
  FunctionName: name, StatementId: 'sid', Action: 'lambda:InvokeFunction', Principal: '*', ...extra,
}));

async function policy(name: string, qualifier?: string) {
  const out = await t.lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: qualifier }));
  return { doc: JSON.parse(out.Policy!), revisionId: out.RevisionId! };
}


test('AddPermission returns the statement as a JSON string; GetPolicy the whole document', async () => {
  await create('p-basic');
  const out = await add('p-basic', {
    StatementId: 's3', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::my-bucket', SourceAccount: '123456789012',
  });
  assert.equal(out.$metadata.httpStatusCode, 201);
  const s3 = {
    Sid: 's3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: `${FN}:p-basic`,
    Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::my-bucket' } },
  };
  assert.equal(out.Statement, JSON.stringify(s3));
  const got = await t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-basic' }));
  assert.equal(got.Policy, JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [s3] }));
  assert.match(got.RevisionId!, /^[0-9a-f-]{36}$/);
});

test('every principal form and condition maps as AWS documents it', async () => {
  await create('p-forms');
  const stmt = async (extra: Partial<AddPermissionCommandInput>) => JSON.parse((await add('p-forms', extra)).Statement!);
  assert.deepEqual((await stmt({ StatementId: 'acct', Principal: '222222222222' })).Principal, { AWS: 'arn:aws:iam::222222222222:root' });
  assert.deepEqual((await stmt({ StatementId: 'role', Principal: 'arn:aws:iam::222222222222:role/r' })).Principal, { AWS: 'arn:aws:iam::222222222222:role/r' });
  assert.equal((await stmt({ StatementId: 'star', Principal: '*', Action: 'lambda:*' })).Principal, '*');
  const url = await stmt({
    StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE', PrincipalOrgID: 'o-abcdefghij', EventSourceToken: 'tok.en-1',
  });
  assert.deepEqual(url.Condition, {
    StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'lambda:EventSourceToken': 'tok.en-1', 'lambda:FunctionUrlAuthType': 'NONE' },
  });
  const via = await stmt({ StatementId: 'via', InvokedViaFunctionUrl: true });
  assert.deepEqual(via.Condition, { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } });
  const { doc } = await policy('p-forms');
  assert.deepEqual(doc.Statement.map((s: any) => s.Sid), ['acct', 'role', 'star', 'url', 'via']);
});

test('versions and aliases carry their own policies; the qualifier must exist', async () => {
  await create('p-qual');
  await t.lambda.send(new PublishVersionCommand({ FunctionName: 'p-qual' }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'p-qual', Name: 'live', FunctionVersion: '1' }));
  const v1 = JSON.parse((await add('p-qual', { Qualifier: '1' })).Statement!);
  assert.equal(v1.Resource, `${FN}:p-qual:1`);
  const alias = JSON.parse((await add('p-qual:live')).Statement!);
  assert.equal(alias.Resource, `${FN}:p-qual:live`);
  // The same Sid may exist once per policy document.
  await add('p-qual');
  assert.deepEqual((await policy('p-qual', '1')).doc.Statement.map((s: any) => s.Resource), [`${FN}:p-qual:1`]);
  assert.deepEqual((await policy(`${FN}:p-qual:live`)).doc.Statement.map((s: any) => s.Resource), [`${FN}:p-qual:live`]);
  assert.deepEqual((await policy('p-qual')).doc.Statement.map((s: any) => s.Resource), [`${FN}:p-qual`]);

  await rejectsWith(add('p-qual', { Qualifier: '9' }), 'ResourceNotFoundException', 404, `Function not found: ${FN}:p-qual:9`);
  await rejectsWith(add('p-qual', { Qualifier: 'nope' }), 'ResourceNotFoundException', 404, `Cannot find alias arn: ${FN}:p-qual:nope`);
  await rejectsWith(add('p-qual', { Qualifier: '$LATEST' }), 'InvalidParameterValueException', 400, 'We currently do not support adding policies for $LATEST.');
  await rejectsWith(add('p-missing'), 'ResourceNotFoundException', 404, `Function not found: ${FN}:p-missing`);
  await rejectsWith(t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-qual', StatementId: 'sid', Qualifier: 'nope' })),
    'ResourceNotFoundException', 404, `Cannot find alias arn: ${FN}:p-qual:nope`);

  await t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-qual', StatementId: 'sid', Qualifier: '1' }));
  await rejectsWith(t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-qual', Qualifier: '1' })), 'ResourceNotFoundException', 404,
    'The resource you requested does not exist.');
  assert.equal((await policy('p-qual', 'live')).doc.Statement.length, 1);
});

test('duplicate statement ids conflict; missing policies and statements are 404', async () => {
  await create('p-err');
  await rejectsWith(t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-err' })), 'ResourceNotFoundException', 404,
    'The resource you requested does not exist.');
  await rejectsWith(t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-nofn' })), 'ResourceNotFoundException', 404,
    `Function not found: ${FN}:p-nofn`);
  await rejectsWith(t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-err', StatementId: 'sid' })), 'ResourceNotFoundException', 404,
    'No policy is associated with the given resource.');
  await rejectsWith(t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-nofn', StatementId: 'sid' })), 'ResourceNotFoundException', 404,
    `No policy found for: ${FN}:p-nofn`);
  await add('p-err');
  await rejectsWith(add('p-err'), 'ResourceConflictException', 409,
    'The statement id (sid) provided already exists. Please provide a new statement id, or remove the existing statement.');
  await rejectsWith(t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-err', StatementId: 'other' })), 'ResourceNotFoundException', 404,
    'Statement other is not found in resource policy.');
  const removed = await t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-err', StatementId: 'sid' }));
  assert.equal(removed.$metadata.httpStatusCode, 204);
  await rejectsWith(t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-err' })), 'ResourceNotFoundException', 404,
    'The resource you requested does not exist.');
});

test('RevisionId guards AddPermission and RemovePermission', async () => {
  await create('p-rev');
  await add('p-rev', { StatementId: 'a' });
  const { revisionId } = await policy('p-rev');
  await rejectsWith(add('p-rev', { StatementId: 'b', RevisionId: 'stale' }), 'PreconditionFailedException', 412, REVISION_MESSAGE);
  await add('p-rev', { StatementId: 'b', RevisionId: revisionId });
  const second = await policy('p-rev');
  assert.notEqual(second.revisionId, revisionId);
  await rejectsWith(t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-rev', StatementId: 'a', RevisionId: revisionId })),
    'PreconditionFailedException', 412, REVISION_MESSAGE);
  await t.lambda.send(new RemovePermissionCommand({ FunctionName: 'p-rev', StatementId: 'a', RevisionId: second.revisionId }));
  assert.deepEqual((await policy('p-rev')).doc.Statement.map((s: any) => s.Sid), ['b']);
});

test('a policy larger than 20 KB is refused with PolicyLengthExceededException', async () => {
  await create('p-big');
  const sourceArn = `arn:aws:s3:::${'b'.repeat(2000)}`;
  let i = 0;
  for (; i < 9; i++) await add('p-big', { StatementId: `s${i}`, SourceArn: sourceArn });
  await rejectsWith(add('p-big', { StatementId: 's9', SourceArn: `${sourceArn}${'c'.repeat(1500)}` }), 'PolicyLengthExceededException', 400,
    /^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$/);
  assert.equal((await policy('p-big')).doc.Statement.length, 9);
});

test('AddPermission input validation uses AWS wording', async () => {
  await create('p-val');
  const v = (msg: string) => `1 validation error detected: ${msg}`;
  await rejectsWith(add('p-val', { StatementId: 'bad sid' }), 'ValidationException', 400,
    v("Value 'bad sid' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"));
  await rejectsWith(add('p-val', { Action: 'InvokeFunction' }), 'ValidationException', 400,
    v("Value 'InvokeFunction' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])"));
  await rejectsWith(add('p-val', { SourceAccount: '123' }), 'ValidationException', 400,
    v("Value '123' at 'sourceAccount' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}"));
  await rejectsWith(add('p-val', { FunctionUrlAuthType: 'BASIC' as any }), 'ValidationException', 400,
    v("Value 'BASIC' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]"));
  await rejectsWith(add('p-val', { Principal: 'nonsense' }), 'InvalidParameterValueException', 400,
    'The provided principal was invalid. Please check the principal and try again.');
  await rejectsWith(t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-val' })), 'ResourceNotFoundException', 404,
    'The resource you requested does not exist.');
});

test('another account cannot read or change the policy; DeleteFunction removes it', async () => {
  await create('p-iso');
  await add('p-iso');
  const other = t.clientFor(TEST_ACCOUNTS[1]!);
  await rejectsWith(other.send(new GetPolicyCommand({ FunctionName: `${FN}:p-iso` })), 'AccessDeniedException', 403, /lambda:GetPolicy/);
  await rejectsWith(other.send(new AddPermissionCommand({ FunctionName: `${FN}:p-iso`, StatementId: 'x', Action: 'lambda:*', Principal: '*' })),
    'AccessDeniedException', 403, /lambda:AddPermission/);
  await rejectsWith(other.send(new RemovePermissionCommand({ FunctionName: `${FN}:p-iso`, StatementId: 'sid' })), 'AccessDeniedException', 403, /lambda:RemovePermission/);
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'p-iso' }));
  await create('p-iso');
  await rejectsWith(t.lambda.send(new GetPolicyCommand({ FunctionName: 'p-iso' })), 'ResourceNotFoundException', 404,
    'The resource you requested does not exist.');
});
