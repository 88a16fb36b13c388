import type { Scope } from '../domain/scope.js';
import { liveDirectories } from '../domain/local-code.js';
import {
  Environment, type EnvironmentDebugSession, type EnvironmentDeps, type EnvironmentInvocation, type InvocationReport,
} from './environment.js';
import type { EnvironmentSpec } from './environment-spec.js';
import type { InitializationType } from './environment-variables.js';
import type { OptMerger } from './opt-merge.js';
import { StandbyPool } from './standby-pool.js';
import type { TimerHandle } from '../domain/timers.js';

export interface EnvironmentPoolDeps extends EnvironmentDeps {
  /** Unpacks a code-store archive once and says where (CodeStore.extract). */
  code: { extract(key: string): Promise<string> };
  optMerger: OptMerger;
  /** Idle on-demand environments are shut down after this long (scale to zero). */
  idleTimeoutMs: number;
  /** Hot-reload directories and debugger sessions (src/hot-reload); absent = neither. */
  development?: DevelopmentHooks;
  /** Pre-started environments kept ready per kind of runtime (0, or a backend that cannot pre-start: no pool). */
  standbyPoolSize?: number;
}

/** What the pool needs for code served live from directories and for debugging. */
export interface DevelopmentHooks {
  /** Settles once no change is pending in these directories (a reload being debounced); undefined if none is. */
  settled(dirs: readonly string[]): Promise<void> | undefined;
  /** An environment serves these directories: onChange retires it. Returns the detach function. */
  attach(dirs: readonly string[], owner: { scope: Scope; functionName: string; logGroup: string }, onChange: () => void): () => void;
  /** The function's debugger session, when one is enabled. */
  debugSession(scope: Scope, functionName: string): EnvironmentDebugSession | undefined;
}

/** The environments of one function version. */
interface VersionSet {
  key: string;
  scope: Scope;
  functionName: string;
  version: string;
  /** Fingerprint of the version's current configuration; '' once the version is gone. */
  current: string;
  all: Set<Environment>;
  /** Ready environments, most recently used last (taken from the end: warmest first). */
  idle: Environment[];
  expiry: Map<Environment, TimerHandle>;
  provisioned: { target: number; spec: EnvironmentSpec | undefined };
}

export interface PoolCounts {
  total: number;
  idle: number;
  busy: number;
  provisioned: number;
}

export interface VersionSnapshot {
  scope: Scope;
  functionName: string;
  version: string;
  starting: number;
  /** Initialised and waiting for an invocation. */
  idle: number;
  busy: number;
  provisionedTarget: number;
  /** Provisioned environments running an invocation right now. */
  provisionedBusy: number;
}

export type PoolEvent =
  | { type: 'created'; environment: Environment }
  /** Its init phase ended (env.initDuration on success, env.initFailureKind otherwise). */
  | { type: 'initialized'; environment: Environment }
  | { type: 'closed'; environment: Environment; reason: 'expired' | 'retired' | 'failed' | 'shutdown' | 'trimmed' };

const setKey = (scope: Scope, functionName: string, version: string) => `${scope.account}/${scope.region}/${functionName}/${version}`;

/**
 * Execution environments per function version: warm reuse of idle ones, a fresh one whenever none is free
 * (so concurrent invocations scale out), keep-alive expiry to zero, retirement after configuration changes,
 * and provisioned environments that stay initialised.
 */
export class EnvironmentPool {
  private readonly sets = new Map<string, VersionSet>();
  private readonly listeners = new Set<(e: PoolEvent) => void>();
  /** Environments whose code changed under them (hot reload) or whose debug setting changed: never reused. */
  private readonly stale = new WeakSet<Environment>();
  private closed = false;

  /** The pre-started pool cold starts draw from, when there is one. */
  readonly standby: StandbyPool | undefined;

