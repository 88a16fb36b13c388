import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';

/** A fixed time for every entry: the same files give the same archive. */
const EPOCH = new Date('1980-01-01T00:00:00Z');

/**
 * A zip of a hot-reload directory as it is right now (GetFunction's Code.Location for such code), so the
 * code can still be downloaded. Version-control metadata is left out.
 */
export function zipLocalDirectory(root: string): Promise<Buffer> {
  const zip = new ZipFile();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === '.git') continue;
      const path = join(dir, entry.name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (st.isFile()) zip.addFile(path, `${prefix}${entry.name}`, { mtime: EPOCH, mode: st.mode & 0o111 ? 0o100755 : 0o100644 });
    }
  };
  walk(root, '');
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}
