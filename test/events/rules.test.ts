import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction } from '../invoke/helpers.js';
import { logLines, SCOPE } from '../async/helpers.js';
import { until } from '../observability/helpers.js';
import { allowEvents, Deliveries, events, eventsOk, FakeClock, fnArn, ruleArnOf, stillTimers } from './helpers.js';

/**
 * EventBridge rules end to end: scheduled rules on an injected clock, PutEvents matching, target input, permissions,
 * and the API's errors. The target function (fixture async-record) logs each event it receives as `RECORD <id> <json>`.
 */

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MINUTE = 60_000;
let t: TestServer;
let clock: FakeClock;
let deliveries: Deliveries;

before(async () => {
  clock = new FakeClock(T0);
  t = await startTestServer({ asyncTimeScale: 0.02 }, undefined, { scheduleClock: clock, scheduleTimers: stillTimers });
  deliveries = new Deliveries(t);
  await createFunction(t.lambda, 'eb-target', 'async-record');
  await createFunction(t.lambda, 'eb-denied', 'async-record');
});
after(async () => {
  deliveries.close();
  await t.close();
});

/** Events the function received, parsed, in arrival order. */
function received(fn: string): any[] {
  return logLines(t, fn, 'RECORD ').map((l) => JSON.parse(l.slice(l.indexOf(' ', l.indexOf('RECORD ') + 7) + 1)));
}

async function receivedAtLeast(fn: string, n: number): Promise<any[]> {
  return until(`${n} events at ${fn}`, () => {
    const r = received(fn);
    return r.length >= n ? r : undefined;
  });
}

const tick = () => t.sluice.context.scheduleRunner.tick();

