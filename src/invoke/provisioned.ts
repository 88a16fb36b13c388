import { childKey, versionKey, type ProvisionedConcurrencyStatus } from '../domain/function-model.js';
import type { Scope } from '../domain/scope.js';
import type { Logger } from '../observability/index.js';
import type { Repositories } from '../store/index.js';
import type { EnvironmentSpec } from '../sandbox/index.js';
import type { Invoker } from './invoker.js';

/** What the pool offers for provisioned environments (src/sandbox/environment-pool.ts). */
export interface ProvisionedRunner {
  provision(spec: EnvironmentSpec, count: number): Promise<number>;
}

export interface ProvisionedStatusUpdate {
  status: ProvisionedConcurrencyStatus;
  available: number;
  allocated: number;
  reason?: string;
}

export interface ProvisionedConcurrencyOptions {
  repos: Repositories;
  runner: ProvisionedRunner;
  invoker: Pick<Invoker, 'spec'>;
  logger: Logger;
  /** Records the status in the configuration (PutProvisionedConcurrencyConfig's record). */
  setStatus(scope: Scope, functionName: string, qualifier: string, update: ProvisionedStatusUpdate): void;
}

/**
 * Keeps the configured number of initialised environments for each version or alias with provisioned
 * concurrency (an alias's environments run its primary version) and reports READY once they are up.
 * Reconciliation is per function and serialised, so bursts of changes settle to the latest configuration.
 */
export class ProvisionedConcurrency {
  /** Versions this manager has environments for, per function. */
  private readonly provisioned = new Map<string, Map<string, EnvironmentSpec>>();
  private readonly chains = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly options: ProvisionedConcurrencyOptions) {}

  /** Brings every stored configuration up (server start). */
  recover(): void {
    const seen = new Set<string>();
    for (const e of this.options.repos.provisionedConcurrency.scan()) {
      const k = `${e.scope.account}/${e.scope.region}/${e.doc.functionName}`;
      if (seen.has(k)) continue;
      seen.add(k);
      this.reconcile(e.scope, e.doc.functionName);
    }
  }

  reconcile(scope: Scope, functionName: string): Promise<void> {
    const key = `${scope.account}/${scope.region}/${functionName}`;
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.run(scope, functionName, key))
      .catch((err: unknown) => this.options.logger.error('provisioned concurrency failed', { functionName, error: String(err) }));
    this.chains.set(key, next);
    void next.finally(() => { if (this.chains.get(key) === next) this.chains.delete(key); });
    return next;
  }

  /** Resolves when every reconciliation started so far has finished. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  close(): void {
    this.closed = true;
  }

  private async run(scope: Scope, functionName: string, key: string): Promise<void> {
    if (this.closed) return;
    const { repos } = this.options;
    // version → how many environments, and which configurations (qualifiers) asked for them.
    const wanted = new Map<string, { count: number; qualifiers: string[] }>();
    for (const e of repos.provisionedConcurrency.list(scope, { prefix: `${functionName}/` })) {
      const q = e.doc.qualifier;
      const version = /^[0-9]+$/.test(q) ? q : repos.aliases.get(scope, childKey(functionName, q))?.functionVersion;
      if (!version) continue;
      const w = wanted.get(version) ?? { count: 0, qualifiers: [] };
      w.count += e.doc.requested;
      w.qualifiers.push(q);
      wanted.set(version, w);
    }
    const had = this.provisioned.get(key) ?? new Map<string, EnvironmentSpec>();
    const now = new Map<string, EnvironmentSpec>();
    for (const [version, w] of wanted) {
      const record = repos.versions.get(scope, versionKey(functionName, version));
      if (!record || record.state !== 'Active') continue;
      const spec = this.options.invoker.spec(scope, record);
      now.set(version, spec);
      const ready = await this.options.runner.provision(spec, w.count);
      const update: ProvisionedStatusUpdate = ready >= w.count
        ? { status: 'READY', available: w.count, allocated: w.count }
        : { status: 'FAILED', available: ready, allocated: ready, reason: 'FUNCTION_ERROR_INIT_FAILURE' };
      for (const q of w.qualifiers) this.options.setStatus(scope, functionName, q, update);
    }
    for (const [version, spec] of had) {
      if (!now.has(version)) await this.options.runner.provision(spec, 0);
    }
    if (now.size > 0) this.provisioned.set(key, now);
    else this.provisioned.delete(key);
  }
}
