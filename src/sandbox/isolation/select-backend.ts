import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from '../../observability/index.js';
import type { SandboxBackend } from '../backend.js';
import { ProcessBackend } from '../process-backend.js';
import { detectCgroups } from './cgroups.js';
import { isolationAvailable, probeHost, type Capability } from './host-capabilities.js';
import { IsolatedBackend } from './isolated-backend.js';
import { EgressNetworks } from './egress-network.js';

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
  /** Default network of functions; `egress` needs ip + iptables and refuses to start without them. */
  network?: 'none' | 'egress';
  egressSubnet?: string;
}

const ISOLATION_NEEDS = ['root', 'bubblewrap', 'setpriv', 'cgroups', 'user namespaces'];

export interface BackendPlan {
  backend: 'isolated' | 'process';
  /** Why the isolated backend cannot run (process backend, or a refusal when `refused`). */
  reason?: string;
  /** `--sandbox isolated` (or egress networking) was asked for and cannot be given: serve refuses to start. */
  refused: boolean;
  capabilities: Capability[];
}

/**
 * Which backend `serve` will use and why, without changing anything (what `sluice doctor` prints).
 * The data dir only has to be traversable by the sandbox uid; serve makes it 0711 itself, so it is not a blocker.
 */
export function planBackend(choice: Omit<BackendChoice, 'logger' | 'uid' | 'gid'>): BackendPlan {
  const caps = probeHost();
  if (choice.mode === 'process') return { backend: 'process', refused: false, capabilities: caps };
  const missing = caps.filter((c) => !c.ok && ISOLATION_NEEDS.includes(c.name));
  let reason: string | undefined;
  if (missing.length > 0) reason = missing.map((c) => `${c.name}: ${c.detail} (fix: ${c.fix})`).join('; ');
  else if (!isolationAvailable(caps)) reason = 'bubblewrap cannot create namespaces on this host';
  else {
    const blocked = untraversable([dirname(choice.dataDir), choice.runtimesDir].filter((p) => existsSync(p)));
    if (blocked.length > 0) reason = `the sandbox user cannot reach ${blocked.join(', ')} (chmod o+x, or choose another --data-dir)`;
  }
  if (!reason && choice.network === 'egress') {
    const egress = caps.find((c) => c.name === 'egress networking');
    if (!egress?.ok) return { backend: 'isolated', reason: `--sandbox-network egress: ${egress?.detail} (fix: ${egress?.fix})`, refused: true, capabilities: caps };
  }
  if (!reason) return { backend: 'isolated', refused: false, capabilities: caps };
  return { backend: 'process', reason, refused: choice.mode === 'isolated', capabilities: caps };
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
    const plan = planBackend(choice);
    if (plan.refused && plan.backend === 'isolated') throw new Error(`cannot start: ${plan.reason}`);
    const caps = plan.capabilities;
    let reason = plan.reason;
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
      const egress = choice.network === 'egress'
        ? await EgressNetworks.start({ namePrefix: choice.cgroupParent, subnet: choice.egressSubnet ?? '10.213.0.0/16', logger })
        : undefined;
      const backend = await IsolatedBackend.start({
        stateDir, cgroups, logger, uid: choice.uid, gid: choice.gid, loopTmp, netnsPrefix: choice.cgroupParent, egress,
        nestedUserns: !caps.find((c) => c.name === 'bubblewrap --disable-userns')?.ok,
      });
      logger.info('sandbox backend: isolated', {
        backend: 'isolated', cgroups: cgroups.version, tmp: loopTmp ? 'ext4 loop image' : 'tmpfs', uid: choice.uid, network: choice.network ?? 'none',
      });
      return backend;
    }
    if (choice.mode === 'isolated') throw new Error(`the isolated sandbox backend cannot run here: ${reason}`);
    logger.warn(`FUNCTIONS ARE NOT ISOLATED: the isolated backend cannot run here (${reason}); using the process backend. Run \`sluice doctor\` for details.`, { backend: 'process' });
  }
  if (choice.network === 'egress') {
    logger.warn('--sandbox-network egress has no effect with the process backend: functions use the host network directly', { backend: 'process' });
  }
  return new ProcessBackend({ stateDir, logger });
}
