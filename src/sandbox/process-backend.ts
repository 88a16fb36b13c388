import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { Logger } from '../observability/index.js';
import type { RuntimeEndpointAddress } from '../runtime-api/types.js';
import type {
  DebugTarget, OutputStream, ProcessSpec, Sandbox, SandboxBackend, SandboxExit, SandboxPaths, SandboxSpec, SandboxStats,
} from './backend.js';
import { processGroups, readProcessMemory } from './process-memory.js';

export interface ProcessBackendOptions {
  /** Per-environment state goes below here (`<dir>/<id>/tmp`). */
  stateDir: string;
  logger: Logger;
  /** How often resident memory is compared with the memory size. */
  memoryCheckIntervalMs?: number;
}

/**
 * Environments as plain child processes, each in its own process group. NOT ISOLATED: the function runs
 * as the platform's user and can see the host's files, network and processes. For development where the
 * isolated backend cannot run. Memory is policed by a watchdog on resident set size, which is coarse:
 * a fast allocation can overshoot for up to one interval before the group is killed.
 */
export class ProcessBackend implements SandboxBackend {
  readonly name = 'process';
  readonly isolated = false;
  private readonly live = new Set<ProcessSandbox>();
  private watchdog: NodeJS.Timeout | undefined;
  private ticks = 0;
  private groups = new Map<number, number[]>();

  constructor(private readonly options: ProcessBackendOptions) {
    // Per-environment state left by a previous run that did not shut down cleanly.
    rmSync(options.stateDir, { recursive: true, force: true });
    options.logger.warn('sandbox backend "process" gives NO ISOLATION: functions run as this user, with its files, network and processes', {
      backend: 'process',
    });
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const dir = join(this.options.stateDir, spec.id);
    const tmpDir = join(dir, 'tmp');
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const paths: SandboxPaths = { taskRoot: spec.codeDir, optRoot: spec.optDir, runtimeRoot: spec.runtimeDir, tmpDir };
    const sandbox = new ProcessSandbox(spec, dir, paths, (s) => this.track(s), (s) => this.untrack(s));
    if (spec.debug) {
      // The debugger listens on a free loopback port; the host-side relay publishes it on the session's port.
      const port = await freeLoopbackPort();
      sandbox.debug = { listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port } };
    }
    return sandbox;
  }

  async close(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.destroy()));
    this.stopWatchdog();
  }

  private track(s: ProcessSandbox): void {
    this.live.add(s);
    if (!this.watchdog) {
      this.watchdog = setInterval(() => this.check(), this.options.memoryCheckIntervalMs ?? 50);
      this.watchdog.unref();
    }
  }

  private untrack(s: ProcessSandbox): void {
    this.live.delete(s);
    if (this.live.size === 0) this.stopWatchdog();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /** Samples every live sandbox; rescans process groups every 20th tick (it walks all of /proc). */
  private check(): void {
    if (this.ticks++ % 20 === 0) {
      this.groups = processGroups(new Set([...this.live].map((s) => s.pid).filter((p): p is number => p !== undefined)));
    }
    for (const s of this.live) s.sample(this.groups.get(s.pid ?? -1));
  }
}