  constructor(private readonly deps: EnvironmentPoolDeps) {
    const size = deps.standbyPoolSize ?? 0;
    const generic = deps.backend.generic;
    if (size > 0 && generic) {
      this.standby = new StandbyPool({
        generic, launcher: deps.launcher, createEndpoint: deps.createEndpoint, runtimeDir: deps.runtimeDir, timers: deps.timers,
        logger: deps.logger, size, idleTimeoutMs: deps.idleTimeoutMs, startTimeoutMs: deps.initTimeoutMs,
      });
      deps.logger.info(`pre-started pool: ${size} environments per runtime in use`, { standbyPoolSize: size });
    } else if (size > 0) {
      deps.logger.info(`pre-started pool: disabled (the ${deps.backend.name} backend starts every environment fresh)`, { standbyPoolSize: 0 });
    }
  }

  /** Runs one invocation on an idle environment of this version, or on a new one. */
  async invoke(spec: EnvironmentSpec, inv: EnvironmentInvocation): Promise<InvocationReport> {
    const live = liveDirectories([spec.codeKey, ...spec.layerCodeKeys]);
    // A reload is being debounced: wait for it, so an invoke right after a save runs the saved code.
    if (live.length > 0) await this.deps.development?.settled(live);
    const set = this.set(spec);
    set.current = spec.fingerprint;
    const env = this.takeIdle(set) ?? (await this.create(set, spec, 'on-demand'));
    try {
      return await env.invoke(inv);
    } finally {
      this.release(set, env);
      // Refills start once a cold start has answered, so they never compete with it for CPU. Not before the
      // answer has gone out either: starting one does synchronous work (cgroups, spawns) on this event loop.
      if (this.standby) setImmediate(() => this.standby?.refill());
    }
  }

  /**
   * The configuration of a version changed (or it was deleted: fingerprint undefined). Idle environments built
   * from another configuration close now, busy ones when their invocation ends.
   */
  retire(scope: Scope, functionName: string, version: string, fingerprint: string | undefined): void {
    const set = this.sets.get(setKey(scope, functionName, version));
    if (!set) return;
    set.current = fingerprint ?? '';
    for (const env of [...set.idle]) {
      if (env.spec.fingerprint !== set.current) this.closeEnv(set, env, 'retired');
    }
    if (set.provisioned.spec && set.provisioned.spec.fingerprint !== set.current) set.provisioned.spec = undefined;
  }

  /** Every environment of a function retires (a debugger session began or ended): idle ones now, busy ones when done. */
  retireFunction(scope: Scope, functionName: string): void {
    for (const set of this.sets.values()) {
      if (set.functionName !== functionName || set.scope.account !== scope.account || set.scope.region !== scope.region) continue;
      for (const env of [...set.all]) this.retireEnvironment(set, env);
    }
  }

  /** Versions of a function that have environments (for retiring them all). */
  versionsOf(scope: Scope, functionName: string): string[] {
    const out: string[] = [];
    for (const s of this.sets.values()) {
      if (s.functionName === functionName && s.scope.account === scope.account && s.scope.region === scope.region) out.push(s.version);
    }
    return out;
  }

  /**
   * Keeps `count` provisioned environments of this version initialised (0 removes them). Resolves with how many
   * are ready once every one being started has finished its init.
   */
  async provision(spec: EnvironmentSpec, count: number): Promise<number> {
    const set = this.set(spec);
    set.current = spec.fingerprint;
    set.provisioned.target = count;
    set.provisioned.spec = count > 0 ? spec : undefined;
    const have = [...set.all].filter((e) => e.initializationType === 'provisioned-concurrency' && e.state !== 'discarded' && e.spec.fingerprint === spec.fingerprint);
    const starting: Promise<void>[] = [];
    for (let i = have.length; i < count; i++) {
      starting.push(this.create(set, spec, 'provisioned-concurrency').then(async (env) => {
        await env.start();
        if (env.usable) this.release(set, env);
      }));
    }
    // Surplus idle provisioned environments go; busy ones are released as on-demand and expire normally.
    let surplus = have.length - count;
    for (const env of [...set.idle]) {
      if (surplus <= 0) break;
      if (env.initializationType === 'provisioned-concurrency') {
        this.closeEnv(set, env, 'trimmed');
        surplus--;
      }
    }
    await Promise.allSettled(starting);
    return this.readyProvisioned(set);
  }

