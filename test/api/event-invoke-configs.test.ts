import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteFunctionCommand, DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand, ListFunctionEventInvokeConfigsCommand, PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand, UpdateFunctionEventInvokeConfigCommand, waitUntilFunctionActiveV2,
  type PutFunctionEventInvokeConfigCommandInput,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { rejectsWith as fails } from '../helpers/aws-errors.js';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const ARN = 'arn:aws:lambda:us-east-1:111111111111:function:';
const NO_FUNCTION = "The function doesn't exist.";
const noConfig = (qualifiedArn: string) => `The function ${qualifiedArn} doesn't have an EventInvokeConfig`;
const NO_DESTINATIONS = { OnSuccess: {}, OnFailure: {} };

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


const put = (input: PutFunctionEventInvokeConfigCommandInput) => t.lambda.send(new PutFunctionEventInvokeConfigCommand(input));
const update = (input: PutFunctionEventInvokeConfigCommandInput) => t.lambda.send(new UpdateFunctionEventInvokeConfigCommand(input));
const get = (FunctionName: string, Qualifier?: string) => t.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName, Qualifier }));

test('Put returns the AWS shape: $LATEST-qualified ARN, epoch-seconds LastModified, unset members omitted', async () => {
  await create('e-put');
  const before = Date.now();
  const out = await put({ FunctionName: 'e-put', MaximumRetryAttempts: 0 });
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.equal(out.FunctionArn, `${ARN}e-put:$LATEST`);
  assert.equal(out.MaximumRetryAttempts, 0);
  assert.equal(out.MaximumEventAgeInSeconds, undefined);
  assert.deepEqual(out.DestinationConfig, NO_DESTINATIONS);
  // Epoch seconds on the wire: read as seconds, it is now (milliseconds would land millennia ahead).
  assert.ok(out.LastModified instanceof Date);
  assert.ok(Math.abs(out.LastModified.getTime() - before) < 60_000, `LastModified ${out.LastModified.toISOString()}`);
  const got = await get('e-put');
  assert.equal(got.FunctionArn, `${ARN}e-put:$LATEST`);
  assert.equal(got.MaximumRetryAttempts, 0);
  assert.equal(got.LastModified?.getTime(), out.LastModified.getTime());
  // Unqualified and $LATEST are the same configuration.
  const latest = await get('e-put', '$LATEST');
  assert.equal(latest.MaximumRetryAttempts, 0);
  await put({ FunctionName: `${ARN}e-put:$LATEST`, MaximumEventAgeInSeconds: 60 });
  const replaced = await get('e-put');
  assert.equal(replaced.MaximumEventAgeInSeconds, 60);
  assert.equal(replaced.MaximumRetryAttempts, undefined, 'Put replaces the whole configuration');
});

test('Update merges into the existing configuration and needs one to exist', async () => {
  await create('e-upd');
  await fails(update({ FunctionName: 'e-upd', MaximumRetryAttempts: 1 }), 'ResourceNotFoundException', 404, noConfig(`${ARN}e-upd:$LATEST`));
  await put({ FunctionName: 'e-upd', MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 });
  const out = await update({ FunctionName: 'e-upd', MaximumRetryAttempts: 0 });
  assert.equal(out.MaximumRetryAttempts, 0);
  assert.equal(out.MaximumEventAgeInSeconds, 60);
  assert.equal(out.FunctionArn, `${ARN}e-upd:$LATEST`);
  const got = await get('e-upd');
  assert.equal(got.MaximumRetryAttempts, 0);
  assert.equal(got.MaximumEventAgeInSeconds, 60);
});

