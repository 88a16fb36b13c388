import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliEnv, makeProject, reloads, runCli, startCli, writeFiles, type RunningCli } from './helpers.js';

let t: TestServer;
let env: Record<string, string>;
const running: RunningCli[] = [];
before(async () => {
  t = await startTestServer();
  env = cliEnv(t);
});
after(async () => {
  for (const r of running) await r.stop();
  await t.close();
});

/** `sluice deploy <dir> --watch ...`, resolved once it is watching. */
async function watch(dir: string, ...args: string[]): Promise<RunningCli> {
  const cli = startCli(['deploy', dir, '--watch', ...args], env);
  running.push(cli);
  await cli.waitFor(/^Watching .+ serves it live/m);
  return cli;
}

async function invoke(name: string, payload = '{}'): Promise<{ code: number | null; body: any; stderr: string }> {
  const r = await runCli(['invoke', name, '--payload', payload, '--quiet'], env);
  let body: unknown;
  try {
    body = JSON.parse(r.stdout);
  } catch {
    body = r.stdout;
  }
  return { code: r.code, body, stderr: r.stderr };
}

const nodeHandler = (version: string) => `const id = Math.random().toString(36).slice(2);
export const handler = async () => ({ version: '${version}', environment: id });
`;

test('deploy --watch serves the folder live: after a saved change the next invoke runs the new code', async () => {
  const dir = makeProject({ 'index.mjs': nodeHandler('v1') });
  const events = reloads(t);
  const cli = await watch(dir, '--name', 'live');
  const first = await invoke('live');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.body.version, 'v1');
  assert.equal((await invoke('live')).body.environment, first.body.environment, 'warm: the same environment');

  writeFileSync(join(dir, 'index.mjs'), nodeHandler('v2'));
  const reload = await events.next();
  assert.deepEqual({ dir: reload.dir, changed: reload.changed, retired: reload.retired, functions: reload.functions },
    { dir, changed: ['index.mjs'], retired: 1, functions: ['live'] });
  const second = await invoke('live');
  assert.equal(second.body.version, 'v2');
  assert.notEqual(second.body.environment, first.body.environment, 'a fresh runtime: no stale module cache');

  // The watching CLI prints the function's log, reloads included.
  await cli.waitFor(/SLUICE HOT RELOAD: 1 change\(s\) in .+ \(index\.mjs\); 1 environment\(s\) retired/);
  assert.equal(await cli.stop(), 0);
  assert.match(cli.output(), /Stopped watching\. live keeps serving/);
  const ls = await runCli(['ls'], env);
  assert.match(ls.stdout, /^live\s+nodejs22\.x\s+128 MB\s+3 s\s+Active\s+hot reload/m);
  events.stop();
});

test('a burst of saves is one reload', async () => {
  const dir = makeProject({ 'index.mjs': nodeHandler('v0'), 'lib/a.js': 'a', 'lib/b.js': 'b' });
  await watch(dir, '--name', 'burst');
  assert.equal((await invoke('burst')).body.version, 'v0');
  const events = reloads(t);
  for (let i = 1; i <= 10; i++) {
    writeFileSync(join(dir, 'index.mjs'), nodeHandler(`v${i}`));
    writeFileSync(join(dir, 'lib', i % 2 ? 'a.js' : 'b.js'), String(i));
  }
  const reload = await events.next();
  assert.deepEqual(reload.changed, ['index.mjs', 'lib/a.js', 'lib/b.js']);
  const a = await invoke('burst');
  const b = await invoke('burst');
  assert.equal(a.body.version, 'v10');
  assert.equal(b.body.environment, a.body.environment, 'no second reload retired the new environment');
  assert.equal(events.all.length, 1);
  events.stop();
});

test('an invocation in flight finishes on the code it started with; the next one runs the new code', async () => {
  // v1 waits until a file named `release` appears beside it (the folder is its /var/task, live).
  const waiting = `import { existsSync } from 'node:fs';
export const handler = async () => {
  while (!existsSync(process.env.LAMBDA_TASK_ROOT + '/release')) await new Promise((r) => setTimeout(r, 10));
  return { version: 'v1' };
};
`;
  const dir = makeProject({ 'index.mjs': waiting });
  await watch(dir, '--name', 'inflight', '--timeout', '30');
  const events = reloads(t);
  const pending = invoke('inflight');
  const scope = { account: t.account.accountId, region: 'us-east-1' };
  await new Promise<void>((resolve) => {
    const check = () => (t.sluice.environments.counts(scope, 'inflight').busy === 1 ? resolve() : setTimeout(check, 10));
    check();
  });
  writeFileSync(join(dir, 'index.mjs'), `export const handler = async () => ({ version: 'v2' });\n`);
  const reload = await events.next();
  assert.equal(reload.retired, 1, 'the busy environment is marked for retirement');
  writeFileSync(join(dir, 'release'), '');
  const old = await pending;
  assert.equal(old.code, 0, old.stderr);
  assert.deepEqual(old.body, { version: 'v1' });
  assert.deepEqual((await invoke('inflight')).body, { version: 'v2' });
  events.stop();
});

