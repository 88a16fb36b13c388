import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, expiryOf, retryDelayMs, throttleDelayMs } from './retry-policy.js';

test('function errors are retried after about one minute, then two', () => {
  assert.equal(retryDelayMs(1, 1), 60_000);
  assert.equal(retryDelayMs(2, 1), 120_000);
  assert.equal(retryDelayMs(3, 1), 120_000);
  assert.equal(retryDelayMs(1, 0.01), 600);
});

test('throttles back off exponentially from one second to five minutes', () => {
  assert.deepEqual([1, 2, 3, 4, 9, 10, 40].map((n) => throttleDelayMs(n, 1)), [1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
  assert.equal(throttleDelayMs(1, 0.001), 1);
});

test('the maximum age is counted from the enqueue time, scaled', () => {
  assert.equal(expiryOf(1000, 60, 1), 61_000);
  assert.equal(expiryOf(1000, 21_600, 0.5), 1000 + 10_800_000);
});

test('after a function error: retry while attempts remain, never past the expiry', () => {
  assert.deepEqual(afterFailure(1, 2, 0, 1e9, 1), { retry: true, at: 60_000 });
  assert.deepEqual(afterFailure(2, 2, 0, 1e9, 1), { retry: true, at: 120_000 });
  assert.deepEqual(afterFailure(3, 2, 0, 1e9, 1), { retry: false, condition: 'RetriesExhausted' });
  assert.deepEqual(afterFailure(1, 0, 0, 1e9, 1), { retry: false, condition: 'RetriesExhausted' });
  // The retry would come after the event's maximum age: it waits only until then (and expires).
  assert.deepEqual(afterFailure(1, 2, 10_000, 30_000, 1), { retry: true, at: 30_000 });
});
