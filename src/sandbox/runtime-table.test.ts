import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RuntimeTable, type RuntimeLaunch, type RuntimePaths } from './runtime-table.js';

const PATHS: RuntimePaths = { taskRoot: '/t/task', optRoot: '/t/opt', runtimeRoot: '/repo/runtimes' };
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rt-table-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function ok(r: ReturnType<RuntimeTable['launch']>): RuntimeLaunch {
  if ('error' in r) throw new Error(`${r.error}: ${r.message}`);
  return r;
}

/** A directory holding only a link to the Node running this test, named `node`. */
function nodeOnlyPath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

test('nodejs of the running major: exact, our bootstrap, the Node environment of §6.1', () => {
  const s = scratch();
  try {
    const table = new RuntimeTable({ dataDir: s.dir, searchPath: nodeOnlyPath(s.dir) });
    const l = ok(table.launch(`nodejs${NODE_MAJOR}.x`, PATHS, { memorySizeMb: 1024 }));
    assert.equal(l.warning, undefined);
    assert.equal(realpathSync(l.command), realpathSync(process.execPath));
    assert.deepEqual(l.args, ['--expose-gc', '--max-http-header-size', '81920', '--max-semi-space-size=8',
      '--max-old-space-size=1008', '/repo/runtimes/nodejs/bootstrap.mjs']);
    assert.equal(l.env.AWS_EXECUTION_ENV, `AWS_Lambda_nodejs${NODE_MAJOR}.x`);
    assert.equal(l.env.NODE_PATH, `/t/opt/nodejs/node${NODE_MAJOR}/node_modules:/t/opt/nodejs/node_modules:` +
      '/repo/runtimes/nodejs/node_modules:/repo/runtimes/nodejs:/t/task');
    assert.equal(l.env.PATH, `${dirname(l.command)}:/usr/local/bin:/usr/bin/:/bin:/t/opt/bin`);
    assert.equal(l.env.LD_LIBRARY_PATH, `${join(dirname(dirname(l.command)), 'lib')}:/lib64:/usr/lib64:` +
      '/repo/runtimes/nodejs:/repo/runtimes/nodejs/lib:/t/task:/t/task/lib:/t/opt/lib');
    assert.equal(l.env.LANG, 'en_US.UTF-8');
    assert.equal(l.env.TZ, ':UTC');
    assert.equal(l.env.LAMBDA_TASK_ROOT, '/t/task');
    assert.equal(l.env.AWS_NODEJS_CONNECTION_REUSE_ENABLED, '1');
    for (const key of Object.keys(l.env)) assert.doesNotMatch(key, /^AWS_LAMBDA_/);
    // Without MemorySize no heap flags.
    assert.deepEqual(ok(table.launch(`nodejs${NODE_MAJOR}.x`, PATHS)).args.slice(3), ['/repo/runtimes/nodejs/bootstrap.mjs']);
  } finally {
    s.done();
  }
});

test('a missing Node major falls back to the nearest installed one, with the warning operators see', () => {
  const s = scratch();
  try {
    const table = new RuntimeTable({ dataDir: s.dir, searchPath: nodeOnlyPath(s.dir) });
    const other = NODE_MAJOR === 22 ? 24 : 22;
    const l = ok(table.launch(`nodejs${other}.x`, PATHS));
    assert.equal(l.warning, `Runtime nodejs${other}.x: node ${other} is not installed, using node ${process.version} ` +
      `(run: sluice runtimes install nodejs${other}.x)`);
    assert.equal(l.env.AWS_EXECUTION_ENV, `AWS_Lambda_nodejs${other}.x`);
    const row = table.list().find((r) => r.runtime === `nodejs${other}.x`);
    assert.deepEqual(row && { exact: row.exact, version: row.version, warning: row.warning },
      { exact: false, version: process.version, warning: l.warning });
  } finally {
    s.done();
  }
});

