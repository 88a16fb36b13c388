import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimiter } from './concurrency.js';
import { TooManyRequestsException } from '../errors/index.js';

const scope = { account: '111111111111', region: 'us-east-1' };
const reason = (r: string) => (e: unknown) => e instanceof TooManyRequestsException && e.extra.Reason === r && e.message === 'Rate Exceeded.' && e.headers['Retry-After'] !== undefined;

test('reserved concurrency caps a function; 0 always throttles', () => {
  const l = new ConcurrencyLimiter(10, { reservedTotal: () => 2 });
  assert.throws(() => l.acquire(scope, 'zero', 0), reason('ReservedFunctionConcurrentInvocationLimitExceeded'));
  const a = l.acquire(scope, 'two', 2);
  const b = l.acquire(scope, 'two', 2);
  assert.throws(() => l.acquire(scope, 'two', 2), reason('ReservedFunctionConcurrentInvocationLimitExceeded'));
  a.release();
  a.release(); // idempotent
  const c = l.acquire(scope, 'two', 2);
  b.release(); c.release();
  assert.equal(l.running(scope), 0);
});

test('unreserved functions share the account limit minus reservations', () => {
  const l = new ConcurrencyLimiter(5, { reservedTotal: () => 2 });
  const leases = [l.acquire(scope, 'a', undefined), l.acquire(scope, 'b', undefined), l.acquire(scope, 'a', undefined)];
  assert.throws(() => l.acquire(scope, 'c', undefined), reason('ConcurrentInvocationLimitExceeded'));
  // Another scope has its own limit.
  l.acquire({ account: '222222222222', region: 'us-east-1' }, 'a', undefined).release();
  leases[0]!.release();
  l.acquire(scope, 'c', undefined);
  assert.equal(l.running(scope, 'a'), 1);
});