test('versions and aliases have their own configurations; list shows all and paginates', async () => {
  await createWithAlias('e-qual');
  await put({ FunctionName: 'e-qual', MaximumRetryAttempts: 0 });
  const v = await put({ FunctionName: 'e-qual', Qualifier: '1', MaximumRetryAttempts: 1 });
  assert.equal(v.FunctionArn, `${ARN}e-qual:1`);
  const a = await put({ FunctionName: 'e-qual:live', MaximumRetryAttempts: 2 });
  assert.equal(a.FunctionArn, `${ARN}e-qual:live`);
  const viaArn = await put({ FunctionName: `${ARN}e-qual:live`, Qualifier: 'live', MaximumEventAgeInSeconds: 120 });
  assert.equal(viaArn.FunctionArn, `${ARN}e-qual:live`);
  assert.equal((await get('e-qual', '1')).MaximumRetryAttempts, 1);
  assert.equal((await get('e-qual', 'live')).MaximumEventAgeInSeconds, 120);
  assert.equal((await get('e-qual')).MaximumRetryAttempts, 0);

  const list = await t.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'e-qual' }));
  assert.deepEqual(list.FunctionEventInvokeConfigs?.map((c) => c.FunctionArn).sort(),
    [`${ARN}e-qual:$LATEST`, `${ARN}e-qual:1`, `${ARN}e-qual:live`].sort());
  assert.equal(list.NextMarker, undefined);
  const seen: string[] = [];
  let marker: string | undefined;
  do {
    const page = await t.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'e-qual', MaxItems: 2, Marker: marker }));
    assert.ok(page.FunctionEventInvokeConfigs!.length <= 2);
    seen.push(...page.FunctionEventInvokeConfigs!.map((c) => c.FunctionArn!));
    marker = page.NextMarker;
  } while (marker);
  assert.deepEqual(seen.sort(), list.FunctionEventInvokeConfigs!.map((c) => c.FunctionArn!).sort());
  await fails(t.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'e-qual', MaxItems: 51 })), 'ValidationException', 400,
    "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50");

  await fails(put({ FunctionName: 'e-qual:live', Qualifier: 'other', MaximumRetryAttempts: 1 }), 'InvalidParameterValueException', 400,
    'The derived qualifier from the function name does not match the specified qualifier.');
});

test('Delete removes one configuration (204); DeleteFunction removes them all', async () => {
  await createWithAlias('e-del');
  await put({ FunctionName: 'e-del', MaximumRetryAttempts: 0 });
  await put({ FunctionName: 'e-del', Qualifier: 'live', MaximumRetryAttempts: 1 });
  const del = await t.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'e-del', Qualifier: '$LATEST' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await fails(get('e-del'), 'ResourceNotFoundException', 404, noConfig(`${ARN}e-del:$LATEST`));
  await fails(t.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'e-del' })), 'ResourceNotFoundException', 404,
    noConfig(`${ARN}e-del:$LATEST`));
  assert.equal((await get('e-del', 'live')).MaximumRetryAttempts, 1);
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'e-del' }));
  await create('e-del');
  const list = await t.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'e-del' }));
  assert.deepEqual(list.FunctionEventInvokeConfigs, []);
});

test('missing function, qualifier or configuration: 404 with AWS wording per operation', async () => {
  await createWithAlias('e-missing');
  for (const fn of ['nope', `${ARN}nope`]) {
    await fails(put({ FunctionName: fn, MaximumRetryAttempts: 1 }), 'ResourceNotFoundException', 404, NO_FUNCTION);
    await fails(update({ FunctionName: fn, MaximumRetryAttempts: 1 }), 'ResourceNotFoundException', 404, NO_FUNCTION);
    await fails(get(fn), 'ResourceNotFoundException', 404, noConfig(`${ARN}nope:$LATEST`));
    await fails(t.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404,
      noConfig(`${ARN}nope:$LATEST`));
    await fails(t.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: fn })), 'ResourceNotFoundException', 404, NO_FUNCTION);
  }
  for (const q of ['7', 'livedoesnotexist']) {
    await fails(put({ FunctionName: 'e-missing', Qualifier: q, MaximumRetryAttempts: 1 }), 'ResourceNotFoundException', 404, NO_FUNCTION);
    await fails(update({ FunctionName: 'e-missing', Qualifier: q, MaximumRetryAttempts: 1 }), 'ResourceNotFoundException', 404, NO_FUNCTION);
    await fails(get('e-missing', q), 'ResourceNotFoundException', 404, noConfig(`${ARN}e-missing:${q}`));
  }
  await fails(get('e-missing', 'live'), 'ResourceNotFoundException', 404, noConfig(`${ARN}e-missing:live`));
  await fails(update({ FunctionName: 'e-missing', Qualifier: 'live', MaximumRetryAttempts: 1 }), 'ResourceNotFoundException', 404,
    noConfig(`${ARN}e-missing:live`));
});

