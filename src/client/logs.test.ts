import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSince, formatLogEvent } from './logs.js';

test('--since takes durations and ISO times', () => {
  const now = Date.UTC(2025, 0, 1, 12);
  assert.equal(parseSince('10m', now), now - 600_000);
  assert.equal(parseSince('2h', now), now - 7_200_000);
  assert.equal(parseSince('1d', now), now - 86_400_000);
  assert.equal(parseSince('2025-01-01T00:00:00Z', now), Date.UTC(2025, 0, 1));
  assert.throws(() => parseSince('soon', now), /--since/);
});

test('events print as time, stream, message', () => {
  assert.equal(formatLogEvent({ id: 1, timestamp: 0, logStreamName: 's', message: 'START' }), '1970-01-01T00:00:00.000Z s START');
});
