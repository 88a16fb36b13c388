import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsViaFd, bwrapArgs, passwdFor } from './bwrap-args.js';

const base = {
  uid: 1051, gid: 1051, taskDir: '/d/code/abc', optDir: '/d/opt/x', runtimeDir: '/r', passwdFile: '/s/passwd', groupFile: '/s/group',
  tmpSizeBytes: 512 << 20, runtimeApiSocket: '/s/e1/rapi.sock', env: { A: '1' }, argv: ['/usr/bin/node', '/var/runtime/x.mjs'],
};

test('drops to the sandbox uid with no capabilities and new namespaces', () => {
  const { command, args } = bwrapArgs(base, () => true);
  assert.equal(command, 'setpriv');
  assert.deepEqual(args.slice(0, 6), ['--reuid=1051', '--regid=1051', '--clear-groups', '--inh-caps=-all', '--no-new-privs', 'bwrap']);
  for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent', '--clearenv']) {
    assert.ok(args.includes(flag), flag);
  }
  assert.deepEqual(args.slice(-4), ['ALL', '--', '/usr/bin/node', '/var/runtime/x.mjs']);
  assert.equal(args[args.indexOf('--cap-drop') + 1], 'ALL');
});

test('binds code, layers and runtime read-only before the root is remounted read-only', () => {
  const { args } = bwrapArgs(base, () => true);
  const ro = (from: string, to: string) => args.findIndex((a, i) => a === '--ro-bind' && args[i + 1] === from && args[i + 2] === to);
  const remount = args.indexOf('--remount-ro');
  for (const [from, to] of [['/d/code/abc', '/var/task'], ['/d/opt/x', '/opt'], ['/r', '/var/runtime'], ['/s/e1/rapi.sock', '/run/rapi.sock'], ['/s/passwd', '/etc/passwd']]) {
    const i = ro(from!, to!);
    assert.ok(i > 0 && i < remount, `${from} -> ${to}`);
  }
  assert.ok(!args.includes('/root') && !args.includes('/home'));
});

test('a tmp volume is bound writable; otherwise /tmp is a sized tmpfs', () => {
  const withVolume = bwrapArgs({ ...base, tmpDir: '/s/e1/tmp' }, () => true).args;
  const i = withVolume.indexOf('--bind');
  assert.deepEqual(withVolume.slice(i, i + 3), ['--bind', '/s/e1/tmp', '/tmp']);
  const tmpfs = bwrapArgs(base, () => true).args;
  assert.equal(tmpfs[tmpfs.indexOf('--size') + 1], String(512 << 20));
});

test('environment is set from scratch and an egress netns keeps the network', () => {
  const { args } = bwrapArgs({ ...base, netnsPath: '/run/netns/x' }, () => false);
  assert.ok(!args.includes('--unshare-net'));
  const i = args.indexOf('--setenv');
  assert.deepEqual(args.slice(i, i + 3), ['--setenv', 'A', '1']);
  assert.ok(!args.includes('/etc/ssl'), 'only existing /etc files are bound');
});

test('the sandbox user has a passwd entry', () => {
  const { passwd, group } = passwdFor(1051, 1052);
  assert.match(passwd, /^sbx_user1051:x:1051:1052:/m);
  assert.match(group, /^sbx_user1051:x:1052:/m);
});

test('nested user namespaces are forbidden unless bubblewrap is too old to forbid them', () => {
  assert.ok(bwrapArgs(base, () => true).args.includes('--disable-userns'));
  assert.ok(!bwrapArgs({ ...base, nestedUserns: true }, () => true).args.includes('--disable-userns'));
});

test('bwrap options go through fd 3, so host paths stay off the sandbox init\'s command line', () => {
  const full = bwrapArgs(base, () => true).args;
  const { args, data } = argsViaFd(full);
  assert.deepEqual(args, ['--reuid=1051', '--regid=1051', '--clear-groups', '--inh-caps=-all', '--no-new-privs', 'bwrap', '--args', '3', '--', '/usr/bin/node', '/var/runtime/x.mjs']);
  const passed = data.toString().split('\0');
  assert.equal(passed.pop(), '', 'NUL-terminated');
  assert.deepEqual(passed, full.slice(full.indexOf('bwrap') + 1, full.indexOf('--')));
  assert.ok(passed.includes('/d/code/abc') && !args.includes('/d/code/abc'));
});