test('an installed <dataDir>/runtimes/node-<major> is used as the exact interpreter; overrides win', () => {
  const s = scratch();
  try {
    const other = NODE_MAJOR === 22 ? 24 : 22;
    const home = join(s.dir, 'runtimes', `node-${other}`);
    mkdirSync(join(home, 'bin'), { recursive: true });
    writeFileSync(join(home, 'bin', 'node'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(home, 'bin', 'node'), 0o755);
    writeFileSync(join(home, '.sluice-version'), `v${other}.1.0\n`);
    const table = new RuntimeTable({ dataDir: s.dir, searchPath: nodeOnlyPath(s.dir) });
    const l = ok(table.launch(`nodejs${other}.x`, PATHS));
    assert.equal(l.command, join(home, 'bin', 'node'));
    assert.equal(l.warning, undefined);
    assert.ok(l.env.PATH?.startsWith(`${join(home, 'bin')}:`));

    const overridden = new RuntimeTable({ dataDir: s.dir, searchPath: '/nonexistent', overrides: { [`nodejs${other}.x`]: process.execPath } });
    const o = ok(overridden.launch(`nodejs${other}.x`, PATHS));
    assert.equal(o.command, process.execPath);
    assert.equal(o.warning, undefined);
  } finally {
    s.done();
  }
});

test('python3.x uses that exact interpreter when on the search path, else python3 with a warning', () => {
  const probe = spawnSync('python3', ['-c', 'import sys; print(sys.executable); print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, 'python3 must be installed for the Python runtime');
  const [exe, minor] = probe.stdout.trim().split('\n') as [string, string];
  const s = scratch();
  try {
    const bin = join(s.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(exe, join(bin, `python${minor}`));
    symlinkSync(exe, join(bin, 'python3'));
    const table = new RuntimeTable({ dataDir: s.dir, searchPath: bin });
    const exact = ok(table.launch(`python${minor}`, PATHS));
    assert.equal(exact.warning, undefined);
    assert.equal(realpathSync(exact.command), realpathSync(exe));
    assert.deepEqual(exact.args, ['/repo/runtimes/python/bootstrap.py']);
    assert.equal(exact.env.AWS_EXECUTION_ENV, `AWS_Lambda_python${minor}`);
    assert.equal(exact.env.PYTHONPATH, `/t/opt/python/lib/python${minor}/site-packages:/t/opt/python:/repo/runtimes/python`);
    const wanted = minor === '3.13' ? '3.12' : '3.13';
    const fallback = ok(table.launch(`python${wanted}`, PATHS));
    assert.match(fallback.warning ?? '', new RegExp(`^Runtime python${wanted}: python${wanted} is not installed, using Python ${minor.replace('.', '\\.')}\\.\\d+ \\(`));
    assert.equal(fallback.env.AWS_EXECUTION_ENV, `AWS_Lambda_python${wanted}`);
    assert.equal(fallback.env.PYTHONPATH?.split(':')[0], `/t/opt/python/lib/python${wanted}/site-packages`);

    const none = new RuntimeTable({ dataDir: s.dir, searchPath: join(s.dir, 'empty') });
    const missing = none.launch(`python${minor}`, PATHS);
    assert.ok('error' in missing && missing.error === 'Runtime.InvalidRuntime');
  } finally {
    s.done();
  }
});

test('provided runtimes: bootstrap from the task root, then /opt; missing or not executable is InvalidEntrypoint', () => {
  const s = scratch();
  try {
    const paths: RuntimePaths = { taskRoot: join(s.dir, 'task'), optRoot: join(s.dir, 'opt'), runtimeRoot: '/repo/runtimes' };
    mkdirSync(paths.taskRoot);
    mkdirSync(paths.optRoot);
    const table = new RuntimeTable({ dataDir: s.dir });
    assert.deepEqual(table.launch('provided.al2023', paths), {
      error: 'Runtime.InvalidEntrypoint', message: "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
    });
    writeFileSync(join(paths.optRoot, 'bootstrap'), '#!/bin/bash\necho hi\n', { mode: 0o755 });
    const fromOpt = ok(table.launch('provided.al2', paths));
    assert.equal(fromOpt.command, join(paths.optRoot, 'bootstrap'));
    assert.deepEqual(fromOpt.args, []);
    assert.equal(fromOpt.env.AWS_EXECUTION_ENV, undefined);
    assert.equal(fromOpt.env.PATH, `/usr/local/bin:/usr/bin/:/bin:${paths.optRoot}/bin`);

    writeFileSync(join(paths.taskRoot, 'bootstrap'), '#!/bin/bash\necho hi\n', { mode: 0o644 });
    assert.deepEqual(table.launch('provided.al2023', paths), {
      error: 'Runtime.InvalidEntrypoint', message: 'fork/exec /var/task/bootstrap: permission denied',
    });
    chmodSync(join(paths.taskRoot, 'bootstrap'), 0o755);
    assert.equal(ok(table.launch('provided.al2023', paths)).command, join(paths.taskRoot, 'bootstrap'));
  } finally {
    s.done();
  }
});

test('a #!/bin/sh bootstrap runs under bash where /bin/sh is not bash (as on Amazon Linux)', () => {
  const s = scratch();
  try {
    const paths: RuntimePaths = { taskRoot: s.dir, optRoot: join(s.dir, 'opt'), runtimeRoot: '/repo/runtimes' };
    writeFileSync(join(s.dir, 'bootstrap'), '#!/bin/sh -e\nset -euo pipefail\n', { mode: 0o755 });
    const l = ok(new RuntimeTable({ dataDir: s.dir }).launch('provided.al2023', paths));
    if (realpathSync('/bin/sh').endsWith('/bash')) {
      assert.equal(l.command, join(s.dir, 'bootstrap'));
    } else {
      assert.equal(l.command, '/bin/bash');
      assert.deepEqual(l.args, ['-e', join(s.dir, 'bootstrap')]);
    }
  } finally {
    s.done();
  }
});

test('unknown and unsupported runtime ids are InvalidRuntime; list() covers every supported id in order', () => {
  const s = scratch();
  try {
    const table = new RuntimeTable({ dataDir: s.dir, searchPath: nodeOnlyPath(s.dir) });
    const r = table.launch('java21', PATHS);
    assert.ok('error' in r && r.error === 'Runtime.InvalidRuntime');
    const ids = table.list().map((x) => x.runtime);
    assert.deepEqual(ids.filter((x) => x.startsWith('nodejs')), ['nodejs20.x', 'nodejs22.x', 'nodejs24.x']);
    assert.deepEqual(ids.filter((x) => x.startsWith('provided')), ['provided.al2', 'provided.al2023']);
    assert.ok(ids.indexOf('python3.9') < ids.indexOf('python3.13'));
    assert.deepEqual(table.list().find((x) => x.runtime === 'provided.al2023'), { runtime: 'provided.al2023', exact: true });
  } finally {
    s.done();
  }
});
