import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * A host "outside" the machine for egress tests: a network namespace of our own, joined to the host by a veth
 * pair, with a line echo server. Its addresses are in 198.18.0.0/15 (reserved for benchmarking) and exist only
 * here, so no test traffic ever leaves the machine.
 */
export interface TestHost {
  address: string;
  port: number;
  close(): Promise<void>;
}

const ECHO_SERVER = `
const net = require('net');
const server = net.createServer((c) => {
  c.setEncoding('utf8');
  let buf = '';
  c.on('data', (d) => { buf += d; if (buf.includes('\\n')) c.end('from ' + c.remoteAddress.replace(/^::ffff:/, '') + ': ' + buf.trim() + '\\n'); });
  c.on('error', () => {});
});
server.listen(8080, '0.0.0.0', () => console.log('ready'));
`;

export async function startTestHost(): Promise<TestHost> {
  const n = process.pid % 16384;
  const ns = `sluice-testhost-${process.pid}`;
  const veth = `sltx${process.pid % 100000}`;
  const block = 198 * 2 ** 24 + 18 * 2 ** 16 + n * 4;
  const ip = (x: number) => [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join('.');
  const gateway = ip(block + 1);
  const address = ip(block + 2);
  const run = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  run(['netns', 'add', ns]);
  let server: ChildProcess | undefined;
  const close = async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    try { run(['link', 'del', veth]); } catch { /* gone with the namespace */ }
    try { run(['netns', 'del', ns]); } catch { /* already gone */ }
  };
  try {
    run(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    run(['addr', 'add', `${gateway}/30`, 'dev', veth]);
    run(['link', 'set', veth, 'up']);
    run(['-n', ns, 'link', 'set', 'lo', 'up']);
    run(['-n', ns, 'addr', 'add', `${address}/30`, 'dev', 'eth0']);
    run(['-n', ns, 'link', 'set', 'eth0', 'up']);
    run(['-n', ns, 'route', 'add', 'default', 'via', gateway]);
    server = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', ECHO_SERVER], { env: {}, stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = await once(server.stdout!, 'data') as [Buffer];
    if (!String(chunk).includes('ready')) throw new Error(`test host did not start: ${chunk}`);
  } catch (err) {
    await close();
    throw err;
  }
  return { address, port: 8080, close };
}
