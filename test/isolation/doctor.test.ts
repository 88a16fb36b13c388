// `sluice doctor` reports what isolation needs and which backend `serve` will use; `serve` logs that choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isolationSkip } from './helpers.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const run = promisify(execFile);
const skip = isolationSkip();

async function doctor(...flags: string[]): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-doctor-'));
  try {
    const { stdout } = await run(process.execPath, [CLI, 'doctor', '--data-dir', dataDir, ...flags]);
    return stdout;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('doctor lists every requirement with what is present, and exits 0', async () => {
  const out = await doctor();
  for (const need of ['root', 'bubblewrap', 'setpriv', 'cgroups', 'user namespaces', 'loop devices', 'network namespaces', 'egress networking']) {
    assert.match(out, new RegExp(`\\[(ok|missing)\\]\\s+${need}`), need);
  }
  assert.match(out, /^serve will (use|refuse)/m);
});

test('doctor names the isolated backend where the host supports it, and the process backend when asked', { skip }, async () => {
  assert.match(await doctor(), /^serve will use: the isolated backend \(bubblewrap as uid 1051, cgroups v[12], .*network none\)$/m);
  assert.match(await doctor('--sandbox-network', 'egress'), /network egress\)$/m);
  assert.match(await doctor('--sandbox', 'process'), /^serve will use: the process backend .*FUNCTIONS ARE NOT ISOLATED/m);
});

test('serve logs the backend it chose at start', { skip }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-doctor-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => { err += c; });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => { out += c; if (out.includes('listening on')) resolve(); });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    assert.match(err, /"msg":"sandbox backend: isolated".*"uid":1051/);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
