import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, DeleteFunctionCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { arnOf, logLines, Outcomes, recordReceived, SCOPE, sendEvent } from './helpers.js';

/**
 * Retries, maximum event age and destinations, per FunctionEventInvokeConfig. Time runs 50× fast
 * (asyncTimeScale 0.02): AWS's 1 and 2 minute retry delays take 1.2 and 2.4 s, a 60 s maximum age 1.2 s.
 */

const SCALE = 0.02;
let t: TestServer;
let outcomes: Outcomes;

before(async () => {
  t = await startTestServer({ asyncTimeScale: SCALE });
  outcomes = new Outcomes(t);
  await Promise.all([
    createFunction(t.lambda, 'ar-node', 'async-node'),
    createFunction(t.lambda, 'ar-noretry', 'async-node'),
    createFunction(t.lambda, 'ar-aged', 'async-node'),
    createFunction(t.lambda, 'ar-ok', 'async-node'),
    createFunction(t.lambda, 'ar-fail', 'async-node'),
    createFunction(t.lambda, 'ar-lost', 'async-node'),
    createFunction(t.lambda, 'ar-record', 'async-record'),
    createFunction(t.lambda, 'ar-record-gone', 'async-record'),
    createFunction(t.lambda, 'ar-deleted', 'async-node'),
  ]);
});
after(async () => {
  outcomes.close();
  await t.close();
});

/** The handler's start times (wall clock, ms) for one request id, in order. */
const starts = (fn: string, id: string) =>
  logLines(t, fn, `HANDLER_START ${id} `).map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));

const putConfig = (input: ConstructorParameters<typeof PutFunctionEventInvokeConfigCommand>[0]) =>
  t.lambda.send(new PutFunctionEventInvokeConfigCommand(input));

test('an event that fails twice then succeeds runs three times, about 1 then 2 (scaled) minutes apart', async () => {
  const id = await sendEvent(t.lambda, 'ar-node', { failTimes: 2 });
  const done = await outcomes.final(id);
  assert.equal(done.kind, 'succeeded');
  assert.equal(done.attempts, 3);
  assert.deepEqual(outcomes.of(id).map((o) => [o.kind, o.attempts, o.error]), [
    ['retrying', 1, 'Error: planned failure 1'],
    ['retrying', 2, 'Error: planned failure 2'],
    ['succeeded', 3, undefined],
  ]);
  const at = starts('ar-node', id);
  assert.equal(at.length, 3, 'three runs, all with the same request id');
  assert.ok(at[1]! - at[0]! >= 60_000 * SCALE - 50, `first retry after ${at[1]! - at[0]!} ms`);
  assert.ok(at[2]! - at[1]! >= 120_000 * SCALE - 50, `second retry after ${at[2]! - at[1]!} ms`);
  assert.ok(at[2]! - at[1]! < 120_000 * SCALE + 2_000, 'and not much later');
});

test('MaximumRetryAttempts 0: one run, then the event is dropped, counted and listed with its error', async () => {
  await putConfig({ FunctionName: 'ar-noretry', MaximumRetryAttempts: 0 });
  const before = t.sluice.context.asyncInvoker.metrics.totals(SCOPE, 'ar-noretry').AsyncEventsDropped;
  const id = await sendEvent(t.lambda, 'ar-noretry', { fail: 'no second chance' });
  const done = await outcomes.final(id);
  assert.deepEqual([done.kind, done.condition, done.attempts, done.destination], ['dropped', 'RetriesExhausted', 1, undefined]);
  assert.equal(starts('ar-noretry', id).length, 1);
  assert.equal(t.sluice.context.asyncInvoker.metrics.totals(SCOPE, 'ar-noretry').AsyncEventsDropped, before + 1);
  const listed = (await t.sluice.context.asyncInvoker.list(SCOPE, 'ar-noretry')).find((e) => e.id === id);
  assert.equal(listed?.status, 'dropped');
  assert.equal(listed?.condition, 'RetriesExhausted');
  assert.equal(listed?.lastError, 'Error: no second chance');
  assert.equal(listed?.deliveredTo, undefined);
});

test('maximum event age: a retry due after it is not attempted; the record says EventAgeExceeded', async () => {
  await putConfig({
    FunctionName: 'ar-aged', MaximumEventAgeInSeconds: 60,
    DestinationConfig: { OnFailure: { Destination: arnOf('ar-record') } },
  });
  const event = { fail: 'always' };
  const id = await sendEvent(t.lambda, 'ar-aged', event);
  const sentAt = Date.now();
  const done = await outcomes.final(id);
  const ageMs = Date.now() - sentAt;
  assert.deepEqual([done.kind, done.condition, done.attempts], ['dropped', 'EventAgeExceeded', 1]);
  // It failed at once; its first retry would have been due after 1.2 s, exactly its maximum age.
  assert.ok(ageMs >= 60_000 * SCALE - 100, `expired after ${ageMs} ms`);
  assert.equal(starts('ar-aged', id).length, 1);
  await outcomes.final(done.destination!.requestId);
  const record = recordReceived(t, 'ar-record', done.destination!.requestId);
  assert.deepEqual(record.requestContext, {
    requestId: id, functionArn: arnOf('ar-aged', '$LATEST'), condition: 'EventAgeExceeded', approximateInvokeCount: 1,
  });
  assert.deepEqual(record.requestPayload, event);
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.equal(record.responsePayload.errorMessage, 'always');
});

