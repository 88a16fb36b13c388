// Nothing outlives the server: after SIGKILL and a restart on the same data dir, and after a clean close, no
// process, mount, loop device, cgroup or network namespace of its environments is left on the host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lambdaClient, TEST_ACCOUNTS } from '../helpers/server.js';
import { cgroupParentFor, createProbeFunction, egressSkip, isolationSkip, probe } from './helpers.js';

const skip = isolationSkip();
const egress = !egressSkip();
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sluice-cleanup-'));
const parent = cgroupParentFor(dataDir);

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

async function serve(): Promise<Served> {
  const args = [CLI, 'serve', '--data-dir', dataDir, '--port', '0', '--sandbox', 'isolated', '--sandbox-network', egress ? 'egress' : 'none'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c; });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

interface Leftovers {
  processes: string[];
  cgroups: string[];
  mounts: string[];
  loops: string[];
  netns: string[];
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** What of this data dir's environments is on the host right now (the server process itself excluded). */
function leftovers(serverPid?: number): Leftovers {
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === serverPid) continue;
    const cmdline = read(`/proc/${pid}/cmdline`).split('\0').join(' ');
    if (read(`/proc/${pid}/cgroup`).includes(`/${parent}/`) || cmdline.includes(dataDir)) processes.push(`${pid} ${cmdline}`);
  }
  const cgroups: string[] = [];
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', controller, parent);
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) cgroups.push(join(dir, e.name));
  }
  const mounts = read('/proc/self/mounts').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dataDir));
  const loops = readdirSync('/sys/block').filter((d) => d.startsWith('loop'))
    .map((d) => `${d} ${read(`/sys/block/${d}/loop/backing_file`).trim()}`).filter((l) => l.includes(dataDir));
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`${parent}-`)) : [];
  return { processes, cgroups, mounts, loops, netns };
}

const nothing: Leftovers = { processes: [], cgroups: [], mounts: [], loops: [], netns: [] };

/** Processes die asynchronously after their parent's death (SIGKILL via PDEATHSIG): wait for them, bounded. */
async function settle(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

async function startEnvironments(url: string, first: boolean): Promise<void> {
  const lambda = lambdaClient(url, TEST_ACCOUNTS[0]!);
  try {
    if (first) await createProbeFunction(lambda, 'cleanup-fn');
    // Two concurrent invocations: two environments, each with a child process that outlives its invocation.
    await Promise.all([1, 2].map(() => probe(lambda, 'cleanup-fn', [{ op: 'spawnChild' }, { op: 'fill', path: '/tmp/x', limitMb: 8 }])));
  } finally {
    lambda.destroy();
  }
}

after(() => rmSync(dataDir, { recursive: true, force: true }));

test('SIGKILL of the server, then a restart on the same data dir, leaves nothing behind', { skip }, async () => {
  writeFileSync(join(dataDir, 'credentials.json'), JSON.stringify({ accounts: TEST_ACCOUNTS }), { mode: 0o600 });
  const first = await serve();
  await startEnvironments(first.url, true);
  const running = leftovers(first.child.pid);
  assert.ok(running.cgroups.length >= 2, `environments have cgroups: ${JSON.stringify(running)}`);
  assert.ok(running.processes.length >= 4, 'runtimes and their children are running');
  assert.ok(running.mounts.length >= 2 && running.loops.length >= 2, '/tmp images are mounted on loop devices');
  if (egress) assert.ok(running.netns.length >= 2, 'egress environments have network namespaces');

  first.child.kill('SIGKILL');
  await once(first.child, 'exit');
  await settle(() => leftovers().processes.length === 0);
  const crashed = leftovers();
  assert.deepEqual(crashed.processes, [], 'every sandbox process dies with the server');
  assert.ok(crashed.cgroups.length >= 2 && crashed.mounts.length >= 2, 'the crash left state for the next start to sweep');

  const second = await serve();
  try {
    assert.deepEqual(leftovers(second.child.pid), nothing, 'the restart swept everything');
    assert.match(second.stderr(), /swept leftovers of a previous run/);
  } finally {
    second.child.kill('SIGKILL');
    await once(second.child, 'exit');
  }
});

test('a clean close (SIGTERM) leaves nothing behind, not even the cgroup parents', { skip }, async () => {
  const server = await serve();
  await startEnvironments(server.url, false);
  assert.ok(leftovers(server.child.pid).cgroups.length >= 2);
  server.child.kill('SIGTERM');
  const [code] = await once(server.child, 'exit') as [number | null];
  assert.equal(code, 0, server.stderr());
  assert.deepEqual(leftovers(), nothing);
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    assert.ok(!existsSync(join('/sys/fs/cgroup', controller, parent)), `${controller}/${parent} removed`);
  }
});
