import type { FunctionKey } from '../../store/index.js';
import { throttleDelayMs } from './retry-policy.js';

interface Gate {
  inflight: number;
  /** Reserved concurrency (undefined: the account's unreserved pool decides). */
  cap: number | undefined;
  capKnown: boolean;
  /** Refused (throttled) until then: its ready events are pushed back to this time. */
  blockedUntil: number;
  /** Refusals in a row: the function's back-off grows with them (1 s, 2 s, 4 s … 5 min). */
  refusals: number;
  /** After a refusal: one attempt at a time until one gets through. */
  probing: boolean;
  /** Events were pushed back while blocked (they are woken when the function gets through again). */
  deferred: boolean;
}

export type GateDecision = 'take' | 'full' | { blockedUntil: number };

/**
 * The drainer's view of each function's capacity, so it hands the Invoker only what can run: at most the
 * reserved concurrency at once, and after a throttle nothing until the function's back-off has passed, then one
 * probe at a time. The Invoker's concurrency limiter stays the authority; this only avoids a storm of refusals.
 */
export class FunctionGates {
  private readonly gates = new Map<FunctionKey, Gate>();
  private running = 0;

  constructor(private readonly capOf: (key: FunctionKey) => number | undefined, private readonly scale: number) {}

  /** Invocations in flight, all functions. */
  get total(): number {
    return this.running;
  }

  inflight(key: FunctionKey): number {
    return this.gates.get(key)?.inflight ?? 0;
  }

  /**
   * How many of `key`'s ready events may start now (at most `upTo`), counted as running from here on (give back
   * what is not taken with unreserve()); or, while the function is throttled, until when they wait.
   */
  room(key: FunctionKey, now: number, upTo: number): number | { blockedUntil: number } {
    const g = this.gate(key);
    if (g.blockedUntil > now) {
      g.deferred = true;
      return { blockedUntil: g.blockedUntil };
    }
    const free = g.probing ? (g.inflight > 0 ? 0 : 1) : g.cap === undefined ? upTo : Math.max(0, g.cap - g.inflight);
    const n = Math.max(0, Math.min(free, upTo));
    g.inflight += n;
    this.running += n;
    if (n === 0) this.forgetIdle(key, g);
    return n;
  }

  /** Places counted by room() that were not used after all. */
  unreserve(key: FunctionKey, n: number): void {
    const g = this.gates.get(key);
    if (!g || n <= 0) return;
    g.inflight = Math.max(0, g.inflight - n);
    this.running = Math.max(0, this.running - n);
    this.forgetIdle(key, g);
  }

  /** One event of `key`, now: taken (and counted as running), too many running, or blocked until then. */
  admit(key: FunctionKey, now: number): GateDecision {
    const r = this.room(key, now, 1);
    return typeof r === 'number' ? (r === 1 ? 'take' : 'full') : r;
  }

  /**
   * An invocation counted by room() / admit() ended. `ran`: it reached the function (capacity exists: unblock); `refused`:
   * throttled or refused by the platform (back off; returns until when); `released`: neither (shutdown).
   * Returns, for `ran`, whether events were pushed back while blocked (the caller wakes them).
   */
  finished(key: FunctionKey, how: 'ran' | 'refused' | 'released', now: number): { blockedUntil?: number; wake?: boolean } {
    const g = this.gate(key);
    g.inflight = Math.max(0, g.inflight - 1);
    this.running = Math.max(0, this.running - 1);
    if (how === 'refused') {
      g.refusals++;
      g.blockedUntil = now + throttleDelayMs(g.refusals, this.scale);
      g.probing = true;
      return { blockedUntil: g.blockedUntil };
    }
    if (how === 'ran') {
      const wake = g.deferred;
      g.refusals = 0;
      g.probing = false;
      g.deferred = false;
      g.blockedUntil = 0;
      this.forgetIdle(key, g);
      return wake ? { wake } : {};
    }
    this.forgetIdle(key, g);
    return {};
  }

  /** The function changed (concurrency raised, became Active): forget its back-off and re-read its cap. */
  reset(key: FunctionKey): void {
    const g = this.gates.get(key);
    if (!g) return;
    g.capKnown = false;
    g.blockedUntil = 0;
    g.refusals = 0;
    g.probing = false;
    g.deferred = false;
    if (g.inflight === 0) this.gates.delete(key);
  }

  /** Functions with nothing running and nothing to remember are not kept (their cap is re-read next time). */
  private forgetIdle(key: FunctionKey, g: Gate): void {
    if (g.inflight === 0 && g.blockedUntil === 0 && !g.probing && !g.deferred) this.gates.delete(key);
  }

  private gate(key: FunctionKey): Gate {
    let g = this.gates.get(key);
    if (!g) {
      g = { inflight: 0, cap: undefined, capKnown: false, blockedUntil: 0, refusals: 0, probing: false, deferred: false };
      this.gates.set(key, g);
    }
    if (!g.capKnown) {
      g.cap = this.capOf(key);
      g.capKnown = true;
    }
    return g;
  }
}