/** Longest unix socket path the kernel takes (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

class ProcessSandbox implements Sandbox {
  readonly id: string;
  debug?: { listen: { host: string; port: number }; target: DebugTarget };
  readonly endpointOptions: { socketPath?: string };
  readonly exited: Promise<SandboxExit>;
  private resolveExit!: (e: SandboxExit) => void;
  private child: ChildProcess | undefined;
  private exit: SandboxExit | undefined;
  private oom = false;
  private peakKb = 0;
  private lastRead = -Infinity;
  private members: number[] = [];
  private destroyed: Promise<void> | undefined;

  constructor(
    private readonly spec: SandboxSpec,
    private readonly dir: string,
    readonly paths: SandboxPaths,
    private readonly onStart: (s: ProcessSandbox) => void,
    private readonly onGone: (s: ProcessSandbox) => void,
  ) {
    this.id = spec.id;
    this.exited = new Promise((resolve) => { this.resolveExit = resolve; });
    // Our runtime clients take the Runtime API over a unix socket (cheaper than loopback TCP per invocation);
    // custom runtimes get a TCP port, since AWS_LAMBDA_RUNTIME_API must be host:port.
    const socketPath = join(dir, 'rapi.sock');
    this.endpointOptions = !spec.runtime.startsWith('provided') && socketPath.length <= MAX_SOCKET_PATH ? { socketPath } : {};
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  runtimeApi(address: RuntimeEndpointAddress): string {
    return address.hostPort;
  }

  start(proc: ProcessSpec, onOutput: (stream: OutputStream, chunk: Buffer) => void): void {
    if (this.child) throw new Error('sandbox already started');
    const env: Record<string, string> = { ...proc.env };
    if (this.endpointOptions.socketPath) env._SLUICE_RUNTIME_API_SOCKET = this.endpointOptions.socketPath;
    const child = spawn(proc.command, [...proc.args], {
      cwd: proc.cwd,
      env,
      // Its own process group, so a kill reaches whatever the runtime started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => onOutput('stdout', c));
    child.stderr!.on('data', (c: Buffer) => onOutput('stderr', c));
    child.once('error', (err) => {
      // spawn failures (ENOENT, EACCES) look like an exit with status 127/126 from a shell's point of view.
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
      this.finish({ kind: 'exited', code });
    });
    child.once('exit', (code, signal) => {
      // Whatever the runtime left behind in its group goes with it.
      this.killGroup();
      const exit: SandboxExit = this.oom ? { kind: 'out-of-memory' } : signal ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 0 };
      // Settle once the output pipes are drained (its last words belong in the log), or shortly after
      // if something that escaped the group still holds them open.
      child.once('close', () => this.finish(exit));
      setTimeout(() => this.finish(exit), 200).unref();
    });
    if (child.pid !== undefined) {
      this.members = [child.pid];
      this.onStart(this);
    }
  }

  /** Called by the backend's watchdog with the group's members as last scanned. */
  sample(members: number[] | undefined): void {
    if (this.exit || !this.child?.pid) return;
    if (members) this.members = members;
    let rss = 0;
    let hwm = 0;
    for (const pid of this.members) {
      const m = readProcessMemory(pid);
      if (!m) continue;
      rss += m.rssKb;
      hwm += m.hwmKb;
    }
    this.peakKb = Math.max(this.peakKb, rss, hwm);
    if (rss > this.spec.memoryMb * 1024 && !this.oom) {
      this.oom = true;
      this.killGroup();
    }
  }

  stats(): SandboxStats {
    if (this.oom) return { maxMemoryUsedMb: this.spec.memoryMb };
    // VmHWM is a high-water mark, so a reading from a few milliseconds ago (or the watchdog's) is still a peak;
    // re-reading /proc for every invocation would cost more than the rest of a warm invoke's bookkeeping.
    const now = performance.now();
    if (!this.exit && now - this.lastRead >= 10) {
      this.lastRead = now;
      let hwm = 0;
      for (const pid of this.members) hwm += readProcessMemory(pid)?.hwmKb ?? 0;
      this.peakKb = Math.max(this.peakKb, hwm);
    }
    return { maxMemoryUsedMb: Math.min(this.spec.memoryMb, Math.ceil(this.peakKb / 1024)) };
  }

  kill(): Promise<void> {
    if (!this.child) {
      this.finish({ kind: 'signaled', signal: 'SIGKILL' });
      return Promise.resolve();
    }
    this.killGroup();
    return this.exited.then(() => undefined);
  }

  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      await this.kill();
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.destroyed;
  }

  private killGroup(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private finish(exit: SandboxExit): void {
    if (this.exit) return;
    this.exit = exit;
    this.onGone(this);
    this.resolveExit(exit);
  }
}

/** A loopback port nothing listens on right now. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
