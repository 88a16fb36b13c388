import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { runtimeFamily, SUPPORTED_RUNTIMES } from '../domain/runtimes.js';

/** Where a launched runtime finds things (paths as the runtime process sees them). */
export interface RuntimePaths {
  taskRoot: string;
  optRoot: string;
  /** The repository's runtimes/ directory (our runtime clients). */
  runtimeRoot: string;
  /** Where taskRoot/optRoot are on the host, when the sandbox shows them elsewhere (checks look there). */
  hostTaskRoot?: string;
  hostOptRoot?: string;
}

export interface RuntimeLaunch {
  command: string;
  args: string[];
  /** Runtime-specific variables of the environment contract; the per-function AWS_LAMBDA_* ones are added by the caller. */
  env: Record<string, string>;
  /** Set when the exact interpreter is missing and a fallback is used (goes into INIT_START and `sluice runtimes`). */
  warning?: string;
}

export interface RuntimeLaunchError {
  error: 'Runtime.InvalidEntrypoint' | 'Runtime.InvalidRuntime';
  message: string;
}

export interface RuntimeListing {
  runtime: string;
  interpreter?: string;
  version?: string;
  exact: boolean;
  warning?: string;
}

export interface RuntimeTableOptions {
  dataDir: string;
  /** Runtime id → interpreter path, from configuration; wins over everything else. */
  overrides?: Record<string, string>;
  /** Directories searched for `node`, `python3.x`, `python3` (colon-separated, like PATH). */
  searchPath?: string;
  /** Whether environments can run this interpreter (an isolated sandbox cannot reach e.g. /root/.pyenv). */
  usable?: (executable: string) => boolean;
}

export interface LaunchOptions {
  /** MemorySize: sizes the Node.js heap the way AWS's Node bootstrap does. */
  memorySizeMb?: number;
}

interface Interpreter {
  path: string;
  version: string;
  exact: boolean;
  warning?: string;
}

/** Directories searched when the configuration gives none. */
export const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const BOOTSTRAP_CANDIDATES = '[/var/task/bootstrap /opt/bootstrap]';

/**
 * Maps runtime ids to how to start them: the interpreter (exact major/minor when installed, else the nearest one
 * with a warning), our runtime client, and the runtime-specific part of the environment (§6.1).
 */
export class RuntimeTable {
  private readonly dataDir: string;
  private readonly overrides: Record<string, string>;
  private readonly searchDirs: string[];
  private readonly resolved = new Map<string, Interpreter | undefined>();
  private readonly probes = new Map<string, { executable: string; version: string } | undefined>();

  constructor(opts: RuntimeTableOptions) {
    this.dataDir = opts.dataDir;
    this.overrides = opts.overrides ?? {};
    this.searchDirs = (opts.searchPath || DEFAULT_SEARCH_PATH).split(':').filter((d) => d !== '');
    this.usable = opts.usable ?? (() => true);
  }

  private readonly usable: (executable: string) => boolean;

  launch(runtime: string, paths: RuntimePaths, opts: LaunchOptions = {}): RuntimeLaunch | RuntimeLaunchError {
    const family = runtimeFamily(runtime);
    if (family === undefined) return { error: 'Runtime.InvalidRuntime', message: `Unsupported runtime: ${runtime}` };
    if (family === 'provided') return this.launchProvided(paths);
    const interp = this.interpreter(runtime);
    if (interp === undefined) return { error: 'Runtime.InvalidRuntime', message: missingMessage(runtime) };
    const langDir = dirname(interp.path);
    const env: Record<string, string> = {
      ...baseEnv(paths, langDir, join(paths.runtimeRoot, family)),
      AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    };
    let args: string[];
    if (family === 'nodejs') {
      const major = runtime.slice('nodejs'.length, -'.x'.length);
      const o = paths.optRoot;
      env.NODE_PATH = [
        `${o}/nodejs/node${major}/node_modules`, `${o}/nodejs/node_modules`,
        `${paths.runtimeRoot}/nodejs/node_modules`, `${paths.runtimeRoot}/nodejs`, paths.taskRoot,
      ].join(':');
      env.AWS_NODEJS_CONNECTION_REUSE_ENABLED = '1';
      args = ['--expose-gc', '--max-http-header-size', '81920', ...nodeMemoryArgs(opts.memorySizeMb),
        join(paths.runtimeRoot, 'nodejs', 'bootstrap.mjs')];
    } else {
      const version = runtime.slice('python'.length);
      // Layer directories come first, as on AWS (task root is put in front by the bootstrap).
      env.PYTHONPATH = [
        `${paths.optRoot}/python/lib/python${version}/site-packages`, `${paths.optRoot}/python`, join(paths.runtimeRoot, 'python'),
      ].join(':');
      args = [join(paths.runtimeRoot, 'python', 'bootstrap.py')];
    }
    const launch: RuntimeLaunch = { command: interp.path, args, env };
    if (interp.warning !== undefined) launch.warning = interp.warning;
    return launch;
  }

