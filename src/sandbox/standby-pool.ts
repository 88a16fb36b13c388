import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/index.js';
import type { RuntimeEndpointApi, RuntimeEndpointOptions } from '../runtime-api/types.js';
import type { AttachableSandbox, GenericSandboxes, OutputStream, SandboxExit } from './backend.js';
import type { RuntimeLauncher, RuntimeLaunchPlan } from './environment.js';
import type { EnvironmentSpec } from './environment-spec.js';
import { standbyIneligible, standbyKey } from './standby-eligibility.js';
import type { TimerHandle, Timers } from '../domain/timers.js';

/** A pre-started environment: sandbox, cgroups, /tmp, network and runtime client up; no function yet. */
export interface Standby {
  readonly sandbox: AttachableSandbox;
  readonly endpoint: RuntimeEndpointApi;
  /** How the runtime was launched (its environment is the base of the function's). */
  readonly plan: RuntimeLaunchPlan;
  /** AWS_LAMBDA_RUNTIME_API inside this sandbox. */
  readonly runtimeApi: string;
  /** Sends the runtime's output here from now on (while pooled, only its tail is kept, for diagnostics). */
  routeOutput(sink: (stream: OutputStream, chunk: Buffer) => void): void;
  /** False once its runtime has exited (a pre-started environment that died is no use). */
  alive(): boolean;
}

export interface StandbyPoolDeps {
  generic: GenericSandboxes;
  launcher: RuntimeLauncher;
  createEndpoint(options: RuntimeEndpointOptions): RuntimeEndpointApi;
  /** Host path of our runtime clients. */
  runtimeDir: string;
  timers: Timers;
  logger: Logger;
  /** Ready environments kept per kind (runtime + launch + /tmp size); 0 disables the pool. */
  size: number;
  /** A kind nobody asked for in this long gives its environments back (scale to zero). */
  idleTimeoutMs: number;
  /** Limit of one pre-start (sandbox up to "runtime waits for its assignment"). */
  startTimeoutMs: number;
}

export type StandbyEvent =
  | { type: 'ready'; key: string; runtime: string }
  | { type: 'taken'; key: string; runtime: string }
  | { type: 'failed'; key: string; runtime: string; error: string };

export interface StandbyCounts {
  ready: number;
  starting: number;
  kinds: number;
}

/** Pre-started environments of one kind. */
interface Kind {
  key: string;
  /** What a new one is started as (the most recent request's memory size: attach() sets the real one). */
  template: { runtime: string; memoryMb: number; ephemeralStorageMb: number };
  ready: Slot[];
  starting: number;
  filling: boolean;
  /** Consecutive failed starts; filling pauses at MAX_FAILURES until the next request. */
  failures: number;
  expiry: TimerHandle | undefined;
}

interface Slot extends Standby {
  kind: Kind;
  destroy(): Promise<void>;
}

const MAX_FAILURES = 3;

/**
 * The pre-started pool (isolation.md §7): per kind of environment that cold starts actually asked for, `size`
 * generic environments wait with their runtime parked on the assignment request. A cold start takes one if it
 * can (then attaches the function's code, memory limit and environment) and starts fresh otherwise. Refills run in
 * the background, one start at a time per kind, once the cold start that emptied a slot has answered. Starts that
 * keep failing pause until the next cold start asks for the kind again.
 */
export class StandbyPool {
  private readonly kinds = new Map<string, Kind>();
  private readonly listeners = new Set<(e: StandbyEvent) => void>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Environments being started, so close() need not wait for their runtimes. */
  private readonly launching = new Set<() => Promise<void>>();
  private closed = false;

  constructor(private readonly deps: StandbyPoolDeps) {}

  /**
   * A ready environment for this function, or undefined (start fresh). Either way the request counts as demand:
   * its kind gets (or keeps) ready environments.
   */
  async take(spec: EnvironmentSpec): Promise<Standby | undefined> {
    if (this.closed || this.deps.size <= 0 || spec.runtime.startsWith('provided')) return undefined;
    const plan = await this.deps.launcher.launch(spec.runtime, this.deps.generic.paths, { memorySizeMb: spec.memorySizeMb });
    if ('error' in plan || this.closed) return undefined;
    const why = standbyIneligible(spec.runtime, spec.environment, plan);
    if (why !== undefined) {
      this.deps.logger.debug('cold start without the pre-started pool', { function: spec.functionName, runtime: spec.runtime, reason: why });
      return undefined;
    }
    const key = standbyKey(spec.runtime, plan, spec.ephemeralStorageMb);
    let kind = this.kinds.get(key);
    const template = { runtime: spec.runtime, memoryMb: spec.memorySizeMb, ephemeralStorageMb: spec.ephemeralStorageMb };
    if (!kind) {
      kind = { key, template, ready: [], starting: 0, filling: false, failures: 0, expiry: undefined };
      this.kinds.set(key, kind);
    }
    kind.template = template;
    kind.failures = 0;
    this.touch(kind);
    let slot = kind.ready.shift();
    while (slot && !slot.alive()) {
      void slot.destroy();
      slot = kind.ready.shift();
    }
    if (!slot) {
      this.deps.logger.debug('cold start without the pre-started pool', { function: spec.functionName, runtime: spec.runtime, reason: 'none ready' });
      return undefined;
    }
    this.deps.logger.debug('cold start from the pre-started pool', { function: spec.functionName, runtime: spec.runtime });
    this.emit({ type: 'taken', key, runtime: spec.runtime });
    return slot;
  }

