// Attacks from inside a deployed function on the isolated backend: each must fail inside, and a control shows the
// same probe succeeding where it should (on the host, or on the function's own resources).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { invoke } from '../invoke/helpers.js';
import {
  cgroupParentFor, codeDirsWith, createProbeFunction, environmentWithMarker, hostAddresses, hostProbes, isolationSkip, probe,
  type ProbeResult,
} from './helpers.js';

const skip = isolationSkip();
const SANDBOX_UID = 1051;
// Only in the server's environment: must never reach a function.
const HOST_ONLY = `host-only-${randomUUID()}`;

let t: TestServer;
let sluicePort: number;
const victimMarker = `victim-${randomUUID()}`;
let victimEnvDir: string;
let victimCodeDir: string;
let victimInstance: string;

const failedAll = (results: ProbeResult[], what: string[]) => {
  results.forEach((r, i) => assert.equal(r.ok, false, `${what[i]} must fail inside the sandbox: ${JSON.stringify(r)}`));
};

before(async () => {
  if (skip) return;
  process.env.SLUICE_SECURITY_TEST_SECRET = HOST_ONLY;
  process.env.SECURITY_TEST_HOST_ONLY = HOST_ONLY;
  t = await startTestServer({ sandbox: 'isolated' });
  sluicePort = t.sluice.address.port;
  await Promise.all([
    createProbeFunction(t.lambda, 'sec-attacker', { MemorySize: 1024, Environment: { Variables: { CUSTOMER_VAR: 'visible' } } }),
    createProbeFunction(t.lambda, 'sec-victim', {}, { 'victim.txt': `victim code ${victimMarker}` }),
  ]);
  const victim = await probe(t.lambda, 'sec-victim', [{ op: 'whereami' }], victimMarker);
  victimInstance = victim.instance;
  victimEnvDir = environmentWithMarker(t.dataDir, victimMarker)!;
  assert.ok(victimEnvDir, 'the victim environment is found on the host by its /tmp marker');
  victimCodeDir = codeDirsWith(t.dataDir, 'victim.txt')[0]!;
  assert.ok(victimCodeDir, 'the victim code directory is found on the host');
});
after(async () => {
  delete process.env.SLUICE_SECURITY_TEST_SECRET;
  delete process.env.SECURITY_TEST_HOST_ONLY;
  await t?.close();
});

test('cannot read the data dir, another function\'s code or /tmp, /root or /etc/shadow', { skip }, async () => {
  const attacks = [
    { op: 'readdir', path: t.dataDir },
    { op: 'readFile', path: join(t.dataDir, 'credentials.json') },
    { op: 'readFile', path: join(t.dataDir, 'server-secret') },
    { op: 'readFile', path: join(t.dataDir, 'sluice.db') },
    { op: 'readdir', path: victimCodeDir },
    { op: 'readFile', path: join(victimCodeDir, 'victim.txt') },
    { op: 'readFile', path: join(victimEnvDir, 'tmpfs', 'tmp', 'sec-marker') },
    { op: 'readdir', path: '/root' },
    { op: 'readFile', path: '/etc/shadow' },
    { op: 'readdir', path: '/home' },
  ];
  const own = [{ op: 'readFile', path: '/var/task/index.js' }, { op: 'readFile', path: '/tmp/sec-marker' }, { op: 'readdir', path: '/var/task' }];
  const { results } = await probe(t.lambda, 'sec-attacker', [...attacks, ...own], 'attacker-marker');
  failedAll(results.slice(0, attacks.length), attacks.map((a) => `${a.op} ${a.path}`));
  const [code, tmp, task] = results.slice(attacks.length);
  assert.match(code!.text, /exports\.handler/, 'controls: the function reads its own code');
  assert.equal(tmp!.text, 'attacker-marker', 'its /tmp is its own, not the victim\'s');
  assert.ok(!task!.entries.includes('victim.txt'), 'its /var/task is its own code');
  // Controls: the same probes succeed on the host, so the paths are real.
  for (const a of attacks.filter((x) => x.path !== '/home')) {
    const r = await hostProbes.runProbe(a);
    assert.equal(r.ok, true, `host control: ${a.op} ${a.path}`);
  }
  assert.match((await hostProbes.runProbe(attacks[5]!)).text, new RegExp(victimMarker));
});

