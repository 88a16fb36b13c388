import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteLogStore } from './sqlite-log-store.js';

const S = { account: '111111111111', region: 'us-east-1' };
const DAY = 86_400_000;

function store(options: { maxStoredBytes?: number } = {}) {
  const clock = { t: 10 * DAY, now() { return this.t; } };
  return { clock, logs: new SqliteLogStore(':memory:', { clock, ...options }) };
}

test('appends create the group and stream; sizes are AWS bytes (message + 26)', () => {
  const { logs } = store();
  logs.append(S, 'g', 's', [{ timestamp: 1, message: 'abc' }, { timestamp: 2, message: 'é' }]);
  const g = logs.group(S, 'g')!;
  assert.equal(g.storedBytes, 3 + 26 + 2 + 26);
  assert.equal(logs.storedBytes(), g.storedBytes);
  assert.deepEqual(logs.stream(S, 'g', 's'), { logStreamName: 's', creationTime: 10 * DAY, firstEventTimestamp: 1, lastEventTimestamp: 2, lastIngestionTime: 10 * DAY, storedBytes: 57 });
  assert.equal(logs.group({ ...S, account: '222222222222' }, 'g'), undefined);
  logs.close();
});

test('expire() deletes by each group\'s retention at the injected time, and hides expired events before that', () => {
  const { clock, logs } = store();
  logs.append(S, 'kept', 's', [{ timestamp: clock.t - 3 * DAY, message: 'old' }]);
  logs.append(S, 'short', 's', [{ timestamp: clock.t - 3 * DAY, message: 'old' }, { timestamp: clock.t, message: 'new' }]);
  logs.flush();
  assert.ok(logs.setRetention(S, 'short', 7));
  assert.equal(logs.expire(), 0);
  clock.t += 5 * DAY; // 'old' is now 8 days old
  // Hidden as soon as it is past retention...
  assert.deepEqual(logs.query(S, { logGroupName: 'short' }).map((e) => e.message), ['new']);
  // ...and deleted by the sweep.
  assert.equal(logs.expire(), 1);
  assert.equal(logs.group(S, 'short')!.storedBytes, 3 + 26);
  assert.equal(logs.query(S, { logGroupName: 'kept' }).length, 1);
  clock.t += 10 * DAY;
  assert.equal(logs.expire(), 1);
  assert.equal(logs.stream(S, 'short', 's'), undefined, 'an emptied stream goes');
  assert.equal(logs.storedBytes(), 3 + 26);
  logs.close();
});

test('the size cap evicts oldest-first down to 90% of the cap', () => {
  const { logs } = store({ maxStoredBytes: 1000 });
  for (let i = 0; i < 20; i++) logs.append(S, i % 2 ? 'a' : 'b', 's', [{ timestamp: i, message: `${String(i).padStart(2, '0')}${'x'.repeat(72)}` }]);
  logs.flush();
  const left = [...logs.query(S, { logGroupName: 'a' }), ...logs.query(S, { logGroupName: 'b' })].map((e) => Number(e.message.slice(0, 2))).sort((x, y) => x - y);
  assert.ok(logs.storedBytes() <= 900);
  assert.deepEqual(left, Array.from({ length: left.length }, (_, k) => 20 - left.length + k));
  logs.close();
});

test('streamEvents pages by (timestamp, id) in both directions; filterEvents stops at its scan limit with a position', () => {
  const { logs } = store();
  logs.append(S, 'g', 's', [5, 1, 3, 3, 2].map((ts, i) => ({ timestamp: ts, message: `m${i}` })));
  const all = logs.streamEvents(S, { logGroupName: 'g', logStreamName: 's', fromHead: true, limit: 10 });
  assert.deepEqual(all.map((e) => e.message), ['m1', 'm4', 'm2', 'm3', 'm0']);
  const tail = logs.streamEvents(S, { logGroupName: 'g', logStreamName: 's', fromHead: false, limit: 2 });
  assert.deepEqual(tail.map((e) => e.message), ['m3', 'm0']);
  const before = logs.streamEvents(S, { logGroupName: 'g', logStreamName: 's', fromHead: false, limit: 2, before: { ts: tail[0]!.timestamp, id: tail[0]!.id } });
  assert.deepEqual(before.map((e) => e.message), ['m4', 'm2']);
  const page = logs.filterEvents(S, { logGroupName: 'g', match: (m) => m === 'm0', limit: 10, scanLimit: 3 });
  assert.deepEqual(page.events, []);
  assert.ok(page.next);
  const rest = logs.filterEvents(S, { logGroupName: 'g', match: (m) => m === 'm0', limit: 10, scanLimit: 3, after: page.next });
  assert.deepEqual(rest.events.map((e) => e.message), ['m0']);
  assert.equal(rest.next, undefined);
  logs.close();
});
