import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { aws, awsOk, clientEnv, Scratch } from './clients.js';

/** `aws logs ...` of the unmodified AWS CLI v2 against Sluice: tail (and --follow), filter-log-events, get-log-events. */

const AWS_BIN = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
let t: TestServer;
let scratch: Scratch;
before(async () => {
  t = await startTestServer();
  scratch = new Scratch();
  await createFunction(t.lambda, 'cli-logs', 'obs-node');
  await createFunction(t.lambda, 'cli-logs-json', 'obs-node', { LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' } });
});
after(async () => {
  await t.close();
  scratch.remove();
});

test('aws logs tail --follow --since 5m prints what the function logs, and keeps following', async () => {
  await invoke(t.lambda, 'cli-logs', { action: 'log', messages: ['tail-marker-one'] });
  const child = spawn(AWS_BIN, ['logs', 'tail', '/aws/lambda/cli-logs', '--follow', '--since', '5m', '--endpoint-url', t.url], {
    // Unbuffered, as on a terminal: a pipe would hold the CLI's lines back until its buffer fills.
    env: { ...clientEnv(scratch), PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const waitFor = (text: string) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!out.includes(text)) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    const onData = (c: Buffer) => { out += c.toString(); check(); };
    const onExit = (code: number | null) => reject(new Error(`aws logs tail exited (${code}) before printing ${text}:\n${out}\n${err}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    check();
  });
  try {
    await waitFor('tail-marker-one');
    // The CLI's detailed format: ISO time, stream name, message.
    const line = out.split('\n').find((l) => l.includes('tail-marker-one'))!;
    assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 \d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32} .*tail-marker-one$/);
    assert.ok(out.includes('START RequestId: '));
    const r = await invoke(t.lambda, 'cli-logs', { action: 'log', messages: ['tail-marker-two'] });
    await waitFor(`REPORT RequestId: ${r.out.$metadata.requestId}`);
    assert.ok(out.includes('tail-marker-two'));
    // Each event once, though the CLI re-asks from the newest timestamp it has seen.
    assert.equal(out.split('tail-marker-one').length - 1, 1);
  } finally {
    child.kill('SIGINT');
  }
});

test('aws logs tail (no follow) with --filter-pattern and --format short', async () => {
  await invoke(t.lambda, 'cli-logs', { action: 'log', messages: ['short-alpha', 'short-beta'] });
  const r = await aws(t, scratch, ['logs', 'tail', '/aws/lambda/cli-logs', '--since', '1h', '--format', 'short', '--filter-pattern', 'short-alpha']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d .*short-alpha$/);
});

test('aws logs filter-log-events: terms, phrases, exclusions, JSON patterns, pagination', async () => {
  await invoke(t.lambda, 'cli-logs', { action: 'log', messages: ['ERROR disk full', 'ERROR timeout talking to db', 'WARN slow', 'all "good" here'] });
  await invoke(t.lambda, 'cli-logs-json', { action: 'json', records: [{ level: 'ERROR', message: 'json-bad', code: 500 }, { level: 'INFO', message: 'json-ok', code: 200 }] });
  const filter = async (group: string, pattern: string, extra: string[] = []) => {
    const out = await awsOk(t, scratch, ['logs', 'filter-log-events', '--log-group-name', group, '--filter-pattern', pattern, ...extra]);
    return (out.events as { message: string }[]).map((e) => e.message);
  };
  const G = '/aws/lambda/cli-logs';
  assert.deepEqual((await filter(G, 'ERROR')).map((m) => m.split('\t').pop()), ['ERROR disk full', 'ERROR timeout talking to db']);
  assert.deepEqual((await filter(G, '"talking to db"')).map((m) => m.split('\t').pop()), ['ERROR timeout talking to db']);
  assert.deepEqual((await filter(G, 'ERROR -timeout')).map((m) => m.split('\t').pop()), ['ERROR disk full']);
  assert.deepEqual((await filter(G, '?WARN ?"good"')).map((m) => m.split('\t').pop()), ['WARN slow', 'all "good" here']);
  const json = await filter('/aws/lambda/cli-logs-json', '{ $.level = "ERROR" && $.code >= 500 }');
  assert.equal(json.length, 1);
  assert.equal(JSON.parse(json[0]!).message, 'json-bad');

  // The CLI follows nextToken: small pages give the same events as one big one.
  const all = await filter(G, '');
  assert.ok(all.length > 10);
  assert.deepEqual(await filter(G, '', ['--page-size', '3']), all);
  const firstTwo = await awsOk(t, scratch, ['logs', 'filter-log-events', '--log-group-name', G, '--max-items', '2']);
  assert.equal(firstTwo.events.length, 2);
  assert.equal(typeof firstTwo.NextToken, 'string');
  const rest = await awsOk(t, scratch, ['logs', 'filter-log-events', '--log-group-name', G, '--starting-token', firstTwo.NextToken]);
  assert.deepEqual([...firstTwo.events, ...rest.events].map((e: { message: string }) => e.message), all);

  const bad = await aws(t, scratch, ['logs', 'filter-log-events', '--log-group-name', G, '--filter-pattern', '{ $.level = ']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /An error occurred \(InvalidParameterException\) when calling the FilterLogEvents operation: Invalid filter pattern/);
});

test('aws logs get-log-events pages with its forward and backward tokens; describe-* and errors as AWS', async () => {
  const streams = await awsOk(t, scratch, ['logs', 'describe-log-streams', '--log-group-name', '/aws/lambda/cli-logs', '--order-by', 'LastEventTime', '--descending']);
  const stream = streams.logStreams[0].logStreamName as string;
  const get = (extra: string[]) => awsOk(t, scratch, ['logs', 'get-log-events', '--log-group-name', '/aws/lambda/cli-logs', '--log-stream-name', stream, '--limit', '3', ...extra]);
  const head = await get(['--start-from-head']);
  assert.equal(head.events.length, 3);
  assert.match(head.events[0].message, /^INIT_START /);
  const next = await get(['--next-token', head.nextForwardToken]);
  assert.equal(next.events.length, 3);
  assert.ok(next.events[0].timestamp >= head.events[2].timestamp);
  const back = await get(['--next-token', next.nextBackwardToken]);
  assert.deepEqual(back.events, head.events);

  const groups = await awsOk(t, scratch, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/lambda/cli-']);
  assert.deepEqual(groups.logGroups.map((g: { logGroupName: string }) => g.logGroupName), ['/aws/lambda/cli-logs', '/aws/lambda/cli-logs-json']);
  const put = await aws(t, scratch, ['logs', 'put-retention-policy', '--log-group-name', '/aws/lambda/cli-logs', '--retention-in-days', '14']);
  assert.equal(put.code, 0, put.stderr);
  assert.equal((await awsOk(t, scratch, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/lambda/cli-logs-'])).logGroups[0].retentionInDays, undefined);
  assert.equal((await awsOk(t, scratch, ['logs', 'describe-log-groups', '--log-group-name-prefix', '/aws/lambda/cli-logs'])).logGroups[0].retentionInDays, 14);

  const missing = await aws(t, scratch, ['logs', 'describe-log-streams', '--log-group-name', '/aws/lambda/none']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /An error occurred \(ResourceNotFoundException\) when calling the DescribeLogStreams operation: The specified log group does not exist\./);
});
