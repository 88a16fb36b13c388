import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { createWriteStream, mkdirSync, symlinkSync, renameSync, rmSync, existsSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { randomUUID } from 'node:crypto';

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

function unixMode(entry: Entry): number {
  return (entry.externalFileAttributes >>> 16) & 0xffff;
}

function isSymlink(entry: Entry): boolean {
  return (unixMode(entry) & S_IFMT) === S_IFLNK;
}

/** A name is safe when it is relative and never climbs out of the archive root. */
function unsafeName(name: string): string | undefined {
  if (name.includes('\0')) return `entry name contains a NUL byte`;
  if (name.includes('\\')) return `entry "${name}" uses backslashes`;
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return `entry "${name}" is an absolute path`;
  const normal = posix.normalize(name);
  if (normal === '..' || normal.startsWith('../')) return `entry "${name}" escapes the archive root`;
  return undefined;
}

/** A symlink is safe when its target, resolved from the link's own folder, stays inside the root. */
function unsafeLink(name: string, target: string): string | undefined {
  if (target.startsWith('/')) return `symlink "${name}" points to an absolute path`;
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  if (resolved === '..' || resolved.startsWith('../')) return `symlink "${name}" points outside the archive`;
  return undefined;
}

function classify(err: unknown): ZipProblem {
  const message = err instanceof Error ? err.message : String(err);
  if (/absolute path|invalid relative path|invalid characters/.test(message)) return { kind: 'hostile', detail: message };
  return { kind: 'corrupt', detail: message };
}

async function open(buffer: Buffer): Promise<ZipFile> {
  // Names are checked by us (unsafeName) so that hostile archives are told apart from corrupt ones.
  return yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true, strictFileNames: false });
}

async function readSmall(zip: ZipFile, entry: Entry, max: number): Promise<string> {
  if (entry.uncompressedSize > max) throw new Error(`symlink target too long in "${entry.fileName}"`);
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Checks an archive without writing anything: structure, names, links and size bounds. */
export async function inspectZip(buffer: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipInspection> {
  let zip: ZipFile | undefined;
  try {
    zip = await open(buffer);
    if (zip.entryCount > limits.maxEntries) {
      return { ok: false, problem: { kind: 'hostile', detail: `archive has ${zip.entryCount} entries (limit ${limits.maxEntries})` } };
    }
    let total = 0;
    let entries = 0;
    for await (const entry of zip.eachEntry()) {
      entries++;
      const bad = unsafeName(entry.fileName);
      if (bad) return { ok: false, problem: { kind: 'hostile', detail: bad } };
      total += entry.uncompressedSize;
      if (total > limits.maxUnzippedBytes) return { ok: false, problem: { kind: 'too-large', unzippedBytes: total } };
      if (entry.uncompressedSize > 1_048_576 && entry.uncompressedSize > Math.max(1, entry.compressedSize) * limits.maxRatio) {
        return { ok: false, problem: { kind: 'hostile', detail: `entry "${entry.fileName}" has a compression ratio above ${limits.maxRatio}` } };
      }
      if (isSymlink(entry)) {
        const badLink = unsafeLink(entry.fileName, await readSmall(zip, entry, 4096));
        if (badLink) return { ok: false, problem: { kind: 'hostile', detail: badLink } };
      }
    }
    return { ok: true, unzippedBytes: total, entries };
  } catch (err) {
    return { ok: false, problem: classify(err) };
  } finally {
    zip?.close();
  }
}

/** Counts bytes through a stream and fails once the running total passes the bound (headers can lie). */
function byteBudget(budget: { left: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      budget.left -= chunk.length;
      if (budget.left < 0) cb(new Error('archive expands beyond its size limit'));
      else cb(null, chunk);
    },
  });
}

/**
 * Extracts into `dir` atomically (a temporary sibling renamed into place). Re-checks names, links and
 * sizes while writing, since the archive is untrusted even after inspection.
 */
export async function extractZip(buffer: Buffer, dir: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  if (existsSync(dir)) return;
  const tmp = `${dir}.${randomUUID()}.tmp`;
  mkdirSync(tmp, { recursive: true, mode: 0o755 });
  const zip = await open(buffer);
  const budget = { left: limits.maxUnzippedBytes };
  try {
    for await (const entry of zip.eachEntry()) {
      const bad = unsafeName(entry.fileName);
      if (bad) throw new Error(bad);
      const target = join(tmp, entry.fileName);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true, mode: 0o755 });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      if (isSymlink(entry)) {
        const link = await readSmall(zip, entry, 4096);
        const badLink = unsafeLink(entry.fileName, link);
        if (badLink) throw new Error(badLink);
        symlinkSync(link, target);
        continue;
      }
      // Keep the executable bit (custom runtimes' bootstrap needs it); everything is world-readable so the
      // unprivileged sandbox user can read it.
      const mode = unixMode(entry) & 0o111 ? 0o755 : 0o644;
      const stream = await zip.openReadStreamPromise(entry);
      await pipeline(stream, byteBudget(budget), createWriteStream(target, { mode, flags: 'wx' }));
    }
    if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
    else renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    zip.close();
  }
}
