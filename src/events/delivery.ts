import { functionArn } from '../domain/arn.js';
import { evaluatePolicy, type RequestPrincipal } from '../domain/policy.js';
import type { Clock, Scope } from '../domain/scope.js';
import { AwsError, ResourceConflictException, ResourceNotFoundException } from '../errors/index.js';
import type { Logger } from '../observability/index.js';
import type { Repositories } from '../store/index.js';
import type { Timers } from '../domain/timers.js';

/**
 * Hands events to Lambda functions the way EventBridge does: asynchronously (through Sluice's async-invocation
 * queue, so the function's retries, maximum age and destinations apply), only when the function's resource policy
 * lets the calling service invoke it, and with the target's retry policy for deliveries that fail for a reason
 * that may pass (throttling, a server shutting down). Permission and missing-function failures are not retried,
 * as in EventBridge; every failure is counted and logged.
 */

/** The one entry point delivery needs from the async-invocation pipeline. */
export interface AsyncInvoke {
  enqueue(req: { scope: Scope; functionName: string; qualifier?: string; payload: Buffer }): Promise<void> | void;
}

const FUNCTION_ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9-_]{1,64})(?::(\$LATEST|[a-zA-Z0-9-_]{1,128}))?$/;

export interface FunctionTarget {
  scope: Scope;
  functionName: string;
  qualifier?: string;
}

export function parseFunctionTarget(arn: string): FunctionTarget | undefined {
  const m = FUNCTION_ARN_RE.exec(arn);
  if (!m) return undefined;
  const out: FunctionTarget = { scope: { region: m[1]!, account: m[2]! }, functionName: m[3]! };
  if (m[4] !== undefined) out.qualifier = m[4];
  return out;
}

/** Who is invoking: EventBridge for a rule (resource policy with the rule as source), Scheduler with its role. */
export type Caller =
  | { kind: 'rule'; ruleArn: string; account: string }
  | { kind: 'schedule'; scheduleArn: string; roleArn: string; account: string };

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

export interface DeliveryRequest {
  caller: Caller;
  /** The rule or schedule ARN, for counters and logs. */
  source: string;
  targetId: string;
  targetArn: string;
  payload: Buffer;
  retryPolicy?: RetryPolicy;
}

export interface DeliveryCounters {
  invocations: number;
  failedInvocations: number;
  lastFailure?: { at: number; targetId: string; reason: string };
}

export type DeliveryOutcome = { ok: true } | { ok: false; reason: string; retryable: boolean };

/** A delivery that ended (delivered, or given up): tests and tooling listen to these. */
export interface DeliveryEvent extends DeliveryRequest {
  outcome: DeliveryOutcome;
  attempts: number;
}

const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_MAX_AGE_S = 86_400;

export interface DeliveryOptions {
  repos: Repositories;
  asyncInvoke: AsyncInvoke;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

export class Delivery {
  private readonly counters = new Map<string, DeliveryCounters>();
  private readonly listeners = new Set<(e: DeliveryEvent) => void>();
  private readonly pending = new Set<Promise<void>>();
  private readonly retryTimers = new Set<{ cancel(): void }>();
  private closed = false;

  constructor(private readonly options: DeliveryOptions) {}