test('OnSuccess (configured on an alias) receives the invocation record of §8.7, exactly', async () => {
  const v = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'ar-ok' }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'ar-ok', Name: 'prod', FunctionVersion: v.Version! }));
  await putConfig({ FunctionName: 'ar-ok', Qualifier: 'prod', DestinationConfig: { OnSuccess: { Destination: arnOf('ar-record') } } });
  const event = { tag: 'to-success', nested: { list: [1, 2, 3] }, result: { answer: 42, text: 'fine' } };
  const sentAt = Date.now();
  const id = await sendEvent(t.lambda, 'ar-ok', event, { Qualifier: 'prod' });
  const done = await outcomes.final(id);
  assert.equal(done.kind, 'succeeded');
  assert.equal(done.destination?.arn, arnOf('ar-record'));
  const delivered = await outcomes.final(done.destination!.requestId);
  assert.equal(delivered.kind, 'succeeded');
  assert.equal(delivered.functionName, 'ar-record');
  const record = recordReceived(t, 'ar-record', done.destination!.requestId);
  assert.deepEqual(Object.keys(record), ['version', 'timestamp', 'requestContext', 'requestPayload', 'responseContext', 'responsePayload']);
  assert.match(record.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(record.timestamp) >= sentAt - 1000 && Date.parse(record.timestamp) <= Date.now());
  assert.deepEqual({ ...record, timestamp: 'T' }, {
    version: '1.0',
    timestamp: 'T',
    requestContext: { requestId: id, functionArn: arnOf('ar-ok', 'prod'), condition: 'Success', approximateInvokeCount: 1 },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: v.Version },
    responsePayload: { answer: 42, text: 'fine' },
  });
  assert.deepEqual(Object.keys(record.requestContext), ['requestId', 'functionArn', 'condition', 'approximateInvokeCount']);
  // The unqualified function has no OnSuccess of its own: nothing is delivered for it.
  const plain = await outcomes.final(await sendEvent(t.lambda, 'ar-ok', { tag: 'plain' }));
  assert.equal(plain.destination, undefined);
});

test('OnFailure (a destination alias) receives the record once retries are exhausted', async () => {
  const v = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'ar-record' }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'ar-record', Name: 'inbox', FunctionVersion: v.Version! }));
  await putConfig({
    FunctionName: 'ar-fail', MaximumRetryAttempts: 1,
    DestinationConfig: { OnFailure: { Destination: arnOf('ar-record', 'inbox') }, OnSuccess: {} },
  });
  const event = { fail: 'boom', tag: 'to-failure' };
  const id = await sendEvent(t.lambda, 'ar-fail', event);
  const done = await outcomes.final(id);
  assert.deepEqual([done.kind, done.condition, done.attempts], ['dropped', 'RetriesExhausted', 2]);
  assert.deepEqual(done.destination?.arn, arnOf('ar-record', 'inbox'));
  await outcomes.final(done.destination!.requestId);
  // The destination ran its alias's version.
  assert.equal(logLines(t, 'ar-record', `START RequestId: ${done.destination!.requestId} Version: ${v.Version}`).length, 1);
  const record = recordReceived(t, 'ar-record', done.destination!.requestId);
  assert.deepEqual(record.requestContext, {
    requestId: id, functionArn: arnOf('ar-fail', '$LATEST'), condition: 'RetriesExhausted', approximateInvokeCount: 2,
  });
  assert.deepEqual(record.requestPayload, event);
  assert.deepEqual(record.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.equal(record.responsePayload.errorType, 'Error');
  assert.equal(record.responsePayload.errorMessage, 'boom');
  assert.ok(Array.isArray(record.responsePayload.trace));
  const listed = (await t.sluice.context.asyncInvoker.list(SCOPE, 'ar-fail')).find((e) => e.id === id);
  assert.equal(listed?.deliveredTo, arnOf('ar-record', 'inbox'));
});

test('a record that cannot be delivered (the destination was deleted) is counted as a delivery failure', async () => {
  await putConfig({ FunctionName: 'ar-lost', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: arnOf('ar-record-gone') } } });
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'ar-record-gone' }));
  const before = t.sluice.context.asyncInvoker.metrics.totals(SCOPE, 'ar-lost');
  const done = await outcomes.final(await sendEvent(t.lambda, 'ar-lost', { fail: 'x' }));
  assert.deepEqual([done.kind, done.condition, done.destination], ['dropped', 'RetriesExhausted', undefined]);
  const after = t.sluice.context.asyncInvoker.metrics.totals(SCOPE, 'ar-lost');
  assert.equal(after.DestinationDeliveryFailures, before.DestinationDeliveryFailures + 1);
  assert.equal(after.AsyncEventsDropped, before.AsyncEventsDropped + 1);
});

test('events of a function deleted while they wait are dropped (and counted), not run', async () => {
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'ar-deleted', ReservedConcurrentExecutions: 0 }));
  const id = await sendEvent(t.lambda, 'ar-deleted', { tag: 'orphan' });
  await t.lambda.send(new DeleteFunctionCommand({ FunctionName: 'ar-deleted' }));
  const done = await outcomes.final(id);
  assert.deepEqual([done.kind, done.condition, done.attempts], ['dropped', undefined, 0]);
  assert.match(done.error!, /^ResourceNotFoundException: Function not found: /);
  assert.equal(starts('ar-deleted', id).length, 0);
  assert.equal(t.sluice.context.asyncInvoker.metrics.totals(SCOPE, 'ar-deleted').AsyncEventsDropped, 1);
});
