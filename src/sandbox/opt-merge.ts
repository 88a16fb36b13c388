import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Layers merged into one directory per distinct layer list (what the function sees as /opt): extracted layers
 * copied in configured order, later layers overwriting earlier files, built once and shared by every
 * environment with the same list. Built beside its final name and renamed in, so a crash never leaves half a tree.
 */
export class OptMerger {
  private readonly building = new Map<string, Promise<string>>();

  constructor(private readonly root: string) {}

  /**
   * Host path of the merged tree for these extracted layer dirs (an empty dir when there are none). `live` are
   * hot-reload layer directories among them: a lone one is used as it is (edits show at once); merged with
   * others, the copy is keyed by their current contents, so a change gives a fresh merge.
   */
  merged(layerDirs: readonly string[], live: readonly string[] = []): Promise<string> {
    if (live.length > 0 && layerDirs.length === 1) return Promise.resolve(layerDirs[0]!);
    const h = createHash('sha256').update(layerDirs.join('\n'));
    for (const dir of live) h.update(`\n${treeSignature(dir)}`);
    const key = h.digest('hex').slice(0, 32);
    const dir = join(this.root, key);
    if (existsSync(dir)) return Promise.resolve(dir);
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.build(dir, layerDirs).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  private async build(dir: string, layerDirs: readonly string[]): Promise<string> {
    const staging = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
    await mkdir(staging, { recursive: true });
    try {
      for (const layer of layerDirs) {
        await cp(layer, staging, { recursive: true, force: true, verbatimSymlinks: true });
      }
      await rename(staging, dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      if (existsSync(dir)) return dir; // another process won the race
      throw err;
    }
    return dir;
  }
}

/** Names, sizes and modification times of every file below dir: changes whenever an edit lands. */
function treeSignature(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return h.digest('hex');
}
