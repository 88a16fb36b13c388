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
}

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
  close(): Promise<void>;
}
