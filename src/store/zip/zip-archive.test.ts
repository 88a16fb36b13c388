import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractZip, inspectZip, DEFAULT_ZIP_LIMITS, type ZipInspection } from './zip-archive.js';
import { makeZip, zipFiles } from '../../../test/helpers/zip.js';

let root: string;
before(() => { root = mkdtempSync(join(tmpdir(), 'sluice-zip-')); });
after(() => { rmSync(root, { recursive: true, force: true }); });

let n = 0;
/** A fresh target directory in an otherwise empty parent, so leftovers are visible. */
function target(): { parent: string; dir: string } {
  const parent = join(root, `case-${++n}`);
  return { parent, dir: join(parent, 'code') };
}

function problem(r: ZipInspection): { kind: string; detail?: string } {
  assert.equal(r.ok, false, 'the archive should have been refused');
  if (r.ok) throw new Error('unreachable');
  return r.problem as { kind: string; detail?: string };
}

/** Extraction must fail and leave neither the target nor a temporary sibling behind. */
async function extractionFails(zip: Buffer, limits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const { parent, dir } = target();
  await assert.rejects(extractZip(zip, dir, limits));
  assert.equal(existsSync(dir), false, 'target directory must not exist after a failed extraction');
  assert.deepEqual(existsSync(parent) ? readdirSync(parent) : [], [], 'nothing may be left next to the target');
}

const NORMAL = makeZip([
  { name: 'index.js', data: 'exports.handler = async () => "ok";\n' },
  { name: 'lib/' },
  { name: 'lib/util.js', data: 'module.exports = 42;\n'.repeat(20) },
  { name: 'bootstrap', data: '#!/bin/sh\necho hi\n', mode: 0o100755 },
  { name: 'lib/current.js', data: 'util.js', mode: 0o120777 },
]);

test('a normal archive is inspected and extracted with modes and inside symlinks kept', async () => {
  const r = await inspectZip(NORMAL);
  assert.deepEqual(r, { ok: true, entries: 5, unzippedBytes: 36 + 0 + 420 + 18 + 7 });
  const { dir } = target();
  await extractZip(NORMAL, dir);
  assert.equal(readFileSync(join(dir, 'index.js'), 'utf8'), 'exports.handler = async () => "ok";\n');
  assert.equal(readFileSync(join(dir, 'lib/util.js'), 'utf8'), 'module.exports = 42;\n'.repeat(20));
  assert.equal(statSync(join(dir, 'bootstrap')).mode & 0o777, 0o755, 'bootstrap keeps its executable bit');
  assert.equal(statSync(join(dir, 'index.js')).mode & 0o777, 0o644, 'plain files are world-readable, not executable');
  assert.ok(lstatSync(join(dir, 'lib/current.js')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'lib/current.js')), 'util.js');
  assert.equal(readFileSync(join(dir, 'lib/current.js'), 'utf8'), 'module.exports = 42;\n'.repeat(20));
  // Extracting the same code again is a no-op.
  await extractZip(NORMAL, dir);
});

test('entry names that leave the root are hostile and never extracted', async () => {
  for (const name of ['../evil', 'a/../../evil', '/etc/x', 'C:/x', '..\\evil']) {
    const zip = makeZip([{ name: 'ok.txt', data: 'x' }, { name, data: 'pwned' }]);
    assert.equal(problem(await inspectZip(zip)).kind, 'hostile', name);
    await extractionFails(zip);
  }
  assert.equal(existsSync(join(root, 'evil')), false);
});

test('backslash separators (Windows zip tools) become directories inside the root', async () => {
  const zip = makeZip([{ name: 'dir\\file.txt', data: 'inside' }]);
  assert.equal((await inspectZip(zip)).ok, true);
  const { dir } = target();
  await extractZip(zip, dir);
  assert.equal(readFileSync(join(dir, 'dir', 'file.txt'), 'utf8'), 'inside');
});

