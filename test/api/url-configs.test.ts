import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateFunctionCommand, CreateFunctionUrlConfigCommand, DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand, GetFunctionUrlConfigCommand, ListFunctionUrlConfigsCommand, PublishVersionCommand,
  UpdateFunctionUrlConfigCommand, waitUntilFunctionActiveV2,
  type CreateFunctionUrlConfigCommandInput,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { URL_ID_SCOPE, parseFunctionUrlHost, resolveUrlId } from '../../src/api/services/function-url.js';
import { rejectsWith as fails } from '../helpers/aws-errors.js';

let t: TestServer;
let port: string;
before(async () => {
  t = await startTestServer();
  port = new URL(t.url).port;
});
after(async () => { await t.close(); });

const ARN = 'arn:aws:lambda:us-east-1:111111111111:function:';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/;
const FUNCTION_MISSING = 'Function does not exist';
const RESOURCE_MISSING = 'The resource you requested does not exist.';
const qualifierError = (q: string) =>
  `1 validation error detected: Value '${q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`;

async function create(name: string): Promise<void> {
  await t.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
    Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) },
  }));
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}

/** A function with version 1 and alias `live` → 1. */
async function createWithAlias(name: string): Promise<void> {
  await create(name);
  await t.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
}


const createUrl = (input: Partial<CreateFunctionUrlConfigCommandInput> & { FunctionName: string }) =>
  t.lambda.send(new CreateFunctionUrlConfigCommand({ AuthType: 'NONE', ...input } as CreateFunctionUrlConfigCommandInput));

function urlIdOf(functionUrl: string): string {
  const parsed = parseFunctionUrlHost(new URL(functionUrl).host);
  assert.ok(parsed, `not a function URL host: ${functionUrl}`);
  return parsed.urlId;
}