test('settings are validated: at least one, retry and age ranges', async () => {
  await create('e-valid');
  const atLeastOne = 'You must specify at least one of error handling or destination setting.';
  await fails(put({ FunctionName: 'e-valid' }), 'InvalidParameterValueException', 400, atLeastOne);
  await fails(put({ FunctionName: 'nope' }), 'InvalidParameterValueException', 400, atLeastOne);
  await fails(update({ FunctionName: 'e-valid' }), 'InvalidParameterValueException', 400, atLeastOne);
  const v = (member: string, value: number, rule: string) =>
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`;
  await fails(put({ FunctionName: 'e-valid', MaximumRetryAttempts: 3 }), 'ValidationException', 400,
    v('maximumRetryAttempts', 3, 'Member must have value less than or equal to 2'));
  await fails(put({ FunctionName: 'e-valid', MaximumRetryAttempts: -1 }), 'ValidationException', 400,
    v('maximumRetryAttempts', -1, 'Member must have value greater than or equal to 0'));
  await fails(put({ FunctionName: 'e-valid', MaximumEventAgeInSeconds: 59 }), 'ValidationException', 400,
    v('maximumEventAgeInSeconds', 59, 'Member must have value greater than or equal to 60'));
  await fails(update({ FunctionName: 'e-valid', MaximumEventAgeInSeconds: 21601 }), 'ValidationException', 400,
    v('maximumEventAgeInSeconds', 21601, 'Member must have value less than or equal to 21600'));
  const edge = await put({ FunctionName: 'e-valid', MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  assert.equal(edge.MaximumRetryAttempts, 2);
  assert.equal(edge.MaximumEventAgeInSeconds, 21600);
});

test('Lambda function destinations are accepted (same account and region, must exist, not itself)', async () => {
  await createWithAlias('e-dst');
  await createWithAlias('e-target');
  const out = await put({
    FunctionName: 'e-dst',
    DestinationConfig: { OnSuccess: { Destination: `${ARN}e-target` }, OnFailure: { Destination: `${ARN}e-target:live` } },
  });
  assert.deepEqual(out.DestinationConfig, { OnSuccess: { Destination: `${ARN}e-target` }, OnFailure: { Destination: `${ARN}e-target:live` } });
  assert.equal(out.MaximumRetryAttempts, undefined);
  for (const q of [':1', ':$LATEST']) {
    const ok = await put({ FunctionName: 'e-dst', DestinationConfig: { OnFailure: { Destination: `${ARN}e-target${q}` } } });
    assert.deepEqual(ok.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: `${ARN}e-target${q}` } });
  }
  const empty = await put({ FunctionName: 'e-dst', DestinationConfig: { OnSuccess: {} } });
  assert.deepEqual(empty.DestinationConfig, NO_DESTINATIONS);

  const invalid = (arn: string) => `The destination ARN ${arn} is invalid.`;
  for (const arn of [`${ARN}doesnotexist`, `${ARN}e-target:9`, `${ARN}e-target:nolive`, 'arn:aws:lambda:us-east-1:111111111111:layer:x:1']) {
    await fails(put({ FunctionName: 'e-dst', DestinationConfig: { OnSuccess: { Destination: arn } } }), 'InvalidParameterValueException', 400, invalid(arn));
  }
  await fails(put({ FunctionName: 'e-dst', DestinationConfig: { OnFailure: { Destination: `${ARN}e-dst` } } }), 'InvalidParameterValueException', 400,
    "You can't specify the function as a destination for itself.");
  await fails(put({ FunctionName: 'e-dst:live', DestinationConfig: { OnFailure: { Destination: `${ARN}e-dst:1` } } }), 'InvalidParameterValueException', 400,
    "You can't specify the function as a destination for itself.");
  for (const arn of ['arn:aws:lambda:eu-west-1:111111111111:function:e-target', 'arn:aws:lambda:us-east-1:222222222222:function:e-target']) {
    await fails(put({ FunctionName: 'e-dst', DestinationConfig: { OnSuccess: { Destination: arn } } }), 'InvalidParameterValueException', 400,
      `Sluice can only deliver to Lambda functions in the same account and region (111111111111, us-east-1); ${arn} is not.`);
  }
});

test('destination kinds Sluice cannot deliver to are rejected at configuration time, never stored', async () => {
  await create('e-kinds');
  await put({ FunctionName: 'e-kinds', MaximumRetryAttempts: 1 });
  const kinds: [string, string][] = [
    ['arn:aws:sqs:us-east-1:111111111111:queue', 'SQS queue'],
    ['arn:aws:sns:us-east-1:111111111111:topic', 'SNS topic'],
    ['arn:aws:events:us-east-1:111111111111:event-bus/default', 'EventBridge event bus'],
    ['arn:aws:s3:::bucket', 'S3 bucket'],
  ];
  for (const [arn, kind] of kinds) {
    const message = `Sluice cannot deliver to ${kind} destinations yet (${arn}); only Lambda function destinations are supported.`;
    await fails(put({ FunctionName: 'e-kinds', DestinationConfig: { OnFailure: { Destination: arn } } }), 'InvalidParameterValueException', 400, message);
    await fails(update({ FunctionName: 'e-kinds', DestinationConfig: { OnSuccess: { Destination: arn } } }), 'InvalidParameterValueException', 400, message);
  }
  const got = await get('e-kinds');
  assert.deepEqual(got.DestinationConfig, NO_DESTINATIONS);
  assert.equal(got.MaximumRetryAttempts, 1);

  const iam = 'arn:aws:iam:us-east-1:111111111111:function:e-kinds';
  await fails(put({ FunctionName: 'e-kinds', DestinationConfig: { OnSuccess: { Destination: iam } } }), 'InvalidParameterValueException', 400,
    `The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=${iam}), onFailure=null) is invalid.`);
  const bad = 'arn:aws:_-/!lambda:us-east-1:111111111111:function:x';
  await fails(put({ FunctionName: 'e-kinds', DestinationConfig: { OnFailure: { Destination: bad } } }), 'ValidationException', 400,
    `1 validation error detected: Value '${bad}' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)`);
});

test('Update merges destinations side by side; an empty side clears it', async () => {
  await create('e-merge');
  await create('e-merge-a');
  await create('e-merge-b');
  await put({ FunctionName: 'e-merge', DestinationConfig: { OnSuccess: { Destination: `${ARN}e-merge-a` } } });
  const both = await update({ FunctionName: 'e-merge', DestinationConfig: { OnFailure: { Destination: `${ARN}e-merge-b` } } });
  assert.deepEqual(both.DestinationConfig, { OnSuccess: { Destination: `${ARN}e-merge-a` }, OnFailure: { Destination: `${ARN}e-merge-b` } });
  const cleared = await update({ FunctionName: 'e-merge', DestinationConfig: { OnSuccess: {} }, MaximumEventAgeInSeconds: 300 });
  assert.deepEqual(cleared.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: `${ARN}e-merge-b` } });
  assert.equal(cleared.MaximumEventAgeInSeconds, 300);
  const got = await get('e-merge');
  assert.deepEqual(got.DestinationConfig, cleared.DestinationConfig);
});
