import { test } from 'node:test';
import assert from 'node:assert/strict';
import { billedDurationMs, exitText, initReportLine, initStartLine, reportLine, startLine, endLine, timedOutLine } from './platform-log.js';

test('REPORT lines match AWS: two decimals, billed rounded up, trailing tab, init duration on cold start', () => {
  assert.equal(
    reportLine({ requestId: 'r1', durationMs: 128.8312, memorySizeMb: 128, maxMemoryUsedMb: 74, initDurationMs: 166.6249 }),
    'REPORT RequestId: r1\tDuration: 128.83 ms\tBilled Duration: 129 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\t',
  );
  assert.equal(
    reportLine({ requestId: 'r2', durationMs: 3000.4, memorySizeMb: 256, maxMemoryUsedMb: 60, status: { kind: 'timeout' } }),
    'REPORT RequestId: r2\tDuration: 3000.40 ms\tBilled Duration: 3001 ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB\tStatus: timeout',
  );
  assert.equal(
    reportLine({ requestId: 'r3', durationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 128, status: { kind: 'error', errorType: 'Runtime.OutOfMemory' } }),
    'REPORT RequestId: r3\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory',
  );
});

test('custom runtimes are billed for init on a cold start', () => {
  assert.match(reportLine({ requestId: 'r', durationMs: 10.2, memorySizeMb: 128, maxMemoryUsedMb: 4, initDurationMs: 39.3, billInit: true }), /\tBilled Duration: 50 ms\t.*\tInit Duration: 39\.30 ms\t$/);
});

test('billed duration rounds up to the next millisecond, at least 1', () => {
  assert.equal(billedDurationMs(0.01), 1);
  assert.equal(billedDurationMs(12.001), 13);
  assert.equal(billedDurationMs(12.0), 12);
  assert.equal(billedDurationMs(0), 1);
});

test('other platform lines', () => {
  assert.equal(startLine('id', '$LATEST'), 'START RequestId: id Version: $LATEST');
  assert.equal(endLine('id'), 'END RequestId: id');
  assert.equal(initStartLine('nodejs:22.v1', 'arn:x'), 'INIT_START Runtime Version: nodejs:22.v1\tRuntime Version ARN: arn:x');
  assert.equal(initReportLine({ initDurationMs: 10000, status: { kind: 'timeout' } }), 'INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout');
  assert.equal(timedOutLine(Date.UTC(2025, 0, 2, 3, 4, 5, 6), 'id', 1), '2025-01-02T03:04:05.006Z id Task timed out after 1.00 seconds');
  assert.equal(exitText({ code: 1 }), 'exit status 1');
  assert.equal(exitText({ signal: 'SIGKILL' }), 'signal: killed');
  assert.equal(exitText({ signal: 'SIGABRT' }), 'signal: aborted');
});