  counts(scope: Scope, functionName: string, version?: string): PoolCounts {
    const out: PoolCounts = { total: 0, idle: 0, busy: 0, provisioned: 0 };
    for (const s of this.sets.values()) {
      if (s.functionName !== functionName || s.scope.account !== scope.account || s.scope.region !== scope.region) continue;
      if (version !== undefined && s.version !== version) continue;
      for (const e of s.all) {
        if (e.state === 'discarded') continue;
        out.total++;
        if (e.state === 'busy') out.busy++;
        if (s.idle.includes(e)) out.idle++;
        if (e.initializationType === 'provisioned-concurrency') out.provisioned++;
      }
    }
    return out;
  }

  /** Every version's environments by state, and its provisioned numbers (for metrics). */
  snapshot(): VersionSnapshot[] {
    const out: VersionSnapshot[] = [];
    for (const s of this.sets.values()) {
      const v: VersionSnapshot = {
        scope: s.scope, functionName: s.functionName, version: s.version,
        starting: 0, idle: 0, busy: 0, provisionedTarget: s.provisioned.target, provisionedBusy: 0,
      };
      for (const e of s.all) {
        if (e.state === 'starting') v.starting++;
        else if (e.state === 'busy') v.busy++;
        else if (e.state === 'ready') v.idle++;
        if (e.state === 'busy' && e.initializationType === 'provisioned-concurrency') v.provisionedBusy++;
      }
      out.push(v);
    }
    return out;
  }

