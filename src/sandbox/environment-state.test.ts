import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transition, InvalidEnvironmentTransition } from './environment-state.js';

test('an environment goes starting → ready ⇄ busy and ends discarded', () => {
  assert.equal(transition('starting', 'init-succeeded'), 'ready');
  assert.equal(transition('ready', 'invoke-started'), 'busy');
  assert.equal(transition('busy', 'invoke-finished'), 'ready');
  assert.equal(transition('busy', 'invoke-failed'), 'discarded');
  assert.equal(transition('starting', 'init-failed'), 'discarded');
  for (const s of ['starting', 'ready', 'busy', 'discarded'] as const) assert.equal(transition(s, 'discard'), 'discarded');
});

test('one invocation at a time, and nothing after discarded', () => {
  assert.throws(() => transition('busy', 'invoke-started'), InvalidEnvironmentTransition);
  assert.throws(() => transition('starting', 'invoke-started'), InvalidEnvironmentTransition);
  assert.throws(() => transition('discarded', 'init-succeeded'), InvalidEnvironmentTransition);
  assert.throws(() => transition('ready', 'invoke-finished'), InvalidEnvironmentTransition);
});
