import type { Clock, Scope } from '../domain/scope.js';
import type { Logger } from '../observability/index.js';
import type { Timers, TimerHandle } from '../domain/timers.js';
import type { Repositories } from '../store/index.js';
import { ruleTickKey, scheduleTickKey, type RuleRecord, type ScheduleRecord } from '../domain/event-records.js';
import { nextFireTime, parseScheduleExpression, type ScheduleExpression } from './schedule/schedule-expression.js';

/**
 * Fires scheduled rules and schedules on their ticks. Each tick fires at most once, even across restarts: the last
 * tick fired is stored before its deliveries start, so a crash can lose a tick but never repeat one. Ticks that
 * fell while Sluice was down are not replayed (nothing earlier than the process start fires). Time comes from an
 * injected clock and timers; `tick()` evaluates now, for tests that move the clock themselves.
 */

export type Firing =
  | { kind: 'rule'; scope: Scope; rule: RuleRecord; at: number }
  | { kind: 'schedule'; scope: Scope; schedule: ScheduleRecord; at: number };

export interface UpcomingFire {
  kind: 'rule' | 'schedule';
  scope: Scope;
  /** Event bus (rules) or schedule group. */
  container: string;
  name: string;
  expression: string;
  timeZone?: string;
  state: string;
  nextFireAt?: number;
  lastFiredAt?: number;
}

interface Item {
  kind: 'rule' | 'schedule';
  scope: Scope;
  tickKey: string;
  expr: ScheduleExpression;
  anchor: number;
  lowerBound: number;
  endDate?: number;
  timeZone?: string;
  rule?: RuleRecord;
  schedule?: ScheduleRecord;
}

/** Ticks a single evaluation fires per item at most (a clock that jumped far ahead does not flood targets). */
const MAX_CATCH_UP = 60;
/** Re-plan at least this often, so a wall clock that was set does not strand the timer. */
const MAX_SLEEP_MS = 60_000;

export interface ScheduleRunnerOptions {
  repos: Repositories;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  fire(f: Firing): void;
  /** A schedule whose last tick has passed and whose ActionAfterCompletion is DELETE. */
  completed(scope: Scope, schedule: ScheduleRecord): void;
}

