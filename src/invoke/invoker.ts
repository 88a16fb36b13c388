import { randomBytes } from 'node:crypto';
import type { Clock, Scope } from '../domain/scope.js';
import { versionKey, type FunctionVersion } from '../domain/function-model.js';
import { InvalidRuntimeException, ServiceException } from '../errors/index.js';
import type { Logger } from '../observability/index.js';
import type { Repositories } from '../store/index.js';
import type { EnvironmentInvocation, EnvironmentSpec, InvocationReport } from '../sandbox/index.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { logTail } from './log-tail.js';
import { environmentSpec, layerCodeKeys, requireInvocable, resolveTarget } from './target.js';

/** What the invoker needs from the environment pool (src/sandbox/environment-pool.ts). */
export interface EnvironmentRunner {
  invoke(spec: EnvironmentSpec, inv: EnvironmentInvocation): Promise<InvocationReport>;
  retire(scope: Scope, functionName: string, version: string, fingerprint: string | undefined): void;
  versionsOf(scope: Scope, functionName: string): string[];
  close(): Promise<void>;
}

export interface InvokeRequest {
  scope: Scope;
  functionName: string;
  qualifier: string | undefined;
  payload: Buffer;
  /** The request id the caller sees in x-amzn-RequestId; the function sees it as its awsRequestId. */
  requestId: string;
  /** Decoded client-context JSON. */
  clientContext?: string;
  /** Return the last 4 KB of the invocation's log (LogType Tail). */
  tail: boolean;
}

export type InvokeResult =
  | { kind: 'response'; payload: Buffer; contentType?: string }
  | { kind: 'function-error'; errorType: string; payload: Buffer };

export interface InvokeResponse {
  executedVersion: string;
  result: InvokeResult;
  /** base64 tail of the log, when asked for. */
  logResult?: string;
}

export interface InvokerOptions {
  repos: Repositories;
  runner: EnvironmentRunner;
  clock: Clock;
  logger: Logger;
  accountConcurrencyLimit: number;
  /** For alias weights; injectable so tests can make routing deterministic. */
  random?: () => number;
}

/**
 * Every invocation enters here (the Invoke API now; triggers later): qualifier → version (alias weights),
 * state check, a concurrency lease, one environment from the pool, the result. A function's failure is a
 * result value; only platform problems (throttling, not found, not ready) are thrown as AWS errors.
 */
export class Invoker {
  readonly concurrency: ConcurrencyLimiter;
  private readonly reservedTotals = new Map<string, number>();
  private readonly specs = new Map<string, { revisionId: string; spec: EnvironmentSpec }>();
  private readonly background = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: InvokerOptions) {
    this.concurrency = new ConcurrencyLimiter(options.accountConcurrencyLimit, {
      reservedTotal: (scope) => this.reservedTotal(scope),
    });
  }

  /** DryRun: the function exists, the qualifier resolves and the version can run. */
  check(scope: Scope, functionName: string, qualifier: string | undefined): { executedVersion: string } {
    const target = resolveTarget(this.options.repos, scope, functionName, qualifier, this.options.random);
    requireInvocable(target.version);
    return { executedVersion: target.version.version };
  }

  async invoke(req: InvokeRequest): Promise<InvokeResponse> {
    if (this.closed) throw new ServiceException();
    const { repos } = this.options;
    const target = resolveTarget(repos, req.scope, req.functionName, req.qualifier, this.options.random);
    requireInvocable(target.version);
    const lease = this.concurrency.acquire(req.scope, req.functionName, target.meta.reservedConcurrency);
    let report: InvocationReport;
    try {
      const spec = this.spec(req.scope, target.version);
      const inv: EnvironmentInvocation = {
        requestId: req.requestId,
        payload: req.payload,
        invokedFunctionArn: target.invokedArn,
        traceId: traceId(this.options.clock.now(), req.requestId),
      };
      if (req.clientContext !== undefined) inv.clientContext = req.clientContext;
      report = await this.options.runner.invoke(spec, inv);
    } finally {
      lease.release();
    }
    const { result } = report;
    if (result.kind === 'unavailable') throw new InvalidRuntimeException(result.message);
    const out: InvokeResponse = { executedVersion: target.version.version, result };
    if (req.tail) out.logResult = logTail(report.logLines);
    return out;
  }

  /**
   * InvocationType Event, minimally: the function is resolved and checked now (404/409 as AWS), then invoked in
   * the background once. NOT yet AWS's pipeline: the event is held in memory only (lost on restart), and there
   * are no retries, no maximum event age and no destinations; the async-invocation issue replaces this.
   */
  invokeAsync(req: Omit<InvokeRequest, 'tail'>): void {
    if (this.closed) throw new ServiceException();
    this.check(req.scope, req.functionName, req.qualifier);
    const run = this.invoke({ ...req, tail: false }).then(
      (out) => {
        if (out.result.kind === 'function-error') {
          this.options.logger.info('async invocation failed', { requestId: req.requestId, functionName: req.functionName, errorType: out.result.errorType });
        }
      },
      (err: unknown) => this.options.logger.warn('async invocation dropped', { requestId: req.requestId, functionName: req.functionName, error: String((err as Error)?.message ?? err) }),
    );
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
  }

  /** Resolves when every background (Event) invocation accepted so far has finished. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /**
   * A version's code or configuration changed (version '*': anything about the function, or its deletion):
   * environments built from an outdated configuration are retired once their invocations finish.
   */
  versionChanged(scope: Scope, functionName: string, version: string): void {
    this.reservedTotals.delete(`${scope.account}/${scope.region}`);
    const versions = version === '*' ? this.options.runner.versionsOf(scope, functionName) : [version];
    for (const v of versions) {
      const record = this.options.repos.versions.get(scope, versionKey(functionName, v));
      this.options.runner.retire(scope, functionName, v, record ? this.spec(scope, record).fingerprint : undefined);
    }
  }

  /** The environment spec of a version, rebuilt only when its revision changes. */
  spec(scope: Scope, version: FunctionVersion): EnvironmentSpec {
    const key = `${scope.account}/${scope.region}/${version.functionName}/${version.version}`;
    const cached = this.specs.get(key);
    if (cached && cached.revisionId === version.revisionId) return cached.spec;
    const spec = environmentSpec(scope, version, layerCodeKeys(this.options.repos, version));
    if (this.specs.size > 10_000) this.specs.clear();
    this.specs.set(key, { revisionId: version.revisionId, spec });
    return spec;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.runner.close();
    await Promise.allSettled([...this.background]);
  }

  private reservedTotal(scope: Scope): number {
    const key = `${scope.account}/${scope.region}`;
    let total = this.reservedTotals.get(key);
    if (total === undefined) {
      total = 0;
      for (const e of this.options.repos.functions.list(scope)) total += e.doc.reservedConcurrency ?? 0;
      this.reservedTotals.set(key, total);
    }
    return total;
  }
}

/**
 * An X-Ray trace header, as Lambda passes one to every invocation (`Sampled=0`: Sluice does not trace). Its random
 * parts come from the (random, unique) request id, which saves drawing fresh random bytes on every invocation.
 */
function traceId(now: number, requestId: string): string {
  let hex = requestId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) hex = randomBytes(16).toString('hex');
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${hex.slice(0, 24)};Parent=${hex.slice(16, 32)};Sampled=0`;
}
