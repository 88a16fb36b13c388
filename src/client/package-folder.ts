import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';
import { IgnoreRules } from './ignore-rules.js';

/** Ignore files read in every directory; `.sluiceignore` comes last, so it can re-include what `.gitignore` leaves out. */
export const IGNORE_FILES = ['.gitignore', '.sluiceignore'] as const;

/** Never packaged: version-control metadata. */
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn']);

/** One fixed time for every entry, so the same files always give the same archive (and the same CodeSha256). */
const ZIP_TIME = new Date('1980-01-01T00:00:00Z');

export interface PackagedFolder {
  zip: Buffer;
  /** Packaged files (relative, `/`-separated), in archive order. */
  files: string[];
  /** Their total size before compression. */
  bytes: number;
  /** Paths left out by ignore rules. */
  ignored: string[];
}

/**
 * Zips a folder the way AWS's tooling does: every file below it at its relative path, executables kept
 * executable (0755, others 0644), symbolic links followed; minus what `.gitignore` / `.sluiceignore` files
 * (in any directory) leave out, and version-control metadata. Entries are sorted and timestamps fixed.
 */
export async function packageFolder(root: string): Promise<PackagedFolder> {
  const rules = new IgnoreRules();
  const zip = new ZipFile();
  const files: string[] = [];
  const ignored: string[] = [];
  let bytes = 0;
  const visited = new Set<string>();

  const walk = (dir: string, rel: string) => {
    const real = realpathSync(dir);
    if (visited.has(real)) return; // a link back up the tree
    visited.add(real);
    for (const name of IGNORE_FILES) {
      const f = join(dir, name);
      if (existsSync(f)) rules.add(rel, readFileSync(f, 'utf8'));
    }
    const names = readdirSync(dir).sort();
    for (const name of names) {
      if (ALWAYS_SKIPPED.has(name)) continue;
      const path = join(dir, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = statSync(path, { throwIfNoEntry: false }); // follows links; a dangling one is skipped
      if (!st) continue;
      if (rules.ignored(relPath, st.isDirectory())) {
        ignored.push(st.isDirectory() ? `${relPath}/` : relPath);
        continue;
      }
      if (st.isDirectory()) {
        walk(path, relPath);
      } else if (st.isFile()) {
        zip.addFile(path, relPath, { mtime: ZIP_TIME, mode: st.mode & 0o111 ? 0o100755 : 0o100644 });
        files.push(relPath);
        bytes += st.size;
      }
    }
  };
  walk(root, '');
  zip.end();
  const buffer = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  return { zip: buffer, files, bytes, ignored };
}
