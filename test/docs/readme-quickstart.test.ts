import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The README's quick start, run as written, in order, against a fresh data directory: the server block starts
 * what `npm start` starts, and every other block runs in bash exactly as a user pastes it (from a fresh folder).
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

function quickStartBlocks(): string[] {
  const start = README.indexOf('## Quick start');
  assert.ok(start >= 0, 'README has a Quick start section');
  const end = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Proc { child: ChildProcess; out: () => string; waitFor(re: RegExp): Promise<void>; done: Promise<number | null> }

function start(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Proc {
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const waiters: (() => void)[] = [];
  const on = (c: Buffer) => { out += c.toString(); for (const w of [...waiters]) w(); };
  child.stdout!.on('data', on);
  child.stderr!.on('data', on);
  const done = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    child, out: () => out, done,
    waitFor: (re) => new Promise((resolve, reject) => {
      const check = () => { if (re.test(out)) { waiters.splice(waiters.indexOf(check), 1); resolve(); } };
      waiters.push(check);
      void done.then((code) => reject(new Error(`exited (${code}) before ${re}:\n${out}`)));
      check();
    }),
  };
}

/** A README block as bash runs it: aliases on, the checkout's path where the README says $PWD (the user is in it). */
const script = (block: string) => `shopt -s expand_aliases\nset -e\n${block.replaceAll('$PWD/dist/', `${REPO}/dist/`)}`;

test('the README quick start works in order on a fresh data directory', { timeout: 120_000 }, async (ctx) => {
  const blocks = quickStartBlocks();
  assert.equal(blocks.length, 4, 'server, deploy + invoke, watch, edit + invoke');
  assert.equal(blocks[0]!.trim(), 'npm install && npm start');
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } };

  const work = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
  chmodSync(work, 0o755);
  const port = await freePort();
  // What "the same folder" gives the user: the server's data dir and port.
  const env = { PATH: process.env.PATH ?? '', SLUICE_DATA_DIR: join(work, '.sluice'), SLUICE_PORT: String(port), SLUICE_LOG_LEVEL: 'warn' };
  const server = start('sh', ['-c', pkg.scripts.start], { cwd: REPO, env });
  const procs: Proc[] = [server];
  try {
    await server.waitFor(/Sluice listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(server.out(), /Generated credentials/);

    const first = start('bash', ['-c', script(blocks[1]!)], { cwd: work, env });
    procs.push(first);
    assert.equal(await first.done, 0, first.out());
    assert.match(first.out(), /Deployed hello: arn:aws:lambda:us-east-1:\d{12}:function:hello/);
    assert.match(first.out(), /\{"hello":"sluice"\}/);
    assert.match(first.out(), /^hello\s+nodejs22\.x/m);

    // Terminal 2 goes on: the aliases it defined still apply.
    const aliases = blocks[1]!.split('\n').filter((l) => l.startsWith('alias ')).join('\n');
    const watch = start('bash', ['-c', script(`${aliases}\n${blocks[2]!}`)], { cwd: work, env });
    procs.push(watch);
    await watch.waitFor(/Watching .+ serves it live/);

    const edit = start('bash', ['-c', script(blocks[3]!)], { cwd: work, env });
    procs.push(edit);
    assert.equal(await edit.done, 0, edit.out());
    assert.match(edit.out(), /\{"hi":"there","v":2\}/);
    await watch.waitFor(/SLUICE HOT RELOAD: 1 change\(s\)/);
  } catch (err) {
    for (const p of procs) ctx.diagnostic(p.out());
    throw err;
  } finally {
    for (const p of procs.reverse()) {
      if (p.child.exitCode !== null) continue;
      const signal = (s: NodeJS.Signals) => { try { process.kill(-p.child.pid!, s); } catch { /* gone */ } };
      signal('SIGINT');
      const kill = setTimeout(() => signal('SIGKILL'), 15_000);
      await p.done;
      clearTimeout(kill);
    }
    // Mounts the server left behind (its own concern, not the README's) must not fail this test or stay.
    const left = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(`${work}/`));
    if (left.length > 0) ctx.diagnostic(`the server left ${left.length} mount(s) under ${work}`);
    for (const m of left.sort().reverse()) spawnSync('umount', [m]);
    rmSync(work, { recursive: true, force: true });
  }
});

