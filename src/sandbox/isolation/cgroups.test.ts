import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { detectCgroups, cpusForMemory } from './cgroups.js';

// A parent of its own, so sweep() never touches other tests' environments.
const manager = process.getuid?.() === 0 ? detectCgroups(`sluice-test-${randomUUID()}`) : undefined;
const skip = manager ? false : 'needs root and cgroup controllers';
after(async () => { await manager?.close(); });

/** Starts `script` inside the cgroup through the same sh trampoline environments use. */
function runInside(procsFiles: readonly string[], script: string) {
  const enter = procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
  return spawn('/bin/sh', ['-c', `${enter} && exec "$@"`, 'cgwrap', process.execPath, '-e', script], { stdio: 'ignore' });
}

test('cpu share follows AWS memory-to-vCPU ratio', () => {
  assert.equal(cpusForMemory(1769), 1);
  assert.ok(Math.abs(cpusForMemory(128) - 0.0724) < 0.001);
});

test('memory limit kills an overrun and counts it as oom_kill', { skip }, async () => {
  const cg = manager!.create(`test-${randomUUID()}`, { memoryBytes: 64 * 1024 * 1024, pidsMax: 64 });
  try {
    const child = runInside(cg.procsFiles, 'const a=[]; for(;;) a.push(Buffer.alloc(1<<20, 1));');
    const [code, signal] = await once(child, 'exit');
    assert.equal(signal ?? code, 'SIGKILL');
    assert.ok(cg.oomKills() >= 1);
    assert.ok(cg.peakBytes() >= 60 * 1024 * 1024);
  } finally {
    await cg.destroy();
  }
});

test('pids limit stops a fork bomb', { skip }, async () => {
  const cg = manager!.create(`test-${randomUUID()}`, { memoryBytes: 256 * 1024 * 1024, pidsMax: 16 });
  try {
    const child = runInside(cg.procsFiles, `
      const { spawn } = require('node:child_process'); let n = 0;
      const go = () => { try { const c = spawn('/bin/sleep', ['5']); c.on('error', () => { process.exit(n > 0 ? 7 : 8); }); n++; setImmediate(go); } catch { process.exit(9); } };
      go();`);
    const [code] = await once(child, 'exit');
    assert.ok(code === 7 || code === 9, `exit ${code}`);
    assert.ok(cg.pids().length <= 16);
  } finally {
    await cg.destroy();
  }
  assert.deepEqual(cg.pids(), []);
});

test('destroy kills everything inside and sweep removes leftovers', { skip }, async () => {
  const id = `test-${randomUUID()}`;
  const cg = manager!.create(id, { memoryBytes: 128 * 1024 * 1024, pidsMax: 64 });
  const child = runInside(cg.procsFiles, 'setInterval(() => {}, 1000)');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(cg.pids().length >= 1);
  const exited = once(child, 'exit');
  await cg.destroy();
  await exited;
  manager!.create(`${id}-left`, { memoryBytes: 128 * 1024 * 1024, pidsMax: 64 });
  assert.ok((await manager!.sweep()) >= 1);
});

test('the memory limit of a running environment can be raised and lowered (pre-started environments)', { skip }, async () => {
  const cg = manager!.create(`test-${randomUUID()}`, { memoryBytes: 64 * 1024 * 1024, pidsMax: 64 });
  try {
    // Raising needs memory+swap raised first, lowering the limit first: both orders must work.
    cg.setMemory(512 * 1024 * 1024);
    cg.setMemory(48 * 1024 * 1024);
    const child = runInside(cg.procsFiles, 'const a=[]; for(;;) a.push(Buffer.alloc(1<<20, 1));');
    const [code, signal] = await once(child, 'exit');
    assert.equal(signal ?? code, 'SIGKILL');
    assert.ok(cg.oomKills() >= 1);
    assert.ok(cg.peakBytes() < 56 * 1024 * 1024, `peak ${cg.peakBytes()}`);
  } finally {
    await cg.destroy();
  }
});
