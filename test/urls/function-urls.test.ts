import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand, CreateAliasCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { smithySign } from '../helpers/sign.js';
import { createFunction } from '../invoke/helpers.js';
import { allowPublic, createUrl, urlRequest } from './helpers.js';

let t: TestServer;
let echoUrl: string;
before(async () => {
  t = await startTestServer();
  await createFunction(t.lambda, 'url-echo', 'url-echo', { Timeout: 10 });
  echoUrl = await createUrl(t.lambda, 'url-echo');
  await allowPublic(t.lambda, 'url-echo');
});
after(async () => { await t.close(); });

const port = () => new URL(t.url).port;
const returning = (value: unknown) => urlRequest(echoUrl, {
  method: 'POST', path: 'return', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }),
});

test('FunctionUrl is a host-based address on *.localhost and the API port, and it answers', async () => {
  const u = new URL(echoUrl);
  assert.match(u.hostname, /^[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost$/);
  assert.equal(u.port, port());
  assert.equal(u.pathname, '/');
  const r = await urlRequest(echoUrl);
  assert.equal(r.status, 200);
  assert.equal(r.json().event.rawPath, '/');
});

test('request mapping: method, path, query, headers, cookies, text body, requestContext (payload format 2.0)', async () => {
  const r = await urlRequest(echoUrl, {
    method: 'PUT',
    path: 'my/pa%2Fth?a=1&a=2&b=x%20y&empty=',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'X-Multi': ['v1', 'v2'],
      'User-Agent': 'sluice-test/1',
      Cookie: 'c1=v1; c2=v2',
    },
    body: '{"ü":true}',
  });
  assert.equal(r.status, 200);
  const { event, awsRequestId } = r.json();
  const id = new URL(echoUrl).hostname.split('.')[0];
  assert.equal(event.version, '2.0');
  assert.equal(event.routeKey, '$default');
  assert.equal(event.rawPath, '/my/pa%2Fth');
  assert.equal(event.rawQueryString, 'a=1&a=2&b=x%20y&empty=');
  assert.deepEqual(event.queryStringParameters, { a: '1,2', b: 'x y', empty: '' });
  assert.deepEqual(event.cookies, ['c1=v1', 'c2=v2']);
  assert.equal(event.headers.cookie, undefined);
  assert.equal(event.headers['x-multi'], 'v1,v2');
  assert.equal(event.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(event.headers['user-agent'], 'sluice-test/1');
  assert.equal(event.headers.host, new URL(echoUrl).host);
  assert.equal(event.headers['x-forwarded-proto'], 'http');
  assert.equal(event.headers['x-forwarded-port'], port());
  assert.equal(event.headers['x-forwarded-for'], '127.0.0.1');
  assert.match(event.headers['x-amzn-trace-id'], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  assert.ok(Object.keys(event.headers).every((k) => k === k.toLowerCase()));
  assert.equal(event.body, '{"ü":true}');
  assert.equal(event.isBase64Encoded, false);
  assert.equal(event.pathParameters, null);
  assert.equal(event.stageVariables, null);
  const ctx = event.requestContext;
  assert.equal(ctx.accountId, 'anonymous');
  assert.equal(ctx.apiId, id);
  assert.equal(ctx.domainName, new URL(echoUrl).hostname);
  assert.equal(ctx.domainPrefix, id);
  assert.deepEqual(ctx.http, { method: 'PUT', path: '/my/pa%2Fth', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'sluice-test/1' });
  assert.equal(ctx.routeKey, '$default');
  assert.equal(ctx.stage, '$default');
  assert.match(ctx.time, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  assert.ok(Math.abs(ctx.timeEpoch - Date.now()) < 60_000);
  assert.equal(ctx.authorizer, undefined);
  // One request id: the response header, the event's and the function's own.
  assert.equal(ctx.requestId, r.headers['x-amzn-requestid']);
  assert.equal(awsRequestId, ctx.requestId);
  assert.deepEqual(Object.keys(event), [
    'version', 'routeKey', 'rawPath', 'rawQueryString', 'cookies', 'headers', 'queryStringParameters', 'requestContext', 'body',
    'pathParameters', 'isBase64Encoded', 'stageVariables',
  ]);
});

test('binary bodies reach the function base64-encoded; an empty body is omitted', async () => {
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const bin = (await urlRequest(echoUrl, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })).json().event;
  assert.equal(bin.isBase64Encoded, true);
  assert.deepEqual(Buffer.from(bin.body, 'base64'), bytes);
  const form = (await urlRequest(echoUrl, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' })).json().event;
  assert.equal(form.isBase64Encoded, true);
  assert.equal(Buffer.from(form.body, 'base64').toString(), '--x--');
  const text = (await urlRequest(echoUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'text' })).json().event;
  assert.equal(text.body, 'text');
  assert.equal(text.isBase64Encoded, false);
  const none = (await urlRequest(echoUrl, { method: 'POST' })).json().event;
  assert.equal('body' in none, false);
  assert.equal(none.isBase64Encoded, false);
  assert.equal('cookies' in none, false);
  assert.equal('queryStringParameters' in none, false);
});

test('response inference: strings, JSON values and objects without statusCode are 200 application/json', async () => {
  for (const [value, body] of [
    ['hello', 'hello'], [{ hello: 'world' }, '{"hello":"world"}'], [['hello', 3, true], '["hello",3,true]'], [3.1, '3.1'], [true, 'true'],
    [{ body: 'not a response', headers: { a: 'b' } }, '{"body":"not a response","headers":{"a":"b"}}'],
  ] as const) {
    const r = await returning(value);
    assert.equal(r.status, 200, JSON.stringify(value));
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.text, body);
    assert.equal(r.headers['content-length'], String(Buffer.byteLength(body)));
    assert.match(String(r.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
  }
});

test('response mapping: statusCode, headers, cookies as Set-Cookie lines, base64 bodies, default content type', async () => {
  const full = await returning({
    statusCode: 201, headers: { 'content-type': 'text/plain', 'x-custom': 'Custom Value', 'x-num': 7 },
    cookies: ['c=1; Path=/; HttpOnly', 'd=2'], body: 'made',
  });
  assert.equal(full.status, 201);
  assert.equal(full.headers['content-type'], 'text/plain');
  assert.equal(full.headers['x-custom'], 'Custom Value');
  assert.equal(full.headers['x-num'], '7');
  assert.deepEqual(full.headers['set-cookie'], ['c=1; Path=/; HttpOnly', 'd=2']);
  assert.equal(full.text, 'made');

  const plain = await returning({ statusCode: 200, body: 'body123' });
  assert.equal(plain.headers['content-type'], 'application/json');
  assert.equal(plain.text, 'body123');

  const teapot = await returning({ statusCode: '418', body: "i'm a teapot" });
  assert.equal(teapot.status, 418);
  assert.equal(teapot.text, "i'm a teapot");

  const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255]);
  const bin = await returning({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: bytes.toString('base64'), isBase64Encoded: true });
  assert.equal(bin.headers['content-type'], 'image/png');
  assert.deepEqual(bin.body, bytes);

  const empty = await returning({ statusCode: 204 });
  assert.equal(empty.status, 204);
  assert.equal(empty.text, '');
});

test('results that cannot be mapped, and function errors, are 502 Internal Server Error', async () => {
  for (const value of [{ statusCode: 'abc' }, { statusCode: 99 }, { statusCode: 200, headers: 'nope' }, { statusCode: 200, cookies: 'c=1' }]) {
    const r = await returning(value);
    assert.equal(r.status, 502, JSON.stringify(value));
    assert.equal(r.text, 'Internal Server Error');
  }
  const thrown = await urlRequest(echoUrl, { path: 'throw' });
  assert.equal(thrown.status, 502);
  assert.equal(thrown.text, 'Internal Server Error');
  assert.match(String(thrown.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
});

test('a timeout is 502, and the next request is served by a fresh environment', async () => {
  await createFunction(t.lambda, 'url-timeout', 'url-echo', { Timeout: 1 });
  const url = await createUrl(t.lambda, 'url-timeout');
  await allowPublic(t.lambda, 'url-timeout');
  const r = await urlRequest(url, { path: 'sleep?ms=5000' });
  assert.equal(r.status, 502);
  assert.equal(r.text, 'Internal Server Error');
  assert.equal((await urlRequest(url, { path: 'sleep?ms=1' })).text, 'slept');
});

test('reserved concurrency 0: every request is 429', async () => {
  await createFunction(t.lambda, 'url-throttled', 'url-echo');
  const url = await createUrl(t.lambda, 'url-throttled');
  await allowPublic(t.lambda, 'url-throttled');
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'url-throttled', ReservedConcurrentExecutions: 0 }));
  const r = await urlRequest(url);
  assert.equal(r.status, 429);
  assert.equal(r.json().Message, 'Rate Exceeded.');
  assert.equal(r.headers['x-amzn-errortype'], 'TooManyRequestsException');
});

test('AuthType NONE needs the resource policy: nothing → 403, InvokeFunctionUrl alone → 403, both statements → 200', async () => {
  await createFunction(t.lambda, 'url-policy', 'url-echo');
  const url = await createUrl(t.lambda, 'url-policy');
  const forbidden = await urlRequest(url);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.headers['x-amzn-errortype'], 'AccessDeniedException');
  assert.deepEqual(forbidden.json(), {
    Message: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
  });
  await t.lambda.send(new AddPermissionCommand({
    FunctionName: 'url-policy', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE',
  }));
  assert.equal((await urlRequest(url)).status, 403);
  await t.lambda.send(new AddPermissionCommand({
    FunctionName: 'url-policy', StatementId: 'invoke', Action: 'lambda:InvokeFunction', Principal: '*', InvokedViaFunctionUrl: true,
  }));
  assert.equal((await urlRequest(url)).status, 200);
});

