import type { Clock, Scope } from '../domain/scope.js';
import type { Logger } from '../observability/index.js';
import type { LogStore } from '../observability/log-store.js';
import { DirectoryWatcher } from './directory-watcher.js';

/** One reload: a directory's changes settled and the environments serving it were retired. */
export interface ReloadEvent {
  dir: string;
  /** Changed paths relative to dir. */
  changed: string[];
  /** Environments retired: idle ones closed at once, busy ones after their invocation. */
  retired: number;
  /** Functions (`name`, per account/region) served from dir. */
  functions: string[];
  at: number;
}

interface Owner {
  scope: Scope;
  functionName: string;
  logGroup: string;
}

interface Watched {
  watcher: DirectoryWatcher;
  /** Retire callbacks of the environments serving this directory now. */
  environments: Set<() => void>;
  /** Functions that have run from it (their log groups get the reload line). */
  owners: Map<string, Owner>;
  /** Function versions serving it (FunctionDirectories): watched while any does, with or without environments. */
  holds: number;
  /** Unwatch timer once no environment serves it. */
  linger: NodeJS.Timeout | undefined;
}

export interface HotReloadOptions {
  debounceMs: number;
  logs: Pick<LogStore, 'append'>;
  clock: Clock;
  logger: Logger;
  /** How long a directory stays watched after its last environment went (default 10 minutes). */
  lingerMs?: number;
}

/** Log stream of the reload lines in a function's log group. */
export const RELOAD_LOG_STREAM = 'sluice/hot-reload';

/**
 * Hot reload: watches the directories that environments serve code from (while any does, and a while after),
 * and when a change settles retires those environments, so the next invocation starts a fresh runtime on the new
 * files: no stale module caches, and invocations in flight finish on the code they loaded.
 */
export class HotReload {
  private readonly dirs = new Map<string, Watched>();
  private readonly listeners = new Set<(e: ReloadEvent) => void>();
  private closed = false;

  constructor(private readonly options: HotReloadOptions) {}

  /** An environment serves these directories; onChange retires it. Returns the detach function. */
  attach(dirs: readonly string[], owner: Owner, onChange: () => void): () => void {
    const entries: Watched[] = [];
    for (const dir of dirs) {
      const w = this.watched(dir);
      if (!w) continue;
      if (w.linger) clearTimeout(w.linger);
      w.linger = undefined;
      w.environments.add(onChange);
      w.owners.set(`${owner.scope.account}/${owner.scope.region}/${owner.functionName}`, owner);
      entries.push(w);
    }
    return () => {
      for (const w of entries) {
        w.environments.delete(onChange);
        if (w.environments.size === 0 && w.holds === 0 && !this.closed) this.scheduleUnwatch(w);
      }
    };
  }

  /** A function version serves these directories: watch them (and log its reloads) until released. */
  hold(dirs: readonly string[], owner: Owner): () => void {
    const entries: Watched[] = [];
    for (const dir of dirs) {
      const w = this.watched(dir);
      if (!w) continue;
      if (w.linger) clearTimeout(w.linger);
      w.linger = undefined;
      w.holds++;
      w.owners.set(`${owner.scope.account}/${owner.scope.region}/${owner.functionName}`, owner);
      entries.push(w);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const w of entries) {
        w.holds--;
        if (w.environments.size === 0 && w.holds === 0 && !this.closed) this.scheduleUnwatch(w);
      }
    };
  }

  /** Settles once no change is pending in these directories; undefined when none is. */
  settled(dirs: readonly string[]): Promise<void> | undefined {
    const pending = dirs.map((d) => this.dirs.get(d)?.watcher.pending).filter((p): p is Promise<void> => p !== undefined);
    if (pending.length === 0) return undefined;
    return Promise.all(pending).then(() => undefined);
  }

  onReload(listener: (e: ReloadEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Directories watched now. */
  watchedDirectories(): string[] {
    return [...this.dirs.keys()];
  }

  close(): void {
    this.closed = true;
    for (const w of this.dirs.values()) {
      if (w.linger) clearTimeout(w.linger);
      w.watcher.close();
    }
    this.dirs.clear();
  }

  private watched(dir: string): Watched | undefined {
    if (this.closed) return undefined;
    let w = this.dirs.get(dir);
    if (!w) {
      const entry: Watched = {
        watcher: new DirectoryWatcher(dir, this.options.debounceMs, (changed) => this.reload(entry, changed)),
        environments: new Set(), owners: new Map(), holds: 0, linger: undefined,
      };
      this.dirs.set(dir, entry);
      this.options.logger.debug('hot reload: watching', { dir, directories: entry.watcher.size });
      w = entry;
    }
    return w;
  }

  private scheduleUnwatch(w: Watched): void {
    if (w.linger) clearTimeout(w.linger);
    w.linger = setTimeout(() => {
      if (w.environments.size > 0 || w.holds > 0) return;
      w.watcher.close();
      this.dirs.delete(w.watcher.root);
    }, this.options.lingerMs ?? 600_000);
    w.linger.unref();
  }

  private reload(w: Watched, changed: string[]): void {
    const retire = [...w.environments];
    for (const r of retire) r();
    const now = this.options.clock.now();
    const event: ReloadEvent = {
      dir: w.watcher.root, changed, retired: retire.length, functions: [...w.owners.values()].map((o) => o.functionName), at: now,
    };
    const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, +${changed.length - 5} more` : '');
    const message = `SLUICE HOT RELOAD: ${changed.length} change(s) in ${event.dir} (${shown}); ` +
      `${retire.length} environment(s) retired, the next invocation runs the new code`;
    for (const o of w.owners.values()) {
      this.options.logs.append(o.scope, o.logGroup, RELOAD_LOG_STREAM, [{ timestamp: now, message }]);
    }
    this.options.logger.info('hot reload', { dir: event.dir, changed: changed.length, retired: retire.length });
    for (const l of this.listeners) l(event);
  }
}
