import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteRetentionPolicyCommand, DescribeLogGroupsCommand,
  DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand, ListTagsForResourceCommand, ListTagsLogGroupCommand,
  PutLogEventsCommand, PutRetentionPolicyCommand, TagLogGroupCommand, TagResourceCommand, UntagResourceCommand,
  paginateFilterLogEvents, paginateGetLogEvents, type CloudWatchLogsClient, type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { logsClient } from './helpers.js';

let t: TestServer;
let logs: CloudWatchLogsClient;
const BASE = Date.now() - 3_600_000;

before(async () => {
  t = await startTestServer();
  logs = logsClient(t);
});
after(async () => {
  logs.destroy();
  await t.close();
});

async function rejects(p: Promise<unknown>, name: string, status: number, message?: RegExp | string): Promise<void> {
  await assert.rejects(p, (err: any) => {
    assert.equal(err.name, name);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

async function putEvents(group: string, stream: string, events: { timestamp: number; message: string }[]): Promise<void> {
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
}

test("a function's output is in /aws/lambda/<name>: streams per environment, START … REPORT", async () => {
  await createFunction(t.lambda, 'obs-logs', 'obs-node');
  const r = await invoke(t.lambda, 'obs-logs', { action: 'log', messages: ['hello from obs'] });
  const id = r.out.$metadata.requestId!;
  const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/obs-' }));
  assert.equal(groups.logGroups?.length, 1);
  const g = groups.logGroups![0]!;
  assert.equal(g.logGroupName, '/aws/lambda/obs-logs');
  assert.equal(g.arn, 'arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/obs-logs:*');
  assert.ok((g.storedBytes ?? 0) > 0);
  assert.equal(g.retentionInDays, undefined);

  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/obs-logs', logStreamNamePrefix: `${day}/[$LATEST]` }));
  assert.equal(streams.logStreams?.length, 1);
  const s = streams.logStreams![0]!;
  assert.match(s.logStreamName!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.ok(s.firstEventTimestamp! <= s.lastEventTimestamp!);
  assert.equal(s.arn, `arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/obs-logs:log-stream:${s.logStreamName}`);

  const got = await logs.send(new GetLogEventsCommand({ logGroupName: '/aws/lambda/obs-logs', logStreamName: s.logStreamName!, startFromHead: true }));
  const messages = got.events!.map((e) => e.message!);
  assert.ok(messages[0]!.startsWith('INIT_START Runtime Version: '));
  assert.ok(messages.includes(`START RequestId: ${id} Version: $LATEST`));
  assert.ok(messages.some((m) => m.includes(id) && m.endsWith('hello from obs')));
  assert.ok(messages.includes(`END RequestId: ${id}`));
  assert.ok(messages.some((m) => m.startsWith(`REPORT RequestId: ${id}\tDuration: `)));
  for (const e of got.events!) assert.ok(e.ingestionTime! >= e.timestamp!);
});

test('DescribeLogStreams orders by name or by last event time, both ways, and pages', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'ordering' }));
  // Written so that name order and time order differ: c is oldest, a newest.
  await putEvents('ordering', 'c', [{ timestamp: BASE + 1000, message: 'c' }]);
  await putEvents('ordering', 'b', [{ timestamp: BASE + 2000, message: 'b' }]);
  await putEvents('ordering', 'a', [{ timestamp: BASE + 3000, message: 'a' }]);
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'ordering', logStreamName: 'empty' }));
  const names = async (input: Record<string, unknown>) =>
    (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordering', ...input }))).logStreams!.map((s) => s.logStreamName);
  assert.deepEqual(await names({}), ['a', 'b', 'c', 'empty']);
  assert.deepEqual(await names({ descending: true }), ['empty', 'c', 'b', 'a']);
  assert.deepEqual(await names({ orderBy: 'LastEventTime', descending: true }), ['a', 'b', 'c', 'empty']);
  assert.deepEqual(await names({ orderBy: 'LastEventTime' }), ['empty', 'c', 'b', 'a']);
  const empty = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordering', logStreamNamePrefix: 'emp' }))).logStreams![0]!;
  assert.equal(empty.firstEventTimestamp, undefined);
  assert.equal(empty.lastEventTimestamp, undefined);
  const first = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordering', orderBy: 'LastEventTime', descending: true, limit: 3 }));
  assert.deepEqual(first.logStreams!.map((s) => s.logStreamName), ['a', 'b', 'c']);
  const second = await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordering', orderBy: 'LastEventTime', descending: true, limit: 3, nextToken: first.nextToken! }));
  assert.deepEqual(second.logStreams!.map((s) => s.logStreamName), ['empty']);
  assert.equal(second.nextToken, undefined);
  await rejects(
    logs.send(new DescribeLogStreamsCommand({ logGroupName: 'ordering', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })),
    'InvalidParameterException', 400, 'Cannot order by LastEventTime with a logStreamNamePrefix.',
  );
});

