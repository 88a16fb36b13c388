import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonPathError, parseJsonPath, selectPath, targetPayload, transformInput } from './input-transform.js';

/** Target input as the EventBridge user guide's "Transforming target input" examples show it. */

const EVENT = {
  version: '0', id: '7bf73129-1428-4cd3-a780-95db273d1602', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2',
  account: '123456789012', time: '2015-11-11T21:29:54Z', region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', tags: ['a', 'b'], nested: { n: 5 } },
};
const CTX = { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/r', ruleName: 'r', ingestionTime: Date.parse('2015-11-11T21:29:55.123Z') };
const MAP = { instance: '$.detail.instance-id', state: '$.detail.state' };

test('JSONPath: dots, indexes and quoted names', () => {
  assert.deepEqual(parseJsonPath('$'), []);
  assert.deepEqual(parseJsonPath('$.detail.instance-id'), ['detail', 'instance-id']);
  assert.deepEqual(parseJsonPath("$.resources[0]"), ['resources', 0]);
  assert.deepEqual(parseJsonPath("$['detail-type']"), ['detail-type']);
  assert.equal(selectPath(EVENT, '$.resources[0]'), 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111');
  assert.equal(selectPath(EVENT, '$.detail.missing'), undefined);
  assert.equal(selectPath(EVENT, '$.detail.state.deeper'), undefined);
  for (const bad of ['detail', '$.', '$..a', '$[a]', '$.a[']) assert.throws(() => parseJsonPath(bad), JsonPathError, bad);
});

test('a string template: "<instance> is in state <state>"', () => {
  assert.equal(transformInput('"<instance> is in state <state>"', MAP, EVENT, CTX), '"i-0123456789 is in state RUNNING"');
});

test('a JSON template: quoted strings, numbers, objects and arrays keep their JSON', () => {
  const out = transformInput('{"instance": "<instance>", "state": [9, "<state>", true], "tags": <tags>, "nested": <nested>}', { ...MAP, tags: '$.detail.tags', nested: '$.detail.nested' }, EVENT, CTX);
  assert.deepEqual(JSON.parse(out), { instance: 'i-0123456789', state: [9, 'RUNNING', true], tags: ['a', 'b'], nested: { n: 5 } });
});

test('values inside quotes are escaped; missing values become empty or null', () => {
  const ev = { ...EVENT, detail: { msg: 'say "hi"\n' } };
  assert.deepEqual(JSON.parse(transformInput('{"m": "<m>"}', { m: '$.detail.msg' }, ev, CTX)), { m: 'say "hi"\n' });
  assert.deepEqual(JSON.parse(transformInput('{"a": "<x>", "b": <x>}', { x: '$.detail.none' }, EVENT, CTX)), { a: '', b: null });
});

test('predefined variables', () => {
  const out = JSON.parse(transformInput(
    '{"arn": "<aws.events.rule-arn>", "name": "<aws.events.rule-name>", "at": "<aws.events.event.ingestion-time>", "event": <aws.events.event>, "full": <aws.events.event.json>}',
    {}, EVENT, CTX,
  ));
  assert.equal(out.arn, CTX.ruleArn);
  assert.equal(out.name, 'r');
  assert.equal(out.at, '2015-11-11T21:29:55.123Z');
  assert.equal(out.event.detail, undefined, 'aws.events.event leaves detail out');
  assert.equal(out.event.id, EVENT.id);
  assert.deepEqual(out.full, EVENT);
});

test('unknown placeholders are left as they are', () => {
  assert.equal(transformInput('"<nope> <state>"', MAP, EVENT, CTX), '"<nope> RUNNING"');
});

test('targetPayload: the event, Input, InputPath or InputTransformer', () => {
  assert.deepEqual(JSON.parse(targetPayload({}, EVENT, CTX).toString()), EVENT);
  assert.equal(targetPayload({ Input: '{"x":1}' }, EVENT, CTX).toString(), '{"x":1}');
  assert.deepEqual(JSON.parse(targetPayload({ InputPath: '$.detail.nested' }, EVENT, CTX).toString()), { n: 5 });
  assert.equal(targetPayload({ InputPath: '$.detail.none' }, EVENT, CTX).toString(), 'null');
  assert.equal(targetPayload({ InputTransformer: { InputPathsMap: MAP, InputTemplate: '"<state>"' } }, EVENT, CTX).toString(), '"RUNNING"');
});
