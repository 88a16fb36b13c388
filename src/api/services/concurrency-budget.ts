import type { Scope } from '../../domain/scope.js';
import type { Repositories } from '../../store/index.js';

/** AWS keeps this much of the account's concurrency unreserved (all of it when the limit is lower). */
export const MIN_UNRESERVED = 100;

export function minimumUnreserved(limit: number): number {
  return Math.min(MIN_UNRESERVED, limit);
}

/** Sum of provisioned concurrency configured on a function's versions and aliases, optionally skipping one qualifier. */
export function provisionedSum(repos: Repositories, scope: Scope, name: string, exceptQualifier?: string): number {
  let sum = 0;
  for (const e of repos.provisionedConcurrency.list(scope, { prefix: `${name}/` })) {
    if (e.doc.qualifier !== exceptQualifier) sum += e.doc.requested;
  }
  return sum;
}

/**
 * Concurrency taken out of the account's unreserved pool, per function. A reservation covers the function's
 * provisioned concurrency; without one, provisioned concurrency is drawn from the unreserved pool directly.
 */
export function committedByFunction(repos: Repositories, scope: Scope): Map<string, number> {
  const provisioned = new Map<string, number>();
  for (const e of repos.provisionedConcurrency.list(scope)) {
    provisioned.set(e.doc.functionName, (provisioned.get(e.doc.functionName) ?? 0) + e.doc.requested);
  }
  const out = new Map<string, number>();
  for (const e of repos.functions.list(scope)) {
    out.set(e.key, e.doc.reservedConcurrency ?? provisioned.get(e.key) ?? 0);
  }
  return out;
}

/** Committed concurrency of every function except `name`. */
export function committedByOthers(repos: Repositories, scope: Scope, name: string): number {
  let sum = 0;
  for (const [fn, n] of committedByFunction(repos, scope)) if (fn !== name) sum += n;
  return sum;
}

export function unreservedConcurrency(repos: Repositories, scope: Scope, limit: number): number {
  let sum = 0;
  for (const n of committedByFunction(repos, scope).values()) sum += n;
  return Math.max(0, limit - sum);
}
