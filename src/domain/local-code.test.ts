import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLocalCodeKey, liveDirectories, localCodeDir, localCodeKey, localPathProblem, normalizeLocalPath } from './local-code.js';

test('local code keys round-trip and are told apart from content hashes', () => {
  const key = localCodeKey('/src/fn');
  assert.equal(isLocalCodeKey(key), true);
  assert.equal(localCodeDir(key), '/src/fn');
  assert.equal(isLocalCodeKey('a'.repeat(64)), false);
  assert.equal(localCodeDir('a'.repeat(64)), undefined);
  assert.deepEqual(liveDirectories(['a'.repeat(64), localCodeKey('/l1'), localCodeKey('/src/fn'), localCodeKey('/l1')]), ['/l1', '/src/fn']);
});

test('hot-reload paths must be absolute and inside an allowed root; an empty list disables them', () => {
  assert.equal(localPathProblem('/home/me/fn', '/'), undefined);
  assert.equal(localPathProblem('/home/me/fn', '/home/me:/srv'), undefined);
  assert.equal(localPathProblem('/srv', '/home/me:/srv'), undefined);
  assert.match(localPathProblem('fn', '/')!, /absolute/);
  assert.match(localPathProblem('/home/mine/fn', '/home/me')!, /outside the directories/);
  assert.match(localPathProblem('/home/me/../other', '/home/me')!, /outside the directories/);
  assert.match(localPathProblem('/x', '')!, /disabled/);
  assert.equal(normalizeLocalPath('/a/b/../c/'), '/a/c');
  assert.equal(normalizeLocalPath('/'), '/');
});