  list(): RuntimeListing[] {
    return [...SUPPORTED_RUNTIMES].sort(compareRuntimeIds).map((runtime) => {
      if (runtimeFamily(runtime) === 'provided') return { runtime, exact: true };
      const interp = this.interpreter(runtime);
      if (interp === undefined) return { runtime, exact: false, warning: missingMessage(runtime) };
      const row: RuntimeListing = { runtime, interpreter: interp.path, version: interp.version, exact: interp.exact };
      if (interp.warning !== undefined) row.warning = interp.warning;
      return row;
    });
  }

  /** The interpreter for a managed runtime id (memoized: probing spawns the interpreter once). */
  interpreter(runtime: string): Interpreter | undefined {
    if (this.resolved.has(runtime)) return this.resolved.get(runtime);
    const family = runtimeFamily(runtime);
    const found = family === 'nodejs' ? this.findNode(runtime) : family === 'python' ? this.findPython(runtime) : undefined;
    this.resolved.set(runtime, found);
    return found;
  }

  private launchProvided(paths: RuntimePaths): RuntimeLaunch | RuntimeLaunchError {
    const roots = [[paths.hostTaskRoot ?? paths.taskRoot, paths.taskRoot, '/var/task'], [paths.hostOptRoot ?? paths.optRoot, paths.optRoot, '/opt']] as const;
    for (const [hostDir, dir, shown] of roots) {
      const onHost = join(hostDir, 'bootstrap');
      const candidate = join(dir, 'bootstrap');
      if (!isFile(onHost)) continue;
      if (!isExecutable(onHost)) {
        return { error: 'Runtime.InvalidEntrypoint', message: `fork/exec ${shown}/bootstrap: permission denied` };
      }
      const env = baseEnv(paths, undefined, paths.runtimeRoot);
      const viaBash = shShebangArgs(onHost);
      return viaBash === undefined
        ? { command: candidate, args: [], env }
        : { command: BASH, args: [...viaBash, candidate], env };
    }
    return { error: 'Runtime.InvalidEntrypoint', message: `Couldn't find valid bootstrap(s): ${BOOTSTRAP_CANDIDATES}` };
  }

  private findNode(runtime: string): Interpreter | undefined {
    const want = Number(runtime.slice('nodejs'.length, -'.x'.length));
    const override = this.overrides[runtime];
    if (override !== undefined) {
      const p = this.probe(override, 'node');
      return p && { path: override, version: p.version, exact: true };
    }
    const candidates: { path: string; version: string; major: number }[] = [];
    const installed = join(this.dataDir, 'runtimes');
    for (const name of safeReaddir(installed)) {
      const m = /^node-(\d+)$/.exec(name);
      if (!m) continue;
      const bin = join(installed, name, 'bin', 'node');
      if (!isExecutable(bin)) continue;
      const version = readInstalledVersion(join(installed, name)) ?? this.probe(bin, 'node')?.version;
      if (version !== undefined) candidates.push({ path: bin, version, major: majorOf(version) });
    }
    const onPath = this.which('node', 'node');
    for (const bin of onPath ? [onPath, process.execPath] : [process.execPath]) {
      const p = this.probe(bin, 'node');
      if (p && !candidates.some((c) => c.path === bin)) candidates.push({ path: bin, version: p.version, major: majorOf(p.version) });
    }
    const exact = candidates.find((c) => c.major === want);
    if (exact) return { path: exact.path, version: exact.version, exact: true };
    const nearest = candidates.sort((a, b) => Math.abs(a.major - want) - Math.abs(b.major - want) || b.major - a.major)[0];
    if (!nearest) return undefined;
    return {
      path: nearest.path, version: nearest.version, exact: false,
      warning: `Runtime ${runtime}: node ${want} is not installed, using node ${nearest.version} (run: sluice runtimes install ${runtime})`,
    };
  }

  private findPython(runtime: string): Interpreter | undefined {
    const version = runtime.slice('python'.length);
    const override = this.overrides[runtime];
    if (override !== undefined) {
      const p = this.probe(override, 'python');
      return p && { path: p.executable, version: p.version, exact: true };
    }
    const local = join(this.dataDir, 'runtimes', `python-${version}`, 'bin', 'python3');
    for (const bin of [isExecutable(local) ? local : undefined, this.which(`python${version}`, 'python')]) {
      if (bin === undefined) continue;
      const p = this.probe(bin, 'python');
      // Run the real executable, not a version-manager shim (pyenv's cost ~50 ms per start).
      if (p && minorOf(p.version) === version) return { path: p.executable, version: p.version, exact: true };
    }
    const fallback = this.which('python3', 'python');
    const p = fallback === undefined ? undefined : this.probe(fallback, 'python');
    if (!p) return undefined;
    return {
      path: p.executable, version: p.version, exact: minorOf(p.version) === version,
      ...(minorOf(p.version) === version ? {} : {
        warning: `Runtime ${runtime}: python${version} is not installed, using Python ${p.version} (${p.executable})`,
      }),
    };
  }

