import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../errors/index.js';
import { verifySigV4, type SecretLookup, type SignedRequest } from './sigv4.js';
import { botocoreSign, rawHeaders, smithySign, type RequestSpec, type SignedSpec } from '../../../test/helpers/sign.js';

const KEY = { accessKeyId: 'AKIASLUICEUNITTEST01', secretAccessKey: 'unit-test-secret-key-0000000000000000000' };
const ACCOUNT = '111111111111';
const lookup: SecretLookup = (id) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, accountId: ACCOUNT } : undefined);
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOST = '127.0.0.1:9000';
const ARN = 'arn:aws:lambda:us-east-1:111111111111:function:my-fn';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function asRequest(s: SignedSpec, changes: Partial<SignedRequest> = {}): SignedRequest {
  return { method: s.method, rawPath: s.path, rawQuery: s.rawQuery, rawHeaders: rawHeaders(s.headers), body: s.body, ...changes };
}

const verify = (req: SignedRequest, now = NOW) => verifySigV4(req, lookup, ['lambda'], now);

function rejects(fn: () => unknown, code: string, status: number, message?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, `expected an AwsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

const sign = (spec: Omit<RequestSpec, 'host'>, opts: Parameters<typeof smithySign>[2] = {}) =>
  smithySign({ host: HOST, ...spec }, KEY, { date: new Date(NOW), ...opts });

test('an ARN percent-encoded in the path verifies only with the double-encoding rule', async () => {
  const path = `/2015-03-31/functions/${encodeURIComponent(ARN)}/configuration`;
  assert.match(path, /arn%3Aaws%3Alambda/);
  const caller = verify(asRequest(await sign({ method: 'GET', path })));
  assert.deepEqual(caller, { accessKeyId: KEY.accessKeyId, accountId: ACCOUNT, region: 'us-east-1', service: 'lambda' });
  // S3-style single encoding (what a naive signer does) must not verify.
  const single = await sign({ method: 'GET', path }, { doubleEncodePath: false });
  rejects(() => verify(asRequest(single)), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
});

test('both trailing-slash variants and the caller region verify', async () => {
  for (const path of ['/2015-03-31/functions', '/2015-03-31/functions/']) {
    const caller = verify(asRequest(await sign({ method: 'GET', path, query: { MaxItems: '2' } }, { region: 'eu-west-1' })));
    assert.equal(caller.region, 'eu-west-1');
  }
});

test('repeated query keys verify in any order on the wire', async () => {
  const s = await sign({ method: 'DELETE', path: `/2017-03-31/tags/${encodeURIComponent(ARN)}`, query: { tagKeys: ['b', 'a'] } });
  assert.equal(s.rawQuery, 'tagKeys=b&tagKeys=a');
  verify(asRequest(s));
  verify(asRequest(s, { rawQuery: 'tagKeys=a&tagKeys=b' }));
  rejects(() => verify(asRequest(s, { rawQuery: 'tagKeys=a' })), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
});

test('literal query discriminators with an encoded ARN value verify', async () => {
  const layer = 'arn:aws:lambda:us-east-1:111111111111:layer:my-layer:3';
  const s = await sign({ method: 'GET', path: '/2018-10-31/layers', query: { find: 'LayerVersion', Arn: layer } });
  assert.equal(s.rawQuery, `find=LayerVersion&Arn=${encodeURIComponent(layer)}`);
  verify(asRequest(s));
  verify(asRequest(s, { rawQuery: `Arn=${encodeURIComponent(layer)}&find=LayerVersion` }));
});

test('a POST body verifies with x-amz-content-sha256 (JS SDK) and without it (botocore: hash computed)', async () => {
  const body = JSON.stringify({ FunctionName: 'f', Runtime: 'nodejs22.x' });
  for (const contentSha256 of [true, false]) {
    const s = await sign({ method: 'POST', path: '/2015-03-31/functions', headers: { 'content-type': 'application/json' }, body }, { contentSha256 });
    assert.equal('x-amz-content-sha256' in s.headers, contentSha256);
    verify(asRequest(s));
  }
});

test('a tampered body, path, query or signed header is an InvalidSignatureException', async () => {
  const body = JSON.stringify({ MemorySize: 128 });
  const path = '/2015-03-31/functions/f/configuration';
  const headers = { 'content-type': 'application/json' };
  const withHash = await sign({ method: 'PUT', path, headers, body });
  const withoutHash = await sign({ method: 'PUT', path, headers, body }, { contentSha256: false });
  const evil = Buffer.from(JSON.stringify({ MemorySize: 10240 }));
  rejects(() => verify(asRequest(withHash, { body: evil })), 'InvalidSignatureException', 403,
    'The provided x-amz-content-sha256 header does not match what was computed.');
  rejects(() => verify(asRequest(withoutHash, { body: evil })), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
  for (const s of [withHash, withoutHash]) {
    rejects(() => verify(asRequest(s, { rawPath: '/2015-03-31/functions/g/configuration' })), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
    rejects(() => verify(asRequest(s, { method: 'POST' })), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
    rejects(() => verify(asRequest(s, { rawQuery: 'Qualifier=1' })), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
    const tampered = { ...s.headers, 'content-type': 'text/plain' };
    rejects(() => verify(asRequest(s, { rawHeaders: rawHeaders(tampered) })), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
  }
  // An unsigned header may change freely.
  verify(asRequest(withHash, { rawHeaders: rawHeaders({ ...withHash.headers, 'user-agent': 'changed' }) }));
});

test('unknown key, wrong secret, missing Authorization', async () => {
  const s = await sign({ method: 'GET', path: '/2015-03-31/functions' });
  const unknown = await smithySign({ host: HOST, method: 'GET', path: '/2015-03-31/functions' },
    { accessKeyId: 'AKIANOBODYKNOWSTHIS1', secretAccessKey: KEY.secretAccessKey }, { date: new Date(NOW) });
  rejects(() => verify(asRequest(unknown)), 'UnrecognizedClientException', 403, 'The security token included in the request is invalid.');
  const wrongSecret = await smithySign({ host: HOST, method: 'GET', path: '/2015-03-31/functions' },
    { accessKeyId: KEY.accessKeyId, secretAccessKey: 'not-the-right-secret-00000000000000000000' }, { date: new Date(NOW) });
  rejects(() => verify(asRequest(wrongSecret)), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);
  const { Authorization: _a, authorization: _b, ...unsigned } = s.headers;
  rejects(() => verify(asRequest(s, { rawHeaders: rawHeaders(unsigned) })), 'MissingAuthenticationTokenException', 403, 'Missing Authentication Token');
});

test('clock skew beyond ±5 minutes is refused with AWS wording; within it is accepted', async () => {
  const spec = { method: 'GET', path: '/2015-03-31/functions' };
  verify(asRequest(await sign(spec, { date: new Date(NOW - 4 * 60_000) })));
  verify(asRequest(await sign(spec, { date: new Date(NOW + 4 * 60_000) })));
  const old = await sign(spec, { date: new Date(NOW - 6 * 60_000) });
  rejects(() => verify(asRequest(old)), 'InvalidSignatureException', 403,
    'Signature expired: 20260115T115400Z is now earlier than 20260115T115500Z (20260115T120000Z - 5 min.)');
  const future = await sign(spec, { date: new Date(NOW + 6 * 60_000) });
  rejects(() => verify(asRequest(future)), 'InvalidSignatureException', 403,
    'Signature not yet current: 20260115T120600Z is still later than 20260115T120500Z (20260115T120000Z + 5 min.)');
});

test('a scope for another service or a malformed region is refused', async () => {
  const spec = { method: 'GET', path: '/2015-03-31/functions' };
  const s3 = await sign(spec, { service: 's3' });
  rejects(() => verify(asRequest(s3)), 'InvalidSignatureException', 403, "Credential should be scoped to correct service: 'lambda'. ");
  const region = await sign(spec, { region: 'us-east-1:x' });
  rejects(() => verify(asRequest(region)), 'InvalidSignatureException', 403, 'Credential should be scoped to a valid region. ');
});

test('dot and empty path segments are normalised the way both signers do', async () => {
  const path = '/2015-03-31//functions/./f/configuration';
  verify(asRequest(await sign({ method: 'GET', path })));
  verify(asRequest(botocoreSign({ host: HOST, method: 'GET', path }, KEY)), Date.now());
});

test('botocore (the AWS CLI and boto3 signer) is verified: encoded ARN path, JSON body without a payload hash, repeated keys', () => {
  const get = botocoreSign({ host: HOST, method: 'GET', path: `/2015-03-31/functions/${encodeURIComponent(ARN)}`, query: { Qualifier: '$LATEST' } }, KEY);
  assert.equal(get.rawQuery, 'Qualifier=%24LATEST');
  assert.match(get.headers.Authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIASLUICEUNITTEST01\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
  verify(asRequest(get), Date.now());

  const body = JSON.stringify({ FunctionName: 'f', Environment: { Variables: { A: 'ü' } } });
  const post = botocoreSign({ host: HOST, method: 'POST', path: '/2015-03-31/functions', headers: { 'Content-Type': 'application/json' }, body }, KEY);
  assert.equal(post.headers['X-Amz-Content-SHA256'] ?? post.headers['x-amz-content-sha256'], undefined);
  verify(asRequest(post), Date.now());
  rejects(() => verify(asRequest(post, { body: Buffer.from(body.replace('ü', 'u')) }), Date.now()), 'InvalidSignatureException', 403, SIGNATURE_MISMATCH);

  const untag = botocoreSign({ host: HOST, method: 'DELETE', path: `/2017-03-31/tags/${encodeURIComponent(ARN)}`, query: { tagKeys: ['x', 'a b'] } }, KEY, { region: 'eu-west-1' });
  assert.equal(verify(asRequest(untag), Date.now()).region, 'eu-west-1');
  rejects(() => verify(asRequest(untag), Date.now() + 10 * 60_000), 'InvalidSignatureException', 403, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
});
