import { CronSyntaxError, nextCronTime, parseCron, type CronSpec } from './cron.js';
import { instantsOf } from './zoned-time.js';

/**
 * Schedule expressions: `rate(value unit)`, `cron(six fields)` (EventBridge rules and Scheduler) and
 * `at(yyyy-mm-ddThh:mm:ss)` (Scheduler only).
 */
export type ScheduleExpression =
  | { kind: 'rate'; text: string; periodMs: number }
  | { kind: 'cron'; text: string; spec: CronSpec }
  | { kind: 'at'; text: string; wall: number };

export class ScheduleExpressionError extends Error {}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseScheduleExpression(text: string, allowAt: boolean): ScheduleExpression {
  let m: RegExpExecArray | null;
  if ((m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(text))) {
    const n = Number(m[1]);
    const unit = m[2]!;
    // The unit is singular exactly when the value is 1 (`rate(1 minute)`, `rate(5 minutes)`).
    if (n < 1 || (n === 1) !== !unit.endsWith('s')) throw new ScheduleExpressionError(text);
    return { kind: 'rate', text, periodMs: n * UNITS[unit.replace(/s$/, '')]! };
  }
  if ((m = /^cron\((.*)\)$/.exec(text))) {
    try {
      return { kind: 'cron', text, spec: parseCron(m[1]!) };
    } catch (err) {
      if (err instanceof CronSyntaxError) throw new ScheduleExpressionError(text);
      throw err;
    }
  }
  if (allowAt && (m = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text))) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(wall);
    // Reject dates that do not exist (2023-02-30) instead of letting Date roll them over.
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
      throw new ScheduleExpressionError(text);
    }
    return { kind: 'at', text, wall };
  }
  throw new ScheduleExpressionError(text);
}

export interface FireOptions {
  /** Rate schedules tick at anchor + k × period (k ≥ 1): when the schedule was set, or its start date. */
  anchor: number;
  timeZone?: string;
}

/** The first fire time strictly after `after`; undefined when the expression never fires again. */
export function nextFireTime(expr: ScheduleExpression, after: number, options: FireOptions): number | undefined {
  switch (expr.kind) {
    case 'rate': {
      const k = after < options.anchor ? 1 : Math.floor((after - options.anchor) / expr.periodMs) + 1;
      return options.anchor + k * expr.periodMs;
    }
    case 'cron':
      return nextCronTime(expr.spec, after, options.timeZone ?? 'UTC');
    case 'at': {
      const at = instantsOf(expr.wall, options.timeZone ?? 'UTC')[0];
      return at !== undefined && at > after ? at : undefined;
    }
  }
}
