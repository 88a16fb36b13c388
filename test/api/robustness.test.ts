import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, ListFunctionsCommand, UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { makeZip, zipFiles } from '../helpers/zip.js';
import { botocoreSign, send, smithySign, type Credentials, type RawResponse, type RequestSpec } from '../helpers/sign.js';

let t: TestServer;
let host: string;
before(async () => {
  t = await startTestServer();
  host = new URL(t.url).host;
});
after(async () => { await t.close(); });

const ORACLE_ZIP = JSON.parse(readFileSync('/work/shared/lambda-oracle/error-invalid-zip.json', 'utf8')).response as {
  Error: { Code: string; Message: string }; Type: string; message: string; ResponseMetadata: { HTTPStatusCode: number };
};
const ONE = TEST_ACCOUNTS[0]!;
const TWO = TEST_ACCOUNTS[1]!;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every raw response is checked for a request id: AWS sends one on success and on every error. */
function checked(res: RawResponse): RawResponse {
  assert.match(String(res.headers['x-amzn-requestid']), UUID, `no x-amzn-RequestId on ${res.status} ${res.text.slice(0, 200)}`);
  return res;
}

interface SignedCall extends Omit<RequestSpec, 'host'> {
  creds?: Credentials;
  region?: string;
  date?: Date;
}

async function signed(call: SignedCall): Promise<RawResponse> {
  const { creds = ONE, region, date, ...spec } = call;
  const s = await smithySign({ host, ...spec }, creds, { region, date });
  return checked(await send(t.url, { method: s.method, path: s.path, rawQuery: s.rawQuery, headers: s.headers, body: s.body }));
}

function awsError(res: RawResponse, status: number, code: string, message?: string | RegExp, key: 'message' | 'Message' = 'message'): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['x-amzn-errortype'], code);
  const body = res.json();
  if (status < 500) assert.equal(body.Type, 'User');
  if (typeof message === 'string') assert.equal(body[key], message);
  else if (message) assert.match(String(body[key]), message);
}

const jsonHeaders = { 'content-type': 'application/json' };
const code = () => zipFiles({ 'index.js': 'exports.handler = async () => 1;' });

async function createFn(client: LambdaClient, name: string, zip: Uint8Array = code()) {
  return client.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip },
  }));
}

test('malformed JSON and non-object bodies are 400 InvalidRequestContentException', async () => {
  for (const body of ['{"FunctionName": "x",', 'not json', '[1,2]', 'null']) {
    const res = await signed({ method: 'POST', path: '/2015-03-31/functions', headers: jsonHeaders, body });
    awsError(res, 400, 'InvalidRequestContentException', /^Could not parse request body into json: /);
  }
});

test('members of the wrong type are 400 with the member named', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ FunctionName: 5, Role: ROLE, Code: {} }, /FunctionName/],
    [{ FunctionName: 'wt', Role: ROLE, MemorySize: 'big', Runtime: 'nodejs22.x', Handler: 'i.h', Code: { ZipFile: code().toString('base64') } }, /MemorySize/],
    [{ FunctionName: 'wt', Role: ROLE, Environment: { Variables: { A: 1 } }, Code: {} }, /Environment\.A|Variables\.A/],
    [{ FunctionName: 'wt', Role: ROLE, Code: 'zip' }, /Code/],
  ];
  for (const [body, member] of cases) {
    const res = await signed({ method: 'POST', path: '/2015-03-31/functions', headers: jsonHeaders, body: JSON.stringify(body) });
    awsError(res, 400, 'InvalidParameterValueException', member);
  }
});

test('an unknown operation path or method is an error response, not a crash', async () => {
  awsError(await signed({ method: 'GET', path: '/2015-03-31/nothing-here' }), 404, 'UnknownOperationException', 'Unknown operation');
  awsError(await signed({ method: 'PATCH', path: '/2015-03-31/functions' }), 404, 'UnknownOperationException', 'Unknown operation');
  awsError(await signed({ method: 'GET', path: '/' }), 404, 'UnknownOperationException');
});

test('an oversized body is 413 RequestEntityTooLargeException naming the limit and the operation', async () => {
  const big = Buffer.alloc(6 * 1024 * 1024 + 10, 0x20);
  const expected = 'Request must be smaller than 6291456 bytes for the UpdateFunctionConfiguration operation';
  // Announced by Content-Length (refused before reading) and streamed without one (refused while reading).
  const announced = checked(await send(t.url, { method: 'PUT', path: '/2015-03-31/functions/f/configuration', headers: jsonHeaders, body: big }));
  awsError(announced, 413, 'RequestEntityTooLargeException', expected, 'Message');
  const streamed = checked(await send(t.url, { method: 'PUT', path: '/2015-03-31/functions/f/configuration', headers: jsonHeaders, body: big, chunked: true }));
  awsError(streamed, 413, 'RequestEntityTooLargeException', expected, 'Message');
});

