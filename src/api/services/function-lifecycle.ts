import { randomUUID } from 'node:crypto';
import type { Scope, Clock } from '../../domain/scope.js';
import { transition, type FunctionEvent } from '../../domain/function-state.js';
import { versionKey, type FunctionVersion } from '../../domain/function-model.js';
import type { CodeStore, Repositories } from '../../store/index.js';
import type { Logger } from '../../observability/index.js';

export type VersionListener = (scope: Scope, functionName: string, version: string) => void;

/**
 * Moves versions from Pending/InProgress to Active/Successful once their code (and layers) are unpacked,
 * in the background, as AWS does. Survives restarts: `recover()` resumes whatever was in flight.
 */
export class FunctionLifecycle {
  private readonly inflight = new Set<Promise<void>>();
  private readonly listeners = new Set<VersionListener>();
  private closed = false;

  constructor(private readonly repos: Repositories, private readonly code: CodeStore, private readonly clock: Clock, private readonly logger: Logger) {}

  /** Called after a version's code or configuration changed (invoke retires old environments). */
  onVersionChanged(listener: VersionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notifyChanged(scope: Scope, functionName: string, version: string): void {
    for (const l of this.listeners) l(scope, functionName, version);
  }

  /** Starts settling a version whose state was just set to Pending / InProgress. */
  settle(scope: Scope, functionName: string, version: string): void {
    if (this.closed) return;
    const p = this.run(scope, functionName, version).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  recover(): void {
    for (const entry of this.repos.versions.scan()) {
      const v = entry.doc;
      if (v.state === 'Pending' || v.lastUpdateStatus === 'InProgress') this.settle(entry.scope, v.functionName, v.version);
    }
  }

  /** Resolves when every background step started so far has finished. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async run(scope: Scope, functionName: string, version: string): Promise<void> {
    const key = versionKey(functionName, version);
    const before = this.repos.versions.get(scope, key);
    if (!before) return;
    let failure: string | undefined;
    try {
      await this.code.extract(before.codeKey);
      for (const layer of before.layers) {
        const lv = this.layerCodeKey(layer.arn);
        if (lv) await this.code.extract(lv);
      }
    } catch (err) {
      failure = `Lambda was unable to unzip the deployment package: ${(err as Error).message}`;
      this.logger.warn('code extraction failed', { functionName, version, error: (err as Error).message });
    }
    this.repos.transaction(() => {
      const current = this.repos.versions.get(scope, key);
      // A newer update replaced the code meanwhile: that update settles itself.
      if (!current || current.codeKey !== before.codeKey || current.revisionId !== before.revisionId) return;
      const pending = current.state === 'Pending';
      const event: FunctionEvent = failure
        ? pending ? { type: 'code-failed', reason: failure } : { type: 'update-failed', reason: failure, code: 'InvalidZipFileException' }
        : pending ? { type: 'code-ready' } : { type: 'update-succeeded' };
      const next: FunctionVersion = { ...clear(current), ...transition(current, event), revisionId: randomUUID() };
      this.repos.versions.put(scope, key, next);
    });
    this.notifyChanged(scope, functionName, version);
  }

  private layerCodeKey(arn: string): string | undefined {
    const m = /^arn:[^:]+:lambda:([^:]+):(\d{12}):layer:([^:]+):(\d+)$/.exec(arn);
    if (!m) return undefined;
    const lv = this.repos.layerVersions.get({ region: m[1]!, account: m[2]! }, `${m[3]}/${m[4]!.padStart(10, '0')}`);
    return lv?.codeKey;
  }

  now(): number {
    return this.clock.now();
  }
}

function clear(v: FunctionVersion): FunctionVersion {
  return { ...v, stateReason: undefined, stateReasonCode: undefined, lastUpdateStatusReason: undefined, lastUpdateStatusReasonCode: undefined };
}