  onEvent(listener: (e: PoolEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.standby?.close();
    const all: Promise<void>[] = [];
    for (const set of this.sets.values()) {
      for (const t of set.expiry.values()) t.cancel();
      set.expiry.clear();
      set.idle = [];
      for (const env of set.all) all.push(env.close());
    }
    await Promise.allSettled(all);
    await this.deps.backend.close();
  }

  private set(spec: EnvironmentSpec): VersionSet {
    const key = setKey(spec.scope, spec.functionName, spec.version);
    let set = this.sets.get(key);
    if (!set) {
      set = {
        key, scope: spec.scope, functionName: spec.functionName, version: spec.version, current: spec.fingerprint,
        all: new Set(), idle: [], expiry: new Map(), provisioned: { target: 0, spec: undefined },
      };
      this.sets.set(key, set);
    }
    return set;
  }

  private takeIdle(set: VersionSet): Environment | undefined {
    for (;;) {
      const env = set.idle.pop();
      if (!env) return undefined;
      set.expiry.get(env)?.cancel();
      set.expiry.delete(env);
      if (env.usable && env.spec.fingerprint === set.current && !this.stale.has(env)) return env;
      this.closeEnv(set, env, env.usable ? 'retired' : 'failed');
    }
  }

  private async create(set: VersionSet, spec: EnvironmentSpec, type: InitializationType): Promise<Environment> {
    if (this.closed) throw new Error('environment pool is closed');
    const codeDir = await this.deps.code.extract(spec.codeKey);
    const layerDirs: string[] = [];
    for (const key of spec.layerCodeKeys) layerDirs.push(await this.deps.code.extract(key));
    const dev = this.deps.development;
    const liveLayers = liveDirectories(spec.layerCodeKeys);
    const optDir = await this.deps.optMerger.merged(layerDirs, liveLayers);
    const debug = dev?.debugSession(spec.scope, spec.functionName);
    const live = liveDirectories([spec.codeKey, ...spec.layerCodeKeys]);
    // Cold starts of on-demand environments draw from the pre-started pool; debugged and live code start fresh.
    const standby = type === 'on-demand' && !debug && live.length === 0 ? await this.standby?.take(spec) : undefined;
    if (this.closed) {
      if (standby) {
        await standby.sandbox.destroy();
        await standby.endpoint.close();
      }
      throw new Error('environment pool is closed');
    }
    const env = new Environment(this.deps, {
      spec, codeDir, optDir, initializationType: type, ...(debug ? { debug } : {}), ...(live.length > 0 ? { live: true } : {}),
      ...(standby ? { standby } : {}),
    });
    set.all.add(env);
    env.onDiscard(() => this.forget(set, env));
    if (dev && live.length > 0) {
      env.onDiscard(dev.attach(live, { scope: spec.scope, functionName: spec.functionName, logGroup: spec.logGroup }, () => this.retireEnvironment(set, env)));
    }
    this.emit({ type: 'created', environment: env });
    // Init starts now either way (invoke and provision await the same start()); observers learn when it ends.
    void env.start().then(() => {
      this.emit({ type: 'initialized', environment: env });
      if (type !== 'on-demand') this.standby?.refill();
    });
    return env;
  }

  /** After an invocation (or a provisioned init): back to idle, or closed if it failed or is outdated. */
  private release(set: VersionSet, env: Environment): void {
    if (!env.usable) return; // discarded: forget() already ran
    if (this.closed || env.spec.fingerprint !== set.current || this.stale.has(env)) {
      this.closeEnv(set, env, this.closed ? 'shutdown' : 'retired');
      return;
    }
    set.idle.push(env);
    if (env.initializationType === 'provisioned-concurrency' && this.provisionedCount(set) <= set.provisioned.target) return;
    const timer = this.deps.timers.after(this.deps.idleTimeoutMs, () => {
      const i = set.idle.indexOf(env);
      if (i < 0) return;
      set.idle.splice(i, 1);
      set.expiry.delete(env);
      this.closeEnv(set, env, 'expired');
    });
    set.expiry.set(env, timer);
  }

  /** The environment's code changed: idle it closes now, busy it finishes its invocation on the old code first. */
  private retireEnvironment(set: VersionSet, env: Environment): void {
    this.stale.add(env);
    if (set.idle.includes(env)) this.closeEnv(set, env, 'retired');
  }

  private closeEnv(set: VersionSet, env: Environment, reason: Extract<PoolEvent, { type: 'closed' }>['reason']): void {
    const i = set.idle.indexOf(env);
    if (i >= 0) set.idle.splice(i, 1);
    set.expiry.get(env)?.cancel();
    set.expiry.delete(env);
    const wasKnown = set.all.delete(env);
    void env.close().finally(() => {
      if (wasKnown) this.emit({ type: 'closed', environment: env, reason });
      this.maybeDrop(set);
    });
  }

  /** An environment discarded itself (failure or unexpected exit). */
  private forget(set: VersionSet, env: Environment): void {
    if (!set.all.delete(env)) return;
    const i = set.idle.indexOf(env);
    if (i >= 0) set.idle.splice(i, 1);
    set.expiry.get(env)?.cancel();
    set.expiry.delete(env);
    void env.close().finally(() => {
      this.emit({ type: 'closed', environment: env, reason: 'failed' });
      // Replacing one whose init failed would retry a broken function forever.
      if (env.initialized) this.replenish(set);
      this.maybeDrop(set);
    });
  }

  /** A provisioned environment that failed is replaced, as AWS keeps the configured number ready. */
  private replenish(set: VersionSet): void {
    const spec = set.provisioned.spec;
    if (this.closed || !spec || spec.fingerprint !== set.current) return;
    if (this.provisionedCount(set) >= set.provisioned.target) return;
    void this.provision(spec, set.provisioned.target).catch(() => undefined);
  }

  private provisionedCount(set: VersionSet): number {
    let n = 0;
    for (const e of set.all) if (e.initializationType === 'provisioned-concurrency' && e.state !== 'discarded') n++;
    return n;
  }

  private readyProvisioned(set: VersionSet): number {
    let n = 0;
    for (const e of set.all) if (e.initializationType === 'provisioned-concurrency' && (e.state === 'ready' || e.state === 'busy')) n++;
    return n;
  }

  private maybeDrop(set: VersionSet): void {
    if (set.all.size === 0 && set.provisioned.target === 0 && this.sets.get(set.key) === set) this.sets.delete(set.key);
  }

  private emit(e: PoolEvent): void {
    for (const l of this.listeners) l(e);
  }
}
