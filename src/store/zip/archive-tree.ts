import { posix } from 'node:path';

/** An archive that tries to place something outside its root (as opposed to one that is merely damaged). */
export class HostileArchiveError extends Error {}

export type EntryKind = 'dir' | 'file' | 'link';

/** Kernel limit on symlinks followed while resolving one path (ELOOP). */
const MAX_LINK_HOPS = 40;

/** Why a name is unsafe, or undefined when it is relative and never climbs out of the archive root. */
export function unsafeName(name: string): string | undefined {
  if (name.includes('\0')) return `entry name contains a NUL byte`;
  if (name.includes('\\')) return `entry "${name}" uses backslashes`;
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return `entry "${name}" is an absolute path`;
  const normal = posix.normalize(name);
  if (normal === '..' || normal.startsWith('../')) return `entry "${name}" escapes the archive root`;
  return undefined;
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * Resolves `path` (components relative to the root) the way the kernel will once the archive is on disk,
 * following the archive's own symlinks. Lexical normalisation is not enough: with `a/b -> ..`, the target
 * `a/b/..` normalises to `a` but really lands one level above the root.
 */
function staysInside(path: string[], links: ReadonlyMap<string, string>): boolean {
  const queue = [...path];
  const resolved: string[] = [];
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (resolved.length === 0) return false;
      resolved.pop();
      continue;
    }
    resolved.push(c);
    const target = links.get(resolved.join('/'));
    if (target === undefined) continue;
    if (target.startsWith('/') || ++hops > MAX_LINK_HOPS) return false;
    resolved.pop();
    queue.unshift(...target.split('/'));
  }
  return true;
}

/**
 * The entries of one archive, checked as they are read: names must stay inside the root, every symlink must
 * resolve inside it (also through other links), and nothing may be written through a symlink.
 * Throws HostileArchiveError; `add` returns the entry's normalised relative path.
 */
export class ArchiveTree {
  private readonly kinds = new Map<string, EntryKind>();
  private readonly links = new Map<string, string>();

  add(name: string, kind: EntryKind, linkTarget?: string): string {
    const bad = unsafeName(name);
    if (bad) throw new HostileArchiveError(bad);
    const path = components(posix.normalize(name)).join('/');
    if (path === '' && kind !== 'dir') throw new HostileArchiveError(`entry "${name}" names the archive root`);
    const seen = this.kinds.get(path);
    if (seen !== undefined && (seen !== 'dir' || kind !== 'dir')) {
      throw new HostileArchiveError(`entry "${name}" appears more than once`);
    }
    if (kind === 'link') {
      if (linkTarget === undefined || linkTarget === '' || linkTarget.includes('\0')) {
        throw new HostileArchiveError(`symlink "${name}" has no valid target`);
      }
      if (linkTarget.startsWith('/')) throw new HostileArchiveError(`symlink "${name}" points to an absolute path`);
      this.links.set(path, linkTarget);
    }
    this.kinds.set(path, kind);
    return path;
  }

  /** Checks what can only be judged once every entry is known (links may come after the entries they affect). */
  finish(): void {
    for (const path of this.kinds.keys()) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        if (this.links.has(prefix)) throw new HostileArchiveError(`entry "${path}" lies below the symlink "${prefix}"`);
      }
    }
    for (const [path, target] of this.links) {
      const from = components(posix.dirname(path));
      if (!staysInside([...from, ...target.split('/')], this.links)) {
        throw new HostileArchiveError(`symlink "${path}" points outside the archive`);
      }
    }
  }
}
