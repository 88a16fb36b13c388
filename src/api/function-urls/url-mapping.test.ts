import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUrlEvent, isTextContentType, queryParameters, requestTime, type UrlRequest } from './url-event.js';
import { mapBufferedResponse } from './url-response.js';
import { HttpPreludeParser, PreludeError } from './http-prelude.js';
import { corsResponseHeaders, isPreflight, preflightHeaders, withoutCorsHeaders } from './url-cors.js';

const base: UrlRequest = {
  method: 'GET', rawPath: '/', rawQuery: '', rawHeaders: ['Host', 'x.localhost'], body: Buffer.alloc(0), sourceIp: '10.0.0.1',
  httpVersion: '1.1', urlId: 'a'.repeat(32), domainName: 'x.localhost', accountId: 'anonymous', requestId: 'rid',
  timeEpochMs: Date.UTC(2024, 2, 12, 19, 3, 58, 390), port: 9070, traceId: 'Root=1-0-0',
};

test('requestTime is the CLF-style time AWS puts in requestContext.time', () => {
  assert.equal(requestTime(Date.UTC(2024, 2, 12, 19, 3, 58, 390)), '12/Mar/2024:19:03:58 +0000');
  assert.equal(requestTime(Date.UTC(2025, 0, 1, 0, 0, 0)), '01/Jan/2025:00:00:00 +0000');
});

test('query parameters: decoded, repeated keys comma-joined, none → undefined', () => {
  assert.deepEqual(queryParameters('a=1&a=2&b=%2Fbar&c&d=x+y'), { a: '1,2', b: '/bar', c: '', d: 'x y' });
  assert.equal(queryParameters(''), undefined);
  assert.equal(queryParameters('&&'), undefined);
  assert.deepEqual(queryParameters('bad=%E0%A4%A'), { bad: '%E0%A4%A' });
});

