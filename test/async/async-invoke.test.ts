import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAliasCommand, InvokeAsyncCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { SignedClient } from '../../src/client/index.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { logLines, Outcomes, SCOPE, sendEvent } from './helpers.js';

/** InvocationType Event and InvokeAsync at the API: acknowledgement, request ids, limits, REPORT lines. */

let t: TestServer;
let outcomes: Outcomes;
before(async () => {
  t = await startTestServer({ asyncTimeScale: 0.02 });
  outcomes = new Outcomes(t);
  await createFunction(t.lambda, 'as-node', 'async-node');
});
after(async () => {
  outcomes.close();
  await t.close();
});

/** A REPORT line with its request id and numbers blanked, and without the cold start's Init Duration. */
const shape = (line: string, id: string) =>
  line.replace(id, '<id>').replace(/[0-9]+(\.[0-9]+)?/g, 'N').replace(/\tInit Duration: N ms/, '');

test('Event answers 202 once the event is queued; the function runs with the 202\'s request id', async () => {
  const out = await t.lambda.send(new InvokeCommand({
    FunctionName: 'as-node', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ tag: 'first' })),
  }));
  assert.equal(out.StatusCode, 202);
  assert.equal(Buffer.from(out.Payload ?? new Uint8Array()).length, 0);
  const id = out.$metadata.requestId!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  const done = await outcomes.final(id);
  assert.equal(done.kind, 'succeeded');
  assert.equal(done.attempts, 1);
  // awsRequestId inside the function is the id the caller got.
  assert.equal(logLines(t, 'as-node', `HANDLER_START ${id} `).length, 1);
  // The platform lines are those of a synchronous invocation.
  const lines = logLines(t, 'as-node', id);
  assert.ok(lines.includes(`START RequestId: ${id} Version: $LATEST`));
  assert.ok(lines.includes(`END RequestId: ${id}`));
  const report = lines.find((l) => l.startsWith(`REPORT RequestId: ${id}\t`));
  assert.ok(report, lines.join('\n'));
  const sync = await invoke(t.lambda, 'as-node', { tag: 'sync' }, { LogType: 'Tail' });
  const syncId = sync.out.$metadata.requestId!;
  const syncReport = logLines(t, 'as-node', `REPORT RequestId: ${syncId}`)[0]!;
  assert.equal(shape(report, id), shape(syncReport, syncId));
  assert.equal(t.sluice.context.asyncInvoker.metrics.totals(SCOPE, 'as-node').AsyncEventsReceived >= 1, true);
});

test('a qualifier is honoured: an event for an alias runs the alias\'s version', async () => {
  const v = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'as-node' }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'as-node', Name: 'live', FunctionVersion: v.Version! }));
  const id = await sendEvent(t.lambda, 'as-node', { tag: 'alias' }, { Qualifier: 'live' });
  assert.equal((await outcomes.final(id)).kind, 'succeeded');
  assert.equal(logLines(t, 'as-node', `START RequestId: ${id} Version: ${v.Version}`).length, 1);
});

test('Event payloads are limited to 1 MB (413 RequestEntityTooLargeException), and nothing is queued', async () => {
  const exact = Buffer.from(`"${'a'.repeat(1_048_576 - 2)}"`);
  const ok = await t.lambda.send(new InvokeCommand({ FunctionName: 'as-node', InvocationType: 'Event', Payload: exact }));
  assert.equal(ok.StatusCode, 202);
  await outcomes.final(ok.$metadata.requestId!);
  const before = (await t.sluice.context.asyncInvoker.counts(SCOPE, 'as-node'));
  const tooBig = Buffer.from(`"${'a'.repeat(1_048_576 - 1)}"`);
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'as-node', InvocationType: 'Event', Payload: tooBig })),
    (e: any) => e.name === 'RequestEntityTooLargeException' && e.$metadata.httpStatusCode === 413
      && e.message === 'Request must be smaller than 1048576 bytes for the InvokeFunction operation',
  );
  assert.deepEqual(await t.sluice.context.asyncInvoker.counts(SCOPE, 'as-node'), before);
});

test('Event checks the function at once: 404 for a missing one, 400 for a body that is not JSON', async () => {
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'as-missing', InvocationType: 'Event', Payload: Buffer.from('{}') })),
    (e: any) => e.name === 'ResourceNotFoundException'
      && e.message === 'Function not found: arn:aws:lambda:us-east-1:111111111111:function:as-missing',
  );
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'as-node', InvocationType: 'Event', Payload: Buffer.from('{nope') })),
    (e: any) => e.name === 'InvalidRequestContentException' && e.$metadata.httpStatusCode === 400,
  );
  await assert.rejects(
    t.lambda.send(new InvokeCommand({ FunctionName: 'as-node', InvocationType: 'Event', Qualifier: '7', Payload: Buffer.from('{}') })),
    (e: any) => e.name === 'ResourceNotFoundException',
  );
});

test('InvokeAsync (deprecated) queues the event: 202, Status 202, 256 KB limit', async () => {
  const out = await t.lambda.send(new InvokeAsyncCommand({ FunctionName: 'as-node', InvokeArgs: Buffer.from(JSON.stringify({ tag: 'old-api' })) }));
  assert.equal(out.Status, 202);
  const id = out.$metadata.requestId!;
  assert.equal((await outcomes.final(id)).kind, 'succeeded');
  assert.equal(logLines(t, 'as-node', `HANDLER_START ${id} `).length, 1);
  // The raw answer: 202 with {"Status":202}, on both spellings of the path.
  const raw = new SignedClient({ endpoint: t.url, region: 'us-east-1', accessKeyId: t.account.accessKeyId, secretAccessKey: t.account.secretAccessKey });
  for (const path of ['/2014-11-13/functions/as-node/invoke-async', '/2014-11-13/functions/as-node/invoke-async/']) {
    const res = await raw.send('POST', path, {}, Buffer.from('{"tag":"raw"}'));
    assert.equal(res.status, 202);
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), { Status: 202 });
    await outcomes.final(String(res.headers['x-amzn-requestid']));
  }
  await assert.rejects(
    t.lambda.send(new InvokeAsyncCommand({ FunctionName: 'as-node', InvokeArgs: Buffer.from(`"${'a'.repeat(262_144)}"`) })),
    (e: any) => e.$metadata.httpStatusCode === 413 && e.message === 'Request must be smaller than 262144 bytes for the InvokeAsync operation',
  );
  await assert.rejects(
    t.lambda.send(new InvokeAsyncCommand({ FunctionName: 'as-missing', InvokeArgs: Buffer.from('{}') })),
    (e: any) => e.name === 'ResourceNotFoundException',
  );
});
