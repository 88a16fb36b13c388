import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Limits applied to one environment's cgroup. */
export interface CgroupLimits {
  memoryBytes: number;
  pidsMax: number;
  /** CPU share in "vCPUs" (1.0 = one core); undefined = unlimited. */
  cpus?: number;
}

/** One environment's cgroup, whatever the cgroup version underneath. */
export interface EnvironmentCgroup {
  readonly id: string;
  /** Files a process writes its pid into to enter this cgroup (for a `sh` trampoline before exec). */
  readonly procsFiles: readonly string[];
  setCpu(cpus: number | undefined): void;
  /** Changes the memory limit (memory + swap) of a running environment (fails while usage is above it). */
  setMemory(bytes: number): void;
  /** Resets the peak-usage counter so the next reading is per invocation. */
  resetPeak(): void;
  peakBytes(): number;
  oomKills(): number;
  pids(): number[];
  /** SIGKILLs everything inside until it is empty. */
  killAll(): Promise<void>;
  destroy(): Promise<void>;
}

export interface CgroupManager {
  readonly version: 'v1' | 'v2';
  create(id: string, limits: CgroupLimits): EnvironmentCgroup;
  /** Removes cgroups a previous (crashed) run left behind; returns how many. */
  sweep(): Promise<number>;
  /** Sweeps, then removes the (empty) parent cgroup itself. */
  close(): Promise<void>;
}

const CPU_PERIOD_US = 100_000;