test('cannot see, signal or ptrace processes outside its sandbox', { skip }, async () => {
  const hostPid = process.pid;
  assert.equal((await hostProbes.runProbe({ op: 'kill', pid: hostPid })).ok, true, 'host control: the pid is alive');
  const { results } = await probe(t.lambda, 'sec-attacker', [
    { op: 'processes' },
    { op: 'kill', pid: hostPid, signal: 'SIGTERM' },
    { op: 'ptrace', pid: hostPid },
    { op: 'kill', pid: 0 },
    { op: 'ptrace', child: true },
  ]);
  const [procs, kill, ptrace, ownKill, ownPtrace] = results as [ProbeResult, ProbeResult, ProbeResult, ProbeResult, ProbeResult];
  const visible = procs.processes as { pid: number; cmdline: string }[];
  assert.ok(visible.length > 0 && visible.length < 20, `only the sandbox's own processes are visible: ${JSON.stringify(visible)}`);
  for (const p of visible) {
    assert.ok(!p.cmdline.includes(t.dataDir) && !p.cmdline.includes('--test'), `a host process is visible: ${p.cmdline}`);
  }
  assert.ok(!visible.some((p) => p.pid === hostPid && p.cmdline.includes('node')), 'the test process is not visible');
  assert.equal(kill.ok, false);
  assert.equal(kill.code, 'ESRCH');
  assert.equal(ptrace.ok, false, JSON.stringify(ptrace));
  assert.equal(ownKill.ok, true, 'control: signalling its own process group works');
  assert.equal(ownPtrace.ok, true, `control: ptrace of its own child works: ${JSON.stringify(ownPtrace)}`);
});

test('no file descriptor of the platform is inherited into the sandbox', { skip }, async () => {
  const { results } = await probe(t.lambda, 'sec-attacker', [{ op: 'fds' }, { op: 'fds', pid: 1 }]);
  for (const r of results) {
    assert.equal(r.ok, true, JSON.stringify(r));
    const fds = r.fds as string[];
    assert.ok(fds.some((f) => f.startsWith('1 -> ')), 'control: the listing shows stdout');
    for (const f of fds) {
      const [num, target] = f.split(' -> ') as [string, string];
      // The runtime opens a few dozen descriptors of its own; the platform's (or its parent's) would be paths or high numbers.
      assert.ok(Number(num) < 64, `an inherited descriptor: ${f}`);
      assert.match(target, /^(socket|pipe|anon_inode):|^\/dev\/|^\/(var\/task|var\/runtime|opt|tmp|usr|proc)\/|^ENOENT$/, `descriptor ${f}`);
      assert.ok(!target.includes(t.dataDir), f);
    }
  }
});

test('kill(-1, SIGKILL) inside one sandbox cannot touch another environment running as the same uid', { skip }, async () => {
  const before = await probe(t.lambda, 'sec-victim', [{ op: 'whereami' }]);
  assert.equal(before.instance, victimInstance, 'the victim environment is still warm');
  const r = await probe(t.lambda, 'sec-attacker', [{ op: 'spawnChild' }, { op: 'kill', pid: -1, signal: 'SIGKILL' }, { op: 'childExit' }]);
  // Control: the signal was delivered to everything the attacker may signal, i.e. its own child.
  assert.equal(r.results[1]!.ok, true, JSON.stringify(r.results[1]));
  assert.equal(r.results[2]!.signal, 'SIGKILL', JSON.stringify(r.results[2]));
  const after = await probe(t.lambda, 'sec-victim', [{ op: 'whereami' }]);
  assert.equal(after.instance, victimInstance, 'the victim\'s runtime survived');
});

test('cannot write /var/task, /opt, /usr, /etc or /; /tmp is writable', { skip }, async () => {
  const paths = ['/var/task/pwned', '/opt/pwned', '/usr/pwned', '/usr/bin/pwned', '/etc/pwned', '/pwned', '/var/runtime/pwned', '/proc/sys/kernel/hostname'];
  const { results } = await probe(t.lambda, 'sec-attacker', [...paths.map((path) => ({ op: 'writeFile', path })), { op: 'writeFile', path: '/tmp/ok' }]);
  failedAll(results.slice(0, paths.length), paths.map((p) => `write ${p}`));
  for (const r of results.slice(0, 4)) assert.ok(['EROFS', 'EACCES', 'EPERM'].includes(r.code!), JSON.stringify(r));
  assert.equal(results.at(-1)!.ok, true, 'control: /tmp is writable');
});

