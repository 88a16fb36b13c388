import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CreateFunctionCommand, GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2,
  type CreateFunctionCommandInput, type UpdateFunctionConfigurationCommandInput,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
  await t.lambda.send(new CreateFunctionCommand({ ...BASE, FunctionName: 'target' }));
  await waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'target' });
});
after(async () => { await t.close(); });

const ORACLE_RUNTIME = JSON.parse(readFileSync('/work/shared/lambda-oracle/error-invalid-parameter-value.json', 'utf8')).response as {
  Error: { Code: string; Message: string }; Type: string; message: string; ResponseMetadata: { HTTPStatusCode: number };
};

const BASE = {
  FunctionName: 'valid-fn', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE,
  Code: { ZipFile: zipFiles({ 'index.js': 'exports.handler = async () => 1;' }) },
} satisfies CreateFunctionCommandInput;

const IPVE = 'InvalidParameterValueException';
const VALIDATION = 'ValidationException';
const v = (value: string, member: string, rule: string) => `1 validation error detected: Value ${value} at '${member}' failed to satisfy constraint: ${rule}`;

interface Case {
  label: string;
  /** Members applied to both CreateFunction and UpdateFunctionConfiguration (unless `createOnly`). */
  input: Partial<CreateFunctionCommandInput>;
  name: string;
  message: string;
  createOnly?: boolean;
}

const bigEnv: Record<string, string> = {};
for (let i = 0; i < 50; i++) bigEnv[`VAR_${i}`] = 'x'.repeat(80);
const sixLayers = Array.from({ length: 6 }, (_, i) => `arn:aws:lambda:us-east-1:111111111111:layer:l${i}:1`);
const longName = 'f'.repeat(65);
const longDescription = 'd'.repeat(257);