test('a permission for AuthType AWS_IAM does not open a NONE URL', async () => {
  await createFunction(t.lambda, 'url-wrong-type', 'url-echo');
  const url = await createUrl(t.lambda, 'url-wrong-type');
  await t.lambda.send(new AddPermissionCommand({
    FunctionName: 'url-wrong-type', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'AWS_IAM',
  }));
  await t.lambda.send(new AddPermissionCommand({
    FunctionName: 'url-wrong-type', StatementId: 'invoke', Action: 'lambda:InvokeFunction', Principal: '*',
  }));
  assert.equal((await urlRequest(url)).status, 403);
});

async function signedRequest(url: string, account: (typeof TEST_ACCOUNTS)[number], opts: { region?: string; secret?: string } = {}) {
  const u = new URL(url);
  const body = '{"signed":true}';
  const signed = await smithySign(
    { method: 'POST', host: u.host, path: '/iam/path', query: { q: 'v' }, headers: { 'content-type': 'application/json' }, body },
    { accessKeyId: account.accessKeyId, secretAccessKey: opts.secret ?? account.secretAccessKey },
    { region: opts.region ?? 'us-east-1', service: 'lambda' },
  );
  return urlRequest(url, { method: 'POST', path: `iam/path?${signed.rawQuery}`, headers: signed.headers, body });
}