  /** Starts a delivery; it runs on its own (retries included). */
  deliver(req: DeliveryRequest): void {
    const run = this.attempt(req, 1, this.options.clock.now());
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  /** Resolves once every delivery started so far has reached the queue or given up (retries waiting excluded). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  countersFor(source: string): DeliveryCounters {
    return { ...(this.counters.get(source) ?? { invocations: 0, failedInvocations: 0 }) };
  }

  onDelivery(listener: (e: DeliveryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const t of this.retryTimers) t.cancel();
    this.retryTimers.clear();
  }

  private async attempt(req: DeliveryRequest, attempt: number, firstAt: number): Promise<void> {
    const outcome = await this.tryOnce(req);
    const counters = this.counters.get(req.source) ?? { invocations: 0, failedInvocations: 0 };
    this.counters.set(req.source, counters);
    if (outcome.ok) {
      counters.invocations++;
      this.emit({ ...req, outcome, attempts: attempt });
      return;
    }
    const maxAttempts = (req.retryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS) + 1;
    const maxAgeMs = (req.retryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    const delay = Math.min(1000 * 2 ** (attempt - 1), 60_000);
    if (outcome.retryable && !this.closed && attempt < maxAttempts && this.options.clock.now() + delay - firstAt <= maxAgeMs) {
      this.options.logger.warn('event delivery failed, will retry', { source: req.source, target: req.targetId, attempt, reason: outcome.reason });
      const timer = this.options.timers.after(delay, () => {
        this.retryTimers.delete(timer);
        this.deliverRetry(req, attempt + 1, firstAt);
      });
      this.retryTimers.add(timer);
      return;
    }
    counters.failedInvocations++;
    counters.lastFailure = { at: this.options.clock.now(), targetId: req.targetId, reason: outcome.reason };
    this.options.logger.warn('event not delivered', { source: req.source, target: req.targetId, arn: req.targetArn, attempts: attempt, reason: outcome.reason });
    this.emit({ ...req, outcome, attempts: attempt });
  }

  private deliverRetry(req: DeliveryRequest, attempt: number, firstAt: number): void {
    const run = this.attempt(req, attempt, firstAt);
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  private async tryOnce(req: DeliveryRequest): Promise<DeliveryOutcome> {
    const target = parseFunctionTarget(req.targetArn);
    if (!target) return { ok: false, reason: `not a Lambda function ARN: ${req.targetArn}`, retryable: false };
    const denied = this.permissionProblem(req.caller, target, req.targetArn);
    if (denied) return { ok: false, reason: denied, retryable: false };
    try {
      const enqueue: { scope: Scope; functionName: string; qualifier?: string; payload: Buffer } = {
        scope: target.scope, functionName: target.functionName, payload: req.payload,
      };
      if (target.qualifier !== undefined) enqueue.qualifier = target.qualifier;
      await this.options.asyncInvoke.enqueue(enqueue);
      return { ok: true };
    } catch (err) {
      const reason = err instanceof AwsError ? `${err.code}: ${err.message}` : String(err);
      // A missing function or version, or one that cannot run, is the user's to fix: not retried.
      const retryable = !(err instanceof ResourceNotFoundException || err instanceof ResourceConflictException)
        && !(err instanceof AwsError && err.status < 500 && err.status !== 429);
      return { ok: false, reason, retryable };
    }
  }

  /** Undefined when the caller may invoke the function; otherwise why not. */
  private permissionProblem(caller: Caller, target: FunctionTarget, targetArn: string): string | undefined {
    const policyKey = target.qualifier === undefined ? target.functionName : `${target.functionName}/${target.qualifier}`;
    const policy = this.options.repos.policies.get(target.scope, policyKey)?.statements;
    const resource = functionArn(target.scope, target.functionName, target.qualifier);
    let principal: RequestPrincipal;
    let context: Record<string, string>;
    if (caller.kind === 'rule') {
      principal = { kind: 'service', service: 'events.amazonaws.com' };
      context = { 'AWS:SourceArn': caller.ruleArn, 'AWS:SourceAccount': caller.account };
    } else {
      // Scheduler assumes the schedule's role: Sluice has no IAM, so a role of the function's own account is
      // trusted as the account; a role of another account needs the function's resource policy to allow it.
      const roleAccount = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\//.exec(caller.roleArn)?.[1];
      if (roleAccount === undefined) return `the schedule's role is not an IAM role ARN: ${caller.roleArn}`;
      if (roleAccount === target.scope.account) return undefined;
      principal = { kind: 'account', account: roleAccount, arn: caller.roleArn };
      context = { 'AWS:SourceArn': caller.scheduleArn, 'AWS:SourceAccount': caller.account };
    }
    const decision = evaluatePolicy(policy, { action: 'lambda:InvokeFunction', principal, resource, context });
    if (decision === 'allow') return undefined;
    const who = caller.kind === 'rule' ? `events.amazonaws.com (source ${caller.ruleArn})` : caller.roleArn;
    return decision === 'explicit-deny'
      ? `the resource policy of ${targetArn} explicitly denies ${who}`
      : `the resource policy of ${targetArn} does not allow ${who} to call lambda:InvokeFunction (aws lambda add-permission)`;
  }

  private emit(e: DeliveryEvent): void {
    for (const l of this.listeners) {
      try { l(e); } catch { /* a listener's failure is not the delivery's */ }
    }
  }
}
