import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { logLines } from '../async/helpers.js';
import { until } from '../observability/helpers.js';
import { cliEnv, runCli } from '../cli/helpers.js';
import { Deliveries, eventsOk, FakeClock, fnArn, scheduler, stillTimers } from './helpers.js';

/** EventBridge Scheduler end to end on an injected clock: at / rate / cron in a time zone, dates, completion, errors. */

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MINUTE = 60_000;
const ROLE_ARN = 'arn:aws:iam::111111111111:role/scheduler-role';
let t: TestServer;
let clock: FakeClock;
let deliveries: Deliveries;

before(async () => {
  clock = new FakeClock(T0);
  t = await startTestServer({ asyncTimeScale: 0.02 }, undefined, { scheduleClock: clock, scheduleTimers: stillTimers });
  deliveries = new Deliveries(t);
  await createFunction(t.lambda, 'sch-target', 'async-record');
});
after(async () => {
  deliveries.close();
  await t.close();
});

const tick = () => t.sluice.context.scheduleRunner.tick();
const arnOf = (name: string, group = 'default') => `arn:aws:scheduler:us-east-1:111111111111:schedule/${group}/${name}`;

function received(): any[] {
  return logLines(t, 'sch-target', 'RECORD ').map((l) => JSON.parse(l.slice(l.indexOf(' ', l.indexOf('RECORD ') + 7) + 1)));
}
const receivedAtLeast = (n: number) => until(`${n} events`, () => (received().length >= n ? received() : undefined));

function schedule(extra: Record<string, unknown> = {}, target: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: fnArn('sch-target'), RoleArn: ROLE_ARN, ...target }, ...extra,
  };
}

test('a rate schedule invokes its target with its Input, context attributes filled in', async () => {
  clock.set(T0);
  const created = await scheduler(t, 'POST', '/schedules/every-minute', schedule({}, {
    Input: '{"hello":"world","arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>"}',
  }));
  assert.equal(created.status, 200, created.text);
  assert.deepEqual(created.body, { ScheduleArn: arnOf('every-minute') });
  clock.set(T0 + MINUTE - 1);
  assert.equal(tick(), 0);
  clock.set(T0 + MINUTE);
  assert.equal(tick(), 1);
  assert.equal(tick(), 0);
  await deliveries.wait(1, (d) => d.source === arnOf('every-minute'));
  const [got] = await receivedAtLeast(1);
  assert.deepEqual(got, { hello: 'world', arn: arnOf('every-minute'), at: '2030-01-01T00:01:00Z' });
  const del = await scheduler(t, 'DELETE', '/schedules/every-minute');
  assert.equal(del.status, 200);
  clock.set(T0 + 5 * MINUTE);
  assert.equal(tick(), 0);
});