test('GetLogEvents pages forward and backward, returns the same token at the end, and honours time bounds', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'paging' }));
  const events = Array.from({ length: 25 }, (_, i) => ({ timestamp: BASE + i * 1000, message: `event-${String(i).padStart(2, '0')}` }));
  await putEvents('paging', 's', events);
  const get = (input: Record<string, unknown>) => logs.send(new GetLogEventsCommand({ logGroupName: 'paging', logStreamName: 's', limit: 10, ...input }));
  const msgs = (page: { events?: { message?: string }[] }) => page.events!.map((e) => e.message!.slice(6));
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => String(a + i).padStart(2, '0'));

  // Forward from the head.
  const p1 = await get({ startFromHead: true });
  assert.deepEqual(msgs(p1), range(0, 9));
  assert.match(p1.nextForwardToken!, /^f\/\d+\/s$/);
  assert.match(p1.nextBackwardToken!, /^b\/\d+\/s$/);
  const p2 = await get({ nextToken: p1.nextForwardToken });
  assert.deepEqual(msgs(p2), range(10, 19));
  const p3 = await get({ nextToken: p2.nextForwardToken });
  assert.deepEqual(msgs(p3), range(20, 24));
  const end = await get({ nextToken: p3.nextForwardToken });
  assert.deepEqual(end.events, []);
  assert.equal(end.nextForwardToken, p3.nextForwardToken);
  // Back from the middle of the walk.
  const back = await get({ nextToken: p3.nextBackwardToken });
  assert.deepEqual(msgs(back), range(10, 19));

  // Without startFromHead: the newest events, then backward to the start.
  const n1 = await get({});
  assert.deepEqual(msgs(n1), range(15, 24));
  const n2 = await get({ nextToken: n1.nextBackwardToken });
  assert.deepEqual(msgs(n2), range(5, 14));
  const n3 = await get({ nextToken: n2.nextBackwardToken });
  assert.deepEqual(msgs(n3), range(0, 4));
  const start = await get({ nextToken: n3.nextBackwardToken });
  assert.deepEqual(start.events, []);
  assert.equal(start.nextBackwardToken, n3.nextBackwardToken);

  // startTime inclusive, endTime exclusive.
  assert.deepEqual(msgs(await get({ startFromHead: true, startTime: BASE + 5000, endTime: BASE + 8000 })), ['05', '06', '07']);

  // The SDK's paginator walks to the end and stops on the repeated token (stopOnSameToken, as with AWS).
  const all: string[] = [];
  for await (const page of paginateGetLogEvents({ client: logs, stopOnSameToken: true }, { logGroupName: 'paging', logStreamName: 's', startFromHead: true, limit: 7 })) all.push(...msgs(page));
  assert.deepEqual(all, range(0, 24));

  // A token at the end picks up events written later (following a stream).
  await logs.send(new PutLogEventsCommand({ logGroupName: 'paging', logStreamName: 's', logEvents: [{ timestamp: BASE + 30_000, message: 'event-30' }] }));
  assert.deepEqual(msgs(await get({ nextToken: end.nextForwardToken })), ['30']);

  await rejects(get({ nextToken: 'garbage' }), 'InvalidParameterException', 400, 'The specified nextToken is invalid.');
  await rejects(get({ logStreamName: 'missing' }), 'ResourceNotFoundException', 400, 'The specified log stream does not exist.');
});

const A = 'stream-a';
const B = 'stream-b';

