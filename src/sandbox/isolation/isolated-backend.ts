import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Writable } from 'node:stream';
import { dirname, join, basename } from 'node:path';
import type { Logger } from '../../observability/index.js';
import type { RuntimeEndpointAddress } from '../../runtime-api/types.js';
import type {
  DebugTarget, OutputStream, ProcessSpec, Sandbox, SandboxBackend, SandboxExit, SandboxPaths, SandboxSpec, SandboxStats,
} from '../backend.js';
import { readProcessMemory } from '../process-memory.js';
import { argsViaFd, bwrapArgs, passwdFor, SANDBOX_RUNTIME_API_SOCKET } from './bwrap-args.js';
import { cpusForMemory, type CgroupManager, type EnvironmentCgroup } from './cgroups.js';
import { createTmpVolume, sweepTmpVolumes, type TmpVolume } from './tmp-volume.js';
import { sweepNetworks, type EgressNetworks, type EnvironmentNetwork } from './egress-network.js';
import { CodeMounts, type CodeSlot } from './code-mounts.js';
import { createMounter, type Mounter } from './mounter.js';
import type { AttachableSandbox, GenericSandboxes, GenericSandboxSpec } from '../backend.js';

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
  /** Names this server's network namespaces; leftovers with it are swept on start. */
  netnsPrefix: string;
  /** `egress` mode: a NATed network namespace per environment; absent = loopback only (`none`). */
  egress?: EgressNetworks;
  /** bubblewrap older than 0.8 cannot forbid nested user namespaces. */
  nestedUserns?: boolean;
}

const TRAMPOLINE_SHELL = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';

/** Port of the in-sandbox relay for runtimes that need AWS_LAMBDA_RUNTIME_API=host:port (custom runtimes). */
const RELAY_PORT = 9001;
const RELAY_PORT_HEX = RELAY_PORT.toString(16).toUpperCase().padStart(4, '0');
/** Where a debugged runtime's debugger listens inside the sandbox, and the directory of its relay socket. */
const DEBUG_PORT = 9229;
const SANDBOX_DEBUG_DIR = '/run/sluice-debug';

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
  /** Code attachment for pre-started sandboxes, set up on first use. */
  private mounts: Promise<{ mounter: Mounter; code: CodeMounts }> | undefined;

  /** Pre-started sandboxes (the pool): started with empty /var/task and /opt, given their code by attach(). */
  readonly generic: GenericSandboxes = {
    paths: SANDBOX_PATHS,
    create: (spec) => this.createGeneric(spec),
  };

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
    const networks = await sweepNetworks(options.netnsPrefix);
    if (cgroups + volumes + networks > 0) options.logger.warn('swept leftovers of a previous run', { cgroups, volumes, networks });
    return new IsolatedBackend(options);
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const dir = join(this.options.stateDir, spec.id);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    const memoryBytes = spec.memoryMb * 1024 * 1024;
    // No CPU quota until init is done: AWS lifts the share during init so small functions still start fast.
    const cgroup = this.options.cgroups.create(spec.id, { memoryBytes, pidsMax: this.options.pidsMax ?? 1024 });
    let tmp: TmpVolume | undefined;
    let network: EnvironmentNetwork | undefined;
    try {
      if (this.options.loopTmp) {
        tmp = await createTmpVolume(join(dir, 'tmpfs'), spec.ephemeralStorageMb * 1024 * 1024, { uid: this.options.uid, gid: this.options.gid });
      }
      network = await this.options.egress?.create(spec.id);
    } catch (err) {
      await tmp?.close();
      await cgroup.destroy();
      throw err;
    }
    const sandbox = new IsolatedSandbox(spec, dir, cgroup, tmp, network, this.options, this.passwd, this.group, (s) => this.live.delete(s));
    if (spec.debug) {
      // The sandbox has its own network namespace: a socat inside bridges a socket in this directory to the debugger.
      const debugDir = join(dir, 'debug');
      mkdirSync(debugDir, { mode: 0o700 });
      chownSync(debugDir, this.options.uid, this.options.gid);
      sandbox.debug = { listen: { host: '127.0.0.1', port: DEBUG_PORT }, target: { socketPath: join(debugDir, 'debugger.sock') } };
    }
    this.live.add(sandbox);
    return sandbox;
  }

  private async createGeneric(spec: GenericSandboxSpec): Promise<AttachableSandbox> {
    this.mounts ??= createMounter(this.options.stateDir).then((mounter) => {
      this.options.logger.debug('pre-started pool: code attaches through propagated bind mounts', { mounter: mounter.kind });
      return { mounter, code: new CodeMounts(join(this.options.stateDir, 'pool'), mounter) };
    });
    const slot = await (await this.mounts).code.slot(spec.id);
    let sandbox: IsolatedSandbox;
    try {
      sandbox = await this.create({ ...spec, codeDir: slot.taskDir, optDir: slot.optDir }) as IsolatedSandbox;
    } catch (err) {
      await slot.release();
      throw err;
    }
    sandbox.slot = slot;
    return sandbox as IsolatedSandbox & AttachableSandbox;
  }

  async close(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.destroy()));
    const mounts = await this.mounts?.catch(() => undefined);
    await mounts?.code.close();
    await mounts?.mounter.close();
    await this.options.cgroups.close();
  }
}

