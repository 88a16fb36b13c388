import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { SignedClient, functionLogs } from '../../src/client/index.js';
import { createFunction, invoke } from './helpers.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let t: TestServer;
before(async () => {
  t = await startTestServer();
  await createFunction(t.lambda, 'inv-logs', 'inv-node', { MemorySize: 160 });
});
after(async () => { await t.close(); });

const client = (account = TEST_ACCOUNTS[0]!) => new SignedClient({
  endpoint: t.url, region: 'us-east-1', accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey,
});

test('each environment writes its own stream in the function log group, with AWS platform lines', async () => {
  const r = await invoke(t.lambda, 'inv-logs', { action: 'log', messages: ['hello from the function'] });
  const id = r.out.$metadata.requestId!;
  const page = await functionLogs(client(), 'inv-logs');
  assert.equal(page.logGroupName, '/aws/lambda/inv-logs');
  const messages = page.events.map((e) => e.message);
  assert.ok(messages.some((m) => m.startsWith('INIT_START Runtime Version: ')));
  assert.ok(messages.includes('init: module loaded') || messages.some((m) => m.includes('init: module loaded')));
  assert.ok(messages.includes(`START RequestId: ${id} Version: $LATEST`));
  assert.ok(messages.some((m) => m.includes(id) && m.includes('hello from the function')));
  assert.ok(messages.includes(`END RequestId: ${id}`));
  assert.ok(messages.some((m) => m.startsWith(`REPORT RequestId: ${id}\tDuration: `) && m.includes('\tMemory Size: 160 MB\t')));
  const streams = new Set(page.events.map((e) => e.logStreamName));
  assert.equal(streams.size, 1);
  assert.match([...streams][0]!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  // Cursor: nothing newer than the last event.
  assert.deepEqual((await functionLogs(client(), 'inv-logs', { after: page.next })).events, []);
  // Another account sees nothing of it.
  assert.deepEqual((await functionLogs(client(TEST_ACCOUNTS[1]), 'inv-logs')).events, []);
});

test('concurrent environments write separate streams', async () => {
  await createFunction(t.lambda, 'inv-logs-2', 'inv-node', { Timeout: 30 });
  await Promise.all([invoke(t.lambda, 'inv-logs-2', { action: 'sleep', ms: 500 }), invoke(t.lambda, 'inv-logs-2', { action: 'sleep', ms: 500 })]);
  const streams = t.sluice.context.logs.streams({ account: '111111111111', region: 'us-east-1' }, '/aws/lambda/inv-logs-2');
  assert.equal(streams.length, 2);
});

test('`sluice logs <function>` prints the logs through the signed API', async () => {
  const r = await invoke(t.lambda, 'inv-logs', { action: 'log', messages: ['printed by the cli test'] });
  const port = new URL(t.url).port;
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'logs', 'inv-logs', '--since', '1h', '--port', port, '--data-dir', t.dataDir], {
    env: { PATH: process.env.PATH ?? '' },
  });
  const lines = stdout.trimEnd().split('\n');
  assert.ok(lines.some((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z \d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32} START RequestId: /.test(l)), stdout);
  assert.ok(lines.some((l) => l.includes('printed by the cli test')), stdout);
  assert.ok(lines.some((l) => l.includes(`END RequestId: ${r.out.$metadata.requestId}`)), stdout);
});

test('`sluice logs --follow` keeps printing new events', async () => {
  const port = new URL(t.url).port;
  const child = spawn(process.execPath, [CLI, 'logs', 'inv-logs', '--follow', '--since', '1h', '--port', port, '--data-dir', t.dataDir], {
    env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const waitFor = (text: string) => new Promise<void>((resolve, reject) => {
    const check = () => { if (out.includes(text)) { child.stdout!.off('data', onData); resolve(); } };
    const onData = (c: Buffer) => { out += c.toString(); check(); };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`sluice logs exited (${code}) before printing ${text}: ${out}`)));
    check();
  });
  try {
    await waitFor('REPORT RequestId: ');
    await invoke(t.lambda, 'inv-logs', { action: 'log', messages: ['followed-marker'] });
    await waitFor('followed-marker');
  } finally {
    child.kill('SIGTERM');
  }
});
