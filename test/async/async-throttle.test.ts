import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { functionEvents, SignedClient } from '../../src/client/index.js';
import { arnOf, logLines, Outcomes, recordReceived, SCOPE, sendEvent } from './helpers.js';

/** Concurrency limits apply to asynchronous events: they wait (and are retried) instead of being lost. */

const SCALE = 0.02;
let t: TestServer;
let outcomes: Outcomes;

before(async () => {
  t = await startTestServer({ asyncTimeScale: SCALE });
  outcomes = new Outcomes(t);
  await Promise.all([
    createFunction(t.lambda, 'at-zero', 'async-node'),
    createFunction(t.lambda, 'at-busy', 'async-node'),
    createFunction(t.lambda, 'at-cap', 'async-node'),
    createFunction(t.lambda, 'at-expire', 'async-node'),
    createFunction(t.lambda, 'at-list', 'async-node'),
    createFunction(t.lambda, 'at-record', 'async-record'),
  ]);
});
after(async () => {
  outcomes.close();
  await t.close();
});

const reserve = (FunctionName: string, n: number) =>
  t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions: n }));
const counts = (fn: string) => t.sluice.context.asyncInvoker.counts(SCOPE, fn);
const starts = (fn: string, id: string) => logLines(t, fn, `HANDLER_START ${id} `).length;