test('FilterLogEvents: each pattern kind, interleaved across streams, pagination', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'filtering' }));
  await putEvents('filtering', A, [
    { timestamp: BASE + 1, message: '[ERROR 400] BAD REQUEST' },
    { timestamp: BASE + 3, message: '{"level":"ERROR","latency":250,"user":{"id":"u-1"}}' },
    { timestamp: BASE + 5, message: 'WARN disk almost full' },
    { timestamp: BASE + 7, message: '127.0.0.1 frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 2326' },
  ]);
  await putEvents('filtering', B, [
    { timestamp: BASE + 2, message: 'Exiting with ERRORCODE: -1' },
    { timestamp: BASE + 4, message: '{"level":"INFO","latency":20,"user":{"id":"u-2"}}' },
    { timestamp: BASE + 6, message: 'INFO all good' },
    { timestamp: BASE + 8, message: '10.0.0.5 bob [10/Oct/2000:13:26:00 -0700] "POST /f HTTP/1.0" 200 512' },
  ]);
  const filter = async (input: Partial<FilterLogEventsCommandInput>) => {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: 'filtering', ...input }));
    return out.events!.map((e) => e.timestamp! - BASE);
  };
  // Everything, interleaved by time across both streams.
  assert.deepEqual(await filter({}), [1, 2, 3, 4, 5, 6, 7, 8]);
  const cases: [string, number[]][] = [
    ['ERROR', [1, 2, 3]],
    ['"BAD REQUEST"', [1]],
    ['ERROR -Exiting', [1, 3]],
    ['?WARN ?INFO', [4, 5, 6]],
    ['{ $.level = "ERROR" }', [3]],
    ['{ $.latency > 100 || $.user.id = "u-2" }', [3, 4]],
    ['{ $.user.id NOT EXISTS }', []],
    ['%[0-9]{3} [0-9]+$%', [7, 8]],
    ['[ip, user, timestamp, request, status = 404, bytes]', [7]],
    ['[ip, ..., status = 200, bytes < 1000]', [8]],
  ];
  for (const [pattern, expected] of cases) assert.deepEqual(await filter({ filterPattern: pattern }), expected, pattern);

  // Stream selection and time bounds (endTime inclusive here).
  assert.deepEqual(await filter({ logStreamNames: [B] }), [2, 4, 6, 8]);
  assert.deepEqual(await filter({ logStreamNamePrefix: 'stream-a' }), [1, 3, 5, 7]);
  assert.deepEqual(await filter({ startTime: BASE + 3, endTime: BASE + 5 }), [3, 4, 5]);

  // Shape of an event.
  const one = (await logs.send(new FilterLogEventsCommand({ logGroupName: 'filtering', filterPattern: '"BAD REQUEST"' }))).events![0]!;
  assert.equal(one.logStreamName, A);
  assert.equal(one.message, '[ERROR 400] BAD REQUEST');
  assert.match(one.eventId!, /^\d+$/);
  assert.ok(one.ingestionTime! > 0);

  // Pagination: limit 3 → pages of 3, 3, 2, with nextToken until the end.
  const pages: number[][] = [];
  for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: 'filtering', limit: 3 })) pages.push(page.events!.map((e) => e.timestamp! - BASE));
  assert.deepEqual(pages.filter((p) => p.length > 0), [[1, 2, 3], [4, 5, 6], [7, 8]]);
  const last = await logs.send(new FilterLogEventsCommand({ logGroupName: 'filtering', limit: 10 }));
  assert.equal(last.nextToken, undefined);

  await rejects(filter({ filterPattern: '{ $.level = ' }), 'InvalidParameterException', 400, /Invalid filter pattern/);
  await rejects(filter({ logStreamNames: [A], logStreamNamePrefix: 'x' }), 'InvalidParameterException', 400);
  await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: 'nope' })), 'ResourceNotFoundException', 400, 'The specified log group does not exist.');
});

test('log groups: create, describe with paging, retention policies, tags, delete', async () => {
  for (const name of ['grp/one', 'grp/two', 'grp/three']) await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: 'obs' } }));
  await rejects(logs.send(new CreateLogGroupCommand({ logGroupName: 'grp/one' })), 'ResourceAlreadyExistsException', 400, 'The specified log group already exists');

  const first = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'grp/', limit: 2 }));
  assert.deepEqual(first.logGroups!.map((g) => g.logGroupName), ['grp/one', 'grp/three']);
  const second = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'grp/', limit: 2, nextToken: first.nextToken! }));
  assert.deepEqual(second.logGroups!.map((g) => g.logGroupName), ['grp/two']);
  assert.equal(second.nextToken, undefined);

  await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'grp/one', retentionInDays: 7 }));
  const described = async () => (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'grp/one' }))).logGroups![0]!;
  assert.equal((await described()).retentionInDays, 7);
  await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: 'grp/one', retentionInDays: 2 })), 'InvalidParameterException', 400,
    /^1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: \[1, 3, 5, 7, 14, /);
  await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: 'grp/one' }));
  assert.equal((await described()).retentionInDays, undefined);
  await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: 'grp/none', retentionInDays: 1 })), 'ResourceNotFoundException', 400);

  const arn = 'arn:aws:logs:us-east-1:111111111111:log-group:grp/one';
  await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'test' } }));
  assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'obs', env: 'test' });
  await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
  await logs.send(new TagLogGroupCommand({ logGroupName: 'grp/one', tags: { owner: 'me' } }));
  assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: 'grp/one' }))).tags, { env: 'test', owner: 'me' });
  await rejects(logs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:222222222222:log-group:grp/one' })), 'ResourceNotFoundException', 400);

  await logs.send(new DeleteLogGroupCommand({ logGroupName: 'grp/one' }));
  assert.equal((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'grp/one' }))).logGroups!.length, 0);
  await rejects(logs.send(new DeleteLogGroupCommand({ logGroupName: 'grp/one' })), 'ResourceNotFoundException', 400, 'The specified log group does not exist.');
});

test("another account sees none of an account's log groups", async () => {
  const other = logsClient(t, TEST_ACCOUNTS[1]);
  try {
    assert.deepEqual((await other.send(new DescribeLogGroupsCommand({}))).logGroups, []);
    await rejects(other.send(new FilterLogEventsCommand({ logGroupName: 'filtering' })), 'ResourceNotFoundException', 400);
  } finally {
    other.destroy();
  }
});
