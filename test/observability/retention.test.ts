import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand, FilterLogEventsCommand,
  GetLogEventsCommand, PutLogEventsCommand, PutRetentionPolicyCommand, type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { logsClient } from './helpers.js';

const DAY = 86_400_000;

/** Real time plus an offset the test moves: the server, its environments and its log store all read it. */
class MovableClock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

const servers: TestServer[] = [];
const clients: { destroy(): void }[] = [];
after(async () => {
  for (const c of clients) c.destroy();
  for (const s of servers) await s.close();
});

async function server(overrides: Parameters<typeof startTestServer>[0] = {}, clock?: MovableClock, dataDir?: string): Promise<TestServer> {
  const t = await startTestServer({ logRetentionSweepMs: 0, ...overrides }, dataDir, clock ? { clock } : {});
  servers.push(t);
  return t;
}

/** SDK clients whose signing clock matches the server's moved one (as the SDK corrects clock skew). */
function clientsAt(t: TestServer, offset: number): { logs: CloudWatchLogsClient; lambda: LambdaClient } {
  const logs = logsClient(t, TEST_ACCOUNTS[0], { systemClockOffset: offset });
  const account = TEST_ACCOUNTS[0]!;
  const lambda = new LambdaClient({
    endpoint: t.url, region: 'us-east-1', maxAttempts: 1, systemClockOffset: offset,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
  });
  clients.push(logs, lambda);
  return { logs, lambda };
}

const messages = async (logs: CloudWatchLogsClient, group: string) =>
  (await logs.send(new FilterLogEventsCommand({ logGroupName: group }))).events!.map((e) => e.message!);
const storedBytes = async (logs: CloudWatchLogsClient, group: string) =>
  (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups![0]!.storedBytes!;

test('a retention policy deletes events older than it (injected clock), and keeps deleting as time passes', async () => {
  const clock = new MovableClock();
  const t = await server({}, clock);
  let { logs, lambda } = clientsAt(t, 0);
  await createFunction(lambda, 'obs-retention', 'obs-node');
  await invoke(lambda, 'obs-retention', { action: 'log', messages: ['written-on-day-0'] });
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'manual' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'manual', logStreamName: 'old' }));
  await logs.send(new PutLogEventsCommand({ logGroupName: 'manual', logStreamName: 'old', logEvents: [{ timestamp: clock.now(), message: 'manual-day-0' }] }));

  // Two days later.
  clock.offset = 2 * DAY;
  ({ logs, lambda } = clientsAt(t, clock.offset));
  await invoke(lambda, 'obs-retention', { action: 'log', messages: ['written-on-day-2'] });
  const group = '/aws/lambda/obs-retention';
  const before = await messages(logs, group);
  assert.ok(before.some((m) => m.endsWith('written-on-day-0')));
  const bytesBefore = await storedBytes(logs, group);

  await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'manual', retentionInDays: 1 }));
  const kept = await messages(logs, group);
  assert.ok(!kept.some((m) => m.endsWith('written-on-day-0')), 'day-0 events are gone');
  assert.ok(kept.some((m) => m.endsWith('written-on-day-2')), 'day-2 events stay');
  // Deleted, not just hidden: the group's size went down by exactly the removed events.
  const removed = before.filter((m) => !kept.includes(m)).reduce((n, m) => n + Buffer.byteLength(m) + 26, 0);
  assert.equal(await storedBytes(logs, group), bytesBefore - removed);
  // A stream left without events goes with them.
  assert.deepEqual((await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'manual' }))).logStreams, []);
  assert.equal(await storedBytes(logs, 'manual'), 0);

  // Two more days: the periodic sweep removes the rest.
  clock.offset = 4 * DAY;
  ({ logs } = clientsAt(t, clock.offset));
  assert.ok(t.sluice.context.logs.expire() > 0);
  assert.deepEqual(await messages(logs, group), []);
  assert.equal(await storedBytes(logs, group), 0);
});

test('the global size cap evicts the oldest events first, across groups', async () => {
  const t = await server({ logStoreMaxBytes: 20_000 });
  const { logs } = clientsAt(t, 0);
  const base = Date.now() - 3_600_000;
  for (const g of ['cap-a', 'cap-b']) {
    await logs.send(new CreateLogGroupCommand({ logGroupName: g }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  }
  // 60 events of ~526 bytes each (~31 KB), alternating groups, oldest first.
  for (let i = 0; i < 60; i++) {
    const g = i % 2 === 0 ? 'cap-a' : 'cap-b';
    await logs.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 's', logEvents: [{ timestamp: base + i, message: `${String(i).padStart(2, '0')}${'x'.repeat(498)}` }] }));
  }
  const left = async (g: string) => (await logs.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 's', startFromHead: true }))).events!.map((e) => Number(e.message!.slice(0, 2)));
  const a = await left('cap-a');
  const b = await left('cap-b');
  const all = [...a, ...b].sort((x, y) => x - y);
  // What is left is a suffix of what was written: the newest events, nothing older than the oldest kept.
  assert.ok(all.length > 0 && all.length < 60);
  assert.deepEqual(all, Array.from({ length: all.length }, (_, k) => 60 - all.length + k));
  assert.ok(t.sluice.context.logs.storedBytes() <= 20_000);
  assert.equal(await storedBytes(logs, 'cap-a') + await storedBytes(logs, 'cap-b'), t.sluice.context.logs.storedBytes());
});

test('nothing is lost on a clean shutdown: events written just before close are there after a restart', async () => {
  const first = await startTestServer({ logRetentionSweepMs: 0 });
  await createFunction(first.lambda, 'obs-shutdown', 'obs-node');
  const r = await invoke(first.lambda, 'obs-shutdown', { action: 'log', messages: Array.from({ length: 50 }, (_, i) => `line-${i}`) });
  const id = r.out.$metadata.requestId!;
  await first.stop();
  const again = await server({}, undefined, first.dataDir);
  const { logs } = clientsAt(again, 0);
  const got = await messages(logs, '/aws/lambda/obs-shutdown');
  for (let i = 0; i < 50; i++) assert.ok(got.some((m) => m.endsWith(`line-${i}`)), `line-${i}`);
  assert.ok(got.some((m) => m.startsWith(`REPORT RequestId: ${id}`)));
});
