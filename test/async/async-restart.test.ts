import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { functionEvents } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { logLines, Outcomes, sendEvent } from './helpers.js';
import { startSluiceChild, type SluiceChild } from './sluice-child.js';

/**
 * Nothing acknowledged is lost when the server process is killed (SIGKILL: no shutdown code runs) with events queued
 * and in flight: after a restart on the same data directory every acknowledged event runs, and events that had
 * finished before the kill do not run again. Events in flight at the kill run a second time (at-least-once; see
 * docs/async-invocation.md). The functions append every start and finish to a witness file that outlives both
 * servers (process sandbox: functions can reach a host path).
 */

const SERVE_ARGS = ['--sandbox', 'process', '--async-time-scale', '0.02'];

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pending(s: SluiceChild, fn: string): Promise<number> {
  const { counts } = await functionEvents(s.http, fn, { limit: 0 });
  return counts.queued + counts.inFlight + counts.retrying;
}

test('events queued and in flight survive a SIGKILL; finished ones do not run again', { timeout: 180_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-async-restart-'));
  const witnessDir = mkdtempSync(join(tmpdir(), 'sluice-async-witness-'));
  const witness = join(witnessDir, 'runs.log');
  const lines = () => (existsSync(witness) ? readFileSync(witness, 'utf8').trim().split('\n').filter(Boolean) : []);
  const count = (what: 'start' | 'done', id: string) => lines().filter((l) => l.startsWith(`${what} ${id} `)).length;
  let first: SluiceChild | undefined;
  let second: SluiceChild | undefined;
  try {
    first = await startSluiceChild(dataDir, SERVE_ARGS);
    const env = { Environment: { Variables: { WITNESS_FILE: witness } }, Timeout: 30 };
    await createFunction(first.lambda, 'rs-fast', 'async-node', env);
    await createFunction(first.lambda, 'rs-slow', 'async-node', env);
    await first.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'rs-slow', ReservedConcurrentExecutions: 2 }));

    // Finished before the kill: the server no longer lists them, so their completion is on disk.
    const fast: string[] = [];
    for (let i = 0; i < 3; i++) fast.push(await sendEvent(first.lambda, 'rs-fast', { tag: `fast-${i}` }));
    await until(async () => (await pending(first!, 'rs-fast')) === 0, 'the fast events to finish');
    for (const id of fast) assert.equal(count('done', id), 1);

    // Two in flight (reserved concurrency 2), four queued behind them.
    const slow: string[] = [];
    for (let i = 0; i < 6; i++) slow.push(await sendEvent(first.lambda, 'rs-slow', { tag: `slow-${i}`, sleepMs: 3000 }));
    await until(() => slow.filter((id) => count('start', id) > 0).length === 2, 'two slow events to start');
    const inFlight = slow.filter((id) => count('start', id) > 0);
    const queued = slow.filter((id) => !inFlight.includes(id));
    assert.equal(queued.length, 4);
    await first.kill();
    first = undefined;

    second = await startSluiceChild(dataDir, SERVE_ARGS);
    const restartedAt = Date.now();
    assert.match(second.stderr(), /"msg":"async events in flight before the restart will run again","events":2/);
    await until(async () => (await pending(second!, 'rs-slow')) === 0, 'every slow event to finish after the restart');
    // Leases of the dead process ended at startup: nobody waited for them to time out (30 s).
    assert.ok(Date.now() - restartedAt < 25_000, `drained ${Date.now() - restartedAt} ms after the restart`);

    for (const id of slow) assert.ok(count('done', id) >= 1, `${id} ran to the end`);
    for (const id of queued) assert.equal(count('start', id), 1, `${id} (queued at the kill) ran exactly once`);
    for (const id of inFlight) assert.equal(count('start', id), 2, `${id} (in flight at the kill) ran again`);
    for (const id of fast) {
      assert.equal(count('start', id), 1, `${id} (finished before the kill) did not run again`);
      assert.equal(count('done', id), 1);
    }
    const page = await functionEvents(second.http, 'rs-slow');
    assert.deepEqual(page.counts, { queued: 0, inFlight: 0, retrying: 0, dropped: 0 });
    assert.deepEqual((await functionEvents(second.http, 'rs-fast')).counts, { queued: 0, inFlight: 0, retrying: 0, dropped: 0 });
  } finally {
    if (first) await first.kill();
    if (second) await second.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(witnessDir, { recursive: true, force: true });
  }
});

test('a clean shutdown puts running events back (the attempt is not counted); they run after the next start', { timeout: 120_000 }, async () => {
  let t: TestServer | undefined = await startTestServer({ asyncTimeScale: 0.02 });
  const dataDir = t.dataDir;
  let outcomes = new Outcomes(t);
  try {
    await createFunction(t.lambda, 'rs-clean', 'async-node', { Timeout: 30 });
    const id = await sendEvent(t.lambda, 'rs-clean', { sleepMs: 2000, tag: 'interrupted' });
    await until(() => logLines(t!, 'rs-clean', `HANDLER_START ${id} `).length === 1, 'the event to start');
    const stopped = t.stop();
    const released = await outcomes.wait((o) => o.id === id);
    assert.deepEqual([released.kind, released.attempts], ['released', 0]);
    await stopped;
    outcomes.close();

    t = await startTestServer({ asyncTimeScale: 0.02 }, dataDir);
    outcomes = new Outcomes(t);
    const done = await outcomes.final(id);
    assert.deepEqual([done.kind, done.attempts], ['succeeded', 1]);
    assert.equal(logLines(t, 'rs-clean', `HANDLER_START ${id} `).length, 2, 'started before the shutdown, and again after');
  } finally {
    outcomes.close();
    await t?.close();
  }
});