const SANDBOX_PATHS: SandboxPaths = { taskRoot: '/var/task', optRoot: '/opt', runtimeRoot: '/var/runtime', tmpDir: '/tmp' };

class IsolatedSandbox implements Sandbox {
  readonly id: string;
  debug?: { listen: { host: string; port: number }; target: DebugTarget };
  readonly paths: SandboxPaths = SANDBOX_PATHS;
  /** Pre-started sandboxes: where their code gets attached. */
  slot: CodeSlot | undefined;
  readonly endpointOptions: { socketPath: string };
  readonly exited: Promise<SandboxExit>;
  private resolveExit!: (e: SandboxExit) => void;
  private child: ChildProcess | undefined;
  private exit: SandboxExit | undefined;
  private oomBefore = 0;
  private peakKb = 0;
  private hwmReadAt = -Infinity;
  private destroyed: Promise<void> | undefined;

  constructor(
    private readonly spec: SandboxSpec,
    private readonly dir: string,
    private readonly cgroup: EnvironmentCgroup,
    private readonly tmp: TmpVolume | undefined,
    private readonly network: EnvironmentNetwork | undefined,
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

  /** Pre-started sandboxes: the function's code and layers appear in the running sandbox; its memory size applies. */
  async attach(code: { codeDir: string; optDir: string; memoryMb: number }): Promise<void> {
    if (!this.slot) throw new Error('not a pre-started sandbox');
    this.cgroup.setMemory(code.memoryMb * 1024 * 1024);
    this.spec.memoryMb = code.memoryMb;
    await this.slot.attach(code.codeDir, code.optDir);
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
    const extraBinds: [string, string][] = [];
    if (this.debug) {
      extraBinds.push([join(this.dir, 'debug'), SANDBOX_DEBUG_DIR]);
      const relay = `socat UNIX-LISTEN:${SANDBOX_DEBUG_DIR}/debugger.sock,fork,unlink-early TCP:127.0.0.1:${DEBUG_PORT} & exec "$@"`;
      argv = ['/bin/sh', '-c', relay, 'debug-relay', ...argv];
    }
    const { command: setpriv, args: fullArgs } = bwrapArgs({
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
      netnsPath: this.network?.path,
      nestedUserns: this.options.nestedUserns,
      env,
      argv,
      extraRoBinds,
      extraBinds,
      chdir: proc.cwd,
    }, existsSync);
    // Enter the cgroups from a trampoline before exec, so nothing the sandbox allocates escapes the limits.
    const enter = this.cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join(' && ');
    // In egress mode the sandbox joins its prepared network namespace (root-only, so before setpriv drops).
    const netns = this.network ? ['nsenter', `--net=${this.network.path}`] : [];
    const { args, data } = argsViaFd(fullArgs);
    // Descriptors the server inherited without close-on-exec (from whatever started it) would reach the sandbox:
    // close all but stdio and bwrap's argument pipe. bash, because dash cannot name descriptors above 9.
    const closeInherited = 'for f in /proc/self/fd/*; do n=${f##*/}; case $n in 0|1|2|3) ;; *) eval "exec $n>&-" ;; esac; done';
    const child = spawn(TRAMPOLINE_SHELL, ['-c', `${closeInherited}; ${enter} && exec "$@"`, 'cgwrap', ...netns, setpriv, ...args], {
      env: {},
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    const argsPipe = child.stdio[3] as Writable;
    argsPipe.on('error', () => undefined);
    argsPipe.end(data);
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
    // VmHWM is a high-water mark, so a reading from a few milliseconds ago is still a peak: re-reading every
    // process's /proc status for each of a fast series of invokes would cost more than the rest of a warm invoke.
    const now = performance.now();
    if (now - this.hwmReadAt >= 10) {
      this.hwmReadAt = now;
      let hwm = 0;
      for (const pid of this.cgroup.pids()) hwm += readProcessMemory(pid)?.hwmKb ?? 0;
      this.peakKb = Math.max(this.peakKb, hwm);
    }
    this.peakKb = Math.max(this.peakKb, Math.ceil(this.cgroup.peakBytes() / 1024));
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
      await this.network?.destroy();
      await this.slot?.release();
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
