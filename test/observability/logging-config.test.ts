import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeLogStreamsCommand, FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { logsClient } from './helpers.js';

let t: TestServer;
let logs: CloudWatchLogsClient;
before(async () => {
  t = await startTestServer();
  logs = logsClient(t);
});
after(async () => {
  logs.destroy();
  await t.close();
});

const events = async (group: string, filterPattern?: string) =>
  (await logs.send(new FilterLogEventsCommand({ logGroupName: group, ...(filterPattern ? { filterPattern } : {}) }))).events!.map((e) => e.message!);
const parse = (lines: string[]) => lines.map((l) => { try { return JSON.parse(l) as Record<string, any>; } catch { return { text: l }; } });

test('LogFormat JSON: platform events as JSON, application levels filtered, a custom log group', async () => {
  await createFunction(t.lambda, 'obs-json', 'obs-node', {
    LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'INFO', LogGroup: '/custom/obs-json' },
  });
  const r = await invoke(t.lambda, 'obs-json', { action: 'levels' }, { LogType: 'Tail' });
  const id = r.out.$metadata.requestId!;
  const lines = await events('/custom/obs-json');
  const records = parse(lines);

  // Platform events: INFO ones only (initStart, start, report); runtimeDone is DEBUG; no text lines.
  const types = records.filter((x) => typeof x.type === 'string').map((x) => x.type);
  assert.deepEqual(types, ['platform.initStart', 'platform.start', 'platform.report']);
  assert.ok(!lines.some((l) => /^(START|END|REPORT|INIT_START) /.test(l)));
  const start = records.find((x) => x.type === 'platform.start')!;
  assert.deepEqual(start.record, { requestId: id, version: '$LATEST' });
  assert.match(start.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const report = records.find((x) => x.type === 'platform.report')!;
  assert.equal(report.record.requestId, id);
  assert.equal(report.record.status, 'success');
  assert.equal(report.record.metrics.memorySizeMB, 128);
  assert.equal(typeof report.record.metrics.durationMs, 'number');
  assert.equal(report.record.metrics.billedDurationMs, Math.ceil(report.record.metrics.durationMs));
  assert.equal(typeof report.record.metrics.initDurationMs, 'number');
  const init = records.find((x) => x.type === 'platform.initStart')!;
  assert.equal(init.record.initializationType, 'on-demand');
  assert.equal(init.record.functionName, 'obs-json');

  // Application lines: WARN and above pass, whether from console.* or written raw; lines without a level are INFO.
  const app = records.filter((x) => x.type === undefined);
  const texts = app.map((x) => x.message ?? x.text);
  assert.deepEqual(texts.sort(), ['error-line', 'raw-error', 'warn-line'].sort());
  const warn = app.find((x) => x.message === 'warn-line')!;
  assert.equal(warn.level, 'WARN');
  assert.equal(warn.requestId, id);

  // JSON filter patterns work on them; the default group was never written.
  assert.deepEqual(parse(await events('/custom/obs-json', '{ $.level = "ERROR" }')).map((x) => x.message).sort(), ['error-line', 'raw-error']);
  assert.equal(parse(await events('/custom/obs-json', '{ $.type = "platform.report" && $.record.status = "success" }')).length, 1);
  await assert.rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/obs-json' })), { name: 'ResourceNotFoundException' });

  // The invoke's log tail is the same JSON.
  assert.ok(r.log.split('\n').some((l) => l.startsWith('{"time":') && l.includes('"type":"platform.report"')), r.log);
});

test('SystemLogLevel WARN drops platform events, DEBUG adds runtimeDone; ApplicationLogLevel DEBUG keeps debug lines', async () => {
  await createFunction(t.lambda, 'obs-json-warn', 'obs-node', {
    LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'WARN' },
  });
  await invoke(t.lambda, 'obs-json-warn', { action: 'levels' });
  const quiet = parse(await events('/aws/lambda/obs-json-warn'));
  assert.deepEqual(quiet.filter((x) => x.type !== undefined), []);
  assert.deepEqual(quiet.map((x) => x.message ?? x.text).sort(), ['debug-line', 'error-line', 'info-line', 'plain-line', 'raw-debug', 'raw-error', 'warn-line'].sort());

  await createFunction(t.lambda, 'obs-json-debug', 'obs-node', { LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'DEBUG' } });
  const r = await invoke(t.lambda, 'obs-json-debug', { action: 'throw', message: 'kaput' });
  const loud = parse(await events('/aws/lambda/obs-json-debug'));
  const done = loud.find((x) => x.type === 'platform.runtimeDone')!;
  assert.equal(done.record.requestId, r.out.$metadata.requestId);
  assert.equal(done.record.status, 'error');
  assert.equal(done.record.errorType, 'Error');
  assert.equal(typeof done.record.metrics.durationMs, 'number');
});

test('LogFormat Text (the default) writes every line and the platform lines as text', async () => {
  await createFunction(t.lambda, 'obs-text', 'obs-node');
  const r = await invoke(t.lambda, 'obs-text', { action: 'levels' });
  const id = r.out.$metadata.requestId!;
  const lines = await events('/aws/lambda/obs-text');
  assert.ok(lines.includes(`START RequestId: ${id} Version: $LATEST`));
  assert.ok(lines.includes(`END RequestId: ${id}`));
  for (const m of ['debug-line', 'info-line', 'warn-line', 'error-line', 'plain-line']) assert.ok(lines.some((l) => l.endsWith(m)), m);
});
