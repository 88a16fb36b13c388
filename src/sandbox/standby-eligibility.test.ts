import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAtStartup, standbyIneligible, standbyKey } from './standby-eligibility.js';

const plan = (over: Partial<{ command: string; args: string[]; env: Record<string, string> }> = {}) => ({
  command: '/usr/bin/node', args: ['--max-old-space-size=252', '/var/runtime/nodejs/bootstrap.mjs'],
  env: { PATH: '/usr/bin', LD_LIBRARY_PATH: '/lib64', NODE_PATH: '/opt/nodejs/node_modules', LANG: 'en_US.UTF-8' }, ...over,
});

test('functions whose variables only the application reads can use a pre-started environment', () => {
  assert.equal(standbyIneligible('nodejs22.x', { GREETING: 'hi', NODE_ENV: 'production', PATH: '/custom:/usr/bin', TABLE: 't' }, plan()), undefined);
});

test('custom runtimes and variables read at startup need a fresh start', () => {
  assert.equal(standbyIneligible('provided.al2023', {}, plan()), 'custom runtime');
  assert.equal(standbyIneligible('nodejs22.x', { NODE_OPTIONS: '--enable-source-maps' }, plan()), 'sets NODE_OPTIONS');
  assert.equal(standbyIneligible('nodejs22.x', { NODE_PATH: '/x' }, plan()), 'overrides NODE_PATH');
  assert.equal(standbyIneligible('nodejs22.x', { LD_LIBRARY_PATH: '/x' }, plan()), 'overrides LD_LIBRARY_PATH');
  assert.equal(standbyIneligible('python3.12', { PYTHONHASHSEED: '0' }, plan({ env: {} })), 'sets PYTHONHASHSEED');
  for (const name of ['LANG', 'LC_ALL', 'LD_PRELOAD', 'UV_THREADPOOL_SIZE', 'NODE_EXTRA_CA_CERTS', 'MALLOC_ARENA_MAX', 'OPENSSL_CONF', 'AWS_LAMBDA_EXEC_WRAPPER']) {
    assert.equal(readAtStartup(name), true, name);
  }
  for (const name of ['NODE_ENV', 'TABLE_NAME', 'AWS_NODEJS_CONNECTION_REUSE_ENABLED', 'PATH']) assert.equal(readAtStartup(name), false, name);
});

test('pre-started environments are interchangeable exactly when launch and /tmp size match', () => {
  const base = standbyKey('nodejs22.x', plan(), 512);
  assert.equal(standbyKey('nodejs22.x', plan({ env: { LANG: 'en_US.UTF-8', NODE_PATH: '/opt/nodejs/node_modules', LD_LIBRARY_PATH: '/lib64', PATH: '/usr/bin' } }), 512), base);
  assert.notEqual(standbyKey('nodejs22.x', plan({ args: ['--max-old-space-size=1008', '/var/runtime/nodejs/bootstrap.mjs'] }), 512), base);
  assert.notEqual(standbyKey('nodejs22.x', plan(), 1024), base);
  assert.notEqual(standbyKey('nodejs20.x', plan(), 512), base);
});
