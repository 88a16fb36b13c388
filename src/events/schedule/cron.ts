import { instantsOf, wallTime } from './zoned-time.js';

/**
 * AWS cron expressions (EventBridge rules and Scheduler): six fields `Minutes Hours Day-of-month Month Day-of-week
 * Year`, with `, - * /` everywhere, `?` in exactly one of the two day fields, `L` and `W` in day-of-month (`L`,
 * `L-2`, `15W`, `LW`), `L` and `#` in day-of-week (`L` = Saturday, `5L` = the last Thursday, `3#2` = the second
 * Tuesday), months `1-12`/`JAN-DEC`, days of week `1-7`/`SUN-SAT` (1 = Sunday), years 1970-2199.
 */

export class CronSyntaxError extends Error {}

export interface CronSpec {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
  /** True when the day (of its month) is selected by the day-of-month or day-of-week field, whichever is not `?`. */
  readonly day: (year: number, month: number, day: number) => boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

interface Range {
  min: number;
  max: number;
  names?: string[];
}

const MINUTE: Range = { min: 0, max: 59 };
const HOUR: Range = { min: 0, max: 23 };
const DOM: Range = { min: 1, max: 31 };
const MONTH: Range = { min: 1, max: 12, names: MONTHS };
const DOW: Range = { min: 1, max: 7, names: DAYS };
const YEAR: Range = { min: MIN_YEAR, max: MAX_YEAR };

function value(text: string, range: Range): number {
  const named = range.names?.indexOf(text.toUpperCase());
  if (named !== undefined && named >= 0) return named + range.min;
  if (!/^\d+$/.test(text)) throw new CronSyntaxError(`not a value: ${text}`);
  const n = Number(text);
  if (n < range.min || n > range.max) throw new CronSyntaxError(`out of range: ${text}`);
  return n;
}

/** `*`, `a`, `a-b`, `a/s`, `a-b/s`, `*\/s`, comma-separated. Ranges may wrap (`FRI-MON`, `NOV-FEB`). */
function values(field: string, range: Range): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    if (part === '') throw new CronSyntaxError('empty list element');
    const [base = '', stepText, ...rest] = part.split('/');
    if (rest.length > 0) throw new CronSyntaxError(`bad step: ${part}`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText)) throw new CronSyntaxError(`bad step: ${part}`);
      step = Number(stepText);
      if (step < 1 || step > range.max) throw new CronSyntaxError(`bad step: ${part}`);
    }
    let from: number;
    let to: number;
    if (base === '*') {
      from = range.min;
      to = range.max;
    } else if (base.includes('-')) {
      const [a = '', b = '', ...more] = base.split('-');
      if (more.length > 0) throw new CronSyntaxError(`bad range: ${base}`);
      from = value(a, range);
      to = value(b, range);
    } else {
      from = value(base, range);
      // `5/15` runs from 5 to the end of the range; a lone value is just itself.
      to = stepText === undefined ? from : range.max;
    }
    const span = range.max - range.min + 1;
    const count = to >= from ? to - from : to + span - from;
    for (let i = 0; i <= count; i += step) out.add(((from - range.min + i) % span) + range.min);
  }
  return out;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday ... 7 = Saturday, as AWS numbers days of the week. */
const weekday = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday nearest to `target` within the month (never crossing into another month). */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = daysIn(year, month);
  const d = Math.min(target, last);
  const wd = weekday(year, month, d);
  if (wd >= 2 && wd <= 6) return d;
  if (wd === 7) return d === 1 ? 3 : d - 1; // Saturday → Friday, or Monday the 3rd
  return d === last ? d - 2 : d + 1; // Sunday → Monday, or Friday before
}

type DayTest = (year: number, month: number, day: number) => boolean;

function dayOfMonth(field: string): DayTest {
  const tests: DayTest[] = [];
  for (const part of field.split(',')) {
    let m: RegExpExecArray | null;
    if (part === 'L') tests.push((y, mo, d) => d === daysIn(y, mo));
    else if ((m = /^L-(\d+)$/.exec(part))) {
      const off = Number(m[1]);
      if (off < 1 || off > 30) throw new CronSyntaxError(`bad offset: ${part}`);
      tests.push((y, mo, d) => d === daysIn(y, mo) - off);
    } else if (part === 'LW') tests.push((y, mo, d) => d === nearestWeekday(y, mo, daysIn(y, mo)));
    else if ((m = /^(\d+)W$/.exec(part))) {
      const target = value(m[1]!, DOM);
      tests.push((y, mo, d) => target <= daysIn(y, mo) && d === nearestWeekday(y, mo, target));
    } else {
      const set = values(part, DOM);
      tests.push((_y, _mo, d) => set.has(d));
    }
  }
  return (y, mo, d) => tests.some((t) => t(y, mo, d));
}