test('no network in none mode: not Sluice\'s port, not the host, not metadata, not another environment\'s Runtime API', { skip }, async () => {
  const hostIps = await hostAddresses();
  const victimSocket = join(victimEnvDir, 'rapi.sock');
  const attacks = [
    { op: 'connect', host: '127.0.0.1', port: sluicePort },
    ...hostIps.map((host) => ({ op: 'connect', host, port: sluicePort })),
    { op: 'connect', host: '169.254.169.254', port: 80 },
    { op: 'connect', host: '198.18.0.1', port: 80 },
    { op: 'connect', socketPath: victimSocket },
  ];
  const controls = [{ op: 'interfaces' }, { op: 'loopback' }, { op: 'connect', socketPath: '/run/rapi.sock' }];
  const { results } = await probe(t.lambda, 'sec-attacker', [...attacks, ...controls]);
  failedAll(results.slice(0, attacks.length), attacks.map((a) => JSON.stringify(a)));
  const [ifaces, loopback, ownApi] = results.slice(attacks.length) as [ProbeResult, ProbeResult, ProbeResult];
  assert.deepEqual(ifaces.names, ['lo'], 'loopback is the only interface');
  assert.equal(loopback.reply, 'hi', 'control: loopback networking works');
  assert.equal(ownApi.ok, true, 'control: its own Runtime API socket is reachable');
  // Controls on the host: the same targets are live.
  assert.equal((await hostProbes.runProbe(attacks[0]!)).ok, true, 'host control: Sluice\'s port');
  assert.equal((await hostProbes.runProbe({ op: 'connect', socketPath: victimSocket })).ok, true, 'host control: the victim\'s Runtime API');
});

test('no root, no capabilities, no nested user namespace; it runs as the sandbox uid on the host', { skip }, async () => {
  const { results } = await probe(t.lambda, 'sec-attacker', [
    { op: 'status' },
    { op: 'setuid', uid: 0 },
    { op: 'exec', command: '/usr/bin/unshare', args: ['--user', '--map-root-user', '/usr/bin/id', '-u'] },
    { op: 'exec', command: '/usr/bin/unshare', args: ['--mount', '/usr/bin/true'] },
    { op: 'processes' },
  ]);
  const [status, setuid, userns, mountns] = results as [ProbeResult, ProbeResult, ProbeResult, ProbeResult];
  assert.deepEqual(status.uid, [SANDBOX_UID, SANDBOX_UID, SANDBOX_UID, SANDBOX_UID]);
  assert.deepEqual(status.gid, [SANDBOX_UID, SANDBOX_UID, SANDBOX_UID, SANDBOX_UID]);
  for (const k of ['capInh', 'capPrm', 'capEff', 'capBnd', 'capAmb']) assert.equal(status[k], '0000000000000000', k);
  assert.equal(status.noNewPrivs, '1');
  assert.equal(status.user, 'sbx_user1051');
  assert.equal(setuid.ok, false);
  assert.ok(['EPERM', 'EINVAL'].includes(setuid.code!), setuid.code);
  assert.equal(userns.ok, false, `nested user namespace: ${JSON.stringify(userns)}`);
  assert.equal(mountns.ok, false, `mount namespace: ${JSON.stringify(mountns)}`);
  // Controls: on the host the same probes show root with capabilities.
  const host = await hostProbes.runProbe({ op: 'status' });
  assert.equal(host.uid[0], 0);
  assert.notEqual(host.capEff, '0000000000000000');
  // Seen from the host, every process of the function's environments runs as the sandbox uid.
  const parent = cgroupParentFor(t.dataDir);
  const root = join('/sys/fs/cgroup', existsSync('/sys/fs/cgroup/pids/cgroup.procs') ? 'pids' : '', parent);
  const pids = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())
    .flatMap((e) => readFileSync(join(root, e.name, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean));
  assert.ok(pids.length > 0);
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const uids = /^Uid:\s*(.*)$/m.exec(text)![1]!.split(/\s+/).map(Number);
    assert.deepEqual(uids, [SANDBOX_UID, SANDBOX_UID, SANDBOX_UID, SANDBOX_UID], `pid ${pid} (${/^Name:\s*(.*)$/m.exec(text)?.[1]})`);
  }
});

