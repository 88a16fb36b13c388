import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join, basename } from 'node:path';
import type { Logger } from '../../observability/index.js';
import type { RuntimeEndpointAddress } from '../../runtime-api/types.js';
import type {
  OutputStream, ProcessSpec, Sandbox, SandboxBackend, SandboxExit, SandboxPaths, SandboxSpec, SandboxStats,
} from '../backend.js';
import { readProcessMemory } from '../process-memory.js';
import { bwrapArgs, passwdFor, SANDBOX_RUNTIME_API_SOCKET } from './bwrap-args.js';
import { cpusForMemory, type CgroupManager, type EnvironmentCgroup } from './cgroups.js';
import { createTmpVolume, sweepTmpVolumes, type TmpVolume } from './tmp-volume.js';

export interface IsolatedBackendOptions {
  /** Per-environment state (sockets, /tmp images) goes below here. */
  stateDir: string;
  cgroups: CgroupManager;
  logger: Logger;
  /** The unprivileged uid/gid functions run as. */
  uid: number;
  gid: number;
  /** Use ext4 loop images for /tmp (not charged to memory); else a tmpfs. */
  loopTmp: boolean;
  pidsMax?: number;
}

/** Port of the in-sandbox relay for runtimes that need AWS_LAMBDA_RUNTIME_API=host:port (custom runtimes). */
const RELAY_PORT = 9001;
const RELAY_PORT_HEX = RELAY_PORT.toString(16).toUpperCase().padStart(4, '0');

/**
 * Environments in bubblewrap sandboxes (new user/mount/pid/ipc/uts/net/cgroup namespaces, read-only root,
 * no capabilities, an unprivileged uid) inside per-environment cgroups that enforce MemorySize, a CPU share
 * and a pids limit. See ../shared/reference/isolation.md for the measurements behind each choice.
 */
export class IsolatedBackend implements SandboxBackend {
  readonly name = 'isolated';
  readonly isolated = true;
  private readonly live = new Set<IsolatedSandbox>();
  private readonly passwd: string;
  private readonly group: string;

  private constructor(private readonly options: IsolatedBackendOptions) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o711 });
    const files = passwdFor(options.uid, options.gid);
    this.passwd = join(options.stateDir, 'passwd');
    this.group = join(options.stateDir, 'group');
    writeFileSync(this.passwd, files.passwd, { mode: 0o644 });
    writeFileSync(this.group, files.group, { mode: 0o644 });
  }

  /** Sweeps what a crashed previous run left (cgroups, mounted /tmp images) before starting. */
  static async start(options: IsolatedBackendOptions): Promise<IsolatedBackend> {
    const cgroups = await options.cgroups.sweep();
    const volumes = await sweepTmpVolumes(options.stateDir);
    if (cgroups + volumes > 0) options.logger.warn('swept leftovers of a previous run', { cgroups, volumes });
    return new IsolatedBackend(options);
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const dir = join(this.options.stateDir, spec.id);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    const memoryBytes = spec.memoryMb * 1024 * 1024;
    // No CPU quota until init is done: AWS lifts the share during init so small functions still start fast.
    const cgroup = this.options.cgroups.create(spec.id, { memoryBytes, pidsMax: this.options.pidsMax ?? 1024 });
    let tmp: TmpVolume | undefined;
    try {
      if (this.options.loopTmp) {
        tmp = await createTmpVolume(join(dir, 'tmpfs'), spec.ephemeralStorageMb * 1024 * 1024, { uid: this.options.uid, gid: this.options.gid });
      }
    } catch (err) {
      await cgroup.destroy();
      throw err;
    }
    const sandbox = new IsolatedSandbox(spec, dir, cgroup, tmp, this.options, this.passwd, this.group, (s) => this.live.delete(s));
    this.live.add(sandbox);
    return sandbox;
  }

  async close(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.destroy()));
    await this.options.cgroups.close();
  }
}

class IsolatedSandbox implements Sandbox {
  readonly id: string;
  readonly paths: SandboxPaths = { taskRoot: '/var/task', optRoot: '/opt', runtimeRoot: '/var/runtime', tmpDir: '/tmp' };
  readonly endpointOptions: { socketPath: string };
  readonly exited: Promise<SandboxExit>;
  private resolveExit!: (e: SandboxExit) => void;
  private child: ChildProcess | undefined;
  private exit: SandboxExit | undefined;
  private oomBefore = 0;
  private peakKb = 0;
  private destroyed: Promise<void> | undefined;

  constructor(
    private readonly spec: SandboxSpec,
    private readonly dir: string,
    private readonly cgroup: EnvironmentCgroup,
    private readonly tmp: TmpVolume | undefined,
    private readonly options: IsolatedBackendOptions,
    private readonly passwd: string,
    private readonly group: string,
    private readonly onGone: (s: IsolatedSandbox) => void,
  ) {
    this.id = spec.id;
    this.endpointOptions = { socketPath: join(dir, 'rapi.sock') };
    this.exited = new Promise((resolve) => { this.resolveExit = resolve; });
    this.oomBefore = cgroup.oomKills();
  }

