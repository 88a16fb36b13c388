import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluatePolicy, isAllowed, layerPermissionStatement, permissionStatement, policyDocument, policySize, principalElement,
  type RequestPrincipal,
} from './policy.js';

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:f';
const anyone: RequestPrincipal = { kind: 'anonymous' };
const acct = (account: string, arn?: string): RequestPrincipal => (arn ? { kind: 'account', account, arn } : { kind: 'account', account });

test('principalElement maps the AddPermission forms', () => {
  assert.equal(principalElement('*'), '*');
  assert.deepEqual(principalElement('123456789012'), { AWS: 'arn:aws:iam::123456789012:root' });
  assert.deepEqual(principalElement('arn:aws:iam::123456789012:role/r'), { AWS: 'arn:aws:iam::123456789012:role/r' });
  assert.deepEqual(principalElement('s3.amazonaws.com'), { Service: 's3.amazonaws.com' });
  assert.equal(principalElement('nonsense'), undefined);
  assert.equal(principalElement('12345'), undefined);
});

test('permissionStatement builds the AWS statement, conditions in AWS order', () => {
  const s = permissionStatement({
    sid: 's3', action: 'lambda:InvokeFunction', principal: 's3.amazonaws.com', resource: FN,
    sourceArn: 'arn:aws:s3:::my-bucket', sourceAccount: '123456789012',
  });
  assert.equal(JSON.stringify(s), JSON.stringify({
    Sid: 's3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN,
    Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::my-bucket' } },
  }));
  const url = permissionStatement({
    sid: 'u', action: 'lambda:InvokeFunctionUrl', principal: '*', resource: FN, functionUrlAuthType: 'NONE',
    principalOrgId: 'o-abcdefghij', eventSourceToken: 'tok', invokedViaFunctionUrl: true,
  });
  assert.deepEqual(url.Condition, {
    StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'lambda:EventSourceToken': 'tok', 'lambda:FunctionUrlAuthType': 'NONE' },
    Bool: { 'lambda:InvokedViaFunctionUrl': 'true' },
  });
  assert.equal(permissionStatement({ sid: 'x', action: '*', principal: '*', resource: FN }).Condition, undefined);
});

test('layerPermissionStatement: account principal becomes its root, OrganizationId a condition', () => {
  const res = 'arn:aws:lambda:us-east-1:111111111111:layer:l:1';
  assert.deepEqual(layerPermissionStatement({ sid: 'a', action: 'lambda:GetLayerVersion', principal: '222222222222', resource: res }), {
    Sid: 'a', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'lambda:GetLayerVersion', Resource: res,
  });
  assert.deepEqual(
    layerPermissionStatement({ sid: 'o', action: 'lambda:GetLayerVersion', principal: '*', resource: res, organizationId: 'o-abcdefghij' }).Condition,
    { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
  );
});

test('function URL with AuthType NONE: allowed only by a statement for that auth type', () => {
  const none = permissionStatement({ sid: 'url', action: 'lambda:InvokeFunctionUrl', principal: '*', resource: FN, functionUrlAuthType: 'NONE' });
  const req = { action: 'lambda:InvokeFunctionUrl', principal: anyone, resource: FN, context: { 'lambda:FunctionUrlAuthType': 'NONE' } };
  assert.equal(isAllowed([none], req), true);
  assert.equal(isAllowed([none], { ...req, context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } }), false);
  // A condition key that is not supplied never satisfies a positive operator.
  assert.equal(isAllowed([none], { ...req, context: {} }), false);
  // Condition key names are case-insensitive.
  assert.equal(isAllowed([none], { ...req, context: { 'LAMBDA:functionurlauthtype': 'NONE' } }), true);
  // Another action or resource is not covered.
  assert.equal(isAllowed([none], { ...req, action: 'lambda:InvokeFunction' }), false);
  assert.equal(isAllowed([none], { ...req, resource: `${FN}:prod` }), false);
  assert.equal(isAllowed(undefined, req), false);
  assert.equal(isAllowed(policyDocument([none]), req), true);
});

