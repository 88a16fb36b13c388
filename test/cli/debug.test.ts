import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cliEnv, makeProject, runCli, startCli, type RunningCli } from './helpers.js';

let t: TestServer;
let env: Record<string, string>;
let cli: RunningCli | undefined;
after(async () => {
  await cli?.stop();
  await t?.close();
});

/** Opens a DevTools-protocol WebSocket to the inspector behind the relay (what an IDE does to attach). */
async function attachDebugger(port: number): Promise<Socket> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const path = new URL(list[0]!.webSocketDebuggerUrl).pathname;
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('data', (d: Buffer) => (d.toString().startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(d.toString()))));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  });
  return socket;
}

// The isolated backend (its own network namespace: the relay goes through a socket bound into the sandbox) where
// the host can run it, and the process backend.
for (const sandbox of ['auto', 'process'] as const) test(`--debug (${sandbox} backend) starts Node.js with the inspector on a host port; while a debugger is attached the timeout is suspended`, async () => {
  await cli?.stop();
  await t?.close();
  t = await startTestServer({ sandbox });
  env = cliEnv(t);
  const dir = makeProject({
    'index.mjs': `export const handler = async (event) => {
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  return 'done';
};
`,
  });
  cli = startCli(['deploy', dir, '--name', 'dbg', '--timeout', '1', '--watch', '--debug', '--debug-port', '0'], env);
  const [, port] = await cli.waitFor(/Debugger for dbg: attach to 127\.0\.0\.1:(\d+)/);
  await cli.waitFor(/^Watching /m);
  const warm = await runCli(['invoke', 'dbg'], env);
  assert.equal(warm.code, 0, warm.stderr);
  assert.match(warm.stderr, /SLUICE DEBUG: Node\.js inspector for dbg on 127\.0\.0\.1:\d+/);

  const session = t.sluice.debugSessions.get({ account: t.account.accountId, region: 'us-east-1' }, 'dbg')!;
  const socket = await attachDebugger(Number(port));
  assert.equal(session.attached, true);
  const slow = await runCli(['invoke', 'dbg', '--payload', '{"sleep":1500}'], env);
  assert.equal(slow.code, 0, slow.stderr);
  assert.equal(slow.stdout.trim(), '"done"');
  assert.match(slow.stderr, /SLUICE DEBUG: debugger attached, timeout suspended \(1\.00 s left\)/);

  const detached = new Promise<void>((resolve) => { const off = session.onAttachChange((a) => { if (!a) { off(); resolve(); } }); });
  socket.destroy();
  await detached;
  const timedOut = await runCli(['invoke', 'dbg', '--payload', '{"sleep":1500}'], env);
  assert.equal(timedOut.code, 1);
  assert.match(timedOut.stderr, /sluice: dbg failed \(Unhandled\): Sandbox\.Timedout: .*Task timed out after 1\.00 seconds/);

  assert.equal(await cli.stop(), 0);
  assert.equal(t.sluice.debugSessions.get({ account: t.account.accountId, region: 'us-east-1' }, 'dbg'), undefined, 'Ctrl-C ends the session');
});