test('AuthType AWS_IAM: unsigned or badly signed → 403; signed by the owner → 200 with requestContext.authorizer.iam', async () => {
  await createFunction(t.lambda, 'url-iam', 'url-echo');
  const url = await createUrl(t.lambda, 'url-iam', { AuthType: 'AWS_IAM' });
  const unsigned = await urlRequest(url);
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers['x-amzn-errortype'], 'AccessDeniedException');
  assert.equal((await signedRequest(url, TEST_ACCOUNTS[0]!, { secret: 'not-the-secret-at-all-000000000' })).status, 403);
  assert.equal((await signedRequest(url, TEST_ACCOUNTS[0]!, { region: 'eu-west-1' })).status, 403);

  const ok = await signedRequest(url, TEST_ACCOUNTS[0]!);
  assert.equal(ok.status, 200, ok.text);
  const { event } = ok.json();
  assert.equal(event.rawPath, '/iam/path');
  assert.equal(event.body, '{"signed":true}');
  assert.equal(event.requestContext.accountId, '111111111111');
  assert.equal(event.requestContext.authentication, null);
  assert.deepEqual(event.requestContext.authorizer, {
    iam: {
      accessKey: TEST_ACCOUNTS[0]!.accessKeyId, accountId: '111111111111', callerId: '111111111111', cognitoIdentity: null,
      principalOrgId: null, userArn: 'arn:aws:iam::111111111111:root', userId: '111111111111',
    },
  });
});

test('AuthType AWS_IAM from another account needs the resource policy for that account', async () => {
  await createFunction(t.lambda, 'url-iam-x', 'url-echo');
  const url = await createUrl(t.lambda, 'url-iam-x', { AuthType: 'AWS_IAM' });
  const other = TEST_ACCOUNTS[1]!;
  assert.equal((await signedRequest(url, other)).status, 403);
  await t.lambda.send(new AddPermissionCommand({
    FunctionName: 'url-iam-x', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: other.accountId, FunctionUrlAuthType: 'AWS_IAM',
  }));
  await t.lambda.send(new AddPermissionCommand({
    FunctionName: 'url-iam-x', StatementId: 'invoke', Action: 'lambda:InvokeFunction', Principal: other.accountId,
  }));
  const ok = await signedRequest(url, other);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json().event.requestContext.authorizer.iam.accountId, other.accountId);
});

