import type { Scope } from '../domain/scope.js';
import { TooManyRequestsException } from '../errors/index.js';

export interface ConcurrencyBudget {
  /** Sum of the reserved concurrency of every function in the scope (what the unreserved pool cannot use). */
  reservedTotal(scope: Scope): number;
}

export interface Lease {
  release(): void;
}

interface ScopeCounters {
  unreserved: number;
  perFunction: Map<string, number>;
}

/**
 * Concurrent executions per (account, region), as Lambda counts them: a function with reserved concurrency R
 * may run R at once (0 = always throttled) and that capacity is set aside from everyone else; all other
 * functions share the rest of the account limit. A function over its share gets 429 TooManyRequestsException.
 */
export class ConcurrencyLimiter {
  private readonly scopes = new Map<string, ScopeCounters>();

  constructor(private readonly accountLimit: number, private readonly budget: ConcurrencyBudget) {}

  acquire(scope: Scope, functionName: string, reserved: number | undefined): Lease {
    const key = `${scope.account}/${scope.region}`;
    let c = this.scopes.get(key);
    if (!c) {
      c = { unreserved: 0, perFunction: new Map() };
      this.scopes.set(key, c);
    }
    const running = c.perFunction.get(functionName) ?? 0;
    if (reserved !== undefined) {
      if (running >= reserved) throw throttle('ReservedFunctionConcurrentInvocationLimitExceeded');
    } else {
      const capacity = this.accountLimit - this.budget.reservedTotal(scope);
      if (c.unreserved >= capacity) throw throttle('ConcurrentInvocationLimitExceeded');
      c.unreserved++;
    }
    c.perFunction.set(functionName, running + 1);
    let released = false;
    const counters = c;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (reserved === undefined) counters.unreserved--;
        const n = (counters.perFunction.get(functionName) ?? 1) - 1;
        if (n <= 0) counters.perFunction.delete(functionName);
        else counters.perFunction.set(functionName, n);
      },
    };
  }

  /** Every scope's concurrent executions: the unreserved pool's and each running function's (for metrics). */
  snapshot(): { scope: Scope; unreserved: number; functions: [string, number][] }[] {
    return [...this.scopes].map(([key, c]) => {
      const slash = key.indexOf('/');
      return { scope: { account: key.slice(0, slash), region: key.slice(slash + 1) }, unreserved: c.unreserved, functions: [...c.perFunction] };
    });
  }

  /** Concurrent executions right now (for metrics and tests). */
  running(scope: Scope, functionName?: string): number {
    const c = this.scopes.get(`${scope.account}/${scope.region}`);
    if (!c) return 0;
    if (functionName !== undefined) return c.perFunction.get(functionName) ?? 0;
    let n = 0;
    for (const v of c.perFunction.values()) n += v;
    return n;
  }
}

function throttle(reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded'): TooManyRequestsException {
  return new TooManyRequestsException('Rate Exceeded.', reason);
}
