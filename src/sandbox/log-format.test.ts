import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogFormatter } from './log-format.js';
import { endEvent, reportEvent, startEvent } from './platform-events.js';

const T = Date.UTC(2025, 0, 2, 3, 4, 5, 6);

test('Text: platform lines as text, every application line', () => {
  const f = new LogFormatter({ logFormat: 'Text' });
  assert.equal(f.platform(startEvent('r1', '$LATEST'), T), 'START RequestId: r1 Version: $LATEST');
  assert.equal(f.platform('a plain platform message', T), 'a plain platform message');
  assert.ok(f.keep('{"level":"DEBUG"}'));
});

test('JSON: platform events as {time,type,record}, filtered by the system level', () => {
  const info = new LogFormatter({ logFormat: 'JSON', systemLogLevel: 'INFO' });
  assert.equal(info.platform(startEvent('r1', '3'), T), '{"time":"2025-01-02T03:04:05.006Z","type":"platform.start","record":{"requestId":"r1","version":"3"}}');
  assert.equal(info.platform(endEvent('r1', undefined, 1.234), T), undefined);
  const report = JSON.parse(info.platform(reportEvent({
    requestId: 'r1', durationMs: 10.456, memorySizeMb: 128, maxMemoryUsedMb: 40, initDurationMs: 99.999, status: { kind: 'timeout' },
    trace: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  }), T)!);
  assert.deepEqual(report.record, {
    requestId: 'r1', metrics: { durationMs: 10.46, billedDurationMs: 11, memorySizeMB: 128, maxMemoryUsedMB: 40, initDurationMs: 100 }, status: 'timeout',
    tracing: { type: 'X-Amzn-Trace-Id', value: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' },
  });
  const debug = new LogFormatter({ logFormat: 'JSON', systemLogLevel: 'DEBUG' });
  assert.deepEqual(JSON.parse(debug.platform(endEvent('r1', { kind: 'error', errorType: 'Runtime.ExitError' }, 5), T)!).record,
    { requestId: 'r1', status: 'error', errorType: 'Runtime.ExitError', metrics: { durationMs: 5 } });
  const warn = new LogFormatter({ logFormat: 'JSON', systemLogLevel: 'WARN' });
  assert.equal(warn.platform(startEvent('r1', '3'), T), undefined);
});

test('JSON: application lines pass on their level (Python names too); lines without one are INFO', () => {
  const f = new LogFormatter({ logFormat: 'JSON', applicationLogLevel: 'WARN' });
  const cases: [string, boolean][] = [
    ['{"level":"ERROR","message":"x"}', true], ['{"level":"WARN"}', true], ['{"level":"WARNING"}', true], ['{"level":"CRITICAL"}', true],
    ['{"level":"INFO"}', false], ['{"level":"debug"}', false], ['{"message":"no level"}', false], ['plain text', false], ['{not json', false],
    ['{"level":"FATAL"}', true],
  ];
  for (const [line, kept] of cases) assert.equal(f.keep(line), kept, line);
  assert.ok(new LogFormatter({ logFormat: 'JSON', applicationLogLevel: 'INFO' }).keep('plain text'));
});
