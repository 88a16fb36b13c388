import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredBlob {
  /** Hex SHA-256: the blob's address. */
  key: string;
  /** Base64 SHA-256, the form AWS shows as CodeSha256. */
  sha256Base64: string;
  size: number;
}

/** Content-addressed archive storage (function code, layer content). */
export interface BlobStore {
  put(data: Buffer): StoredBlob;
  has(key: string): boolean;
  read(key: string): Buffer;
  path(key: string): string;
  delete(key: string): void;
}

export class FileBlobStore implements BlobStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  put(data: Buffer): StoredBlob {
    const digest = createHash('sha256').update(data).digest();
    const key = digest.toString('hex');
    const target = this.path(key);
    if (!existsSync(target)) {
      mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true, mode: 0o700 });
      // Write, fsync, rename: a reader never sees a partial blob, and it is durable before we acknowledge.
      const tmp = `${target}.${randomUUID()}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
    }
    return { key, sha256Base64: digest.toString('base64'), size: data.length };
  }

  has(key: string): boolean {
    return /^[0-9a-f]{64}$/.test(key) && existsSync(this.path(key));
  }

  read(key: string): Buffer {
    return readFileSync(this.path(key));
  }

  size(key: string): number {
    return statSync(this.path(key)).size;
  }

  path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.zip`);
  }

  delete(key: string): void {
    rmSync(this.path(key), { force: true });
  }
}