test('ZipFile above 50 MB is 413 RequestEntityTooLargeException, as AWS answers', async () => {
  const zip = Buffer.alloc(52_428_800 + 1, 1);
  const body = JSON.stringify({ FunctionName: 'too-big', Runtime: 'nodejs22.x', Handler: 'i.h', Role: ROLE, Code: { ZipFile: zip.toString('base64') } });
  const res = await signed({ method: 'POST', path: '/2015-03-31/functions', headers: jsonHeaders, body });
  awsError(res, 413, 'RequestEntityTooLargeException', 'Zipped size must be smaller than 52428800 bytes', 'Message');
});

test('bad percent-encoding in the path: 400 when signed, and authentication still comes first', async () => {
  const path = '/2015-03-31/functions/%E0%A4%A/configuration';
  awsError(await signed({ method: 'GET', path }), 400, 'InvalidParameterValueException', /percent-encoding/);
  awsError(checked(await send(t.url, { method: 'GET', path })), 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
});

test('authentication failures are 403 with the front door codes', async () => {
  awsError(checked(await send(t.url, { method: 'GET', path: '/2015-03-31/functions' })), 403,
    'MissingAuthenticationTokenException', 'Missing Authentication Token');
  awsError(await signed({ method: 'GET', path: '/2015-03-31/functions', creds: { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: ONE.secretAccessKey } }),
    403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  awsError(await signed({ method: 'GET', path: '/2015-03-31/functions', creds: { accessKeyId: ONE.accessKeyId, secretAccessKey: TWO.secretAccessKey } }),
    403, 'InvalidSignatureException', /^The request signature we calculated does not match the signature you provided\./);
  awsError(await signed({ method: 'GET', path: '/2015-03-31/functions', date: new Date(Date.now() - 20 * 60_000) }),
    403, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  // A body changed after signing.
  const s = await smithySign({ host, method: 'PUT', path: '/2015-03-31/functions/f/configuration', headers: jsonHeaders, body: '{"Timeout":3}' }, ONE);
  const res = checked(await send(t.url, { method: 'PUT', path: s.path, headers: { ...s.headers, 'content-length': '14' }, body: '{"Timeout":30}' }));
  awsError(res, 403, 'InvalidSignatureException');
});

test('ListFunctions answers on both trailing-slash variants (the Debian CLI sends the slash)', async () => {
  await createFn(t.lambda, 'slash-fn');
  for (const path of ['/2015-03-31/functions', '/2015-03-31/functions/']) {
    const res = await signed({ method: 'GET', path, query: { MaxItems: '50' } });
    assert.equal(res.status, 200, res.text);
    assert.ok((res.json().Functions as { FunctionName: string }[]).some((f) => f.FunctionName === 'slash-fn'), path);
  }
  // Exactly as botocore signs it.
  const b = botocoreSign({ host, method: 'GET', path: '/2015-03-31/functions/' }, ONE);
  const res = checked(await send(t.url, { method: 'GET', path: b.path, headers: b.headers }));
  assert.equal(res.status, 200, res.text);
});

test('accounts are isolated: another account sees nothing, and a foreign ARN is refused', async () => {
  await createFn(t.lambda, 'iso-fn');
  const other = t.clientFor(TWO);
  await assert.rejects(other.send(new GetFunctionCommand({ FunctionName: 'iso-fn' })), (e: any) =>
    e.name === 'ResourceNotFoundException' && e.$metadata.httpStatusCode === 404 &&
    e.message === 'Function not found: arn:aws:lambda:us-east-1:222222222222:function:iso-fn');
  const listed = await other.send(new ListFunctionsCommand({}));
  assert.ok(!listed.Functions?.some((f) => f.FunctionName === 'iso-fn'));
  await assert.rejects(other.send(new DeleteFunctionCommand({ FunctionName: 'iso-fn' })), { name: 'ResourceNotFoundException' });
  const foreign = 'arn:aws:lambda:us-east-1:111111111111:function:iso-fn';
  for (const ref of [foreign, '111111111111:function:iso-fn']) {
    await assert.rejects(other.send(new GetFunctionCommand({ FunctionName: ref })), (e: any) =>
      e.name === 'AccessDeniedException' && e.$metadata.httpStatusCode === 403 &&
      e.message === `User: arn:aws:iam::222222222222:root is not authorized to perform: lambda:GetFunction on resource: ${ref} because no resource-based policy allows the lambda:GetFunction action`);
  }
  await assert.rejects(other.send(new UpdateFunctionConfigurationCommand({ FunctionName: foreign, Timeout: 9 })), (e: any) =>
    e.name === 'AccessDeniedException' && /lambda:UpdateFunctionConfiguration on resource/.test(e.message));
  // The owner still sees it, unchanged.
  const mine = await t.lambda.send(new GetFunctionCommand({ FunctionName: foreign }));
  assert.equal(mine.Configuration?.Timeout, 3);
});

test('regions are isolated: the same account signing for eu-west-1 sees none of us-east-1', async () => {
  await createFn(t.lambda, 'region-fn');
  const west = t.clientFor(ONE, 'eu-west-1');
  const listed = await west.send(new ListFunctionsCommand({}));
  assert.deepEqual(listed.Functions, []);
  await assert.rejects(west.send(new GetFunctionCommand({ FunctionName: 'region-fn' })), (e: any) =>
    e.name === 'ResourceNotFoundException' && e.message === 'Function not found: arn:aws:lambda:eu-west-1:111111111111:function:region-fn');
  await assert.rejects(west.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:region-fn' })), (e: any) =>
    e.name === 'ResourceNotFoundException' && e.$metadata.httpStatusCode === 404 &&
    e.message === "Functions from 'us-east-1' are not reachable in this region ('eu-west-1')");
  // The same name can exist independently in the other region.
  const created = await createFn(west, 'region-fn');
  assert.equal(created.FunctionArn, 'arn:aws:lambda:eu-west-1:111111111111:function:region-fn');
});

test('a corrupt zip gets exactly the AWS answer; hostile zips a clear InvalidParameterValueException', async () => {
  const corrupt = [
    Buffer.from('definitely not a zip'),
    code().subarray(0, 40),
    makeZip([{ name: 'index.js', data: 'x'.repeat(5000), compress: true, declaredSize: 10 }]),
  ];
  for (const zip of corrupt) {
    await assert.rejects(createFn(t.lambda, 'bad-zip', zip), (e: any) => {
      assert.equal(e.name, ORACLE_ZIP.Error.Code);
      assert.equal(e.message, ORACLE_ZIP.message);
      assert.equal(e.Type, ORACLE_ZIP.Type);
      assert.equal(e.$metadata.httpStatusCode, ORACLE_ZIP.ResponseMetadata.HTTPStatusCode);
      return true;
    });
  }
  const hostile: [string, Buffer][] = [
    ['path traversal', makeZip([{ name: '../evil.js', data: 'x' }])],
    ['absolute path', makeZip([{ name: '/etc/cron.d/x', data: 'x' }])],
    ['symlink out', makeZip([{ name: 'index.js', data: '../../../etc/passwd', mode: 0o120777 }])],
    ['zip bomb', makeZip([{ name: 'zeros', data: Buffer.alloc(20 * 1024 * 1024), compress: true }])],
  ];
  for (const [label, zip] of hostile) {
    await assert.rejects(createFn(t.lambda, 'hostile-zip', zip), (e: any) => {
      assert.equal(e.name, 'InvalidParameterValueException', label);
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.ok(e.message.startsWith(`${ORACLE_ZIP.message} Refused: `), `${label}: ${e.message}`);
      return true;
    });
  }
  await assert.rejects(t.lambda.send(new GetFunctionCommand({ FunctionName: 'hostile-zip' })), { name: 'ResourceNotFoundException' });
});

test('S3 and container-image code sources are refused with a clear InvalidParameterValueException', async () => {
  const base = { FunctionName: 'src-fn', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE } as const;
  await assert.rejects(t.lambda.send(new CreateFunctionCommand({ ...base, Code: { S3Bucket: 'bucket', S3Key: 'key.zip' } })), (e: any) =>
    e.name === 'InvalidParameterValueException' && e.$metadata.httpStatusCode === 400 && /S3Bucket\/S3Key .*not supported.*ZipFile/.test(e.message));
  await assert.rejects(t.lambda.send(new CreateFunctionCommand({ ...base, Code: { ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1' } })), (e: any) =>
    e.name === 'InvalidParameterValueException' && /ImageUri.*not supported/.test(e.message));
  await assert.rejects(t.lambda.send(new CreateFunctionCommand({
    FunctionName: 'src-fn', Role: ROLE, PackageType: 'Image', Code: { ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1' },
  })), (e: any) => e.name === 'InvalidParameterValueException' && /Image is not supported/.test(e.message));
});

test('the server keeps serving after all of the above', async () => {
  const out = await t.lambda.send(new ListFunctionsCommand({}));
  assert.match(out.$metadata.requestId ?? '', UUID);
  assert.ok(out.Functions?.some((f) => f.FunctionName === 'iso-fn'));
});
