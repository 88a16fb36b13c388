import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentVariables, logStreamName } from './environment-variables.js';
import type { EnvironmentSpec } from './environment-spec.js';

const spec: EnvironmentSpec = {
  scope: { account: '111111111111', region: 'eu-west-1' }, functionName: 'f', version: '3', runtime: 'nodejs22.x', handler: 'index.handler',
  memorySizeMb: 256, timeoutSeconds: 3, ephemeralStorageMb: 512, environment: { A: '1', PATH: '/custom', AWS_REGION: 'nope' },
  logGroup: '/aws/lambda/f', logFormat: 'JSON', applicationLogLevel: 'DEBUG', codeKey: 'k', layerCodeKeys: [], fingerprint: 'x',
};
const paths = { taskRoot: '/var/task', optRoot: '/opt', runtimeRoot: '/var/runtime', tmpDir: '/tmp' };

test('log stream names are YYYY/MM/DD/[version]<32 hex> in UTC', () => {
  assert.equal(logStreamName(Date.UTC(2025, 11, 28, 23, 59), '$LATEST', 'b33e12be6c054d53918d3142fbea7cef'), '2025/12/28/[$LATEST]b33e12be6c054d53918d3142fbea7cef');
  assert.match(logStreamName(Date.now(), '7'), /^\d{4}\/\d\d\/\d\d\/\[7\][0-9a-f]{32}$/);
});

test('reserved variables carry AWS values and win over the customer; customers may override PATH', () => {
  const env = environmentVariables({
    spec, paths, runtimeApi: '127.0.0.1:9001', logStreamName: 's', initializationType: 'on-demand', runtimeEnv: { PATH: '/rt/bin', NODE_PATH: '/opt/nodejs/node_modules' },
  });
  assert.equal(env._HANDLER, 'index.handler');
  assert.equal(env.AWS_REGION, 'eu-west-1');
  assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1');
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '3');
  assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
  assert.equal(env.AWS_LAMBDA_LOG_FORMAT, 'JSON');
  assert.equal(env.AWS_LAMBDA_LOG_LEVEL, 'DEBUG');
  assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs22.x');
  assert.equal(env.TZ, ':UTC');
  assert.equal(env.A, '1');
  assert.equal(env.PATH, '/custom');
  assert.equal(env.NODE_PATH, '/opt/nodejs/node_modules');
  assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
});