  /** Starts what is missing, in the background (called after invocations, so refills never delay a cold start). */
  refill(): void {
    if (this.closed) return;
    for (const kind of this.kinds.values()) {
      if (!kind.filling && kind.failures < MAX_FAILURES && kind.ready.length + kind.starting < this.deps.size) this.track(this.fill(kind));
    }
  }

  /** Over all kinds, or those of one runtime. */
  counts(runtime?: string): StandbyCounts {
    let ready = 0;
    let starting = 0;
    let kinds = 0;
    for (const k of this.kinds.values()) {
      if (runtime !== undefined && k.template.runtime !== runtime) continue;
      kinds++;
      ready += k.ready.length;
      starting += k.starting;
    }
    return { ready, starting, kinds };
  }

  onEvent(listener: (e: StandbyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Destroys every pre-started environment, including those still starting. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const all: Promise<void>[] = [];
    for (const kind of this.kinds.values()) {
      kind.expiry?.cancel();
      for (const slot of kind.ready.splice(0)) all.push(slot.destroy());
    }
    this.kinds.clear();
    for (const destroy of this.launching) all.push(destroy());
    await Promise.allSettled([...all, ...this.inFlight]);
  }

  private async fill(kind: Kind): Promise<void> {
    kind.filling = true;
    try {
      while (!this.closed && this.kinds.get(kind.key) === kind && kind.failures < MAX_FAILURES && kind.ready.length + kind.starting < this.deps.size) {
        kind.starting++;
        let slot: Slot | undefined;
        try {
          slot = await this.start(kind);
          kind.failures = 0;
        } catch (err) {
          if (this.closed) return;
          kind.failures++;
          const error = (err as Error)?.message ?? String(err);
          this.deps.logger.warn('could not pre-start an environment', { runtime: kind.template.runtime, error, failures: kind.failures });
          this.emit({ type: 'failed', key: kind.key, runtime: kind.template.runtime, error });
        } finally {
          kind.starting--;
        }
        if (!slot) continue;
        if (this.closed || this.kinds.get(kind.key) !== kind) {
          await slot.destroy();
          return;
        }
        kind.ready.push(slot);
        // One that dies while waiting leaves the pool (and is replaced on the next refill).
        void slot.sandbox.exited.then(() => {
          const i = kind.ready.indexOf(slot!);
          if (i >= 0) {
            kind.ready.splice(i, 1);
            void slot!.destroy();
          }
        });
        this.deps.logger.debug('pre-started environment ready', { runtime: kind.template.runtime });
        this.emit({ type: 'ready', key: kind.key, runtime: kind.template.runtime });
      }
    } finally {
      kind.filling = false;
    }
  }

  private async start(kind: Kind): Promise<Slot> {
    const { generic, launcher } = this.deps;
    const { runtime, memoryMb, ephemeralStorageMb } = kind.template;
    const sandbox = await generic.create({ id: randomUUID(), runtime, runtimeDir: this.deps.runtimeDir, memoryMb, ephemeralStorageMb });
    let endpoint: RuntimeEndpointApi | undefined;
    let destroyed: Promise<void> | undefined;
    const destroy = () => (destroyed ??= (async () => {
      endpoint?.abort('pre-started environment discarded');
      await sandbox.destroy();
      await endpoint?.close();
    })());
    this.launching.add(destroy);
    try {
      if (this.closed) throw new Error('the pool is closed');
      const plan = await launcher.launch(runtime, generic.paths, { memorySizeMb: memoryMb });
      if ('error' in plan) throw new Error(plan.message);
      endpoint = this.deps.createEndpoint({ ...sandbox.endpointOptions, standby: true });
      const address = await endpoint.listen();
      if (destroyed) throw new Error('the pool is closed');
      const runtimeApi = sandbox.runtimeApi(address);
      // Until assigned, the runtime should say nothing; if it does, the tail explains a failed start.
      let tail = '';
      let sink: (stream: OutputStream, chunk: Buffer) => void = (_s, chunk) => { tail = (tail + chunk.toString('utf8')).slice(-2000); };
      let exited = false;
      void sandbox.exited.then(() => { exited = true; });
      sandbox.start({
        command: plan.command,
        args: plan.args,
        env: { ...plan.env, AWS_LAMBDA_RUNTIME_API: runtimeApi, _SLUICE_STANDBY: '1' },
        cwd: generic.paths.taskRoot,
      }, (stream, chunk) => sink(stream, chunk));
      let timer: TimerHandle | undefined;
      const outcome = await Promise.race([
        endpoint.waitForStandby().then(() => 'ready' as const),
        sandbox.exited.then((e: SandboxExit) => `runtime exited while starting (${JSON.stringify(e)})`),
        new Promise<string>((resolve) => { timer = this.deps.timers.after(this.deps.startTimeoutMs, () => resolve('timed out')); }),
      ]);
      timer?.cancel();
      if (outcome !== 'ready') throw new Error(tail ? `${outcome}: ${tail.trim()}` : outcome);
      return {
        kind, sandbox, endpoint, plan, runtimeApi, destroy,
        routeOutput: (s) => { sink = s; },
        alive: () => !exited,
      };
    } catch (err) {
      await destroy();
      throw err;
    } finally {
      this.launching.delete(destroy);
    }
  }

  /** A kind is kept while cold starts keep asking for it. */
  private touch(kind: Kind): void {
    kind.expiry?.cancel();
    kind.expiry = this.deps.timers.after(this.deps.idleTimeoutMs, () => {
      if (this.kinds.get(kind.key) !== kind) return;
      this.kinds.delete(kind.key);
      for (const slot of kind.ready.splice(0)) this.track(slot.destroy());
    });
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }

  private emit(e: StandbyEvent): void {
    for (const l of this.listeners) l(e);
  }
}