test('symlinks pointing outside, directly or through other links, are hostile', async () => {
  const cases: [string, Parameters<typeof makeZip>[0]][] = [
    ['relative escape', [{ name: 'ln', data: '../../etc/passwd', mode: 0o120777 }]],
    ['absolute target', [{ name: 'ln', data: '/etc/passwd', mode: 0o120777 }]],
    // `a/b -> ..` is the root itself (fine), but `c -> a/b/..` then lands above the root although it
    // normalises lexically to `a`.
    ['escape through another link', [
      { name: 'a/' }, { name: 'a/b', data: '..', mode: 0o120777 }, { name: 'c', data: 'a/b/..', mode: 0o120777 },
    ]],
    ['link loop', [{ name: 'x', data: 'y', mode: 0o120777 }, { name: 'y', data: 'x', mode: 0o120777 }]],
    ['file written through a link', [{ name: 'l', data: 'sub', mode: 0o120777 }, { name: 'l/f.txt', data: 'via link' }]],
    ['file written through a link declared later', [{ name: 'l/f.txt', data: 'x' }, { name: 'l', data: '.', mode: 0o120777 }]],
    ['same name twice', [{ name: 'f', data: 'one' }, { name: 'f', data: 'two' }]],
  ];
  for (const [label, entries] of cases) {
    const zip = makeZip(entries);
    const p = problem(await inspectZip(zip));
    assert.equal(p.kind, 'hostile', label);
    await extractionFails(zip);
  }
  // The first link of the chain case is harmless on its own.
  assert.equal((await inspectZip(makeZip([{ name: 'a/' }, { name: 'a/b', data: '..', mode: 0o120777 }]))).ok, true);
});

let bomb: Buffer;
before(() => {
  // 200 MB of zeros deflates about 1030:1, above the 1000:1 bound (and within the 250 MB size bound).
  bomb = makeZip([{ name: 'zeros.bin', data: Buffer.alloc(200 * 1024 * 1024), compress: true }]);
});

test('a zip bomb is refused by the compression-ratio bound without being expanded', async () => {
  assert.ok(bomb.length < 300_000, `bomb is ${bomb.length} bytes`);
  const p = problem(await inspectZip(bomb));
  assert.equal(p.kind, 'hostile');
  assert.match(p.detail ?? '', /"zeros\.bin" has a compression ratio above 1000/);
  await extractionFails(bomb);
});

test('headers that understate the size are caught when the data is read', async () => {
  const lying = makeZip([{ name: 'small.txt', data: 'x'.repeat(5000), compress: true, declaredSize: 100 }]);
  assert.equal(problem(await inspectZip(lying)).kind, 'corrupt');
  await extractionFails(lying);
  // The same trick on a bomb: the headers pass every bound, the bytes do not.
  const hiddenBomb = makeZip([{ name: 'zeros.bin', data: Buffer.alloc(50 * 1024 * 1024), compress: true, declaredSize: 1000 }]);
  assert.equal(problem(await inspectZip(hiddenBomb)).kind, 'corrupt');
  await extractionFails(hiddenBomb);
  const stored = makeZip([{ name: 'stored.txt', data: 'abcdef', compress: false, declaredSize: 3 }]);
  assert.equal(problem(await inspectZip(stored)).kind, 'corrupt');
  await extractionFails(stored);
});

test('the unzipped-size and entry-count bounds', async () => {
  const limits = { maxUnzippedBytes: 10_000, maxEntries: 10, maxRatio: 1000 };
  const big = zipFiles({ 'a.txt': 'a'.repeat(6000), 'b.txt': 'b'.repeat(6000) });
  assert.deepEqual(problem(await inspectZip(big, limits)), { kind: 'too-large', unzippedBytes: 12_000 });
  await extractionFails(big, limits);
  const many = makeZip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: String(i) })));
  const p = problem(await inspectZip(many, limits));
  assert.equal(p.kind, 'hostile');
  assert.match(p.detail ?? '', /11 entries \(limit 10\)/);
  await extractionFails(many, limits);
  assert.equal((await inspectZip(many)).ok, true);
});

test('truncated or damaged archives are corrupt', async () => {
  const damaged = Buffer.from(NORMAL);
  // Inside lib/util.js's deflated data (after the first local header, name and data).
  const at = NORMAL.indexOf('lib/util.js') + 'lib/util.js'.length + 3;
  damaged[at] = damaged[at]! ^ 0xff;
  damaged[at + 1] = damaged[at + 1]! ^ 0xff;
  for (const [label, zip] of [
    ['truncated', NORMAL.subarray(0, NORMAL.length - 30)],
    ['cut in half', NORMAL.subarray(0, NORMAL.length >> 1)],
    ['damaged data', damaged],
    ['not a zip', Buffer.from('this is not a zip file at all')],
    ['empty', Buffer.alloc(0)],
  ] as const) {
    assert.equal(problem(await inspectZip(zip)).kind, 'corrupt', label);
    await extractionFails(zip);
  }
});