  /** The first `name` on the search path whose real executable environments can use. */
  private which(name: string, kind: 'node' | 'python'): string | undefined {
    for (const dir of this.searchDirs) {
      const candidate = join(dir, name);
      if (!isFile(candidate) || !isExecutable(candidate)) continue;
      const p = this.probe(candidate, kind);
      if (p && this.usable(p.executable)) return candidate;
    }
    return undefined;
  }

  /** Runs the interpreter once to learn its real executable and version (undefined when it does not run). */
  private probe(bin: string, kind: 'node' | 'python'): { executable: string; version: string } | undefined {
    const key = `${kind}:${bin}`;
    if (this.probes.has(key)) return this.probes.get(key);
    let result: { executable: string; version: string } | undefined;
    if (kind === 'node' && sameFile(bin, process.execPath)) {
      result = { executable: process.execPath, version: process.version };
    } else {
      const args = kind === 'node'
        ? ['-e', 'process.stdout.write(process.execPath + "\\n" + process.version)']
        : ['-c', 'import sys; sys.stdout.write(sys.executable + "\\n" + sys.version.split()[0])'];
      const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      const [executable, version] = r.status === 0 ? r.stdout.trim().split('\n') : [];
      if (executable && version) result = { executable, version };
    }
    this.probes.set(key, result);
    return result;
  }
}

const BASH = '/bin/bash';

/**
 * On Amazon Linux /bin/sh is bash, and bootstraps written for it (AWS's own tutorial among them) use `source` and
 * `set -o pipefail` under `#!/bin/sh`. Where /bin/sh is another shell (dash on Debian), such scripts run under bash
 * instead; the returned list is the shebang's own arguments.
 */
function shShebangArgs(file: string): string[] | undefined {
  let head: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(128);
      head = buf.subarray(0, readSync(fd, buf, 0, 128, 0)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const m = /^#![ \t]*\/bin\/sh([ \t][^\n]*)?\n/.exec(head);
  if (!m || shIsBash() || !isExecutable(BASH)) return undefined;
  return (m[1] ?? '').trim().split(/[ \t]+/).filter((a) => a !== '');
}

let shIsBashCache: boolean | undefined;
function shIsBash(): boolean {
  if (shIsBashCache === undefined) {
    try {
      shIsBashCache = realpathSync('/bin/sh').endsWith('/bash');
    } catch {
      shIsBashCache = false;
    }
  }
  return shIsBashCache;
}

/** What the Node bootstrap on AWS passes: heap sized from MemorySize (new space = memory / 64). */
function nodeMemoryArgs(memorySizeMb: number | undefined): string[] {
  if (memorySizeMb === undefined || !(memorySizeMb > 0)) return [];
  const newSpace = Math.floor(memorySizeMb / 64);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memorySizeMb - newSpace}`];
}

function baseEnv(paths: RuntimePaths, langBin: string | undefined, runtimeDir: string): Record<string, string> {
  const lang = langBin === undefined ? [] : [langBin];
  const langLib = langBin === undefined ? [] : [join(dirname(langBin), 'lib')];
  return {
    PATH: [...lang, '/usr/local/bin', '/usr/bin/', '/bin', `${paths.optRoot}/bin`].join(':'),
    LD_LIBRARY_PATH: [...langLib, '/lib64', '/usr/lib64', runtimeDir, `${runtimeDir}/lib`, paths.taskRoot,
      `${paths.taskRoot}/lib`, `${paths.optRoot}/lib`].join(':'),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
  };
}

function missingMessage(runtime: string): string {
  return runtimeFamily(runtime) === 'nodejs'
    ? `Runtime ${runtime}: no Node.js interpreter found (run: sluice runtimes install ${runtime})`
    : `Runtime ${runtime}: no Python 3 interpreter found (install ${runtime} or set runtimeInterpreters in the configuration)`;
}

/** nodejs20.x < nodejs22.x < provided.al2 < provided.al2023 < python3.9 < python3.13 */
function compareRuntimeIds(a: string, b: string): number {
  const fa = runtimeFamily(a) ?? '';
  const fb = runtimeFamily(b) ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const na = (a.match(/\d+/g) ?? []).map(Number);
  const nb = (b.match(/\d+/g) ?? []).map(Number);
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    const d = (na[i] ?? -1) - (nb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function majorOf(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
}

function minorOf(version: string): string {
  return /^(\d+\.\d+)/.exec(version)?.[1] ?? '';
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The installer records the version next to the binary, so listing needs no spawn. */
function readInstalledVersion(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, '.sluice-version'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
