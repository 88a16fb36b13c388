import type { Clock, Scope } from '../domain/scope.js';
import { versionKey, type FunctionVersion } from '../domain/function-model.js';
import { InvalidRuntimeException, ServiceException, TooManyRequestsException } from '../errors/index.js';
import type { Logger } from '../observability/index.js';
import type { Repositories } from '../store/index.js';
import type { EnvironmentInvocation, EnvironmentSpec, InvocationReport, StreamedResponse } from '../sandbox/index.js';
import { newTraceContext } from '../observability/tracing/trace-header.js';
import { ConcurrencyLimiter, type Lease } from './concurrency.js';
import { InvocationEvents, wallNow, type InvocationSubject } from './invocation-events.js';
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
  /** The caller's X-Amzn-Trace-Id and when the API received the request (the request span starts there). */
  trace?: { header?: string; receivedAt?: number };
  /** Runs for the asynchronous pipeline (InvocationType Event), not a waiting caller. */
  async?: boolean;
  /**
   * Pass a streamed response through as it is produced (InvokeWithResponseStream, streaming function URLs): called
   * when the function starts streaming; invoke() then resolves once the stream has ended. Without it, streamed
   * responses are buffered.
   */
  onStream?: (stream: StreamedResponse, executedVersion: string) => void;
}

export type InvokeResult =
  /** `streamed`: the bytes went to onStream (payload is empty). */
  | { kind: 'response'; payload: Buffer; contentType?: string; streamed?: true }
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
  /** Invocations, throttles and the async pipeline's events, for metrics and traces (src/observability). */
  readonly events = new InvocationEvents();
  private readonly reservedTotals = new Map<string, number>();
  private readonly specs = new Map<string, { revisionId: string; spec: EnvironmentSpec }>();
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
    const acceptedAt = wallNow();
    const target = resolveTarget(repos, req.scope, req.functionName, req.qualifier, this.options.random);
    requireInvocable(target.version);
    const subject: InvocationSubject = { scope: req.scope, functionName: req.functionName, qualifier: req.qualifier, version: target.version.version };
    let lease: Lease;
    try {
      lease = this.concurrency.acquire(req.scope, req.functionName, target.meta.reservedConcurrency);
    } catch (err) {
      if (err instanceof TooManyRequestsException) this.events.emit({ type: 'throttled', ...subject, requestId: req.requestId, reason: String(err.extra.Reason) });
      throw err;
    }
    const trace = newTraceContext({ now: this.options.clock.now(), incoming: req.trace?.header, active: target.version.tracingMode === 'Active' });
    let report: InvocationReport;
    let dispatchedAt: number;
    try {
      const spec = this.spec(req.scope, target.version);
      const inv: EnvironmentInvocation = {
        requestId: req.requestId,
        payload: req.payload,
        invokedFunctionArn: target.invokedArn,
        traceId: trace.header,
      };
      if (req.clientContext !== undefined) inv.clientContext = req.clientContext;
      const onStream = req.onStream;
      if (onStream) inv.onStream = (stream) => onStream(stream, target.version.version);
      dispatchedAt = wallNow();
      report = await this.options.runner.invoke(spec, inv);
    } finally {
      lease.release();
    }
    const { result } = report;
    if (result.kind === 'unavailable') throw new InvalidRuntimeException(result.message);
    this.events.emit({
      type: 'invoked', ...subject, requestId: req.requestId, mode: req.async ? 'async' : 'sync',
      ...(result.kind === 'function-error' ? { errorType: result.errorType } : {}),
      durationMs: report.durationMs, coldStart: report.coldStart,
      ...(report.initDurationMs === undefined ? {} : { initDurationMs: report.initDurationMs }),
      ...(req.trace?.receivedAt === undefined ? {} : { receivedAt: req.trace.receivedAt }),
      acceptedAt, dispatchedAt, finishedAt: wallNow(), trace,
    });
    const out: InvokeResponse = { executedVersion: target.version.version, result };
    if (req.tail) out.logResult = logTail(report.logLines);
    return out;
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
