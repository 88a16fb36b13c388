import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionGates } from './function-gates.js';

test('a reserved concurrency caps what is taken; a finished invocation frees its place', () => {
  const g = new FunctionGates((k) => (k === 'capped' ? 2 : undefined), 1);
  assert.equal(g.admit('capped', 0), 'take');
  assert.equal(g.admit('capped', 0), 'take');
  assert.equal(g.admit('capped', 0), 'full');
  assert.equal(g.room('capped', 0, 10), 0);
  g.finished('capped', 'ran', 1);
  assert.equal(g.admit('capped', 1), 'take');
  for (let i = 0; i < 50; i++) assert.equal(g.admit('open', 0), 'take');
  assert.equal(g.total, 52);
});

test('reserved concurrency 0 takes nothing', () => {
  const g = new FunctionGates(() => 0, 1);
  assert.equal(g.admit('zero', 0), 'full');
  assert.equal(g.room('zero', 0, 10), 0);
});

test('a refusal blocks the function with a growing back-off, then one probe at a time until one gets through', () => {
  const g = new FunctionGates(() => undefined, 1);
  assert.equal(g.admit('f', 0), 'take');
  assert.deepEqual(g.finished('f', 'refused', 0), { blockedUntil: 1000 });
  assert.deepEqual(g.admit('f', 500), { blockedUntil: 1000 });
  assert.equal(g.admit('f', 1000), 'take');
  assert.equal(g.admit('f', 1000), 'full', 'probing: one at a time');
  assert.deepEqual(g.finished('f', 'refused', 1000), { blockedUntil: 3000 });
  assert.equal(g.admit('f', 3000), 'take');
  // Events were pushed back while it was blocked: the caller is told to wake them.
  assert.deepEqual(g.finished('f', 'ran', 3100), { wake: true });
  assert.equal(g.admit('f', 3100), 'take');
  assert.equal(g.admit('f', 3100), 'take', 'no longer probing');
});

test('room counts up to what is asked; unreserve gives back what was not taken', () => {
  const g = new FunctionGates((k) => (k === 'capped' ? 5 : undefined), 1);
  assert.equal(g.room('capped', 0, 3), 3);
  assert.equal(g.room('capped', 0, 10), 2);
  g.unreserve('capped', 4);
  assert.equal(g.inflight('capped'), 1);
  assert.equal(g.room('open', 0, 7), 7);
  assert.equal(g.total, 8);
  g.finished('capped', 'refused', 0);
  assert.deepEqual(g.room('capped', 10, 3), { blockedUntil: 1000 });
});

test('reset forgets the back-off and re-reads the cap', () => {
  let cap: number | undefined = 0;
  const g = new FunctionGates(() => cap, 1);
  assert.equal(g.admit('f', 0), 'full');
  cap = 1;
  g.reset('f');
  assert.equal(g.admit('f', 0), 'take');
  g.reset('f');
  assert.equal(g.admit('f', 0), 'full', 'capped at 1 with one in flight');
  assert.deepEqual(g.finished('f', 'refused', 0), { blockedUntil: 1000 });
  assert.deepEqual(g.admit('f', 10), { blockedUntil: 1000 });
  g.reset('f');
  assert.equal(g.admit('f', 10), 'take', 'no longer blocked');
});
