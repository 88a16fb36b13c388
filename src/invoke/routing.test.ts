import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickVersion } from './routing.js';

test('picks the additional version with its weight, else the primary', () => {
  assert.equal(pickVersion('1', undefined, () => 0), '1');
  assert.equal(pickVersion('1', { '2': 0.3 }, () => 0.29), '2');
  assert.equal(pickVersion('1', { '2': 0.3 }, () => 0.3), '1');
  assert.equal(pickVersion('1', { '2': 0 }, () => 0), '1');
  assert.equal(pickVersion('1', { '2': 1 }, () => 0.999), '2');
});