test('GetSchedule and ListSchedules return what was created, with AWS\'s defaults', async () => {
  const r = await scheduler(t, 'POST', '/schedules/described', schedule({
    ScheduleExpression: 'cron(0 9 ? * MON-FRI *)', ScheduleExpressionTimezone: 'Europe/Paris', Description: 'weekday mornings',
    StartDate: (T0 + 86_400_000) / 1000, EndDate: (T0 + 30 * 86_400_000) / 1000, State: 'DISABLED',
    FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
  }));
  assert.equal(r.status, 200, r.text);
  const g = await scheduler(t, 'GET', '/schedules/described');
  assert.equal(g.status, 200);
  assert.equal(g.body.Arn, arnOf('described'));
  assert.equal(g.body.ScheduleExpression, 'cron(0 9 ? * MON-FRI *)');
  assert.equal(g.body.ScheduleExpressionTimezone, 'Europe/Paris');
  assert.equal(g.body.StartDate, (T0 + 86_400_000) / 1000);
  assert.equal(g.body.EndDate, (T0 + 30 * 86_400_000) / 1000);
  assert.equal(g.body.State, 'DISABLED');
  assert.equal(g.body.Description, 'weekday mornings');
  assert.deepEqual(g.body.FlexibleTimeWindow, { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
  assert.deepEqual(g.body.Target, { Arn: fnArn('sch-target'), RoleArn: ROLE_ARN, RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } });
  assert.equal(g.body.ActionAfterCompletion, 'NONE');
  assert.equal(typeof g.body.CreationDate, 'number');
  const list = await scheduler(t, 'GET', '/schedules', undefined, { State: 'DISABLED' });
  assert.deepEqual(list.body.Schedules.map((s: any) => s.Name), ['described']);
  assert.deepEqual(list.body.Schedules[0].Target, { Arn: fnArn('sch-target') });
  // Disabled: never fires.
  clock.set(Date.parse('2030-01-02T08:00:00Z'));
  assert.equal(tick(), 0);
  assert.equal((await scheduler(t, 'DELETE', '/schedules/described')).status, 200);
});

test('cron in a time zone fires on that zone\'s wall clock, only between the start and end dates', async () => {
  clock.set(Date.parse('2030-01-01T00:00:00Z'));
  const r = await scheduler(t, 'POST', '/schedules/ny-morning', schedule({
    ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleExpressionTimezone: 'America/New_York',
    StartDate: Date.parse('2030-01-02T00:00:00Z') / 1000, EndDate: Date.parse('2030-01-03T20:00:00Z') / 1000,
  }, { Input: '{"tz":"ny"}' }));
  assert.equal(r.status, 200, r.text);
  // 09:00 in New York on Jan 1 is before the start date.
  clock.set(Date.parse('2030-01-01T14:00:00Z'));
  assert.equal(tick(), 0);
  clock.set(Date.parse('2030-01-02T13:59:00Z'));
  assert.equal(tick(), 0);
  clock.set(Date.parse('2030-01-02T14:00:00Z'));
  assert.equal(tick(), 1);
  clock.set(Date.parse('2030-01-03T14:00:00Z'));
  assert.equal(tick(), 1);
  // Jan 4 is after the end date.
  clock.set(Date.parse('2030-01-04T14:00:00Z'));
  assert.equal(tick(), 0);
  await deliveries.wait(2, (d) => d.source === arnOf('ny-morning'));
  assert.equal((await scheduler(t, 'GET', '/schedules/ny-morning')).status, 200, 'ActionAfterCompletion NONE keeps it');
  await scheduler(t, 'DELETE', '/schedules/ny-morning');
});

test('a one-time at() schedule fires once and, with ActionAfterCompletion DELETE, is deleted', async () => {
  // Schedule time only moves forward through this file (the runner never fires what lies behind it).
  clock.set(Date.parse('2030-02-01T00:00:00Z'));
  const r = await scheduler(t, 'POST', '/schedules/once', schedule({ ScheduleExpression: 'at(2030-02-01T06:30:00)', ActionAfterCompletion: 'DELETE' }, { Input: '{"once":true}' }));
  assert.equal(r.status, 200, r.text);
  clock.set(Date.parse('2030-02-01T06:29:59Z'));
  assert.equal(tick(), 0);
  clock.set(Date.parse('2030-02-01T06:30:00Z'));
  assert.equal(tick(), 1);
  const gone = await scheduler(t, 'GET', '/schedules/once');
  assert.equal(gone.status, 404);
  assert.equal(gone.headers['x-amzn-errortype'], 'ResourceNotFoundException');
  assert.equal(gone.body.Message, 'Schedule once does not exist.');
  await deliveries.wait(1, (d) => d.source === arnOf('once'));
  clock.set(Date.parse('2030-02-02T00:00:00Z'));
  assert.equal(tick(), 0);
});

test('a role of another account needs the function\'s resource policy; the failure is counted', async () => {
  const base = Date.parse('2030-03-01T00:00:00Z');
  clock.set(base);
  await scheduler(t, 'POST', '/schedules/foreign', schedule({}, { RoleArn: 'arn:aws:iam::222222222222:role/theirs' }));
  clock.set(base + MINUTE);
  assert.equal(tick(), 1);
  const [d] = await deliveries.wait(1, (e) => e.source === arnOf('foreign'));
  assert.equal(d!.outcome.ok, false);
  assert.equal(t.sluice.context.eventBridge.delivery.countersFor(arnOf('foreign')).failedInvocations, 1);
  await scheduler(t, 'DELETE', '/schedules/foreign');
});

test('schedule groups: create, get, list, tag, delete with their schedules', async () => {
  const c = await scheduler(t, 'POST', '/schedule-groups/team-a', { Tags: [{ Key: 'team', Value: 'a' }] });
  assert.equal(c.status, 200, c.text);
  assert.deepEqual(c.body, { ScheduleGroupArn: 'arn:aws:scheduler:us-east-1:111111111111:schedule-group/team-a' });
  assert.equal((await scheduler(t, 'POST', '/schedule-groups/team-a', {})).status, 409);
  const g = await scheduler(t, 'GET', '/schedule-groups/team-a');
  assert.equal(g.body.State, 'ACTIVE');
  const groups = await scheduler(t, 'GET', '/schedule-groups');
  assert.deepEqual(groups.body.ScheduleGroups.map((x: any) => x.Name), ['default', 'team-a']);
  const arn = encodeURIComponent('arn:aws:scheduler:us-east-1:111111111111:schedule-group/team-a');
  assert.equal((await scheduler(t, 'POST', `/tags/${arn}`, { Tags: [{ Key: 'env', Value: 'dev' }] })).status, 200);
  assert.deepEqual((await scheduler(t, 'GET', `/tags/${arn}`)).body.Tags, [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }]);
  assert.equal((await scheduler(t, 'DELETE', `/tags/${arn}`, undefined, { TagKeys: ['team'] })).status, 200);
  assert.deepEqual((await scheduler(t, 'GET', `/tags/${arn}`)).body.Tags, [{ Key: 'env', Value: 'dev' }]);
  const s = await scheduler(t, 'POST', '/schedules/in-group', schedule({ GroupName: 'team-a' }));
  assert.equal(s.body.ScheduleArn, arnOf('in-group', 'team-a'));
  assert.equal((await scheduler(t, 'GET', '/schedules/in-group', undefined, { groupName: 'team-a' })).status, 200);
  assert.equal((await scheduler(t, 'GET', '/schedules/in-group')).status, 404, 'not in the default group');
  assert.equal((await scheduler(t, 'DELETE', '/schedule-groups/team-a')).status, 200);
  assert.equal((await scheduler(t, 'GET', '/schedules/in-group', undefined, { groupName: 'team-a' })).status, 404);
});