test('CORS: Lambda answers the preflight itself and adds the configured headers to responses', async () => {
  await createFunction(t.lambda, 'url-cors', 'url-echo');
  const url = await createUrl(t.lambda, 'url-cors', {
    Cors: {
      AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['content-type', 'x-custom'],
      ExposeHeaders: ['x-exposed'], MaxAge: 600, AllowCredentials: true,
    },
  });
  await allowPublic(t.lambda, 'url-cors');
  const pre = await urlRequest(url, {
    method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-custom' },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.text, '');
  assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example');
  assert.equal(pre.headers['access-control-allow-methods'], 'GET,POST');
  assert.equal(pre.headers['access-control-allow-headers'], 'content-type,x-custom');
  assert.equal(pre.headers['access-control-allow-credentials'], 'true');
  assert.equal(pre.headers['access-control-max-age'], '600');

  const otherOrigin = await urlRequest(url, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(otherOrigin.headers['access-control-allow-origin'], undefined);
  const badMethod = await urlRequest(url, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'DELETE' } });
  assert.equal(badMethod.headers['access-control-allow-origin'], undefined);

  // The actual request: the function runs, the configured CORS headers replace any the function sets.
  const actual = await urlRequest(url, {
    method: 'POST', path: 'return', headers: { Origin: 'https://app.example', 'content-type': 'application/json' },
    body: JSON.stringify({ value: { statusCode: 200, headers: { 'Access-Control-Allow-Origin': '*', 'x-exposed': '1' }, body: 'ok' } }),
  });
  assert.equal(actual.status, 200);
  assert.equal(actual.text, 'ok');
  assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example');
  assert.equal(actual.headers['access-control-expose-headers'], 'x-exposed');
  assert.equal(actual.headers['access-control-allow-credentials'], 'true');
  // Without Cors configured, OPTIONS is just another method for the function.
  const fnOptions = await urlRequest(echoUrl, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(fnOptions.json().event.requestContext.http.method, 'OPTIONS');

  await t.lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'url-cors', Cors: { AllowOrigins: ['*'] } }));
  const star = await urlRequest(url, { headers: { Origin: 'https://anything.example' } });
  assert.equal(star.headers['access-control-allow-origin'], '*');
});

test('the path form /lambda-url/<url-id>/... on the API host reaches the same URL; unknown ids are 403', async () => {
  const id = new URL(echoUrl).hostname.split('.')[0]!;
  const r = await urlRequest(`${t.url}/lambda-url/${id}/some/path?x=1`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
  assert.equal(r.status, 200);
  const { event } = r.json();
  assert.equal(event.rawPath, '/some/path');
  assert.equal(event.rawQueryString, 'x=1');
  assert.equal(event.body, 'hi');
  assert.equal(event.requestContext.domainName, new URL(echoUrl).hostname);
  assert.equal((await urlRequest(`${t.url}/lambda-url/${id}`)).json().event.rawPath, '/');

  const unknown = await urlRequest(`http://${'0'.repeat(32)}.lambda-url.us-east-1.localhost:${port()}/`);
  assert.equal(unknown.status, 403);
  assert.equal(unknown.text, '{"Message":null}');
  assert.equal(unknown.headers['x-amzn-errortype'], 'AccessDeniedException');
  assert.equal((await urlRequest(`${t.url}/lambda-url/${'0'.repeat(32)}/`)).status, 403);
  // The right id under the wrong region is no URL either.
  assert.equal((await urlRequest(echoUrl.replace('us-east-1', 'eu-west-1'))).status, 403);
});

test('an alias URL invokes the alias and is governed by the alias policy', async () => {
  await createFunction(t.lambda, 'url-alias', 'url-echo');
  const v = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'url-alias' }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'url-alias', Name: 'live', FunctionVersion: v.Version }));
  const url = await createUrl(t.lambda, 'url-alias', { Qualifier: 'live' });
  await allowPublic(t.lambda, 'url-alias');
  assert.equal((await urlRequest(url)).status, 403, 'the unqualified policy does not cover the alias');
  await allowPublic(t.lambda, 'url-alias', 'live');
  const r = await urlRequest(url);
  assert.equal(r.status, 200);
});

test('payload limits: a request body over 6 MB is 413; a response over 6 MB is 502', async () => {
  const big = await urlRequest(echoUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(6_291_457, 97) });
  assert.equal(big.status, 413);
  assert.equal(big.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
  // Under the raw limit, but over it once base64-encoded into the event.
  const inflated = await urlRequest(echoUrl, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(5_000_000, 1) });
  assert.equal(inflated.status, 413);
  const bigResponse = await urlRequest(echoUrl, { path: 'big?bytes=7000000' });
  assert.equal(bigResponse.status, 502);
  assert.equal((await urlRequest(echoUrl, { path: 'big?bytes=1000' })).text, 'x'.repeat(1000));
});
