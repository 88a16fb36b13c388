import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../../observability/index.js';
import type { SandboxBackend } from '../backend.js';
import { ProcessBackend } from '../process-backend.js';
import { detectCgroups } from './cgroups.js';
import { isolationAvailable, probeHost } from './host-capabilities.js';
import { IsolatedBackend } from './isolated-backend.js';

export type SandboxMode = 'auto' | 'isolated' | 'process';

export interface BackendChoice {
  dataDir: string;
  runtimesDir: string;
  mode: SandboxMode;
  uid: number;
  gid: number;
  logger: Logger;
  /** cgroup parent name (distinct per server so two servers never sweep each other's environments). */
  cgroupParent: string;
}

/** Whether the sandbox user can reach a host path (every ancestor directory searchable by others). */
export function sandboxCanReach(path: string): boolean {
  try {
    return untraversable([dirname(path)]).length === 0;
  } catch {
    return false;
  }
}

/** Paths bwrap (running as the sandbox uid) must traverse to bind code, layers and runtimes. */
function untraversable(paths: string[]): string[] {
  const bad = new Set<string>();
  for (const p of paths) {
    for (let d = resolve(p); d !== dirname(d); d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) bad.add(d);
    }
  }
  return [...bad];
}

/**
 * `auto` uses the isolated backend wherever it can run and otherwise the process backend with a loud warning;
 * `isolated` refuses to start instead of downgrading; `process` is explicit development mode.
 */
export async function selectBackend(choice: BackendChoice): Promise<SandboxBackend> {
  const { logger } = choice;
  const stateDir = join(choice.dataDir, 'sandboxes');
  if (choice.mode !== 'process') {
    const caps = probeHost();
    const missing = caps.filter((c) => !c.ok && ['root', 'bubblewrap', 'setpriv', 'cgroups', 'user namespaces'].includes(c.name));
    let reason: string | undefined;
    if (missing.length > 0) reason = missing.map((c) => `${c.name}: ${c.detail} (fix: ${c.fix})`).join('; ');
    else if (!isolationAvailable(caps)) reason = 'bubblewrap cannot create namespaces on this host';
    if (!reason) {
      // The data dir holds the platform's secrets; it only needs to be traversable (not listable) by the sandbox uid.
      chmodSync(choice.dataDir, 0o711);
      const blocked = untraversable([choice.dataDir, choice.runtimesDir]);
      if (blocked.length > 0) reason = `the sandbox user cannot reach ${blocked.join(', ')} (chmod o+x, or choose another --data-dir)`;
      else accessSync(choice.runtimesDir, constants.R_OK);
    }
    if (!reason) {
      const cgroups = detectCgroups(choice.cgroupParent)!;
      const loopTmp = caps.find((c) => c.name === 'loop devices + mkfs.ext4')?.ok ?? false;
      const backend = await IsolatedBackend.start({ stateDir, cgroups, logger, uid: choice.uid, gid: choice.gid, loopTmp });
      logger.info('sandbox backend: isolated', { backend: 'isolated', cgroups: cgroups.version, tmp: loopTmp ? 'ext4 loop image' : 'tmpfs', uid: choice.uid });
      return backend;
    }
    if (choice.mode === 'isolated') throw new Error(`the isolated sandbox backend cannot run here: ${reason}`);
    logger.warn(`FUNCTIONS ARE NOT ISOLATED: the isolated backend cannot run here (${reason}); using the process backend. Run \`sluice doctor\` for details.`, { backend: 'process' });
  }
  return new ProcessBackend({ stateDir, logger });
}