export class ScheduleRunner {
  private watermark = 0;
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly options: ScheduleRunnerOptions) {}

  start(): void {
    // Ticks before now were missed while down: never replayed. A tick exactly now still fires.
    this.watermark = this.options.clock.now() - 1;
    this.running = true;
    this.tick();
  }

  close(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** A rule or schedule changed: look again at what fires next. */
  changed(): void {
    if (this.running) this.plan();
  }

  /** Fires everything due up to now; returns how many ticks fired. */
  tick(): number {
    const now = this.options.clock.now();
    const from = this.watermark;
    if (now > this.watermark) this.watermark = now;
    let fired = 0;
    for (const item of this.items()) {
      const last = this.options.repos.scheduleTicks.get(item.scope, item.tickKey)?.lastFired;
      let after = Math.max(from, item.lowerBound, last ?? -Infinity);
      const due: number[] = [];
      let next = this.next(item, after);
      while (next !== undefined && next <= now) {
        due.push(next);
        after = next;
        next = this.next(item, after);
      }
      if (due.length > MAX_CATCH_UP) {
        this.options.logger.warn('schedule fell behind; older ticks skipped', { tick: item.tickKey, skipped: due.length - MAX_CATCH_UP });
        due.splice(0, due.length - MAX_CATCH_UP);
      }
      if (due.length > 0) {
        this.options.repos.scheduleTicks.put(item.scope, item.tickKey, { lastFired: due[due.length - 1]! });
        for (const at of due) {
          fired++;
          if (item.rule) this.options.fire({ kind: 'rule', scope: item.scope, rule: item.rule, at });
          else this.options.fire({ kind: 'schedule', scope: item.scope, schedule: item.schedule!, at });
        }
      }
      if (item.schedule && next === undefined && (due.length > 0 || last !== undefined)) {
        this.options.completed(item.scope, item.schedule);
      }
    }
    if (this.running) this.plan();
    return fired;
  }

  /** Every scheduled rule and schedule with its next fire time (for `sluice schedules`). */
  upcoming(scope?: Scope): UpcomingFire[] {
    const now = this.options.clock.now();
    const out: UpcomingFire[] = [];
    const sameScope = (s: Scope) => !scope || (s.account === scope.account && s.region === scope.region);
    for (const { scope: s, doc: rule } of this.options.repos.eventRules.scan()) {
      if (rule.scheduleExpression === undefined || !sameScope(s)) continue;
      out.push(this.describe('rule', s, rule.eventBusName, rule.name, rule.scheduleExpression, rule.state, now, ruleTickKey(rule.eventBusName, rule.name)));
    }
    for (const { scope: s, doc: sch } of this.options.repos.schedules.scan()) {
      if (!sameScope(s)) continue;
      out.push(this.describe('schedule', s, sch.groupName, sch.name, sch.scheduleExpression, sch.state, now, scheduleTickKey(sch.groupName, sch.name), sch.timeZone));
    }
    return out;
  }

  private describe(
    kind: 'rule' | 'schedule', scope: Scope, container: string, name: string, expression: string, state: string, now: number,
    tickKey: string, timeZone?: string,
  ): UpcomingFire {
    const u: UpcomingFire = { kind, scope, container, name, expression, state };
    if (timeZone !== undefined) u.timeZone = timeZone;
    const last = this.options.repos.scheduleTicks.get(scope, tickKey)?.lastFired;
    if (last !== undefined) u.lastFiredAt = last;
    if (state === 'ENABLED') {
      const item = this.items().find((i) => i.tickKey === tickKey && i.scope.account === scope.account && i.scope.region === scope.region);
      const next = item && this.next(item, Math.max(now, item.lowerBound, last ?? -Infinity));
      if (next !== undefined) u.nextFireAt = next;
    }
    return u;
  }

  private next(item: Item, after: number): number | undefined {
    const t = nextFireTime(item.expr, after, item.timeZone === undefined ? { anchor: item.anchor } : { anchor: item.anchor, timeZone: item.timeZone });
    if (t === undefined || (item.endDate !== undefined && t > item.endDate)) return undefined;
    return t;
  }

  private items(): Item[] {
    const out: Item[] = [];
    for (const { scope, doc: rule } of this.options.repos.eventRules.scan()) {
      if (rule.scheduleExpression === undefined || rule.state !== 'ENABLED') continue;
      const expr = this.parse(rule.scheduleExpression, false);
      if (!expr) continue;
      const anchor = rule.scheduleAnchor ?? rule.createdAt;
      out.push({
        kind: 'rule', scope, tickKey: ruleTickKey(rule.eventBusName, rule.name), expr, anchor,
        lowerBound: rule.activeSince ?? anchor, rule,
      });
    }
    for (const { scope, doc: sch } of this.options.repos.schedules.scan()) {
      if (sch.state !== 'ENABLED') continue;
      const expr = this.parse(sch.scheduleExpression, true);
      if (!expr) continue;
      const item: Item = {
        kind: 'schedule', scope, tickKey: scheduleTickKey(sch.groupName, sch.name), expr, anchor: sch.anchor,
        // Nothing before the start date; a tick exactly at it fires.
        lowerBound: Math.max(sch.activeSince, sch.startDate !== undefined ? sch.startDate - 1 : -Infinity), schedule: sch,
      };
      if (sch.endDate !== undefined) item.endDate = sch.endDate;
      if (sch.timeZone !== undefined) item.timeZone = sch.timeZone;
      out.push(item);
    }
    return out;
  }

  private parse(text: string, allowAt: boolean): ScheduleExpression | undefined {
    try {
      return parseScheduleExpression(text, allowAt);
    } catch {
      return undefined; // validated when stored; an unreadable one never fires
    }
  }

  private plan(): void {
    this.timer?.cancel();
    const now = this.options.clock.now();
    let soonest = now + MAX_SLEEP_MS;
    for (const item of this.items()) {
      const last = this.options.repos.scheduleTicks.get(item.scope, item.tickKey)?.lastFired;
      const next = this.next(item, Math.max(this.watermark, item.lowerBound, last ?? -Infinity));
      if (next !== undefined && next < soonest) soonest = next;
    }
    this.timer = this.options.timers.after(Math.max(0, soonest - now), () => {
      this.timer = undefined;
      if (this.running) this.tick();
    });
  }
}