test('principals: account root covers the account, exact ARNs match exactly, services by name', () => {
  const root = permissionStatement({ sid: 'a', action: 'lambda:InvokeFunction', principal: '222222222222', resource: FN });
  const role = permissionStatement({ sid: 'r', action: 'lambda:InvokeFunction', principal: 'arn:aws:iam::333333333333:role/x', resource: FN });
  const svc = permissionStatement({ sid: 's', action: 'lambda:InvokeFunction', principal: 'events.amazonaws.com', resource: FN });
  const req = (principal: RequestPrincipal) => ({ action: 'lambda:InvokeFunction', principal, resource: FN });
  assert.equal(isAllowed([root], req(acct('222222222222', 'arn:aws:iam::222222222222:role/any'))), true);
  assert.equal(isAllowed([root], req(acct('444444444444'))), false);
  assert.equal(isAllowed([root], req(anyone)), false);
  assert.equal(isAllowed([role], req(acct('333333333333', 'arn:aws:iam::333333333333:role/x'))), true);
  assert.equal(isAllowed([role], req(acct('333333333333', 'arn:aws:iam::333333333333:role/y'))), false);
  assert.equal(isAllowed([svc], req({ kind: 'service', service: 'events.amazonaws.com' })), true);
  assert.equal(isAllowed([svc], req({ kind: 'service', service: 's3.amazonaws.com' })), false);
  assert.equal(isAllowed([{ Sid: 'star', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'lambda:*' }], req(anyone)), true);
});

test('actions accept wildcards; ArnLike and StringLike glob; an explicit Deny wins', () => {
  const allowAll = { Sid: 'all', Effect: 'Allow', Principal: '*', Action: ['lambda:Get*', 'lambda:InvokeFunction'], Resource: `${FN}*` };
  const deny = { Sid: 'deny', Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bad-*' } } };
  const base = { principal: anyone, resource: `${FN}:1` };
  assert.equal(evaluatePolicy([allowAll], { ...base, action: 'lambda:GetFunction' }), 'allow');
  assert.equal(evaluatePolicy([allowAll], { ...base, action: 'lambda:DeleteFunction' }), 'implicit-deny');
  assert.equal(evaluatePolicy([allowAll, deny], { ...base, action: 'lambda:InvokeFunction', context: { 'aws:SourceArn': 'arn:aws:s3:::bad-bucket' } }), 'explicit-deny');
  assert.equal(evaluatePolicy([allowAll, deny], { ...base, action: 'lambda:InvokeFunction', context: { 'aws:SourceArn': 'arn:aws:s3:::good' } }), 'allow');
});

test('negated operators hold for an absent key; IfExists and Null; unknown operators never grant', () => {
  const stmt = (Condition: Record<string, unknown>) => [{ Sid: 'c', Effect: 'Allow', Principal: '*', Action: '*', Condition }];
  const req = (context: Record<string, string>) => ({ action: 'lambda:InvokeFunction', principal: anyone, context });
  assert.equal(isAllowed(stmt({ StringNotEquals: { 'aws:SourceAccount': '1' } }), req({})), true);
  assert.equal(isAllowed(stmt({ StringNotEquals: { 'aws:SourceAccount': '1' } }), req({ 'aws:SourceAccount': '1' })), false);
  assert.equal(isAllowed(stmt({ StringEqualsIfExists: { 'aws:SourceAccount': '1' } }), req({})), true);
  assert.equal(isAllowed(stmt({ StringEqualsIfExists: { 'aws:SourceAccount': '1' } }), req({ 'aws:SourceAccount': '2' })), false);
  assert.equal(isAllowed(stmt({ Null: { 'aws:SourceArn': 'true' } }), req({})), true);
  assert.equal(isAllowed(stmt({ Null: { 'aws:SourceArn': 'true' } }), req({ 'aws:SourceArn': 'x' })), false);
  assert.equal(isAllowed(stmt({ Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } }), req({ 'lambda:InvokedViaFunctionUrl': 'true' })), true);
  assert.equal(isAllowed(stmt({ NumericEquals: { 'x:n': '1' } }), req({ 'x:n': '1' })), false);
  // Organizations do not exist here: an org-conditioned statement grants nobody without the key.
  assert.equal(isAllowed(stmt({ StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } }), req({})), false);
});

test('policySize counts the serialized document', () => {
  const s = permissionStatement({ sid: 'a', action: '*', principal: '*', resource: FN });
  assert.equal(policySize([s]), JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: [s] }).length);
});
