import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Mounter } from './mounter.js';

/**
 * How a pre-started sandbox gets its function's code after it started (isolation.md §7): every slot's /var/task
 * and /opt are binds of empty directories below one shared mount (`<root>/slots/<id>/{task,opt}`); bubblewrap
 * makes the sandbox's copies slaves of it, so a mount the platform later makes on a slot directory appears inside
 * that one running sandbox, on top of its /var/task. The mounted source is a read-only bind of the code
 * (`<root>/published/<hash>`, one per code directory in use), and a bind of a read-only mount stays read-only.
 * A mount only propagates to the slave whose root contains its mount point, so no sandbox sees another's code.
 */
export interface CodeSlot {
  /** Host directories bound at /var/task and /opt when the sandbox starts (empty until attached). */
  readonly taskDir: string;
  readonly optDir: string;
  /** Makes the code and layers appear (read-only) in the running sandbox. Once. */
  attach(codeDir: string, optDir: string): Promise<void>;
  /** Unmounts what attach mounted and removes the slot. Idempotent. */
  release(): Promise<void>;
}

interface Published {
  path: string;
  refs: number;
  mounted: boolean;
  /** The last mount or unmount queued; operations on one path run in order. */
  op: Promise<void>;
}

export class CodeMounts {
  private setup: Promise<void> | undefined;
  private readonly published = new Map<string, Published>();
  private readonly slots = new Set<CodeSlot>();
  private closed: Promise<void> | undefined;

  constructor(private readonly root: string, private readonly mounter: Mounter) {}

  /** A new slot (the shared root is prepared on first use). */
  async slot(id: string): Promise<CodeSlot> {
    await (this.setup ??= this.prepare());
    if (this.closed) throw new Error('code mounts are closed');
    const dir = join(this.root, 'slots', id);
    const taskDir = join(dir, 'task');
    const optDir = join(dir, 'opt');
    // bwrap binds these as the sandbox uid: traversable on the way, the leaves readable (and empty).
    mkdirSync(dir, { mode: 0o711 });
    mkdirSync(taskDir, { mode: 0o755 });
    mkdirSync(optDir, { mode: 0o755 });
    const mounted: { target: string; source: string }[] = [];
    let chain: Promise<void> = Promise.resolve();
    let released: Promise<void> | undefined;
    const slot: CodeSlot = {
      taskDir,
      optDir,
      attach: (code, opt) => {
        const step = chain.then(async () => {
          if (released) throw new Error('slot released');
          await this.mountInto(code, taskDir, mounted);
          // No layers: the slot's own empty directory already is the right /opt.
          if (readdirSync(opt).length > 0) await this.mountInto(opt, optDir, mounted);
        });
        chain = step.catch(() => undefined);
        return step;
      },
      release: () => (released ??= chain.then(async () => {
        for (const m of mounted.reverse()) {
          await this.mounter.unmount(m.target).catch(() => this.mounter.unmount(m.target, true).catch(() => undefined));
          this.unpublish(m.source);
        }
        mounted.length = 0;
        if (mountedBelow(dir).length === 0) rmSync(dir, { recursive: true, force: true });
        this.slots.delete(slot);
      })),
    };
    this.slots.add(slot);
    return slot;
  }

  /** Releases every slot, unpublishes all code and removes the shared root. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.setup?.catch(() => undefined);
      await Promise.all([...this.slots].map((s) => s.release()));
      await Promise.all([...this.published.values()].map((p) => p.op.catch(() => undefined)));
      if (this.setup) {
        await this.mounter.unmount(this.root).catch(() => this.mounter.unmount(this.root, true).catch(() => undefined));
      }
      // Removing files through a mount that is somehow still there would delete a function's code.
      if (mountedBelow(this.root).length === 0) rmSync(this.root, { recursive: true, force: true });
    })();
    return this.closed;
  }

  private async prepare(): Promise<void> {
    mkdirSync(join(this.root, 'slots'), { recursive: true, mode: 0o711 });
    mkdirSync(join(this.root, 'published'), { recursive: true, mode: 0o700 });
    await this.mounter.sharedRoot(this.root);
  }

  private async mountInto(source: string, target: string, mounted: { target: string; source: string }[]): Promise<void> {
    const path = await this.publish(source);
    try {
      await this.mounter.bind(path, target);
    } catch (err) {
      this.unpublish(source);
      throw err;
    }
    mounted.push({ target, source });
  }

  /** The read-only published view of a code directory, mounted while any slot uses it. */
  private async publish(source: string): Promise<string> {
    let entry = this.published.get(source);
    if (!entry) {
      entry = { path: join(this.root, 'published', createHash('sha256').update(source).digest('hex').slice(0, 24)), refs: 0, mounted: false, op: Promise.resolve() };
      this.published.set(source, entry);
    }
    entry.refs++;
    try {
      await this.sync(source, entry);
      if (!entry.mounted) throw new Error(`could not publish ${source}`);
      return entry.path;
    } catch (err) {
      entry.refs--;
      void this.sync(source, entry).catch(() => undefined);
      throw err;
    }
  }

  private unpublish(source: string): void {
    const entry = this.published.get(source);
    if (!entry) return;
    entry.refs--;
    void this.sync(source, entry).catch(() => undefined);
  }

  /** Brings the mount in line with the reference count; runs after the entry's previous operation. */
  private sync(source: string, entry: Published): Promise<void> {
    const op = entry.op.catch(() => undefined).then(async () => {
      if (entry.refs > 0 && !entry.mounted) {
        mkdirSync(entry.path, { recursive: true, mode: 0o700 });
        await this.mounter.bindReadOnly(source, entry.path);
        entry.mounted = true;
      } else if (entry.refs === 0 && entry.mounted) {
        entry.mounted = false;
        await this.mounter.unmount(entry.path).catch(() => this.mounter.unmount(entry.path, true));
        rmSync(entry.path, { recursive: true, force: true });
      }
      if (entry.refs === 0 && !entry.mounted && this.published.get(source) === entry) this.published.delete(source);
    });
    entry.op = op;
    return op;
  }
}

/** Mount points at or below `dir` in this mount namespace. */
export function mountedBelow(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  const unescape = (p: string) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return table.split('\n').map((l) => unescape(l.split(' ')[1] ?? '')).filter((m) => m === dir || m.startsWith(`${dir}/`));
}
