import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { chmodSync, createWriteStream, mkdirSync, symlinkSync, renameSync, rmSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import * as zlib from 'node:zlib';
import { ArchiveTree, HostileArchiveError, type EntryKind } from './archive-tree.js';

export interface ZipLimits {
  /** Upper bound on the sum of uncompressed sizes. */
  maxUnzippedBytes: number;
  /** Upper bound on the number of entries. */
  maxEntries: number;
  /** An entry larger than 1 MiB may not expand more than this many times its compressed size. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxUnzippedBytes: 262_144_000, maxEntries: 100_000, maxRatio: 1000 };

export type ZipProblem =
  | { kind: 'corrupt'; detail: string }
  | { kind: 'hostile'; detail: string }
  | { kind: 'too-large'; unzippedBytes: number };

export type ZipInspection = { ok: true; unzippedBytes: number; entries: number } | { ok: false; problem: ZipProblem };

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const MAX_LINK_TARGET = 4096;

/** Native CRC-32 (Node ≥ 20.15); without it the check is skipped and only sizes are verified. */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

function unixMode(entry: Entry): number {
  return (entry.externalFileAttributes >>> 16) & 0xffff;
}

function kindOf(entry: Entry): EntryKind {
  if ((unixMode(entry) & S_IFMT) === S_IFLNK) return 'link';
  return entry.fileName.endsWith('/') ? 'dir' : 'file';
}

class TooLarge extends Error {
  constructor(readonly unzippedBytes: number) { super('archive expands beyond its size limit'); }
}

function classify(err: unknown): ZipProblem {
  if (err instanceof TooLarge) return { kind: 'too-large', unzippedBytes: err.unzippedBytes };
  const message = err instanceof Error ? err.message : String(err);
  // yauzl refuses these names itself before we see them.
  if (err instanceof HostileArchiveError || /absolute path|invalid relative path|invalid characters/.test(message)) {
    return { kind: 'hostile', detail: message };
  }
  return { kind: 'corrupt', detail: message };
}

async function open(buffer: Buffer): Promise<ZipFile> {
  // Names are checked by ArchiveTree so that hostile archives are told apart from corrupt ones. yauzl checks
  // each entry's actual size against its headers (validateEntrySizes), so lying headers fail when read.
  return yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false });
}

async function readLinkTarget(zip: ZipFile, entry: Entry): Promise<string> {
  if (entry.uncompressedSize > MAX_LINK_TARGET) throw new HostileArchiveError(`symlink target too long in "${entry.fileName}"`);
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function checkHeaders(entry: Entry, total: number, limits: ZipLimits): void {
  if (total > limits.maxUnzippedBytes) throw new TooLarge(total);
  if (entry.uncompressedSize > 1_048_576 && entry.uncompressedSize > Math.max(1, entry.compressedSize) * limits.maxRatio) {
    throw new HostileArchiveError(`entry "${entry.fileName}" has a compression ratio above ${limits.maxRatio}`);
  }
}

/**
 * Passes an entry's bytes through while counting them against the archive-wide budget (headers can lie) and
 * checking the CRC-32 its headers declare.
 */
function verifier(entry: Entry, budget: { used: number; limit: number }): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      budget.used += chunk.length;
      if (budget.used > budget.limit) return cb(new TooLarge(budget.used));
      if (crc32) crc = crc32(chunk, crc);
      cb(null, chunk);
    },
    flush(cb) {
      if (crc32 && crc >>> 0 !== entry.crc32 >>> 0) cb(new Error(`CRC-32 mismatch in "${entry.fileName}"`));
      else cb();
    },
  });
}

const discard = (): Writable => new Writable({ write: (_chunk, _enc, cb) => cb() });

/**
 * Checks an archive without writing anything: structure, names, links, size bounds, and every entry's data
 * (decompressed and discarded, so that sizes and checksums are the real ones, not what the headers claim).
 */
export async function inspectZip(buffer: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipInspection> {
  let zip: ZipFile | undefined;
  try {
    zip = await open(buffer);
    if (zip.entryCount > limits.maxEntries) {
      return { ok: false, problem: { kind: 'hostile', detail: `archive has ${zip.entryCount} entries (limit ${limits.maxEntries})` } };
    }
    const tree = new ArchiveTree();
    const budget = { used: 0, limit: limits.maxUnzippedBytes };
    let declared = 0;
    let entries = 0;
    for await (const entry of zip.eachEntry()) {
      entries++;
      const kind = kindOf(entry);
      tree.add(entry.fileName, kind, kind === 'link' ? await readLinkTarget(zip, entry) : undefined);
      declared += entry.uncompressedSize;
      checkHeaders(entry, declared, limits);
      if (kind === 'file') await pipeline(await zip.openReadStreamPromise(entry), verifier(entry, budget), discard());
    }
    tree.finish();
    return { ok: true, unzippedBytes: declared, entries };
  } catch (err) {
    return { ok: false, problem: classify(err) };
  } finally {
    zip?.close();
  }
}

/**
 * Extracts into `dir` atomically (a temporary sibling renamed into place; nothing is left behind on failure).
 * Re-checks names, links and sizes while writing, since the archive is untrusted even after inspection.
 * Symlinks are created last, so no entry is ever written through one.
 */
export async function extractZip(buffer: Buffer, dir: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  if (existsSync(dir)) return;
  const tmp = `${dir}.${randomUUID()}.tmp`;
  let zip: ZipFile | undefined;
  try {
    zip = await open(buffer);
    if (zip.entryCount > limits.maxEntries) throw new HostileArchiveError(`archive has ${zip.entryCount} entries (limit ${limits.maxEntries})`);
    mkdirSync(tmp, { recursive: true, mode: 0o755 });
    const tree = new ArchiveTree();
    const links: [string, string][] = [];
    const budget = { used: 0, limit: limits.maxUnzippedBytes };
    let declared = 0;
    for await (const entry of zip.eachEntry()) {
      const kind = kindOf(entry);
      const linkTarget = kind === 'link' ? await readLinkTarget(zip, entry) : undefined;
      const path = tree.add(entry.fileName, kind, linkTarget);
      declared += entry.uncompressedSize;
      checkHeaders(entry, declared, limits);
      const target = join(tmp, path);
      if (kind === 'dir') {
        mkdirSync(target, { recursive: true, mode: 0o755 });
      } else if (kind === 'link') {
        links.push([path, linkTarget!]);
      } else {
        mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
        // Keep the executable bit (custom runtimes' bootstrap needs it); everything is world-readable so the
        // unprivileged sandbox user can read it. chmod because the process umask may be stricter.
        const mode = unixMode(entry) & 0o111 ? 0o755 : 0o644;
        await pipeline(await zip.openReadStreamPromise(entry), verifier(entry, budget), createWriteStream(target, { mode, flags: 'wx' }));
        chmodSync(target, mode);
      }
    }
    tree.finish();
    for (const [path, linkTarget] of links) {
      mkdirSync(dirname(join(tmp, path)), { recursive: true, mode: 0o755 });
      symlinkSync(linkTarget, join(tmp, path));
    }
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another extraction of the same archive finished first: its result is as good as ours.
      if (!existsSync(dir)) throw err;
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    zip?.close();
  }
}
