import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryWatcher, isScratchFile } from './directory-watcher.js';

/** The watcher never keeps a process alive on its own (the server does); a test must. */
const keepAlive = setInterval(() => undefined, 1000);
after(() => clearInterval(keepAlive));

function watched(): { dir: string; watcher: DirectoryWatcher; next(): Promise<string[]>; calls: string[][] } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-watch-'));
  writeFileSync(join(dir, 'index.js'), 'v0');
  mkdirSync(join(dir, 'lib'));
  const calls: string[][] = [];
  const waiting: ((c: string[]) => void)[] = [];
  const watcher = new DirectoryWatcher(dir, 50, (changed) => {
    calls.push(changed);
    waiting.shift()?.(changed);
  });
  return { dir, watcher, calls, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

test('a burst of changes is reported once, with every changed path', async () => {
  const w = watched();
  try {
    const settled = w.next();
    for (let i = 0; i < 20; i++) writeFileSync(join(w.dir, 'index.js'), `v${i}`);
    writeFileSync(join(w.dir, 'lib', 'x.js'), 'x');
    assert.deepEqual(await settled, ['index.js', 'lib/x.js']);
    assert.equal(w.watcher.pending, undefined);
    assert.equal(w.calls.length, 1);
  } finally {
    w.watcher.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
});

test('atomic saves (write a temporary file, rename it over) are seen every time, and new directories are watched', async () => {
  const w = watched();
  try {
    for (const v of ['a', 'b']) {
      const settled = w.next();
      writeFileSync(join(w.dir, '.index.js.tmp'), v);
      renameSync(join(w.dir, '.index.js.tmp'), join(w.dir, 'index.js'));
      assert.ok((await settled).includes('index.js'));
    }
    let settled = w.next();
    mkdirSync(join(w.dir, 'new'));
    await settled;
    settled = w.next();
    writeFileSync(join(w.dir, 'new', 'file.js'), '1');
    assert.deepEqual(await settled, ['new/file.js']);
  } finally {
    w.watcher.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
});

test('editor scratch files and bytecode caches are not changes', () => {
  assert.equal(isScratchFile('.index.js.swp'), true);
  assert.equal(isScratchFile('index.js~'), true);
  assert.equal(isScratchFile('.#index.js'), true);
  assert.equal(isScratchFile('4913'), true);
  assert.equal(isScratchFile('index.js'), false);
});