const CASES: Case[] = [
  {
    label: 'deprecated runtime python3.7', input: { Runtime: 'python3.7' }, name: IPVE,
    message: 'The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (python3.13) while creating or updating functions.',
  },
  {
    label: 'deprecated runtime nodejs14.x', input: { Runtime: 'nodejs14.x' }, name: IPVE,
    message: 'The runtime parameter of nodejs14.x is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.',
  },
  {
    label: 'function name longer than 64', input: { FunctionName: longName }, name: IPVE, createOnly: true,
    message: v(`'${longName}'`, 'functionName', 'Member must have length less than or equal to 64'),
  },
  {
    label: 'function name longer than 140', input: { FunctionName: 'g'.repeat(141) }, name: VALIDATION, createOnly: true,
    message: v(`'${'g'.repeat(141)}'`, 'functionName', 'Member must have length less than or equal to 140'),
  },
  {
    label: 'function name with bad characters', input: { FunctionName: 'bad name!' }, name: VALIDATION, createOnly: true,
    message: v(`'bad name!'`, 'functionName',
      'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?'),
  },
  {
    label: 'handler with spaces', input: { Handler: 'index handler' }, name: VALIDATION,
    message: v(`'index handler'`, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+'),
  },
  { label: 'memory 127', input: { MemorySize: 127 }, name: VALIDATION, message: v(`'127'`, 'memorySize', 'Member must have value greater than or equal to 128') },
  { label: 'memory 10241', input: { MemorySize: 10241 }, name: VALIDATION, message: v(`'10241'`, 'memorySize', 'Member must have value less than or equal to 10240') },
  { label: 'timeout 0', input: { Timeout: 0 }, name: VALIDATION, message: v(`'0'`, 'timeout', 'Member must have value greater than or equal to 1') },
  { label: 'timeout 901', input: { Timeout: 901 }, name: VALIDATION, message: v(`'901'`, 'timeout', 'Member must have value less than or equal to 900') },
  {
    label: 'ephemeral storage 511', input: { EphemeralStorage: { Size: 511 } }, name: VALIDATION,
    message: v(`'511'`, 'ephemeralStorage.size', 'Member must have value greater than or equal to 512'),
  },
  {
    label: 'ephemeral storage 10241', input: { EphemeralStorage: { Size: 10241 } }, name: VALIDATION,
    message: v(`'10241'`, 'ephemeralStorage.size', 'Member must have value less than or equal to 10240'),
  },
  {
    label: 'environment over 4 KB', input: { Environment: { Variables: bigEnv } }, name: IPVE,
    message: `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(bigEnv)}`,
  },
  {
    label: 'reserved environment key', input: { Environment: { Variables: { AWS_REGION: 'mars-1', OK_KEY: 'x' } } }, name: IPVE,
    message: 'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION',
  },
  {
    label: 'environment key with bad characters', input: { Environment: { Variables: { '1BAD': 'x' } } }, name: VALIDATION,
    message: "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
  },
  {
    label: 'description over 256', input: { Description: longDescription }, name: VALIDATION,
    message: v(`'${longDescription}'`, 'description', 'Member must have length less than or equal to 256'),
  },
  {
    label: 'role that is not a role ARN', input: { Role: 'r1' }, name: VALIDATION,
    message: v(`'r1'`, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+'),
  },
  {
    label: 'architecture outside the enum', input: { Architectures: ['sparc' as 'x86_64'] }, name: VALIDATION, createOnly: true,
    message: v(`'[sparc]'`, 'architectures', 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]'),
  },
  { label: 'more than 5 layers', input: { Layers: sixLayers }, name: IPVE, message: 'Cannot reference more than 5 layers.' },
  {
    label: 'tag key with the aws: prefix', input: { Tags: { 'aws:owner': 'me' } }, name: IPVE, createOnly: true,
    message: 'Tag keys that start with "aws:" are reserved: aws:owner',
  },
];

async function expectError(p: Promise<unknown>, name: string, status: number, message: string, label: string): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, name, `${label}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status, label);
    assert.equal(e.message, message, label);
    return true;
  });
}

test('an unknown runtime is refused exactly as AWS does (oracle)', async () => {
  for (const send of [
    () => t.lambda.send(new CreateFunctionCommand({ ...BASE, Runtime: 'non-existent-runtime' as 'nodejs22.x' })),
    () => t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', Runtime: 'non-existent-runtime' as 'nodejs22.x' })),
  ]) {
    await assert.rejects(send(), (e: any) => {
      assert.equal(e.name, ORACLE_RUNTIME.Error.Code);
      assert.equal(e.message, ORACLE_RUNTIME.message);
      assert.equal(e.message, ORACLE_RUNTIME.Error.Message);
      assert.equal(e.Type, ORACLE_RUNTIME.Type);
      assert.equal(e.$metadata.httpStatusCode, ORACLE_RUNTIME.ResponseMetadata.HTTPStatusCode);
      return true;
    });
  }
});

test('CreateFunction validation errors match AWS: error name, HTTP status and message', async () => {
  for (const c of CASES) {
    await expectError(t.lambda.send(new CreateFunctionCommand({ ...BASE, ...c.input } as CreateFunctionCommandInput)), c.name, 400, c.message, c.label);
  }
});

test('a missing Role is a ValidationException naming the member', async () => {
  const { Role: _role, ...noRole } = BASE;
  await expectError(t.lambda.send(new CreateFunctionCommand(noRole as unknown as CreateFunctionCommandInput)), VALIDATION, 400,
    "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null", 'missing role');
});

test('UpdateFunctionConfiguration validation errors match AWS and change nothing', async () => {
  const before = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'target' }));
  for (const c of CASES.filter((x) => !x.createOnly)) {
    const { FunctionName: _n, Code: _c, Tags: _t, ...members } = c.input;
    await expectError(
      t.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'target', ...members } as UpdateFunctionConfigurationCommandInput)),
      c.name, 400, c.message, `update: ${c.label}`,
    );
  }
  const afterAll = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'target' }));
  assert.equal(afterAll.RevisionId, before.RevisionId, 'a refused update must not touch the function');
});

test('values at the edges of each range are accepted', async () => {
  const out = await t.lambda.send(new CreateFunctionCommand({
    ...BASE, FunctionName: 'e'.repeat(64), MemorySize: 10240, Timeout: 900, EphemeralStorage: { Size: 10240 },
    Description: 'd'.repeat(256), Handler: 'h'.repeat(128),
  }));
  assert.equal(out.FunctionName, 'e'.repeat(64));
  assert.equal(out.MemorySize, 10240);
  assert.deepEqual(out.EphemeralStorage, { Size: 10240 });
});
