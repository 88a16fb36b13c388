import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { logLines } from '../async/helpers.js';
import { until } from '../observability/helpers.js';
import { FakeClock, stillTimers } from '../events/helpers.js';
import { aws, awsOk, Scratch, zipFixture } from './clients.js';

/**
 * The documented EventBridge flows through the unmodified AWS CLI v2: `aws events put-rule` / `put-targets` /
 * `aws lambda add-permission --principal events.amazonaws.com` / `aws events put-events`, scheduled rules, and
 * `aws scheduler create-schedule`. Schedules run on an injected clock (no real waiting).
 */

const T0 = Date.parse('2030-01-01T00:00:00Z');
const FN = 'cli-events-target';
const FN_ARN = `arn:aws:lambda:us-east-1:111111111111:function:${FN}`;
let t: TestServer;
let scratch: Scratch;
let clock: FakeClock;

before(async () => {
  clock = new FakeClock(T0);
  t = await startTestServer({ asyncTimeScale: 0.02 }, undefined, { scheduleClock: clock, scheduleTimers: stillTimers });
  scratch = new Scratch();
  const zip = await zipFixture(scratch, 'functions/async-record');
  await awsOk(t, scratch, ['lambda', 'create-function', '--function-name', FN, '--runtime', 'nodejs22.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip.file}`]);
  assert.equal((await aws(t, scratch, ['lambda', 'wait', 'function-active-v2', '--function-name', FN])).code, 0);
});
after(async () => {
  await t.close();
  scratch.remove();
});

const received = (): any[] =>
  logLines(t, FN, 'RECORD ').map((l) => JSON.parse(l.slice(l.indexOf(' ', l.indexOf('RECORD ') + 7) + 1)));
const receivedAtLeast = (n: number) => until(`${n} events at ${FN}`, () => (received().length >= n ? received() : undefined));

test('put-rule with a pattern, put-targets, add-permission, put-events: the function gets the event', async () => {
  const rule = await awsOk(t, scratch, ['events', 'put-rule', '--name', 'cli-orders', '--event-pattern', '{"source":["cli.shop"],"detail-type":["Order Placed"]}']);
  assert.equal(rule.RuleArn, 'arn:aws:events:us-east-1:111111111111:rule/cli-orders');
  const targets = await awsOk(t, scratch, ['events', 'put-targets', '--rule', 'cli-orders', '--targets', `Id=1,Arn=${FN_ARN}`]);
  assert.deepEqual(targets, { FailedEntryCount: 0, FailedEntries: [] });
  const perm = await awsOk(t, scratch, [
    'lambda', 'add-permission', '--function-name', FN, '--statement-id', 'cli-orders-rule', '--action', 'lambda:InvokeFunction',
    '--principal', 'events.amazonaws.com', '--source-arn', rule.RuleArn,
  ]);
  assert.match(perm.Statement, /events\.amazonaws\.com/);
  const put = await awsOk(t, scratch, ['events', 'put-events', '--entries', JSON.stringify([
    { Source: 'cli.shop', DetailType: 'Order Placed', Detail: JSON.stringify({ orderId: 'o-1', total: 42 }) },
    { Source: 'cli.shop', DetailType: 'Order Cancelled', Detail: JSON.stringify({ orderId: 'o-2' }) },
  ])]);
  assert.equal(put.FailedEntryCount, 0);
  assert.equal(put.Entries.length, 2);
  const [ev] = await receivedAtLeast(1);
  assert.equal(ev.id, put.Entries[0].EventId);
  assert.equal(ev.source, 'cli.shop');
  assert.equal(ev['detail-type'], 'Order Placed');
  assert.deepEqual(ev.detail, { orderId: 'o-1', total: 42 });
  await t.sluice.context.eventBridge.delivery.settled();
  assert.equal(received().length, 1, 'the cancelled order matched no rule');
});

test('describe-rule, list-rules, list-targets-by-rule, list-rule-names-by-target, test-event-pattern', async () => {
  const d = await awsOk(t, scratch, ['events', 'describe-rule', '--name', 'cli-orders']);
  assert.equal(d.State, 'ENABLED');
  assert.equal(d.EventBusName, 'default');
  assert.equal(JSON.parse(d.EventPattern)['detail-type'][0], 'Order Placed');
  const list = await awsOk(t, scratch, ['events', 'list-rules', '--name-prefix', 'cli-']);
  assert.deepEqual(list.Rules.map((r: any) => r.Name), ['cli-orders']);
  const targets = await awsOk(t, scratch, ['events', 'list-targets-by-rule', '--rule', 'cli-orders']);
  assert.deepEqual(targets.Targets, [{ Id: '1', Arn: FN_ARN }]);
  const names = await awsOk(t, scratch, ['events', 'list-rule-names-by-target', '--target-arn', FN_ARN]);
  assert.deepEqual(names.RuleNames, ['cli-orders']);
  const event = JSON.stringify({ id: '1', account: '111111111111', source: 'cli.shop', time: '2030-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'Order Placed', detail: {} });
  const yes = await awsOk(t, scratch, ['events', 'test-event-pattern', '--event-pattern', '{"source":[{"prefix":"cli."}]}', '--event', event]);
  assert.deepEqual(yes, { Result: true });
  const bad = await aws(t, scratch, ['events', 'test-event-pattern', '--event-pattern', '{"source":"cli.shop"}', '--event', event]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /\(InvalidEventPatternException\) when calling the TestEventPattern operation: Event pattern is not valid\. Reason: "source" must be an object or an array/);
});

test('a scheduled rule (rate) invokes the function with the Scheduled Event on each tick', async () => {
  clock.set(T0);
  const rule = await awsOk(t, scratch, ['events', 'put-rule', '--name', 'cli-every-5', '--schedule-expression', 'rate(5 minutes)']);
  await awsOk(t, scratch, ['lambda', 'add-permission', '--function-name', FN, '--statement-id', 'cli-every-5', '--action', 'lambda:InvokeFunction', '--principal', 'events.amazonaws.com', '--source-arn', rule.RuleArn]);
  await awsOk(t, scratch, ['events', 'put-targets', '--rule', 'cli-every-5', '--targets', `Id=fn,Arn=${FN_ARN}`]);
  const before = received().length;
  clock.set(T0 + 5 * 60_000);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 1);
  const got = (await receivedAtLeast(before + 1)).slice(before);
  assert.deepEqual(got[0], {
    version: '0', id: got[0].id, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '111111111111',
    time: '2030-01-01T00:05:00Z', region: 'us-east-1', resources: [rule.RuleArn], detail: {},
  });
  await awsOk(t, scratch, ['events', 'disable-rule', '--name', 'cli-every-5']);
  clock.set(T0 + 10 * 60_000);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 0);
  const bad = await aws(t, scratch, ['events', 'put-rule', '--name', 'cli-bad', '--schedule-expression', 'rate(5 minute)']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /\(ValidationException\) when calling the PutRule operation: Parameter ScheduleExpression is not valid\./);
  const del = await aws(t, scratch, ['events', 'delete-rule', '--name', 'cli-every-5']);
  assert.match(del.stderr, /Rule can't be deleted since it has targets\./);
  await awsOk(t, scratch, ['events', 'remove-targets', '--rule', 'cli-every-5', '--ids', 'fn']);
  assert.equal((await aws(t, scratch, ['events', 'delete-rule', '--name', 'cli-every-5'])).code, 0);
  const gone = await aws(t, scratch, ['events', 'describe-rule', '--name', 'cli-every-5']);
  assert.match(gone.stderr, /\(ResourceNotFoundException\) when calling the DescribeRule operation: Rule cli-every-5 does not exist on EventBus default\./);
});

test('event buses and tags', async () => {
  const bus = await awsOk(t, scratch, ['events', 'create-event-bus', '--name', 'cli-bus', '--tags', 'Key=team,Value=shop']);
  assert.equal(bus.EventBusArn, 'arn:aws:events:us-east-1:111111111111:event-bus/cli-bus');
  const buses = await awsOk(t, scratch, ['events', 'list-event-buses']);
  assert.deepEqual(buses.EventBuses.map((b: any) => b.Name), ['cli-bus', 'default']);
  assert.deepEqual((await awsOk(t, scratch, ['events', 'list-tags-for-resource', '--resource-arn', bus.EventBusArn])).Tags, [{ Key: 'team', Value: 'shop' }]);
  await awsOk(t, scratch, ['events', 'tag-resource', '--resource-arn', bus.EventBusArn, '--tags', 'Key=env,Value=dev']);
  await awsOk(t, scratch, ['events', 'untag-resource', '--resource-arn', bus.EventBusArn, '--tag-keys', 'team']);
  assert.deepEqual((await awsOk(t, scratch, ['events', 'list-tags-for-resource', '--resource-arn', bus.EventBusArn])).Tags, [{ Key: 'env', Value: 'dev' }]);
  assert.equal((await aws(t, scratch, ['events', 'delete-event-bus', '--name', 'cli-bus'])).code, 0);
  const gone = await aws(t, scratch, ['events', 'describe-event-bus', '--name', 'cli-bus']);
  assert.match(gone.stderr, /\(ResourceNotFoundException\) when calling the DescribeEventBus operation: Event bus cli-bus does not exist\./);
});

test('aws scheduler create-schedule invokes the function with the target Input', async () => {
  const base = Date.parse('2030-02-01T00:00:00Z');
  clock.set(base);
  const created = await awsOk(t, scratch, [
    'scheduler', 'create-schedule', '--name', 'cli-schedule', '--schedule-expression', 'rate(1 minute)',
    '--flexible-time-window', 'Mode=OFF',
    '--target', JSON.stringify({ Arn: FN_ARN, RoleArn: 'arn:aws:iam::111111111111:role/scheduler', Input: '{"from":"scheduler"}' }),
  ]);
  assert.equal(created.ScheduleArn, 'arn:aws:scheduler:us-east-1:111111111111:schedule/default/cli-schedule');
  const got = await awsOk(t, scratch, ['scheduler', 'get-schedule', '--name', 'cli-schedule']);
  assert.equal(got.ScheduleExpression, 'rate(1 minute)');
  assert.equal(got.State, 'ENABLED');
  assert.equal(got.Target.Input, '{"from":"scheduler"}');
  const before = received().length;
  clock.set(base + 60_000);
  assert.equal(t.sluice.context.scheduleRunner.tick(), 1);
  const events = (await receivedAtLeast(before + 1)).slice(before);
  assert.deepEqual(events[0], { from: 'scheduler' });
  const list = await awsOk(t, scratch, ['scheduler', 'list-schedules']);
  assert.deepEqual(list.Schedules.map((s: any) => s.Name), ['cli-schedule']);
  await awsOk(t, scratch, ['scheduler', 'delete-schedule', '--name', 'cli-schedule']);
  const gone = await aws(t, scratch, ['scheduler', 'get-schedule', '--name', 'cli-schedule']);
  assert.match(gone.stderr, /\(ResourceNotFoundException\) when calling the GetSchedule operation: Schedule cli-schedule does not exist\./);
  const bad = await aws(t, scratch, ['scheduler', 'create-schedule', '--name', 'bad', '--schedule-expression', 'cron(0 9 * * *)', '--flexible-time-window', 'Mode=OFF', '--target', JSON.stringify({ Arn: FN_ARN, RoleArn: 'arn:aws:iam::111111111111:role/r' })]);
  assert.match(bad.stderr, /\(ValidationException\) when calling the CreateSchedule operation: Invalid Schedule Expression cron\(0 9 \* \* \*\)\./);
  const group = await awsOk(t, scratch, ['scheduler', 'create-schedule-group', '--name', 'cli-group']);
  assert.equal(group.ScheduleGroupArn, 'arn:aws:scheduler:us-east-1:111111111111:schedule-group/cli-group');
  const groups = await awsOk(t, scratch, ['scheduler', 'list-schedule-groups']);
  assert.deepEqual(groups.ScheduleGroups.map((g: any) => g.Name), ['cli-group', 'default']);
  await awsOk(t, scratch, ['scheduler', 'delete-schedule-group', '--name', 'cli-group']);
});
