import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventQueue } from './sqlite-event-queue.js';
import { SqliteDocumentStore } from './sqlite-document-store.js';
import { functionKey, type ClaimRequest, type NewQueuedEvent } from '../event-queue.js';

const scope = { account: '123456789012', region: 'us-east-1' };
const F = functionKey(scope, 'f');
const G = functionKey(scope, 'g');

function withDb(fn: (file: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-queue-'));
    try {
      await fn(join(dir, 'sluice.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const event = (id: string, fn = 'f', at = 1000, expiresAt = 1_000_000): NewQueuedEvent =>
  ({ id, scope, functionName: fn, payload: Buffer.from(`{"id":"${id}"}`), enqueuedAt: at, expiresAt });

const claim = (q: SqliteEventQueue, over: Partial<ClaimRequest> = {}) => q.claim({
  owner: 'me', now: 2000, leaseUntil: 32_000, limit: 100, room: (_key, upTo) => upTo, ...over,
});

test('enqueued events survive closing and reopening, beside the document store', withDb(async (file) => {
  const docs = new SqliteDocumentStore(file);
  const q = new SqliteEventQueue(file);
  await Promise.all([q.enqueue(event('a')), q.enqueue(event('b')), q.enqueue({ ...event('c'), qualifier: 'live', traceHeader: 'Root=1-x' })]);
  q.close();
  docs.close();
  const again = new SqliteEventQueue(file);
  const listed = await again.list(F);
  assert.deepEqual(listed.map((e) => [e.id, e.status, e.attempts]), [['a', 'queued', 0], ['b', 'queued', 0], ['c', 'queued', 0]]);
  assert.equal(listed[2]!.qualifier, 'live');
  assert.equal(listed[2]!.traceHeader, 'Root=1-x');
  assert.deepEqual(listed[0]!.payload, Buffer.from('{"id":"a"}'));
  again.close();
}));

test('claims lease ready events per function, as many as the function has room for, and count the attempt', withDb(async (file) => {
  const q = new SqliteEventQueue(file);
  await q.enqueue(event('f1', 'f', 1000));
  await q.enqueue(event('g1', 'g', 1001));
  await q.enqueue(event('f2', 'f', 1002));
  await q.enqueue(event('f3', 'f', 1003));
  await q.enqueue(event('later', 'f', 5000));
  const asked: [string, number][] = [];
  const first = await claim(q, { room: (key, upTo) => { asked.push([key, upTo]); return key === F ? 0 : upTo; } });
  assert.deepEqual(first.events.map((e) => [e.id, e.status, e.attempts, e.leaseOwner, e.availableAt]), [['g1', 'leased', 1, 'me', 32_000]]);
  assert.deepEqual(asked, [[F, 100], [G, 100]], 'oldest ready function first');
  const second = await claim(q, { room: (key, upTo) => (key === F ? Math.min(2, upTo) : upTo) });
  assert.deepEqual(second.events.map((e) => e.id), ['f1', 'f2']);
  const third = await claim(q, { limit: 1 });
  assert.deepEqual(third.events.map((e) => e.id), ['f3']);
  assert.equal(third.more, true);
  assert.deepEqual((await claim(q)).events.map((e) => e.id), [], 'not yet available: later');
  assert.deepEqual(await q.counts(F, 2000), { queued: 1, inFlight: 3, retrying: 0, dropped: 0 });
  q.close();
}));

test('an expired event is taken even when its function has no room', withDb(async (file) => {
  const q = new SqliteEventQueue(file);
  await q.enqueue(event('old', 'f', 1000, 1500));
  const r = await claim(q, { room: () => 0 });
  assert.deepEqual(r.events.map((e) => e.id), ['old']);
  q.close();
}));

test('deferred events wait until min(deferUntil, expiry) and are woken by wake()', withDb(async (file) => {
  const q = new SqliteEventQueue(file);
  await q.enqueue(event('a', 'f', 1000, 9000));
  await q.enqueue(event('b', 'f', 1000, 4000));
  const r = await claim(q, { room: () => ({ deferUntil: 6000 }) });
  assert.equal(r.events.length, 0);
  const byId = new Map((await q.list(F)).map((e) => [e.id, e]));
  assert.equal(byId.get('a')!.availableAt, 6000);
  assert.equal(byId.get('b')!.availableAt, 4000, 'never past its expiry');
  assert.equal(byId.get('a')!.wait, 'throttle');
  assert.equal(await q.nextAvailableAt(2000, 'me'), 4000);
  assert.equal(await q.wake(F, 2500), 2);
  assert.deepEqual((await claim(q, { now: 2500 })).events.map((e) => e.id).sort(), ['a', 'b']);
  q.close();
}));

test('settlements: release back to the queue, drop (kept) with a destination record, delete', withDb(async (file) => {
  const q = new SqliteEventQueue(file);
  await Promise.all(['r', 'd', 'x'].map((id) => q.enqueue(event(id))));
  await claim(q);
  await Promise.all([
    q.settle({ kind: 'release', id: 'r', availableAt: 9000, wait: 'retry', attempts: 1, failures: 1, throttles: 0, lastError: 'Error: boom',
      lastResponse: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled', payload: Buffer.from('{"e":1}') } }),
    q.settle({ kind: 'drop', id: 'd', finishedAt: 3000, attempts: 3, failures: 3, throttles: 0, condition: 'RetriesExhausted',
      deliveredTo: 'arn:dest', lastError: 'Error: no', then: [event('record', 'g', 3000)] }),
    q.settle({ kind: 'delete', id: 'x' }),
  ]);
  const f = new Map((await q.list(F, { dropped: true })).map((e) => [e.id, e]));
  assert.deepEqual([...f.keys()], ['r', 'd']);
  assert.deepEqual([f.get('r')!.status, f.get('r')!.wait, f.get('r')!.failures, f.get('r')!.lastError], ['queued', 'retry', 1, 'Error: boom']);
  assert.deepEqual(f.get('r')!.lastResponse?.payload, Buffer.from('{"e":1}'));
  assert.deepEqual([f.get('d')!.status, f.get('d')!.condition, f.get('d')!.deliveredTo], ['dropped', 'RetriesExhausted', 'arn:dest']);
  assert.deepEqual((await q.list(G)).map((e) => e.id), ['record']);
  assert.equal(await q.pendingCount(), 2);
  assert.equal(await q.pruneDropped(3001), 1);
  q.close();
}));

test('leases: renewed by their owner; at startup, those of a dead owner end at once', withDb(async (file) => {
  const q = new SqliteEventQueue(file);
  await q.enqueue(event('a'));
  await q.enqueue(event('b'), { owner: 'dead', until: 40_000 });
  await claim(q, { owner: 'old' });
  assert.equal(await q.renewLeases('old', 50_000), 1);
  assert.equal((await claim(q, { owner: 'new', now: 45_000 })).events.length, 1, "b's lease ran out; a's was renewed");
  q.close();
  const restarted = new SqliteEventQueue(file);
  assert.equal(await restarted.expireForeignLeases('fresh', 46_000), 2);
  const r = await restarted.claim({ owner: 'fresh', now: 46_000, leaseUntil: 76_000, limit: 10, room: (_k, upTo) => upTo });
  assert.deepEqual(r.events.map((e) => [e.id, e.attempts]).sort(), [['a', 2], ['b', 3]]);
  restarted.close();
}));

test('one bad write does not sink the others committed with it', withDb(async (file) => {
  const q = new SqliteEventQueue(file);
  await q.enqueue(event('dup'));
  const results = await Promise.allSettled([q.enqueue(event('dup')), q.enqueue(event('fine'))]);
  assert.equal(results[0].status, 'rejected');
  assert.equal(results[1].status, 'fulfilled');
  assert.deepEqual((await q.list(F)).map((e) => e.id), ['dup', 'fine']);
  q.close();
}));
