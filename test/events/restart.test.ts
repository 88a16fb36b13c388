import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { logLines } from '../async/helpers.js';
import { until } from '../observability/helpers.js';
import { allowEvents, eventsOk, FakeClock, fnArn, scheduler, stillTimers } from './helpers.js';

/** Schedules across restarts: a tick fires once even when the server restarts on it; ticks missed while down are not replayed. */

const T0 = Date.parse('2030-06-01T00:00:00Z');
const MINUTE = 60_000;
let dataDir: string | undefined;
after(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const times = (t: TestServer) =>
  logLines(t, 'restart-target', 'RECORD ').map((l) => JSON.parse(l.slice(l.indexOf(' ', l.indexOf('RECORD ') + 7) + 1)))
    .map((e) => e.time ?? e.at).sort();

async function start(clock: FakeClock): Promise<TestServer> {
  const t = await startTestServer({ asyncTimeScale: 0.02 }, dataDir, { scheduleClock: clock, scheduleTimers: stillTimers });
  dataDir = t.dataDir;
  return t;
}

/** Waits until every event the function was sent has run, so a stop does not leave one to run again. */
async function drained(t: TestServer, expected: number): Promise<void> {
  await t.sluice.context.eventBridge.delivery.settled();
  await t.sluice.context.asyncInvoker.idle();
  await until(`${expected} records`, () => (times(t).length >= expected ? true : undefined));
}

test('restarting on a tick that already fired does not fire it again; ticks missed while down are skipped', async () => {
  const clock = new FakeClock(T0);
  let t = await start(clock);
  await createFunction(t.lambda, 'restart-target', 'async-record');
  const { RuleArn } = await eventsOk(t, 'PutRule', { Name: 'minutely', ScheduleExpression: 'rate(1 minute)' });
  await allowEvents(t.lambda, 'restart-target', RuleArn);
  await eventsOk(t, 'PutTargets', { Rule: 'minutely', Targets: [{ Id: 'f', Arn: fnArn('restart-target') }] });
  const sch = await scheduler(t, 'POST', '/schedules/minutely', {
    ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: fnArn('restart-target'), RoleArn: 'arn:aws:iam::111111111111:role/r', Input: '{"at":"<aws.scheduler.scheduled-time>"}' },
  });
  assert.equal(sch.status, 200, sch.text);
  clock.set(T0 + MINUTE);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 2);
  await drained(t, 2);
  await t.stop();

  // Back up at the very same instant: the tick at +1 min is on record and does not fire again.
  t = await start(clock);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 0);
  clock.set(T0 + 2 * MINUTE);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 2);
  await drained(t, 4);
  await t.stop();

  // Down from +2 min to +5.5 min: the ticks at +3, +4 and +5 are missed and not replayed.
  clock.set(T0 + 5 * MINUTE + 30_000);
  t = await start(clock);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 0);
  clock.set(T0 + 6 * MINUTE);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 2);
  await drained(t, 6);
  const iso = (m: number) => new Date(T0 + m * MINUTE).toISOString().replace('.000Z', 'Z');
  assert.deepEqual(times(t), [iso(1), iso(1), iso(2), iso(2), iso(6), iso(6)]);
  await t.stop();
});