/** Resolves when `check` holds, looking after every recorded outcome and at least every 25 ms. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('reserved concurrency 0: events wait instead of being lost, and each runs once when it is raised', async () => {
  // AWS sends such events straight to OnFailure without retries (reference §4.4); the issue asks that they wait
  // for capacity until their maximum age, like any throttled event, which is what this checks.
  await reserve('at-zero', 0);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await sendEvent(t.lambda, 'at-zero', { tag: `z${i}` }));
  assert.deepEqual(await counts('at-zero'), { queued: 5, inFlight: 0, retrying: 0, dropped: 0 });
  // Nothing can run, so nothing happens; absence cannot be awaited, only given time.
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(ids.filter((id) => starts('at-zero', id) > 0).length, 0);
  assert.deepEqual(await counts('at-zero'), { queued: 5, inFlight: 0, retrying: 0, dropped: 0 });
  await reserve('at-zero', 2);
  for (const id of ids) {
    const done = await outcomes.final(id);
    assert.deepEqual([done.kind, done.attempts], ['succeeded', 1]);
    assert.equal(starts('at-zero', id), 1);
  }
  assert.deepEqual(await counts('at-zero'), { queued: 0, inFlight: 0, retrying: 0, dropped: 0 });
});

test('an event throttled by the Invoker (its function busy with a synchronous call) is retried until it runs', async () => {
  await reserve('at-busy', 1);
  const busy = invoke(t.lambda, 'at-busy', { sleepMs: 1500 });
  await until(async () => t.sluice.context.invoker.concurrency.running(SCOPE, 'at-busy') === 1, 'the synchronous call to start');
  const id = await sendEvent(t.lambda, 'at-busy', { tag: 'after-busy' });
  const throttled = await outcomes.wait((o) => o.id === id && o.kind === 'throttled');
  assert.equal(throttled.attempts, 0);
  assert.match(throttled.error!, /^TooManyRequestsException: /);
  assert.equal((await busy).out.StatusCode, 200);
  const done = await outcomes.final(id);
  assert.deepEqual([done.kind, done.attempts], ['succeeded', 1]);
  assert.equal(starts('at-busy', id), 1);
});

test('no more run at once than the reserved concurrency, and none is refused on the way', async () => {
  await reserve('at-cap', 2);
  const started = Date.now();
  const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => sendEvent(t.lambda, 'at-cap', { sleepMs: 300, tag: `c${i}` })));
  let peak = 0;
  const sample = setInterval(() => { peak = Math.max(peak, t.sluice.context.invoker.concurrency.running(SCOPE, 'at-cap')); }, 5);
  try {
    for (const id of ids) assert.deepEqual([(await outcomes.final(id)).kind, (await outcomes.final(id)).attempts], ['succeeded', 1]);
  } finally {
    clearInterval(sample);
  }
  assert.ok(peak <= 2, `peak ${peak}`);
  assert.ok(Date.now() - started >= 3 * 300, 'six 300 ms events, two at a time');
  assert.equal(ids.flatMap((id) => outcomes.of(id)).filter((o) => o.kind === 'throttled').length, 0);
});

test('an event that waits for capacity past its maximum age goes to OnFailure as EventAgeExceeded', async () => {
  await reserve('at-expire', 0);
  await t.lambda.send(new PutFunctionEventInvokeConfigCommand({
    FunctionName: 'at-expire', MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: arnOf('at-record') } },
  }));
  const event = { tag: 'too-late' };
  const sentAt = Date.now();
  const id = await sendEvent(t.lambda, 'at-expire', event);
  const done = await outcomes.final(id);
  assert.deepEqual([done.kind, done.condition, done.attempts], ['dropped', 'EventAgeExceeded', 0]);
  assert.ok(Date.now() - sentAt >= 60_000 * SCALE - 50);
  assert.equal(starts('at-expire', id), 0);
  await outcomes.final(done.destination!.requestId);
  const record = recordReceived(t, 'at-record', done.destination!.requestId);
  assert.deepEqual(record.requestContext, {
    requestId: id, functionArn: arnOf('at-expire', '$LATEST'), condition: 'EventAgeExceeded', approximateInvokeCount: 0,
  });
  assert.deepEqual(record.requestPayload, event);
  assert.deepEqual(record.responseContext, { statusCode: 429 });
  assert.deepEqual(record.responsePayload, { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' });
});

test('sluice events shows queued, in-flight, retrying and dropped events with attempts and last error', async () => {
  await reserve('at-list', 1);
  await t.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'at-list', MaximumRetryAttempts: 1 }));
  const dropped = await sendEvent(t.lambda, 'at-list', { fail: 'bad input' });
  assert.equal((await outcomes.final(dropped)).kind, 'dropped');
  const retrying = await sendEvent(t.lambda, 'at-list', { failTimes: 1 });
  await outcomes.wait((o) => o.id === retrying && o.kind === 'retrying');
  const running = await sendEvent(t.lambda, 'at-list', { sleepMs: 2500 }); // under the 3 s timeout
  await until(async () => starts('at-list', running) === 1, 'the long event to start');
  const queued = await sendEvent(t.lambda, 'at-list', { tag: 'behind' });

  const client = new SignedClient({ endpoint: t.url, region: 'us-east-1', accessKeyId: t.account.accessKeyId, secretAccessKey: t.account.secretAccessKey });
  const page = await functionEvents(client, 'at-list');
  assert.deepEqual(page.counts, { queued: 1, inFlight: 1, retrying: 1, dropped: 1 });
  const byId = new Map(page.events.map((e) => [e.requestId, e]));
  assert.deepEqual(page.events.map((e) => e.requestId), [retrying, running, queued, dropped], 'pending oldest first, then dropped');
  assert.deepEqual(pick(byId.get(running)!), { state: 'in-flight', attempts: 1, lastError: undefined });
  assert.deepEqual(pick(byId.get(queued)!), { state: 'queued', attempts: 0, lastError: undefined });
  assert.deepEqual(pick(byId.get(retrying)!), { state: 'retrying', attempts: 1, lastError: 'Error: planned failure 1' });
  assert.deepEqual(pick(byId.get(dropped)!), { state: 'dropped', attempts: 2, lastError: 'Error: bad input' });
  assert.equal(byId.get(dropped)!.condition, 'RetriesExhausted');
  assert.ok(byId.get(retrying)!.nextAttemptAt);

  // The CLI prints the same, one line per event.
  const cli = await runCli(['events', 'at-list', '--endpoint', t.url], {
    SLUICE_ACCESS_KEY_ID: t.account.accessKeyId, SLUICE_SECRET_ACCESS_KEY: t.account.secretAccessKey,
  });
  assert.equal(cli.code, 0, cli.stderr);
  const lines = cli.stdout.trim().split('\n');
  assert.match(lines[0]!, /^REQUEST ID\s+STATE\s+ATTEMPTS/);
  assert.match(lines.find((l) => l.startsWith(running))!, /in-flight\s+1\s/);
  assert.match(lines.find((l) => l.startsWith(queued))!, /queued\s+0\s/);
  assert.match(lines.find((l) => l.startsWith(retrying))!, /retrying\s+1\s.*Error: planned failure 1$/);
  assert.match(lines.find((l) => l.startsWith(dropped))!, /dropped\s+2\s.*RetriesExhausted no OnFailure destination\s+Error: bad input$/);
  assert.equal(lines[lines.length - 1], '1 queued, 1 in flight, 1 retrying, 1 dropped');

  for (const id of [running, queued, retrying]) assert.equal((await outcomes.final(id)).kind, 'succeeded');
  assert.deepEqual((await functionEvents(client, 'at-list')).counts, { queued: 0, inFlight: 0, retrying: 0, dropped: 1 });
});

const pick = (e: { state: string; attempts: number; lastError?: string }) => ({ state: e.state, attempts: e.attempts, lastError: e.lastError });

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
