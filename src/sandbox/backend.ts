import type { RuntimeEndpointAddress, RuntimeEndpointOptions } from '../runtime-api/types.js';

/**
 * The sandbox seam. An environment asks its backend for a sandbox, learns the paths as its runtime will see
 * them, starts one runtime process in it and later kills it. Nothing above this interface knows whether the
 * sandbox is a plain process group (`process` backend) or namespaces + cgroups (the isolated backend).
 */
export interface SandboxSpec {
  /** Unique per environment; names per-environment state (tmp dir, cgroup, socket). */
  id: string;
  /** The runtime id: our managed runtimes speak to a unix socket; custom ones need host:port. */
  runtime: string;
  /** Host path of the extracted function code. */
  codeDir: string;
  /** Host path of the function's layers merged in order (what /opt shows). */
  optDir: string;
  /** Host path of our runtime clients (`runtimes/`). */
  runtimeDir: string;
  memoryMb: number;
  ephemeralStorageMb: number;
  /** Make a debugger port inside the sandbox reachable from the host (Sandbox.debug). */
  debug?: boolean;
}

/** Where the host reaches a debugger listening inside a sandbox. */
export type DebugTarget = { socketPath: string } | { host: string; port: number };

/** Where things are as seen from inside the sandbox. */
export interface SandboxPaths {
  taskRoot: string;
  optRoot: string;
  runtimeRoot: string;
  tmpDir: string;
}

export interface ProcessSpec {
  command: string;
  args: readonly string[];
  /** The complete environment: nothing else is inherited. */
  env: Readonly<Record<string, string>>;
  cwd: string;
}

export type SandboxExit =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: string }
  /** The backend killed the process because it exceeded its memory size. */
  | { kind: 'out-of-memory' };

export interface SandboxStats {
  /** Peak memory of the sandbox so far, in MB. */
  maxMemoryUsedMb: number;
}

export type OutputStream = 'stdout' | 'stderr';

export interface Sandbox {
  readonly id: string;
  readonly paths: SandboxPaths;
  /** How the environment's Runtime API endpoint must listen to be reachable from inside. */
  readonly endpointOptions: RuntimeEndpointOptions;
  /** With SandboxSpec.debug: the address a debugger inside must listen on, and how the host reaches it. */
  readonly debug?: { listen: { host: string; port: number }; target: DebugTarget };
  /** The AWS_LAMBDA_RUNTIME_API value for an endpoint listening at this address. */
  runtimeApi(address: RuntimeEndpointAddress): string;
  /** The init phase is over (the runtime asked for its first event): e.g. apply the steady-state CPU share. */
  initialized?(): void;
  /** Starts the runtime process; output chunks arrive through onOutput. Call once. */
  start(process: ProcessSpec, onOutput: (stream: OutputStream, chunk: Buffer) => void): void;
  /** Settles when the runtime process (and the sandbox with it) is gone. */
  readonly exited: Promise<SandboxExit>;
  stats(): SandboxStats;
  /** Kills every process of the sandbox; resolves once they are gone. Idempotent. */
  kill(): Promise<void>;
  /** Kills and removes per-sandbox state (tmp dir). Idempotent. */
  destroy(): Promise<void>;
}

export interface SandboxBackend {
  readonly name: string;
  /** False for backends that give no isolation (the process backend). */
  readonly isolated: boolean;
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Present where a sandbox can start before its function is known (the pre-started pool). */
  readonly generic?: GenericSandboxes;
  close(): Promise<void>;
}

/** A sandbox for the pre-started pool: no code yet; /var/task and /opt are empty until attach(). */
export type GenericSandboxSpec = Omit<SandboxSpec, 'codeDir' | 'optDir' | 'debug'>;

export interface GenericSandboxes {
  /** The paths every generic sandbox shows (fixed, so a runtime can be launched before the code is known). */
  readonly paths: SandboxPaths;
  create(spec: GenericSandboxSpec): Promise<AttachableSandbox>;
}

export interface AttachableSandbox extends Sandbox {
  /**
   * Gives the running sandbox its function: the code appears (read-only) at taskRoot, the layers at optRoot, and
   * the memory limit becomes memoryMb. Once; a failure leaves the sandbox unusable (destroy it).
   */
  attach(code: { codeDir: string; optDir: string; memoryMb: number }): Promise<void>;
}