test('environment variables hold no platform secret and nothing of the server\'s environment', { skip }, async () => {
  const { results } = await probe(t.lambda, 'sec-attacker', [{ op: 'env' }, { op: 'processes' }]);
  const env = results[0]!.env as Record<string, string>;
  assert.equal(env.CUSTOMER_VAR, 'visible', 'control: the function\'s own variables are there');
  const secrets = [HOST_ONLY, ...TEST_ACCOUNTS.map((a) => a.secretAccessKey), readFileSync(join(t.dataDir, 'server-secret'), 'utf8').trim()];
  for (const [k, v] of Object.entries(env)) {
    assert.ok(!k.startsWith('SLUICE_'), `platform variable ${k}`);
    for (const s of secrets) assert.ok(!v.includes(s), `${k} holds a platform secret`);
  }
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'SECURITY_TEST_HOST_ONLY', 'NODE_EXTRA_CA_CERTS', 'HOME', 'SUDO_USER']) {
    assert.equal(env[k], undefined, k);
  }
  // Nothing of the server's own environment, except values that are Lambda's defaults anyway.
  const same = new Set(['PATH', 'LANG', 'TZ', 'PWD', 'SHLVL', '_']);
  for (const [k, v] of Object.entries(process.env)) {
    if (same.has(k) || v === undefined) continue;
    assert.ok(env[k] !== v, `the server's ${k} leaked into the function`);
  }
  // No process it can see carries a secret in its environment either (e.g. the sandbox's init).
  for (const p of results[1]!.processes as { pid: number; environ: string | null }[]) {
    for (const s of secrets) assert.ok(!(p.environ ?? '').includes(s), `pid ${p.pid} environment holds a platform secret`);
  }
});

test('a fork bomb stops at pids.max; the environment and the host stay usable', { skip }, async () => {
  const { results } = await probe(t.lambda, 'sec-attacker', [{ op: 'forkBomb', max: 50 }, { op: 'forkBomb', max: 5000 }]);
  const [small, bomb] = results as [ProbeResult, ProbeResult];
  assert.equal(small.ok, true, `control: forking 50 children works: ${JSON.stringify(small)}`);
  assert.equal(small.forked, 50);
  assert.equal(bomb.ok, false, JSON.stringify(bomb));
  assert.equal(bomb.code, 'EAGAIN');
  assert.ok(bomb.forked > 100 && bomb.forked < 1024, `stopped at the pids limit (1024 per environment): ${bomb.forked}`);
  // The kernel counted the refusals against the environment's pids cgroup (not a per-user rlimit).
  if (existsSync('/sys/fs/cgroup/pids/cgroup.procs')) {
    const root = join('/sys/fs/cgroup/pids', cgroupParentFor(t.dataDir));
    const events = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())
      .map((e) => Number(/max (\d+)/.exec(readFileSync(join(root, e.name, 'pids.events'), 'utf8'))?.[1] ?? 0));
    assert.ok(events.some((n) => n > 0), `pids.events max: ${events}`);
  }
  const next = await probe(t.lambda, 'sec-attacker', [{ op: 'forkBomb', max: 10 }]);
  assert.equal(next.results[0]!.ok, true, 'the next invocation forks normally');
});

test('memory overrun is Runtime.OutOfMemory and the next invoke succeeds', { skip }, async () => {
  await createProbeFunction(t.lambda, 'sec-oom', { MemorySize: 128 });
  const r = await invoke(t.lambda, 'sec-oom', { probes: [{ op: 'oom', mb: 1024 }] });
  assert.equal(r.out.FunctionError, 'Unhandled', r.text);
  assert.equal(r.body.errorType, 'Runtime.OutOfMemory', r.text);
  const next = await probe(t.lambda, 'sec-oom', [{ op: 'oom', mb: 32 }]);
  assert.equal(next.results[0]!.ok, true, 'control: a smaller allocation in the next invoke succeeds');
});

test('/tmp beyond EphemeralStorage is ENOSPC, and /tmp is not charged to memory', { skip }, async () => {
  await createProbeFunction(t.lambda, 'sec-tmp', { MemorySize: 128, EphemeralStorage: { Size: 512 } });
  const { results } = await probe(t.lambda, 'sec-tmp', [{ op: 'fill', path: '/tmp/small', limitMb: 64 }, { op: 'fill', path: '/tmp/big', limitMb: 700 }]);
  const [small, big] = results as [ProbeResult, ProbeResult];
  assert.equal(small.ok, true, `control: 64 MB fit: ${JSON.stringify(small)}`);
  assert.equal(big.ok, false);
  assert.equal(big.code, 'ENOSPC');
  // A 128 MB function wrote far more than its memory into /tmp without being OOM-killed.
  assert.ok(big.writtenMb >= 400 && big.writtenMb <= 512, `wrote ${big.writtenMb} MB before ENOSPC`);
});
