import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireInvocable } from './target.js';
import { ResourceConflictException } from '../errors/index.js';
import type { FunctionVersion } from '../domain/function-model.js';

const version = (state: FunctionVersion['state'], lastUpdateStatus: FunctionVersion['lastUpdateStatus'] = 'Successful') =>
  ({ state, lastUpdateStatus } as FunctionVersion);

test('only Active versions are invocable (also while an update is in progress); Pending and Failed are 409', () => {
  requireInvocable(version('Active'));
  requireInvocable(version('Active', 'InProgress'));
  assert.throws(() => requireInvocable(version('Pending', 'InProgress')), (e: unknown) =>
    e instanceof ResourceConflictException && e.status === 409 &&
    e.message === 'The operation cannot be performed at this time. The function is currently in the following state: Pending');
  assert.throws(() => requireInvocable(version('Failed', 'Failed')), ResourceConflictException);
});