test('Python functions reload', async () => {
  const py = (v: string) => `import random\nID = random.random()\n\ndef handler(event, context):\n    return {"version": "${v}", "environment": ID}\n`;
  const dir = makeProject({ 'app.py': py('v1') });
  await watch(dir, '--name', 'pylive', '--runtime', 'python3.11', '--handler', 'app.handler');
  const first = await invoke('pylive');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.body.version, 'v1');
  const events = reloads(t);
  writeFileSync(join(dir, 'app.py'), py('v2')); // same size, same second: no stale bytecode may be used
  await events.next();
  const second = await invoke('pylive');
  assert.equal(second.body.version, 'v2');
  assert.notEqual(second.body.environment, first.body.environment);
  events.stop();
});

test('custom runtimes reload (a new bootstrap process on the new files)', async () => {
  const bootstrap = (v: string) => `#!/bin/bash
set -euo pipefail
while true; do
  HEADERS="$(mktemp)"
  curl -sS -LD "$HEADERS" -o /dev/null "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next"
  ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -o /dev/null "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$ID/response" -d '{"version":"${v}"}'
done
`;
  const dir = makeProject({ bootstrap: bootstrap('v1') }, { bootstrap: 0o755 });
  await watch(dir, '--name', 'customlive', '--runtime', 'provided.al2023', '--handler', 'x');
  const first = await invoke('customlive');
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.body, { version: 'v1' });
  const events = reloads(t);
  writeFiles(dir, { bootstrap: bootstrap('v2') }, { bootstrap: 0o755 });
  await events.next();
  const second = await invoke('customlive');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.body, { version: 'v2' });
  events.stop();
});

test('layer directories reload too (hot-reload layer content)', async () => {
  const layerDir = makeProject({ 'nodejs/node_modules/greeting/index.js': `module.exports = 'hello';\n` });
  const layer = await t.lambda.send(new PublishLayerVersionCommand({
    LayerName: 'live-layer', Content: { S3Bucket: 'hot-reload', S3Key: layerDir }, CompatibleRuntimes: ['nodejs22.x'],
  }));
  assert.equal(layer.Content?.CodeSha256, 'hot-reloading-hash-not-available');
  // CommonJS: Node resolves bare names from layers (/opt/nodejs/node_modules) through NODE_PATH, as on AWS.
  const dir = makeProject({ 'index.js': `const greeting = require('greeting');\nexports.handler = async () => ({ greeting });\n` });
  await watch(dir, '--name', 'layered', '--layer', layer.LayerVersionArn!);
  const first = await invoke('layered');
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.body, { greeting: 'hello' });
  const events = reloads(t);
  writeFileSync(join(layerDir, 'nodejs/node_modules/greeting/index.js'), `module.exports = 'bonjour';\n`);
  const reload = await events.next();
  assert.equal(reload.dir, layerDir);
  assert.deepEqual((await invoke('layered')).body, { greeting: 'bonjour' });
  events.stop();
});

test('with the isolated backend, a folder the sandbox user cannot reach is refused in one line that says what to do', async (ctx) => {
  if (!t.sluice.context.sandboxIsolated) return ctx.skip('the process backend runs functions as this user');
  const dir = makeProject({ 'index.mjs': nodeHandler('v1') });
  chmodSync(dir, 0o700);
  const r = await runCli(['deploy', dir, '--watch', '--name', 'unreachable'], env);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `sluice: InvalidParameterValueException: Cannot serve hot-reload code: functions run as an unprivileged user in their sandbox, and it cannot reach ${dir} because ${dir} is not searchable by others (chmod o+x ${dir}, or move the code).\n`);
});

test('the process backend serves the folder as the working directory, and reloads it too', async () => {
  const p = await startTestServer({ sandbox: 'process' });
  try {
    const penv = cliEnv(p);
    const dir = makeProject({ 'index.mjs': `export const handler = async () => ({ cwd: process.cwd(), version: 'v1' });\n` });
    const cli = startCli(['deploy', dir, '--watch', '--name', 'proc'], penv);
    running.push(cli);
    await cli.waitFor(/^Watching /m);
    const first = await runCli(['invoke', 'proc', '--quiet'], penv);
    assert.deepEqual(JSON.parse(first.stdout), { cwd: dir, version: 'v1' });
    const events = reloads(p);
    writeFileSync(join(dir, 'index.mjs'), `export const handler = async () => ({ cwd: process.cwd(), version: 'v2' });\n`);
    await events.next();
    assert.deepEqual(JSON.parse((await runCli(['invoke', 'proc', '--quiet'], penv)).stdout), { cwd: dir, version: 'v2' });
    events.stop();
    await cli.stop();
  } finally {
    await p.close();
  }
});
