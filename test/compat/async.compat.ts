import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { arnOf, logLines, Outcomes, recordReceived } from '../async/helpers.js';
import { aws, awsOk, Scratch } from './clients.js';

/** Asynchronous invocation through the unmodified AWS CLI v2, as a user types it. */

let t: TestServer;
let scratch: Scratch;
let outcomes: Outcomes;

before(async () => {
  t = await startTestServer({ asyncTimeScale: 0.02 });
  scratch = new Scratch();
  outcomes = new Outcomes(t);
  await createFunction(t.lambda, 'cc-node', 'async-node');
  await createFunction(t.lambda, 'cc-record', 'async-record');
});
after(async () => {
  outcomes.close();
  await t.close();
  scratch.remove();
});

/** The next final outcome of a function's event, from now on. */
const nextFinal = (fn: string) => {
  const seen = new Set(outcomes.all.map((o) => o.id));
  return outcomes.wait((o) => o.functionName === fn && !seen.has(o.id) && (o.kind === 'succeeded' || o.kind === 'dropped'));
};

test('aws lambda invoke --invocation-type Event: StatusCode 202, and the event runs', async () => {
  const done = nextFinal('cc-node');
  const out = await awsOk(t, scratch, [
    'lambda', 'invoke', '--function-name', 'cc-node', '--invocation-type', 'Event',
    '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"tag":"from-cli"}', scratch.path('out.json'),
  ]);
  assert.deepEqual(out, { StatusCode: 202 });
  const o = await done;
  assert.equal(o.kind, 'succeeded');
  assert.equal(logLines(t, 'cc-node', `HANDLER_START ${o.id} `).length, 1);
});

test('put-function-event-invoke-config acts: no retries, and the failure record goes to the destination', async () => {
  const put = await awsOk(t, scratch, [
    'lambda', 'put-function-event-invoke-config', '--function-name', 'cc-node', '--maximum-retry-attempts', '0',
    '--maximum-event-age-in-seconds', '3600',
    '--destination-config', JSON.stringify({ OnFailure: { Destination: arnOf('cc-record') } }),
  ]);
  assert.equal(put.FunctionArn, arnOf('cc-node', '$LATEST'));
  assert.equal(put.MaximumRetryAttempts, 0);
  assert.equal(put.MaximumEventAgeInSeconds, 3600);
  assert.deepEqual(put.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: arnOf('cc-record') } });
  const got = await awsOk(t, scratch, ['lambda', 'get-function-event-invoke-config', '--function-name', 'cc-node']);
  assert.deepEqual(got, put);

  const done = nextFinal('cc-node');
  const out = await awsOk(t, scratch, [
    'lambda', 'invoke', '--function-name', 'cc-node', '--invocation-type', 'Event',
    '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"fail":"from the cli"}', scratch.path('out2.json'),
  ]);
  assert.equal(out.StatusCode, 202);
  const o = await done;
  assert.deepEqual([o.kind, o.condition, o.attempts], ['dropped', 'RetriesExhausted', 1]);
  await outcomes.final(o.destination!.requestId);
  const record = recordReceived(t, 'cc-record', o.destination!.requestId);
  assert.deepEqual(record.requestContext, {
    requestId: o.id, functionArn: arnOf('cc-node', '$LATEST'), condition: 'RetriesExhausted', approximateInvokeCount: 1,
  });
  assert.deepEqual(record.requestPayload, { fail: 'from the cli' });
  assert.equal(record.responsePayload.errorMessage, 'from the cli');
});

test('a destination Sluice cannot deliver to is refused by the CLI call, not accepted and ignored', async () => {
  const r = await aws(t, scratch, [
    'lambda', 'put-function-event-invoke-config', '--function-name', 'cc-node',
    '--destination-config', JSON.stringify({ OnFailure: { Destination: 'arn:aws:sqs:us-east-1:111111111111:dlq' } }),
  ]);
  assert.equal(r.code, 254);
  assert.match(r.stderr, /InvalidParameterValueException/);
});

test('aws lambda invoke-async (the deprecated operation the CLI still carries): Status 202', async () => {
  const file = scratch.path('args.json');
  writeFileSync(file, '{"tag":"invoke-async"}');
  const done = nextFinal('cc-node');
  const out = await awsOk(t, scratch, ['lambda', 'invoke-async', '--function-name', 'cc-node', '--invoke-args', file]);
  assert.deepEqual(out, { Status: 202 });
  assert.equal((await done).kind, 'succeeded');
});