  runtimeApi(address: RuntimeEndpointAddress): string {
    // The socket is created by the platform; the sandbox user must be able to connect to it.
    if (address.socketPath) chownSync(address.socketPath, this.options.uid, this.options.gid);
    return `127.0.0.1:${RELAY_PORT}`;
  }

  /** The CPU share proportional to memory applies once init is over. */
  initialized(): void {
    try {
      this.cgroup.setCpu(cpusForMemory(this.spec.memoryMb));
    } catch { /* the sandbox may already be gone */ }
  }

  start(proc: ProcessSpec, onOutput: (stream: OutputStream, chunk: Buffer) => void): void {
    if (this.child) throw new Error('sandbox already started');
    const extraRoBinds: [string, string][] = [];
    let command = proc.command;
    // Interpreters installed outside /usr (e.g. `sluice runtimes install`) appear at /var/lang as on Lambda.
    if (command.startsWith('/') && !command.startsWith('/usr/') && basename(dirname(command)) === 'bin') {
      extraRoBinds.push([dirname(dirname(command)), '/var/lang']);
      command = `/var/lang/bin/${basename(command)}`;
    }
    // Managed runtimes (AWS_EXECUTION_ENV set) use our clients, which speak to the bound socket directly;
    // custom runtimes get AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 through a socat relay inside the sandbox.
    const managed = proc.env.AWS_EXECUTION_ENV !== undefined;
    const env: Record<string, string> = { ...proc.env };
    let argv = [command, ...proc.args];
    if (managed) {
      env._SLUICE_RUNTIME_API_SOCKET = SANDBOX_RUNTIME_API_SOCKET;
    } else {
      const relay =
        `socat TCP-LISTEN:${RELAY_PORT},bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:${SANDBOX_RUNTIME_API_SOCKET} & ` +
        `i=0; while [ $i -lt 200 ] && ! grep -q ':${RELAY_PORT_HEX} ' /proc/net/tcp; do sleep 0.005; i=$((i+1)); done; exec "$@"`;
      argv = ['/bin/sh', '-c', relay, 'relay', ...argv];
    }
    const { command: setpriv, args } = bwrapArgs({
      uid: this.options.uid,
      gid: this.options.gid,
      taskDir: this.spec.codeDir,
      optDir: this.spec.optDir,
      runtimeDir: this.spec.runtimeDir,
      passwdFile: this.passwd,
      groupFile: this.group,
      tmpDir: this.tmp?.path,
      tmpSizeBytes: this.spec.ephemeralStorageMb * 1024 * 1024,
      runtimeApiSocket: this.endpointOptions.socketPath,
      env,
      argv,
      extraRoBinds,
      chdir: proc.cwd,
    }, existsSync);
    // Enter the cgroups from a trampoline before exec, so nothing the sandbox allocates escapes the limits.
    const enter = this.cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
    const child = spawn('/bin/sh', ['-c', `${enter} && exec "$@"`, 'cgwrap', setpriv, ...args], {
      env: {},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (c: Buffer) => onOutput('stdout', c));
    child.stderr!.on('data', (c: Buffer) => onOutput('stderr', c));
    child.once('error', () => this.finish({ kind: 'exited', code: 127 }));
    child.once('exit', (code, signal) => {
      void this.cgroup.killAll();
      const exit = this.classify(code, signal);
      child.once('close', () => this.finish(exit));
      setTimeout(() => this.finish(exit), 200).unref();
    });
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): SandboxExit {
    if (this.cgroup.oomKills() > this.oomBefore) return { kind: 'out-of-memory' };
    if (signal) return { kind: 'signaled', signal };
    // bwrap reports its child's death by signal N as exit status 128+N.
    if (code !== null && code > 128 && code < 128 + 65) {
      const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
      if (name) return { kind: 'signaled', signal: name };
    }
    return { kind: 'exited', code: code ?? 0 };
  }

  stats(): SandboxStats {
    if (this.exit?.kind === 'out-of-memory') return { maxMemoryUsedMb: this.spec.memoryMb };
    let hwm = 0;
    for (const pid of this.cgroup.pids()) hwm += readProcessMemory(pid)?.hwmKb ?? 0;
    this.peakKb = Math.max(this.peakKb, hwm, Math.ceil(this.cgroup.peakBytes() / 1024));
    return { maxMemoryUsedMb: Math.min(this.spec.memoryMb, Math.ceil(this.peakKb / 1024)) };
  }

  async kill(): Promise<void> {
    if (!this.child) {
      this.finish({ kind: 'signaled', signal: 'SIGKILL' });
      return;
    }
    await this.cgroup.killAll();
    await this.exited;
  }

  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      await this.kill();
      await this.cgroup.destroy();
      await this.tmp?.close();
      rmSync(this.dir, { recursive: true, force: true });
      this.onGone(this);
    })();
    return this.destroyed;
  }

  private finish(exit: SandboxExit): void {
    if (this.exit) return;
    this.exit = exit;
    this.resolveExit(exit);
  }
}