test('text bodies are the textual content types; everything else is binary', () => {
  for (const t of ['text/plain', 'text/html; charset=utf-8', 'application/json', 'application/ld+json', 'application/xml', 'image/svg+xml', 'application/javascript']) {
    assert.equal(isTextContentType(t), true, t);
  }
  for (const t of [undefined, 'application/octet-stream', 'image/png', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
    assert.equal(isTextContentType(t), false, String(t));
  }
});

test('buildUrlEvent: headers lower-cased and comma-joined, cookies split out, hop-by-hop dropped, invalid UTF-8 text is base64', () => {
  const e = buildUrlEvent({
    ...base,
    rawHeaders: ['Host', 'x.localhost', 'X-A', '1', 'x-a', '2', 'Cookie', 'a=1; b=2', 'cookie', 'c=3', 'Connection', 'keep-alive',
      'Content-Type', 'text/plain', 'X-Forwarded-For', '1.2.3.4'],
    body: Buffer.from([0xff, 0xfe]),
  }) as any;
  assert.equal(e.headers['x-a'], '1,2');
  assert.equal(e.headers.connection, undefined);
  assert.equal(e.headers.cookie, undefined);
  assert.deepEqual(e.cookies, ['a=1', 'b=2', 'c=3']);
  assert.equal(e.headers['x-forwarded-for'], '1.2.3.4, 10.0.0.1');
  assert.equal(e.isBase64Encoded, true);
  assert.equal(e.body, Buffer.from([0xff, 0xfe]).toString('base64'));
  assert.equal(e.requestContext.http.userAgent, '');
});

test('buildUrlEvent: AWS_IAM requests carry authentication null and authorizer.iam; NONE requests neither', () => {
  const iam = { accessKey: 'AK', accountId: '1', callerId: '1', cognitoIdentity: null, principalOrgId: null, userArn: 'arn', userId: '1' };
  const withIam = buildUrlEvent({ ...base, accountId: '111111111111', iam }) as any;
  assert.equal(withIam.requestContext.authentication, null);
  assert.deepEqual(withIam.requestContext.authorizer, { iam });
  const none = buildUrlEvent(base) as any;
  assert.equal('authorizer' in none.requestContext, false);
  assert.equal('authentication' in none.requestContext, false);
});

const map = (v: unknown) => mapBufferedResponse(Buffer.from(JSON.stringify(v)));

test('mapBufferedResponse: inference for values without statusCode', () => {
  assert.deepEqual(map('hello'), { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from('hello') });
  assert.equal(map({ a: 1 })!.body.toString(), '{"a":1}');
  assert.equal(map(null)!.body.toString(), 'null');
  assert.equal(map([1, 'x'])!.body.toString(), '[1,"x"]');
  assert.equal(mapBufferedResponse(Buffer.from('not json')), undefined);
});

test('mapBufferedResponse: the HTTP shape', () => {
  const r = map({ statusCode: 302, headers: { Location: '/x' }, cookies: ['a=1', 'b=2'], body: 'moved', multiValueHeaders: { ignored: ['y'] } })!;
  assert.equal(r.status, 302);
  assert.deepEqual(r.headers, [['content-type', 'application/json'], ['Location', '/x'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  assert.equal(r.body.toString(), 'moved');
  assert.deepEqual(map({ statusCode: 200, body: 'aGk=', isBase64Encoded: true })!.body, Buffer.from('hi'));
  assert.equal(map({ statusCode: 200, body: { nested: true } })!.body.toString(), '{"nested":true}');
  assert.equal(map({ statusCode: 200, headers: { 'Content-Type': 'text/html' } })!.headers.length, 1);
  for (const bad of [{ statusCode: 700 }, { statusCode: 1.5 }, { statusCode: null }, { statusCode: 200, headers: { a: { b: 1 } } }, { statusCode: 200, cookies: [1] }]) {
    assert.equal(map(bad), undefined, JSON.stringify(bad));
  }
});

const prelude = (meta: unknown) => Buffer.concat([Buffer.from(JSON.stringify(meta)), Buffer.alloc(8)]);

test('HttpPreludeParser: the prelude in one chunk, split anywhere, and the body bytes that follow it', () => {
  const bytes = Buffer.concat([prelude({ statusCode: 201, headers: { 'x-a': 'b' }, cookies: ['c=1'] }), Buffer.from('body')]);
  for (let split = 1; split < bytes.length; split++) {
    const p = new HttpPreludeParser();
    const first = p.push(bytes.subarray(0, split));
    const got = first ?? p.push(bytes.subarray(split));
    assert.ok(got, `split at ${split}`);
    assert.deepEqual(got.head, { status: 201, headers: [['x-a', 'b'], ['set-cookie', 'c=1']] });
    const rest = first ? Buffer.concat([got.rest, bytes.subarray(split)]) : got.rest;
    assert.equal(rest.toString(), 'body');
  }
  const p = new HttpPreludeParser();
  assert.deepEqual(p.push(prelude({}))!.head, { status: 200, headers: [] });
});

test('HttpPreludeParser: malformed preludes are errors; an empty stream is an empty 200', () => {
  assert.throws(() => new HttpPreludeParser().push(Buffer.concat([Buffer.from('{"statusCode":200}'), Buffer.from([0, 0, 1])])), PreludeError);
  assert.throws(() => new HttpPreludeParser().push(prelude('just a string')), PreludeError);
  assert.throws(() => new HttpPreludeParser().push(prelude({ statusCode: 'x' })), PreludeError);
  assert.throws(() => new HttpPreludeParser().push(Buffer.from('{not json}\0\0\0\0\0\0\0\0')), PreludeError);
  assert.throws(() => new HttpPreludeParser().push(Buffer.alloc(70_000, 32)), PreludeError);
  const partial = new HttpPreludeParser();
  assert.equal(partial.push(Buffer.from('{"statusCode":')), undefined);
  assert.throws(() => partial.end(), PreludeError);
  assert.deepEqual(new HttpPreludeParser().end(), { status: 200, headers: [] });
});

test('CORS: preflight detection and headers', () => {
  const cors = { AllowOrigins: ['https://a.example'], AllowMethods: ['GET'], AllowHeaders: ['x-h'], MaxAge: 0, ExposeHeaders: ['x-e'] };
  assert.equal(isPreflight('OPTIONS', { origin: 'https://a.example', 'access-control-request-method': 'GET' }), true);
  assert.equal(isPreflight('OPTIONS', { origin: 'https://a.example' }), false);
  assert.equal(isPreflight('GET', { origin: 'https://a.example', 'access-control-request-method': 'GET' }), false);
  const ok = preflightHeaders(cors, { origin: 'https://A.example', 'access-control-request-method': 'get' });
  assert.equal(ok['Access-Control-Allow-Origin'], 'https://A.example');
  assert.equal(ok['Access-Control-Allow-Methods'], 'GET');
  assert.equal(ok['Access-Control-Max-Age'], undefined);
  assert.equal(ok['Access-Control-Allow-Credentials'], undefined);
  assert.deepEqual(preflightHeaders(cors, { origin: 'https://a.example', 'access-control-request-method': 'PUT' }), { Vary: 'Origin' });
  assert.deepEqual(preflightHeaders({ AllowOrigins: ['*'], AllowMethods: ['*'] }, { origin: 'https://z', 'access-control-request-method': 'PATCH' }), {
    Vary: 'Origin', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': '*',
  });
  // Credentials cannot go with a literal '*': the origin is echoed.
  assert.equal(preflightHeaders({ AllowOrigins: ['*'], AllowCredentials: true }, { origin: 'https://z', 'access-control-request-method': 'GET' })['Access-Control-Allow-Origin'], 'https://z');
  assert.deepEqual(corsResponseHeaders(cors, { origin: 'https://a.example' }), [
    ['Access-Control-Allow-Origin', 'https://a.example'], ['Vary', 'Origin'], ['Access-Control-Expose-Headers', 'x-e'],
  ]);
  assert.deepEqual(corsResponseHeaders(cors, {}), []);
  assert.deepEqual(withoutCorsHeaders([['Access-Control-Allow-Origin', '*'], ['x', 'y']]), [['x', 'y']]);
});