test('CreateFunctionUrlConfig returns a callable Sluice URL and AWS fields; Get adds LastModifiedTime and InvokeMode', async () => {
  await create('u-basic');
  const cors = { AllowOrigins: ['https://example.com'], AllowMethods: ['GET', 'POST'], MaxAge: 300, AllowCredentials: true };
  const out = await createUrl({ FunctionName: 'u-basic', Cors: cors });
  assert.equal(out.$metadata.httpStatusCode, 201);
  assert.match(out.FunctionUrl!, new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${port}/$`));
  assert.ok(out.FunctionUrl!.length >= 40 && out.FunctionUrl!.length <= 100);
  assert.equal(out.FunctionArn, `${ARN}u-basic`);
  assert.equal(out.AuthType, 'NONE');
  assert.deepEqual(out.Cors, cors);
  assert.match(out.CreationTime!, TIMESTAMP);
  assert.equal(out.InvokeMode, undefined, 'AWS omits InvokeMode from the create response unless it was given');

  const got = await t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-basic' }));
  assert.equal(got.FunctionUrl, out.FunctionUrl);
  assert.equal(got.FunctionArn, `${ARN}u-basic`);
  assert.equal(got.CreationTime, out.CreationTime);
  assert.equal(got.LastModifiedTime, out.CreationTime);
  assert.equal(got.InvokeMode, 'BUFFERED');
  assert.deepEqual(got.Cors, cors);

  // The reverse index resolves the url-id in the URL to this function.
  const resolved = resolveUrlId(t.sluice.context.repos, urlIdOf(out.FunctionUrl!));
  assert.deepEqual(resolved?.owner, { account: '111111111111', region: 'us-east-1', functionName: 'u-basic' });
  assert.equal(parseFunctionUrlHost(new URL(out.FunctionUrl!).host)?.region, 'us-east-1');
});

test('the same name in a full ARN works, and InvokeMode given on create is echoed', async () => {
  await create('u-arn');
  const out = await createUrl({ FunctionName: `${ARN}u-arn`, AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
  assert.equal(out.AuthType, 'AWS_IAM');
  assert.equal(out.InvokeMode, 'RESPONSE_STREAM');
  assert.equal(out.Cors, undefined);
});

test('a duplicate create is a 409 with AWS wording', async () => {
  await create('u-dup');
  await createUrl({ FunctionName: 'u-dup' });
  await fails(createUrl({ FunctionName: 'u-dup' }), 'ResourceConflictException', 409,
    `Failed to create function url config for [functionArn = ${ARN}u-dup]. Error message:  FunctionUrlConfig exists for this Lambda function`);
});

test('an alias gets its own URL; list shows both and paginates', async () => {
  await createWithAlias('u-alias');
  const own = await createUrl({ FunctionName: 'u-alias' });
  const live = await createUrl({ FunctionName: 'u-alias', Qualifier: 'live' });
  assert.equal(live.FunctionArn, `${ARN}u-alias:live`);
  assert.notEqual(urlIdOf(live.FunctionUrl!), urlIdOf(own.FunctionUrl!));
  await fails(createUrl({ FunctionName: 'u-alias:live' }), 'ResourceConflictException', 409,
    `Failed to create function url config for [functionArn = ${ARN}u-alias:live]. Error message:  FunctionUrlConfig exists for this Lambda function`);
  const viaName = await t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-alias:live' }));
  assert.equal(viaName.FunctionUrl, live.FunctionUrl);
  assert.deepEqual(resolveUrlId(t.sluice.context.repos, urlIdOf(live.FunctionUrl!))?.owner,
    { account: '111111111111', region: 'us-east-1', functionName: 'u-alias', qualifier: 'live' });

  const all = await t.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'u-alias' }));
  assert.deepEqual(all.FunctionUrlConfigs?.map((c) => c.FunctionArn), [`${ARN}u-alias`, `${ARN}u-alias:live`]);
  assert.equal(all.NextMarker, undefined);
  for (const c of all.FunctionUrlConfigs!) {
    assert.equal(c.InvokeMode, 'BUFFERED');
    assert.match(c.LastModifiedTime!, TIMESTAMP);
  }
  const p1 = await t.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'u-alias', MaxItems: 1 }));
  assert.equal(p1.FunctionUrlConfigs?.length, 1);
  assert.ok(p1.NextMarker);
  const p2 = await t.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'u-alias', MaxItems: 1, Marker: p1.NextMarker }));
  assert.deepEqual(p2.FunctionUrlConfigs?.map((c) => c.FunctionArn), [`${ARN}u-alias:live`]);
  assert.equal(p2.NextMarker, undefined);
  await fails(t.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'u-alias', MaxItems: 51 })), 'ValidationException', 400,
    "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50");
});

test('a version number or $LATEST as qualifier fails the model pattern (ValidationException), as on AWS', async () => {
  await createWithAlias('u-qual');
  for (const q of ['1', '2', '$LATEST']) {
    await fails(createUrl({ FunctionName: 'u-qual', Qualifier: q }), 'ValidationException', 400, qualifierError(q));
    await fails(t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-qual', Qualifier: q })), 'ValidationException', 400, qualifierError(q));
    await fails(t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'u-qual', Qualifier: q, AuthType: 'AWS_IAM' })), 'ValidationException', 400, qualifierError(q));
    await fails(t.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'u-qual', Qualifier: q })), 'ValidationException', 400, qualifierError(q));
  }
  // Also when the qualifier rides in the name, and before the function is even looked up.
  await fails(createUrl({ FunctionName: 'u-qual:1' }), 'ValidationException', 400, qualifierError('1'));
  await fails(createUrl({ FunctionName: 'nope', Qualifier: '1' }), 'ValidationException', 400, qualifierError('1'));
  await fails(createUrl({ FunctionName: 'u-qual:live', Qualifier: 'other' }), 'InvalidParameterValueException', 400,
    'The derived qualifier from the function name does not match the specified qualifier.');
});

test('missing function, alias or config: 404 with the wording AWS uses per operation', async () => {
  await createWithAlias('u-missing');
  for (const fn of ['nope', `${ARN}nope`]) {
    await fails(createUrl({ FunctionName: fn }), 'ResourceNotFoundException', 404, FUNCTION_MISSING);
    await fails(t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
    await fails(t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: fn, AuthType: 'AWS_IAM' })), 'ResourceNotFoundException', 404, FUNCTION_MISSING);
    await fails(t.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
    await fails(t.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404, FUNCTION_MISSING);
  }
  // An alias that does not exist.
  await fails(createUrl({ FunctionName: 'u-missing', Qualifier: 'v1' }), 'ResourceNotFoundException', 404, FUNCTION_MISSING);
  await fails(t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-missing', Qualifier: 'v1' })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
  await fails(t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'u-missing', Qualifier: 'v1', AuthType: 'NONE' })), 'ResourceNotFoundException', 404, FUNCTION_MISSING);
  await fails(t.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'u-missing', Qualifier: 'v1' })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
  // The function and alias exist but have no config.
  for (const q of [undefined, 'live']) {
    await fails(t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-missing', Qualifier: q })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
    await fails(t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'u-missing', Qualifier: q, AuthType: 'NONE' })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
    await fails(t.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'u-missing', Qualifier: q })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
  }
  const list = await t.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'u-missing' }));
  assert.deepEqual(list.FunctionUrlConfigs, []);
});

test('UpdateFunctionUrlConfig changes only what is given and bumps LastModifiedTime', async () => {
  await create('u-upd');
  const created = await createUrl({ FunctionName: 'u-upd', Cors: { AllowOrigins: ['*'] } });
  await new Promise((r) => setTimeout(r, 5)); // distinct millisecond timestamps
  const upd = await t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'u-upd', AuthType: 'AWS_IAM' }));
  assert.equal(upd.$metadata.httpStatusCode, 200);
  assert.equal(upd.AuthType, 'AWS_IAM');
  assert.equal(upd.FunctionUrl, created.FunctionUrl);
  assert.equal(upd.CreationTime, created.CreationTime);
  assert.ok(upd.LastModifiedTime! > created.CreationTime!);
  assert.deepEqual(upd.Cors, { AllowOrigins: ['*'] });
  assert.equal(upd.InvokeMode, 'BUFFERED');
  const upd2 = await t.lambda.send(new UpdateFunctionUrlConfigCommand({
    FunctionName: 'u-upd', InvokeMode: 'RESPONSE_STREAM', Cors: { AllowHeaders: ['x-a'], ExposeHeaders: ['x-b'] },
  }));
  assert.equal(upd2.AuthType, 'AWS_IAM');
  assert.equal(upd2.InvokeMode, 'RESPONSE_STREAM');
  assert.deepEqual(upd2.Cors, { AllowHeaders: ['x-a'], ExposeHeaders: ['x-b'] }, 'Cors is replaced as a whole');
  const got = await t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-upd' }));
  assert.equal(got.InvokeMode, 'RESPONSE_STREAM');
  assert.equal(got.LastModifiedTime, upd2.LastModifiedTime);
});

test('DeleteFunctionUrlConfig removes the config and its url-id', async () => {
  await createWithAlias('u-del');
  const out = await createUrl({ FunctionName: 'u-del', Qualifier: 'live' });
  const del = await t.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'u-del', Qualifier: 'live' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await fails(t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-del', Qualifier: 'live' })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
  assert.equal(t.sluice.context.repos.urlIds.get(URL_ID_SCOPE, urlIdOf(out.FunctionUrl!)), undefined);
  assert.equal(resolveUrlId(t.sluice.context.repos, urlIdOf(out.FunctionUrl!)), undefined);
  // A new config gets a new url-id.
  const again = await createUrl({ FunctionName: 'u-del', Qualifier: 'live' });
  assert.notEqual(urlIdOf(again.FunctionUrl!), urlIdOf(out.FunctionUrl!));
});

test('DeleteFunction removes every URL config of the function and their url-ids', async () => {
  await createWithAlias('u-fdel');
  const own = await createUrl({ FunctionName: 'u-fdel' });
  const live = await createUrl({ FunctionName: 'u-fdel', Qualifier: 'live' });
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'u-fdel' }));
  for (const out of [own, live]) {
    assert.equal(t.sluice.context.repos.urlIds.get(URL_ID_SCOPE, urlIdOf(out.FunctionUrl!)), undefined);
  }
  await create('u-fdel');
  await fails(t.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'u-fdel' })), 'ResourceNotFoundException', 404, RESOURCE_MISSING);
});

test('model validation of AuthType, InvokeMode and Cors', async () => {
  await create('u-valid');
  const v = (member: string, value: string, rule: string) =>
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`;
  await fails(t.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'u-valid' } as CreateFunctionUrlConfigCommandInput)),
    'ValidationException', 400, "1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null");
  await fails(createUrl({ FunctionName: 'u-valid', AuthType: 'OPEN' as never }), 'ValidationException', 400,
    v('authType', 'OPEN', 'Member must satisfy enum value set: [NONE, AWS_IAM]'));
  await fails(createUrl({ FunctionName: 'u-valid', InvokeMode: 'STREAM' as never }), 'ValidationException', 400,
    v('invokeMode', 'STREAM', 'Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]'));
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { AllowMethods: ['GET', 'OPTIONSX'] } }), 'ValidationException', 400,
    v('cors.allowMethods', '[GET, OPTIONSX]', 'Member must satisfy constraint: [Member must have length less than or equal to 6]'));
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { AllowMethods: ['GET', 'PUT', 'POST', 'HEAD', 'PATCH', 'DELETE', '*'] } }),
    'ValidationException', 400, v('cors.allowMethods', '[GET, PUT, POST, HEAD, PATCH, DELETE, *]', 'Member must have length less than or equal to 6'));
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { AllowOrigins: [''] } }), 'ValidationException', 400,
    v('cors.allowOrigins', '[]', 'Member must satisfy constraint: [Member must have length greater than or equal to 1]'));
  const longOrigin = `https://${'a'.repeat(250)}`;
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { AllowOrigins: [longOrigin] } }), 'ValidationException', 400,
    v('cors.allowOrigins', `[${longOrigin}]`, 'Member must satisfy constraint: [Member must have length less than or equal to 253]'));
  const headers = Array.from({ length: 101 }, (_, i) => `h${i}`);
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { AllowHeaders: headers } }), 'ValidationException', 400,
    v('cors.allowHeaders', `[${headers.join(', ')}]`, 'Member must have length less than or equal to 100'));
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { MaxAge: 86401 } }), 'ValidationException', 400,
    v('cors.maxAge', '86401', 'Member must have value less than or equal to 86400'));
  await fails(createUrl({ FunctionName: 'u-valid', Cors: { MaxAge: -1 } }), 'ValidationException', 400,
    v('cors.maxAge', '-1', 'Member must have value greater than or equal to 0'));
  await fails(t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'u-valid', Cors: { MaxAge: 86401 } })), 'ValidationException', 400,
    v('cors.maxAge', '86401', 'Member must have value less than or equal to 86400'));
  // Nothing was stored by the failed attempts; boundary values are accepted.
  const ok = await createUrl({ FunctionName: 'u-valid', Cors: { MaxAge: 86400, AllowMethods: ['DELETE'], AllowOrigins: ['a'.repeat(253)] } });
  assert.deepEqual(ok.Cors, { MaxAge: 86400, AllowMethods: ['DELETE'], AllowOrigins: ['a'.repeat(253)] });
});

test('url-ids are unique per server and each resolves to its own function', async () => {
  const ids = new Set<string>();
  for (const name of ['u-id-a', 'u-id-b', 'u-id-c']) {
    await create(name);
    const out = await createUrl({ FunctionName: name });
    const id = urlIdOf(out.FunctionUrl!);
    assert.match(id, /^[a-z0-9]{32}$/);
    ids.add(id);
    assert.equal(resolveUrlId(t.sluice.context.repos, id)?.owner.functionName, name);
  }
  assert.equal(ids.size, 3);
});