test('a rate rule invokes its target once per tick with the Scheduled Event payload', async () => {
  clock.set(T0);
  const { RuleArn } = await eventsOk(t, 'PutRule', { Name: 'every-minute', ScheduleExpression: 'rate(1 minute)' });
  assert.equal(RuleArn, ruleArnOf('every-minute'));
  await allowEvents(t.lambda, 'eb-target', RuleArn);
  await eventsOk(t, 'PutTargets', { Rule: 'every-minute', Targets: [{ Id: 'fn', Arn: fnArn('eb-target') }] });

  // Not yet a tick: nothing fires.
  clock.advance(30_000);
  assert.equal(tick(), 0);
  clock.set(T0 + MINUTE);
  assert.equal(tick(), 1);
  // The same tick never fires twice.
  assert.equal(tick(), 0);
  clock.set(T0 + 2 * MINUTE);
  assert.equal(tick(), 1);
  await deliveries.wait(2, (d) => d.source === RuleArn);
  const got = await receivedAtLeast('eb-target', 2);
  assert.equal(got.length, 2);
  const [first, second] = got as [any, any];
  assert.deepEqual(Object.keys(first), ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
  assert.equal(first.version, '0');
  assert.match(first.id, /^[0-9a-f-]{36}$/);
  assert.equal(first['detail-type'], 'Scheduled Event');
  assert.equal(first.source, 'aws.events');
  assert.equal(first.account, '111111111111');
  assert.equal(first.region, 'us-east-1');
  assert.deepEqual(first.resources, [RuleArn]);
  assert.deepEqual(first.detail, {});
  const times = got.map((e) => e.time).sort();
  assert.deepEqual(times, ['2030-01-01T00:01:00Z', '2030-01-01T00:02:00Z']);
  assert.notEqual(first.id, second.id);
  assert.equal(t.sluice.context.eventBridge.delivery.countersFor(RuleArn).invocations, 2);
});

test('a disabled rule does not fire, and enabling it does not replay the ticks it missed', async () => {
  const before = received('eb-target').length;
  await eventsOk(t, 'DisableRule', { Name: 'every-minute' });
  assert.equal((await eventsOk(t, 'DescribeRule', { Name: 'every-minute' })).State, 'DISABLED');
  clock.set(T0 + 3 * MINUTE);
  assert.equal(tick(), 0);
  clock.set(T0 + 4 * MINUTE + 10_000);
  await eventsOk(t, 'EnableRule', { Name: 'every-minute' });
  assert.equal(tick(), 0, 'ticks 3 and 4 fell while disabled');
  clock.set(T0 + 5 * MINUTE);
  assert.equal(tick(), 1);
  await receivedAtLeast('eb-target', before + 1);
  assert.equal(received('eb-target').at(-1).time, '2030-01-01T00:05:00Z');
  // Quiet from here on: remove the target, then the rule.
  await eventsOk(t, 'RemoveTargets', { Rule: 'every-minute', Ids: ['fn'] });
  await eventsOk(t, 'DeleteRule', { Name: 'every-minute' });
});

test('a cron rule fires on its UTC wall-clock times', async () => {
  clock.set(Date.parse('2030-01-31T23:00:00Z'));
  const { RuleArn } = await eventsOk(t, 'PutRule', { Name: 'month-end', ScheduleExpression: 'cron(30 23 L * ? *)' });
  await allowEvents(t.lambda, 'eb-target', RuleArn);
  await eventsOk(t, 'PutTargets', { Rule: 'month-end', Targets: [{ Id: 't', Arn: fnArn('eb-target'), Input: '{"cron":true}' }] });
  clock.set(Date.parse('2030-01-31T23:29:59Z'));
  assert.equal(tick(), 0);
  clock.set(Date.parse('2030-01-31T23:30:00Z'));
  assert.equal(tick(), 1);
  clock.set(Date.parse('2030-02-27T23:30:00Z'));
  assert.equal(tick(), 0);
  clock.set(Date.parse('2030-02-28T23:30:00Z'));
  assert.equal(tick(), 1);
  await deliveries.wait(2, (d) => d.source === RuleArn);
  await eventsOk(t, 'RemoveTargets', { Rule: 'month-end', Ids: ['t'] });
  await eventsOk(t, 'DeleteRule', { Name: 'month-end' });
});

test('PutEvents: matched events reach the targets, unmatched ones do not', async () => {
  const { RuleArn } = await eventsOk(t, 'PutRule', {
    Name: 'orders', EventPattern: JSON.stringify({ source: ['shop.orders'], detail: { amount: [{ numeric: ['>', 100] }] } }),
  });
  await allowEvents(t.lambda, 'eb-target', RuleArn);
  await eventsOk(t, 'PutTargets', { Rule: 'orders', Targets: [{ Id: 'all', Arn: fnArn('eb-target') }] });
  const before = received('eb-target').length;
  const out = await eventsOk(t, 'PutEvents', {
    Entries: [
      { Source: 'shop.orders', DetailType: 'Order Placed', Detail: JSON.stringify({ amount: 250, id: 'big' }), Resources: ['arn:aws:shop:order/1'] },
      { Source: 'shop.orders', DetailType: 'Order Placed', Detail: JSON.stringify({ amount: 5, id: 'small' }) },
      { Source: 'other', DetailType: 'Order Placed', Detail: JSON.stringify({ amount: 500, id: 'elsewhere' }) },
      { Source: 'shop.orders', DetailType: 'Order Placed' },
      { Source: 'shop.orders', DetailType: 'Order Placed', Detail: '[1,2]' },
    ],
  });
  assert.equal(out.FailedEntryCount, 2);
  assert.equal(out.Entries.length, 5);
  for (const e of out.Entries.slice(0, 3)) assert.match(e.EventId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(out.Entries[3], { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' });
  assert.deepEqual(out.Entries[4], { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
  await deliveries.wait(1, (d) => d.source === RuleArn);
  const got = (await receivedAtLeast('eb-target', before + 1)).slice(before);
  assert.equal(got.length, 1);
  const ev = got[0];
  assert.equal(ev.id, out.Entries[0].EventId);
  assert.equal(ev['detail-type'], 'Order Placed');
  assert.equal(ev.source, 'shop.orders');
  assert.deepEqual(ev.resources, ['arn:aws:shop:order/1']);
  assert.deepEqual(ev.detail, { amount: 250, id: 'big' });
  assert.match(ev.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('Input, InputPath and InputTransformer shape what the target receives', async () => {
  const { RuleArn } = await eventsOk(t, 'PutRule', { Name: 'shaped', EventPattern: JSON.stringify({ source: ['shape.test'] }) });
  await allowEvents(t.lambda, 'eb-target', RuleArn);
  await eventsOk(t, 'PutTargets', {
    Rule: 'shaped',
    Targets: [
      { Id: 'constant', Arn: fnArn('eb-target'), Input: '{"fixed":"value"}' },
      { Id: 'path', Arn: fnArn('eb-target'), InputPath: '$.detail.order' },
      {
        Id: 'transform', Arn: fnArn('eb-target'),
        InputTransformer: {
          InputPathsMap: { who: '$.detail.order.customer', n: '$.detail.order.items', src: '$.source' },
          InputTemplate: '{"customer": "<who>", "items": <n>, "from": "<src>", "rule": "<aws.events.rule-name>", "kind": "transformed"}',
        },
      },
    ],
  });
  const before = received('eb-target').length;
  await eventsOk(t, 'PutEvents', { Entries: [{ Source: 'shape.test', DetailType: 't', Detail: JSON.stringify({ order: { customer: 'Ann "A"', items: [1, 2] } }) }] });
  await deliveries.wait(3, (d) => d.source === RuleArn);
  const got = (await receivedAtLeast('eb-target', before + 3)).slice(before);
  const byShape = (pred: (e: any) => boolean) => got.filter(pred);
  assert.deepEqual(byShape((e) => e.fixed !== undefined), [{ fixed: 'value' }]);
  assert.deepEqual(byShape((e) => e.customer !== undefined && e.kind === undefined), [{ customer: 'Ann "A"', items: [1, 2] }]);
  assert.deepEqual(byShape((e) => e.kind === 'transformed'), [{ customer: 'Ann "A"', items: [1, 2], from: 'shape.test', rule: 'shaped', kind: 'transformed' }]);
});

test('without permission for events.amazonaws.com the target is not invoked, and the failure is counted', async () => {
  const { RuleArn } = await eventsOk(t, 'PutRule', { Name: 'denied', EventPattern: JSON.stringify({ source: ['deny.test'] }) });
  // A permission for another rule does not count.
  await allowEvents(t.lambda, 'eb-denied', ruleArnOf('some-other-rule'));
  await eventsOk(t, 'PutTargets', { Rule: 'denied', Targets: [{ Id: 'x', Arn: fnArn('eb-denied') }] });
  await eventsOk(t, 'PutEvents', { Entries: [{ Source: 'deny.test', DetailType: 't', Detail: '{}' }] });
  const [d] = await deliveries.wait(1, (e) => e.source === RuleArn);
  assert.equal(d!.outcome.ok, false);
  assert.match((d!.outcome as { reason: string }).reason, /does not allow events\.amazonaws\.com/);
  assert.equal(d!.attempts, 1, 'permission failures are not retried');
  const c = t.sluice.context.eventBridge.delivery.countersFor(RuleArn);
  assert.equal(c.failedInvocations, 1);
  assert.equal(c.invocations, 0);
  assert.equal(received('eb-denied').length, 0);
  // Granting it makes the next event go through.
  await allowEvents(t.lambda, 'eb-denied', RuleArn);
  await eventsOk(t, 'PutEvents', { Entries: [{ Source: 'deny.test', DetailType: 't', Detail: '{"second":true}' }] });
  await deliveries.wait(2, (e) => e.source === RuleArn);
  const got = await receivedAtLeast('eb-denied', 1);
  assert.deepEqual(got[0].detail, { second: true });
  assert.equal((await t.sluice.context.asyncInvoker.counts(SCOPE, 'eb-denied')).dropped ?? 0, 0);
});

test('rules on a custom bus see only that bus\'s events', async () => {
  await eventsOk(t, 'CreateEventBus', { Name: 'orders-bus' });
  const { RuleArn } = await eventsOk(t, 'PutRule', { Name: 'on-bus', EventBusName: 'orders-bus', EventPattern: JSON.stringify({ source: ['bus.test'] }) });
  assert.equal(RuleArn, ruleArnOf('on-bus', 'orders-bus'));
  await allowEvents(t.lambda, 'eb-target', RuleArn);
  await eventsOk(t, 'PutTargets', { Rule: 'on-bus', EventBusName: 'orders-bus', Targets: [{ Id: 'x', Arn: fnArn('eb-target'), Input: '{"bus":"orders"}' }] });
  const before = deliveries.all.filter((d) => d.source === RuleArn).length;
  await eventsOk(t, 'PutEvents', { Entries: [{ Source: 'bus.test', DetailType: 't', Detail: '{}' }] });
  await eventsOk(t, 'PutEvents', { Entries: [{ Source: 'bus.test', DetailType: 't', Detail: '{}', EventBusName: `arn:aws:events:us-east-1:111111111111:event-bus/orders-bus` }] });
  const d = await deliveries.wait(before + 1, (e) => e.source === RuleArn);
  await t.sluice.context.eventBridge.delivery.settled();
  assert.equal(deliveries.all.filter((e) => e.source === RuleArn).length, before + 1);
  assert.equal(d.at(-1)!.outcome.ok, true);
  // A schedule is only for the default bus.
  const bad = await events(t, 'PutRule', { Name: 'sched', EventBusName: 'orders-bus', ScheduleExpression: 'rate(1 hour)' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.__type, 'ValidationException');
});

test('API errors: AWS codes, status 400 and messages', async () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['PutRule', { Name: 'x', ScheduleExpression: 'rate(1 minutes)' }, 'ValidationException', /^Parameter ScheduleExpression is not valid\.$/],
    ['PutRule', { Name: 'x', ScheduleExpression: 'cron(0 10 * * *)' }, 'ValidationException', /^Parameter ScheduleExpression is not valid\.$/],
    ['PutRule', { Name: 'x' }, 'ValidationException', /EventPattern or ScheduleExpression must be specified/],
    ['PutRule', { Name: 'x', EventPattern: '{"detail": {}}' }, 'InvalidEventPatternException', /^Event pattern is not valid\. Reason: Empty objects are not allowed/],
    ['PutRule', { Name: 'bad name!', EventPattern: '{"a":["b"]}' }, 'ValidationException', /Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern/],
    ['PutRule', { Name: 'x', EventPattern: '{"a":["b"]}', EventBusName: 'nope' }, 'ResourceNotFoundException', /^Event bus nope does not exist\.$/],
    ['DescribeRule', { Name: 'missing' }, 'ResourceNotFoundException', /^Rule missing does not exist on EventBus default\.$/],
    ['PutTargets', { Rule: 'missing', Targets: [{ Id: 'a', Arn: fnArn('eb-target') }] }, 'ResourceNotFoundException', /Rule missing does not exist/],
    ['PutTargets', { Rule: 'orders', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:111111111111:q' }] }, 'ValidationException', /Lambda function/],
    ['PutTargets', { Rule: 'orders', Targets: [{ Id: 'q', Arn: fnArn('eb-target'), Input: '{}', InputPath: '$.detail' }] }, 'ValidationException', /Only one of Input, InputPath, or InputTransformer/],
    ['PutEvents', { Entries: Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' })) }, 'ValidationException', /at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10/],
    ['DeleteRule', { Name: 'orders' }, 'ValidationException', /^Rule can't be deleted since it has targets\.$/],
    ['CreateEventBus', { Name: 'default' }, 'ResourceAlreadyExistsException', /^Event bus default already exists\.$/],
    ['DeleteEventBus', { Name: 'default' }, 'ValidationException', /Cannot delete event bus default/],
    ['DescribeEventBus', { Name: 'none' }, 'ResourceNotFoundException', /^Event bus none does not exist\.$/],
    ['TestEventPattern', { EventPattern: '{"source":[{"prefixx":"a"}]}', Event: '{}' }, 'InvalidEventPatternException', /Unrecognized match type prefixx/],
    ['TestEventPattern', { EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' }, 'ValidationException', /^Parameter Event is not valid\.$/],
  ];
  for (const [op, body, type, message] of cases) {
    const r = await events(t, op, body);
    assert.equal(r.status, 400, `${op} ${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.headers['x-amzn-errortype'], type, op);
    assert.equal(r.body.__type, type, op);
    assert.match(r.body.message, message, `${op}: ${r.body.message}`);
  }
  const unknown = await events(t, 'NoSuchOperation', {});
  assert.equal(unknown.status, 404);
});

test('TestEventPattern, ListRules paging, ListRuleNamesByTarget, tags, describe and list buses', async () => {
  const event = { id: '1', account: '111111111111', source: 'aws.ec2', time: '2030-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'x', detail: { state: 'running' } };
  assert.equal((await eventsOk(t, 'TestEventPattern', { EventPattern: '{"detail":{"state":[{"anything-but":"stopped"}]}}', Event: JSON.stringify(event) })).Result, true);
  assert.equal((await eventsOk(t, 'TestEventPattern', { EventPattern: '{"detail":{"state":["stopped"]}}', Event: JSON.stringify(event) })).Result, false);

  for (const n of ['page-a', 'page-b', 'page-c']) await eventsOk(t, 'PutRule', { Name: n, EventPattern: '{"source":["p"]}', Description: `rule ${n}` });
  const p1 = await eventsOk(t, 'ListRules', { NamePrefix: 'page-', Limit: 2 });
  assert.deepEqual(p1.Rules.map((r: any) => r.Name), ['page-a', 'page-b']);
  assert.equal(p1.Rules[0].Description, 'rule page-a');
  assert.ok(p1.NextToken);
  const p2 = await eventsOk(t, 'ListRules', { NamePrefix: 'page-', Limit: 2, NextToken: p1.NextToken });
  assert.deepEqual(p2.Rules.map((r: any) => r.Name), ['page-c']);
  assert.equal(p2.NextToken, undefined);

  const names = await eventsOk(t, 'ListRuleNamesByTarget', { TargetArn: fnArn('eb-target') });
  assert.ok(names.RuleNames.includes('orders') && names.RuleNames.includes('shaped'), JSON.stringify(names));

  const arn = ruleArnOf('page-a');
  await eventsOk(t, 'TagResource', { ResourceARN: arn, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'test' }] });
  await eventsOk(t, 'UntagResource', { ResourceARN: arn, TagKeys: ['env'] });
  assert.deepEqual((await eventsOk(t, 'ListTagsForResource', { ResourceARN: arn })).Tags, [{ Key: 'team', Value: 'a' }]);
  // PutRule keeps targets and tags but replaces the rest.
  await eventsOk(t, 'PutRule', { Name: 'page-a', EventPattern: '{"source":["q"]}' });
  const d = await eventsOk(t, 'DescribeRule', { Name: 'page-a' });
  assert.equal(d.Description, undefined);
  assert.equal(d.EventPattern, '{"source":["q"]}');
  assert.equal(d.CreatedBy, '111111111111');
  assert.deepEqual((await eventsOk(t, 'ListTagsForResource', { ResourceARN: arn })).Tags, [{ Key: 'team', Value: 'a' }]);

  const buses = await eventsOk(t, 'ListEventBuses', {});
  assert.deepEqual(buses.EventBuses.map((b: any) => b.Name), ['default', 'orders-bus']);
  assert.deepEqual(await eventsOk(t, 'DescribeEventBus', {}), { Name: 'default', Arn: 'arn:aws:events:us-east-1:111111111111:event-bus/default' });
  // Another account has its own default bus and none of these rules.
  const other = await events(t, 'ListRules', {}, (await import('../helpers/server.js')).TEST_ACCOUNTS[1]);
  assert.deepEqual(other.body.Rules, []);
});