test('Scheduler errors: codes, statuses and messages', async () => {
  await scheduler(t, 'POST', '/schedules/dup', schedule());
  const cases: [string, string, unknown, number, string, RegExp][] = [
    ['POST', '/schedules/bad', schedule({ ScheduleExpression: 'cron(0 9 * * *)' }), 400, 'ValidationException', /^Invalid Schedule Expression cron\(0 9 \* \* \*\)\.$/],
    ['POST', '/schedules/bad', schedule({ ScheduleExpression: 'rate(1 minutes)' }), 400, 'ValidationException', /Invalid Schedule Expression/],
    ['POST', '/schedules/bad', schedule({ ScheduleExpressionTimezone: 'Mars/Olympus' }), 400, 'ValidationException', /Timezone/],
    ['POST', '/schedules/bad', schedule({ GroupName: 'nope' }), 404, 'ResourceNotFoundException', /^Schedule group nope does not exist\.$/],
    ['POST', '/schedules/dup', schedule(), 409, 'ConflictException', /^Schedule dup already exists\.$/],
    ['POST', '/schedules/bad', schedule({}, { Arn: 'arn:aws:sqs:us-east-1:111111111111:q' }), 400, 'ValidationException', /Lambda function/],
    ['POST', '/schedules/bad', schedule({}, { RoleArn: 'not-a-role' }), 400, 'ValidationException', /at 'target\.roleArn'|roleArn/],
    ['POST', '/schedules/bad', { ...schedule(), FlexibleTimeWindow: undefined }, 400, 'ValidationException', /flexibleTimeWindow/],
    ['PUT', '/schedules/missing', schedule(), 404, 'ResourceNotFoundException', /^Schedule missing does not exist\.$/],
    ['DELETE', '/schedules/missing', undefined, 404, 'ResourceNotFoundException', /^Schedule missing does not exist\.$/],
    ['DELETE', '/schedule-groups/default', undefined, 400, 'ValidationException', /default/],
  ];
  for (const [method, path, body, status, type, message] of cases) {
    const r = await scheduler(t, method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
    assert.equal(r.headers['x-amzn-errortype'], type, `${method} ${path}`);
    assert.match(r.body.Message ?? r.body.message, message, `${method} ${path}: ${r.text}`);
  }
  await scheduler(t, 'DELETE', '/schedules/dup');
});

test('UpdateSchedule replaces the schedule; its ticks follow the new expression', async () => {
  const base = Date.parse('2030-04-01T00:00:00Z');
  clock.set(base);
  await scheduler(t, 'POST', '/schedules/changing', schedule({ ScheduleExpression: 'rate(1 hour)' }, { Input: '{"v":1}' }));
  clock.set(base + 10 * MINUTE);
  const u = await scheduler(t, 'PUT', '/schedules/changing', schedule({ ScheduleExpression: 'rate(5 minutes)' }, { Input: '{"v":2}' }));
  assert.equal(u.status, 200, u.text);
  clock.set(base + 15 * MINUTE);
  assert.equal(tick(), 1);
  const [d] = await deliveries.wait(1, (e) => e.source === arnOf('changing'));
  assert.equal(d!.payload.toString(), '{"v":2}');
  await scheduler(t, 'DELETE', '/schedules/changing');
});

test('sluice schedules lists rules and schedules with their next fire times and failures', async () => {
  const base = Date.parse('2030-05-01T10:00:00Z');
  clock.set(base);
  await eventsOk(t, 'PutRule', { Name: 'hourly-rule', ScheduleExpression: 'cron(0 * * * ? *)' });
  await scheduler(t, 'POST', '/schedules/paris-noon', schedule({ ScheduleExpression: 'cron(0 12 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' }));
  await scheduler(t, 'POST', '/schedules/off', schedule({ State: 'DISABLED' }));
  const r = await runCli(['schedules', '--json'], cliEnv(t));
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as any[];
  const by = (name: string) => list.find((e) => e.name === name);
  assert.equal(by('hourly-rule').kind, 'rule');
  assert.equal(by('hourly-rule').nextFireAt, '2030-05-01T11:00:00.000Z');
  assert.equal(by('hourly-rule').arn, 'arn:aws:events:us-east-1:111111111111:rule/hourly-rule');
  assert.equal(by('paris-noon').nextFireAt, '2030-05-02T10:00:00.000Z', 'noon in Paris (UTC+2 in May) has passed today');
  assert.equal(by('paris-noon').timeZone, 'Europe/Paris');
  assert.equal(by('off').state, 'DISABLED');
  assert.equal(by('off').nextFireAt, undefined);
  // Soonest first, those that never fire last.
  assert.deepEqual(list.map((e) => e.name), ['hourly-rule', 'paris-noon', 'off']);
  const table = await runCli(['schedules'], cliEnv(t));
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^KIND\s+NAME\s+EXPRESSION/);
  assert.match(table.stdout, /schedule\s+default\/paris-noon\s+cron\(0 12 \* \* \? \*\) Europe\/Paris\s+ENABLED\s+2030-05-02T10:00:00Z/);
  await eventsOk(t, 'DeleteRule', { Name: 'hourly-rule' });
  await scheduler(t, 'DELETE', '/schedules/paris-noon');
  await scheduler(t, 'DELETE', '/schedules/off');
});
