import { watch, readdirSync, statSync, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Directories never watched: version control, and bytecode caches written by the interpreters themselves. */
const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', '__pycache__']);

/** Editor scratch files whose churn is not a code change (vim swap files, emacs locks and backups). */
export function isScratchFile(name: string): boolean {
  return /\.(swp|swx|swo)$/.test(name) || name.endsWith('~') || name.startsWith('.#') || name === '4913';
}

/**
 * Watches a directory tree and reports settled changes: every event restarts a quiet period, and only when it
 * passes are the changed paths reported, once. So a burst of saves (save-all, a formatter, a git checkout) is one
 * change. One inotify watch per directory, not per file: atomic saves (write a temporary file, rename it over the
 * original) replace the file's inode and would silently end a per-file watch.
 */
export class DirectoryWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private pendingPromise: Promise<void> | undefined;
  private resolvePending: (() => void) | undefined;
  private closed = false;

  constructor(
    readonly root: string,
    private readonly debounceMs: number,
    private readonly onSettled: (changedPaths: string[]) => void,
  ) {
    this.watchTree(root);
  }

  /** Settles when the current burst of changes has been reported; undefined when none is pending. */
  get pending(): Promise<void> | undefined {
    return this.pendingPromise;
  }

  /** How many directories are watched. */
  get size(): number {
    return this.watchers.size;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.settle();
  }

  private watchTree(dir: string): void {
    if (this.closed || this.watchers.has(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false }, (_event, name) => this.event(dir, name === null ? undefined : String(name)));
    } catch {
      return; // vanished meanwhile, or not readable: nothing to watch
    }
    w.on('error', () => this.unwatch(dir));
    this.watchers.set(dir, w);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name)).map((e) => e.name);
    } catch {
      entries = [];
    }
    for (const name of entries) this.watchTree(join(dir, name));
  }

  private unwatch(dir: string): void {
    for (const [d, w] of this.watchers) {
      if (d === dir || d.startsWith(dir + sep)) {
        w.close();
        this.watchers.delete(d);
      }
    }
  }

  private event(dir: string, name: string | undefined): void {
    if (this.closed) return;
    if (name !== undefined && (isScratchFile(name) || SKIPPED_DIRS.has(name))) return;
    const path = name === undefined ? dir : join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) this.watchTree(path); // a new (or moved-in) directory
    else if (!st && this.watchers.has(path)) this.unwatch(path);
    this.changed.add(relative(this.root, path) || '.');
    if (!this.pendingPromise) this.pendingPromise = new Promise((resolve) => { this.resolvePending = resolve; });
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.debounceMs);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const paths = [...this.changed].sort();
    this.changed.clear();
    try {
      this.onSettled(paths);
    } finally {
      this.settle();
    }
  }

  private settle(): void {
    const resolve = this.resolvePending;
    this.pendingPromise = undefined;
    this.resolvePending = undefined;
    resolve?.();
  }
}