function readNumber(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function killUntilEmpty(procsFile: string): Promise<void> {
  for (let round = 0; round < 200; round++) {
    const pids = readPids(procsFile);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function removeDir(dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** cgroup v1: separate hierarchies for memory, cpu, cpuacct and pids (this machine's layout). */
class V1Environment implements EnvironmentCgroup {
  readonly procsFiles: string[];
  constructor(readonly id: string, private readonly dirs: { memory: string; cpu: string; cpuacct?: string; pids: string }) {
    this.procsFiles = Object.values(dirs).filter((d): d is string => !!d).map((d) => join(d, 'cgroup.procs'));
  }

  setCpu(cpus: number | undefined): void {
    writeFileSync(join(this.dirs.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    writeFileSync(join(this.dirs.cpu, 'cpu.cfs_quota_us'), cpus === undefined ? '-1' : String(Math.max(1000, Math.round(CPU_PERIOD_US * cpus))));
  }

  setMemory(bytes: number): void {
    const limit = join(this.dirs.memory, 'memory.limit_in_bytes');
    const memsw = join(this.dirs.memory, 'memory.memsw.limit_in_bytes');
    const files = existsSync(memsw) ? [limit, memsw] : [limit];
    // memsw ≥ limit at every moment: lowering writes the limit first, raising memsw first.
    if (bytes > readNumber(limit)) files.reverse();
    for (const f of files) writeFileSync(f, String(bytes));
  }

  resetPeak(): void {
    try { writeFileSync(join(this.dirs.memory, 'memory.max_usage_in_bytes'), '0'); } catch { /* best effort */ }
  }

  peakBytes(): number {
    return readNumber(join(this.dirs.memory, 'memory.max_usage_in_bytes'));
  }

  oomKills(): number {
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(join(this.dirs.memory, 'memory.oom_control'), 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }

  pids(): number[] {
    return readPids(join(this.dirs.pids, 'cgroup.procs'));
  }

  async killAll(): Promise<void> {
    // The freezer would make this atomic; repeated SIGKILL sweeps converge because nothing can fork once pids are killed.
    await killUntilEmpty(join(this.dirs.pids, 'cgroup.procs'));
    await killUntilEmpty(join(this.dirs.memory, 'cgroup.procs'));
  }

  async destroy(): Promise<void> {
    await this.killAll();
    for (const dir of Object.values(this.dirs)) if (dir) await removeDir(dir);
  }
}

export class CgroupV1Manager implements CgroupManager {
  readonly version = 'v1' as const;
  constructor(private readonly root = '/sys/fs/cgroup', private readonly parent = 'sluice') {}

  private dir(controller: string, id?: string): string {
    return id === undefined ? join(this.root, controller, this.parent) : join(this.root, controller, this.parent, id);
  }

  private controllers(): string[] {
    const separateAcct = existsSync(join(this.root, 'cpuacct')) && !existsSync(join(this.root, 'cpu', 'cpuacct.usage'));
    return separateAcct ? ['memory', 'cpu', 'cpuacct', 'pids'] : ['memory', 'cpu', 'pids'];
  }

  create(id: string, limits: CgroupLimits): EnvironmentCgroup {
    const dirs: Record<string, string> = {};
    for (const c of this.controllers()) {
      const d = this.dir(c, id);
      mkdirSync(d, { recursive: true });
      dirs[c] = d;
    }
    const mem = dirs.memory!;
    writeFileSync(join(mem, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // memsw must be ≥ limit_in_bytes at every moment, so it is written after it; absent without swap accounting.
    const memsw = join(mem, 'memory.memsw.limit_in_bytes');
    if (existsSync(memsw)) writeFileSync(memsw, String(limits.memoryBytes));
    try { writeFileSync(join(mem, 'memory.swappiness'), '0'); } catch { /* not on every kernel */ }
    writeFileSync(join(dirs.pids!, 'pids.max'), String(limits.pidsMax));
    const env = new V1Environment(id, { memory: mem, cpu: dirs.cpu!, cpuacct: dirs.cpuacct, pids: dirs.pids! });
    env.setCpu(limits.cpus);
    return env;
  }

  async sweep(): Promise<number> {
    let removed = 0;
    const ids = new Set<string>();
    for (const c of this.controllers()) {
      const parent = this.dir(c);
      if (!existsSync(parent)) continue;
      for (const name of readdirSync(parent, { withFileTypes: true })) if (name.isDirectory()) ids.add(name.name);
    }
    for (const id of ids) {
      const dirs: Record<string, string> = {};
      for (const c of this.controllers()) dirs[c] = this.dir(c, id);
      await new V1Environment(id, { memory: dirs.memory!, cpu: dirs.cpu!, cpuacct: dirs.cpuacct, pids: dirs.pids! }).destroy();
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    await this.sweep();
    for (const c of this.controllers()) await removeDir(this.dir(c));
  }

  /** Whether this host has writable v1 hierarchies for every controller we need. */
  static available(root = '/sys/fs/cgroup'): boolean {
    return ['memory', 'cpu', 'pids'].every((c) => existsSync(join(root, c, 'cgroup.procs')));
  }
}

/** cgroup v2: one unified directory; used where the unified hierarchy has the controllers. */
class V2Environment implements EnvironmentCgroup {
  readonly procsFiles: string[];
  constructor(readonly id: string, private readonly dir: string) {
    this.procsFiles = [join(dir, 'cgroup.procs')];
  }
  setCpu(cpus: number | undefined): void {
    writeFileSync(join(this.dir, 'cpu.max'), cpus === undefined ? `max ${CPU_PERIOD_US}` : `${Math.max(1000, Math.round(CPU_PERIOD_US * cpus))} ${CPU_PERIOD_US}`);
  }
  setMemory(bytes: number): void {
    writeFileSync(join(this.dir, 'memory.max'), String(bytes));
  }
  resetPeak(): void {
    // memory.peak is resettable only on newer kernels (write any value); ignore where it is not.
    try { writeFileSync(join(this.dir, 'memory.peak'), '0'); } catch { /* best effort */ }
  }
  peakBytes(): number {
    return readNumber(join(this.dir, 'memory.peak'));
  }
  oomKills(): number {
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(join(this.dir, 'memory.events'), 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  }
  pids(): number[] {
    return readPids(join(this.dir, 'cgroup.procs'));
  }
  async killAll(): Promise<void> {
    const kill = join(this.dir, 'cgroup.kill');
    if (existsSync(kill)) writeFileSync(kill, '1');
    await killUntilEmpty(join(this.dir, 'cgroup.procs'));
  }
  async destroy(): Promise<void> {
    await this.killAll();
    await removeDir(this.dir);
  }
}

export class CgroupV2Manager implements CgroupManager {
  readonly version = 'v2' as const;
  constructor(private readonly root = '/sys/fs/cgroup', private readonly parent = 'sluice') {}

  create(id: string, limits: CgroupLimits): EnvironmentCgroup {
    const parent = join(this.root, this.parent);
    mkdirSync(parent, { recursive: true });
    writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory +pids +cpu');
    const dir = join(parent, id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
    writeFileSync(join(dir, 'memory.swap.max'), '0');
    writeFileSync(join(dir, 'pids.max'), String(limits.pidsMax));
    const env = new V2Environment(id, dir);
    env.setCpu(limits.cpus);
    return env;
  }

  async sweep(): Promise<number> {
    const parent = join(this.root, this.parent);
    if (!existsSync(parent)) return 0;
    let n = 0;
    for (const e of readdirSync(parent, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      await new V2Environment(e.name, join(parent, e.name)).destroy();
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    await this.sweep();
    await removeDir(join(this.root, this.parent));
  }

  static available(root = '/sys/fs/cgroup'): boolean {
    try {
      const controllers = readFileSync(join(root, 'cgroup.controllers'), 'utf8');
      return ['memory', 'pids', 'cpu'].every((c) => controllers.split(/\s+/).includes(c));
    } catch {
      return false;
    }
  }
}

/** Picks v2 where the unified hierarchy has our controllers, else v1, else none. */
export function detectCgroups(parent = 'sluice', root = '/sys/fs/cgroup'): CgroupManager | undefined {
  if (CgroupV2Manager.available(root)) return new CgroupV2Manager(root, parent);
  if (CgroupV1Manager.available(root)) return new CgroupV1Manager(root, parent);
  return undefined;
}

/** AWS: 1,769 MB of memory buys one full vCPU. */
export function cpusForMemory(memoryMb: number): number {
  return memoryMb / 1769;
}
