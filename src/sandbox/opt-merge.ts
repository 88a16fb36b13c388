import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Layers merged into one directory per distinct layer list (what the function sees as /opt): extracted layers
 * copied in configured order, later layers overwriting earlier files, built once and shared by every
 * environment with the same list. Built beside its final name and renamed in, so a crash never leaves half a tree.
 */
export class OptMerger {
  private readonly building = new Map<string, Promise<string>>();

  constructor(private readonly root: string) {}

  /** Host path of the merged tree for these extracted layer dirs (an empty dir when there are none). */
  merged(layerDirs: readonly string[]): Promise<string> {
    const key = createHash('sha256').update(layerDirs.join('\n')).digest('hex').slice(0, 32);
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
