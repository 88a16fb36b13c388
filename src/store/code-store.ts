import { join } from 'node:path';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { localCodeDir } from '../domain/local-code.js';
import type { BlobStore, StoredBlob } from './blob-store.js';
import { extractZip, type ZipLimits, DEFAULT_ZIP_LIMITS } from './zip/zip-archive.js';

/**
 * Code and layer archives: stored once by content hash, extracted once per hash into a read-only tree
 * that environments mount at /var/task or /opt.
 */
export class CodeStore {
  private readonly extracting = new Map<string, Promise<string>>();

  constructor(readonly blobs: BlobStore, private readonly extractedDir: string, private readonly limits: ZipLimits = DEFAULT_ZIP_LIMITS) {
    mkdirSync(extractedDir, { recursive: true });
  }

  put(archive: Buffer): StoredBlob {
    return this.blobs.put(archive);
  }

  /** Where the archive's files are (or will be) unpacked. */
  dir(key: string): string {
    return join(this.extractedDir, key);
  }

  isExtracted(key: string): boolean {
    return existsSync(this.dir(key));
  }

  /** Unpacks once; concurrent callers share the same work. Hot-reload code (`local:` keys) is its own directory. */
  extract(key: string): Promise<string> {
    const local = localCodeDir(key);
    if (local !== undefined) {
      return statSync(local, { throwIfNoEntry: false })?.isDirectory()
        ? Promise.resolve(local)
        : Promise.reject(new Error(`the hot-reload directory ${local} no longer exists`));
    }
    const dir = this.dir(key);
    if (existsSync(dir)) return Promise.resolve(dir);
    let pending = this.extracting.get(key);
    if (!pending) {
      pending = extractZip(this.blobs.read(key), dir, this.limits)
        .then(() => dir)
        .finally(() => this.extracting.delete(key));
      this.extracting.set(key, pending);
    }
    return pending;
  }
}