function dayOfWeek(field: string): DayTest {
  const tests: DayTest[] = [];
  for (const part of field.split(',')) {
    let m: RegExpExecArray | null;
    if (part === 'L') tests.push((y, mo, d) => weekday(y, mo, d) === 7);
    else if ((m = /^([^#L]+)L$/.exec(part))) {
      const wd = value(m[1]!, DOW);
      tests.push((y, mo, d) => weekday(y, mo, d) === wd && d + 7 > daysIn(y, mo));
    } else if ((m = /^([^#]+)#(\d+)$/.exec(part))) {
      const wd = value(m[1]!, DOW);
      const nth = Number(m[2]);
      if (nth < 1 || nth > 5) throw new CronSyntaxError(`bad occurrence: ${part}`);
      tests.push((y, mo, d) => weekday(y, mo, d) === wd && Math.ceil(d / 7) === nth);
    } else {
      const set = values(part, DOW);
      tests.push((y, mo, d) => set.has(weekday(y, mo, d)));
    }
  }
  return (y, mo, d) => tests.some((t) => t(y, mo, d));
}

/** Parses the six fields inside `cron(...)`. */
export function parseCron(text: string): CronSpec {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6) throw new CronSyntaxError(`expected 6 fields, got ${fields.length}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  for (const [f, name] of [[min, 'minutes'], [hour, 'hours'], [month, 'month'], [year, 'year']] as const) {
    if (f.includes('?')) throw new CronSyntaxError(`? is not allowed in ${name}`);
  }
  if ((dom === '?') === (dow === '?')) throw new CronSyntaxError('exactly one of day-of-month and day-of-week must be ?');
  const day = dom === '?' ? dayOfWeek(dow) : dayOfMonth(dom);
  return {
    minutes: [...values(min, MINUTE)].sort((a, b) => a - b),
    hours: [...values(hour, HOUR)].sort((a, b) => a - b),
    months: values(month, MONTH),
    years: values(year, YEAR),
    day,
  };
}

/**
 * The first fire time strictly after `after` (epoch ms), in the time zone's wall clock; undefined when there is
 * none before the end of 2199. A wall time that does not exist (clocks spring forward) is skipped; one that occurs
 * twice (clocks fall back) fires once, at its first occurrence.
 */
export function nextCronTime(spec: CronSpec, after: number, timeZone = 'UTC'): number | undefined {
  // Start at the next whole minute of the wall clock.
  const startWall = Math.floor(wallTime(after, timeZone) / 60_000) * 60_000 + 60_000;
  const start = new Date(startWall);
  let y = start.getUTCFullYear();
  let mo = start.getUTCMonth() + 1;
  let d = start.getUTCDate();
  let first = true;
  while (y <= MAX_YEAR) {
    if (!spec.years.has(y)) {
      y++; mo = 1; d = 1; first = false;
      continue;
    }
    if (!spec.months.has(mo)) {
      mo++; d = 1; first = false;
      if (mo > 12) { mo = 1; y++; }
      continue;
    }
    if (d > daysIn(y, mo)) {
      mo++; d = 1; first = false;
      if (mo > 12) { mo = 1; y++; }
      continue;
    }
    if (spec.day(y, mo, d)) {
      const fromHour = first ? start.getUTCHours() : 0;
      for (const h of spec.hours) {
        if (h < fromHour) continue;
        const fromMinute = first && h === fromHour ? start.getUTCMinutes() : 0;
        for (const m of spec.minutes) {
          if (m < fromMinute) continue;
          const instants = instantsOf(Date.UTC(y, mo - 1, d, h, m), timeZone);
          // Only the first occurrence of a repeated wall time counts (it fires once).
          const at = instants[0];
          if (at !== undefined && at > after) return at;
        }
      }
    }
    d++;
    first = false;
  }
  return undefined;
}
