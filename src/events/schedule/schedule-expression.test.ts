import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFireTime, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from './schedule-expression.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** The next `count` fire times after `from`. */
function fires(text: string, from: string, count: number, timeZone?: string, anchor = at(from)): (string | undefined)[] {
  const expr = parseScheduleExpression(text, true);
  const out: (string | undefined)[] = [];
  let t = at(from);
  for (let i = 0; i < count; i++) {
    const next = nextFireTime(expr, t, timeZone === undefined ? { anchor } : { anchor, timeZone });
    out.push(iso(next));
    if (next === undefined) break;
    t = next;
  }
  return out;
}

test('rate: value and unit, singular exactly for 1', () => {
  for (const ok of ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(1 day)', 'rate(7 days)']) {
    assert.equal(parseScheduleExpression(ok, false).kind, 'rate', ok);
  }
  for (const bad of ['rate(1 minutes)', 'rate(3 minute)', 'rate(0 minutes)', 'rate(-1 minutes)', 'rate(5 seconds)', 'rate(5minutes)', 'rate(1.5 hours)', 'rate( 5 minutes)', 'rate(5 weeks)']) {
    assert.throws(() => parseScheduleExpression(bad, false), ScheduleExpressionError, bad);
  }
});

test('rate ticks every period from its anchor, never at the anchor itself', () => {
  assert.deepEqual(fires('rate(5 minutes)', '2024-01-01T10:00:07Z', 3), ['2024-01-01T10:05:07Z', '2024-01-01T10:10:07Z', '2024-01-01T10:15:07Z']);
  // From any time after the anchor, the next tick of the same grid.
  const expr = parseScheduleExpression('rate(1 hour)', false);
  assert.equal(iso(nextFireTime(expr, at('2024-01-01T12:30:00Z'), { anchor: at('2024-01-01T10:00:00Z') })), '2024-01-01T13:00:00Z');
  assert.equal(iso(nextFireTime(expr, at('2024-01-01T13:00:00Z'), { anchor: at('2024-01-01T10:00:00Z') })), '2024-01-01T14:00:00Z');
  // Before the anchor (a future start date): the first tick is one period after it.
  assert.equal(iso(nextFireTime(expr, at('2023-12-31T00:00:00Z'), { anchor: at('2024-01-01T10:00:00Z') })), '2024-01-01T11:00:00Z');
});

test('cron syntax: six fields, exactly one ? in the day fields', () => {
  const valid = [
    'cron(0 10 * * ? *)', 'cron(15 12 * * ? *)', 'cron(0 18 ? * MON-FRI *)', 'cron(0 8 1 * ? *)', 'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)', 'cron(0/5 8-17 ? * MON-FRI *)', 'cron(0 9 ? * 2#1 *)', 'cron(*/5 * * * ? *)', 'cron(0 0 L * ? *)',
    'cron(0 0 15W * ? *)', 'cron(0 0 LW * ? *)', 'cron(0 0 ? * 6L *)', 'cron(0 0 ? * L *)', 'cron(30 2 29 FEB ? 2024-2032)',
    'cron(0 12 ? JAN,JUL SUN 2030)', 'cron(0 0 1,15 * ? 1970-2199)', 'cron(0 0 L-2 * ? *)', 'cron(5,35 14 * * ? *)',
  ];
  for (const v of valid) assert.equal(parseScheduleExpression(v, false).kind, 'cron', v);
  const invalid = [
    'cron(0 10 * * *)', // five fields (Unix cron)
    'cron(0 10 * * * *)', // neither day field is ?
    'cron(0 10 ? * ? *)', // both are
    'cron(7 20 * * 1-7 *)',
    'cron(60 * * * ? *)', 'cron(0 24 * * ? *)', 'cron(0 0 32 * ? *)', 'cron(0 0 0 * ? *)', 'cron(0 0 * 13 ? *)',
    'cron(0 0 ? * 8 *)', 'cron(0 0 ? * 0 *)', 'cron(0 0 * * ? 1969)', 'cron(0 0 * * ? 2200)', 'cron(*/60 * * * ? *)',
    'cron(0/5, 9-18, ?, *, MON-FRI, *)', 'cron(0 0 ? * 2#6 *)', 'cron(0 0 32W * ? *)', 'cron(? 0 * * ? *)', 'cron(0 0 * FOO ? *)',
    'cron()', 'cron(0 0 1-2-3 * ? *)', 'cron(0 0 ,1 * ? *)',
  ];
  for (const v of invalid) assert.throws(() => parseScheduleExpression(v, false), ScheduleExpressionError, v);
});

test('at() only where allowed, and only real dates', () => {
  assert.throws(() => parseScheduleExpression('at(2030-01-01T00:00:00)', false), ScheduleExpressionError);
  assert.equal(parseScheduleExpression('at(2030-01-01T00:00:00)', true).kind, 'at');
  assert.throws(() => parseScheduleExpression('at(2023-02-29T00:00:00)', true), ScheduleExpressionError);
  assert.throws(() => parseScheduleExpression('at(2030-01-01T24:00:00)', true), ScheduleExpressionError);
  assert.throws(() => parseScheduleExpression('at(2030-01-01 00:00:00)', true), ScheduleExpressionError);
  assert.deepEqual(fires('at(2030-01-01T08:30:00)', '2029-12-31T00:00:00Z', 2), ['2030-01-01T08:30:00Z', undefined]);
  assert.deepEqual(fires('at(2030-01-01T08:30:00)', '2030-01-01T08:30:00Z', 1), [undefined]);
  // In a zone: the wall time there.
  assert.deepEqual(fires('at(2030-07-01T08:30:00)', '2030-01-01T00:00:00Z', 1, 'Europe/Paris'), ['2030-07-01T06:30:00Z']);
});

const CRON_CASES: [string, string, string[], string?][] = [
  // [expression, after, next fire times, time zone]
  ['cron(0 10 * * ? *)', '2024-01-01T09:59:59Z', ['2024-01-01T10:00:00Z', '2024-01-02T10:00:00Z']],
  ['cron(0 10 * * ? *)', '2024-01-01T10:00:00Z', ['2024-01-02T10:00:00Z']],
  ['cron(15 12 * * ? *)', '2024-12-31T13:00:00Z', ['2025-01-01T12:15:00Z']],
  ['cron(0/15 * * * ? *)', '2024-01-01T10:07:00Z', ['2024-01-01T10:15:00Z', '2024-01-01T10:30:00Z', '2024-01-01T10:45:00Z', '2024-01-01T11:00:00Z']],
  ['cron(5/20 * * * ? *)', '2024-01-01T10:00:00Z', ['2024-01-01T10:05:00Z', '2024-01-01T10:25:00Z', '2024-01-01T10:45:00Z', '2024-01-01T11:05:00Z']],
  ['cron(* * * * ? *)', '2024-01-01T10:00:30Z', ['2024-01-01T10:01:00Z', '2024-01-01T10:02:00Z']],
  // Weekdays only: Friday 2024-01-05 18:00, then Monday the 8th.
  ['cron(0 18 ? * MON-FRI *)', '2024-01-05T17:00:00Z', ['2024-01-05T18:00:00Z', '2024-01-08T18:00:00Z']],
  // Numbered days of week: 1 = Sunday.
  ['cron(0 0 ? * 1 *)', '2024-01-01T00:00:00Z', ['2024-01-07T00:00:00Z', '2024-01-14T00:00:00Z']],
  // Wrapping range FRI-MON.
  ['cron(0 0 ? * FRI-MON *)', '2024-01-03T00:00:00Z', ['2024-01-05T00:00:00Z', '2024-01-06T00:00:00Z', '2024-01-07T00:00:00Z', '2024-01-08T00:00:00Z', '2024-01-12T00:00:00Z']],
  // Month ends and leap years.
  ['cron(0 0 L * ? *)', '2024-01-15T00:00:00Z', ['2024-01-31T00:00:00Z', '2024-02-29T00:00:00Z', '2024-03-31T00:00:00Z', '2024-04-30T00:00:00Z']],
  ['cron(0 0 L 2 ? *)', '2023-01-01T00:00:00Z', ['2023-02-28T00:00:00Z', '2024-02-29T00:00:00Z', '2025-02-28T00:00:00Z']],
  ['cron(30 2 29 2 ? *)', '2024-03-01T00:00:00Z', ['2028-02-29T02:30:00Z', '2032-02-29T02:30:00Z']],
  // 1900-style century rule: 2100 is not a leap year.
  ['cron(0 0 29 2 ? *)', '2096-03-01T00:00:00Z', ['2104-02-29T00:00:00Z']],
  ['cron(0 0 31 * ? *)', '2024-04-01T00:00:00Z', ['2024-05-31T00:00:00Z', '2024-07-31T00:00:00Z', '2024-08-31T00:00:00Z']],
  ['cron(0 0 L-2 * ? *)', '2024-02-01T00:00:00Z', ['2024-02-27T00:00:00Z', '2024-03-29T00:00:00Z']],
  // W: nearest weekday. 2024-06-15 is a Saturday → Friday 14th; 2024-09-15 is a Sunday → Monday 16th.
  ['cron(0 9 15W * ? *)', '2024-06-01T00:00:00Z', ['2024-06-14T09:00:00Z', '2024-07-15T09:00:00Z', '2024-08-15T09:00:00Z', '2024-09-16T09:00:00Z']],
  // 1W on a Saturday (2024-06-01) does not cross into May: Monday the 3rd.
  ['cron(0 9 1W * ? *)', '2024-05-31T12:00:00Z', ['2024-06-03T09:00:00Z']],
  // 31W in a Sunday-ending month (2024-03-31 is a Sunday) → Friday the 29th; 30-day months skip 31W entirely.
  ['cron(0 9 31W * ? *)', '2024-03-01T00:00:00Z', ['2024-03-29T09:00:00Z', '2024-05-31T09:00:00Z']],
  // LW: last weekday. 2024-08-31 is a Saturday → 30th.
  ['cron(0 0 LW * ? *)', '2024-08-01T00:00:00Z', ['2024-08-30T00:00:00Z', '2024-09-30T00:00:00Z']],
  // #: the first Monday, the third Friday; 5th occurrences exist only in some months.
  ['cron(0 9 ? * 2#1 *)', '2024-01-01T09:00:00Z', ['2024-02-05T09:00:00Z', '2024-03-04T09:00:00Z']],
  ['cron(0 9 ? * FRI#3 *)', '2024-01-01T00:00:00Z', ['2024-01-19T09:00:00Z', '2024-02-16T09:00:00Z']],
  ['cron(0 0 ? * 5#5 *)', '2024-01-01T00:00:00Z', ['2024-02-29T00:00:00Z', '2024-05-30T00:00:00Z']],
  // L in day-of-week: the last Thursday (5L), and L alone (= Saturday).
  ['cron(0 0 ? * 5L *)', '2024-01-01T00:00:00Z', ['2024-01-25T00:00:00Z', '2024-02-29T00:00:00Z']],
  ['cron(0 0 ? * L *)', '2024-01-01T00:00:00Z', ['2024-01-06T00:00:00Z', '2024-01-13T00:00:00Z']],
  // Years: a closed list ends.
  ['cron(0 12 1 1 ? 2025,2027)', '2024-06-01T00:00:00Z', ['2025-01-01T12:00:00Z', '2027-01-01T12:00:00Z']],
  ['cron(0 0 1 1 ? 2199)', '2199-01-01T00:00:00Z', []],
  ['cron(0 0 31 2 ? *)', '2024-01-01T00:00:00Z', []],
  // Time zones: the wall clock of the zone.
  ['cron(0 9 * * ? *)', '2024-01-15T00:00:00Z', ['2024-01-15T14:00:00Z', '2024-01-16T14:00:00Z'], 'America/New_York'],
  ['cron(0 9 * * ? *)', '2024-07-15T00:00:00Z', ['2024-07-15T13:00:00Z'], 'America/New_York'],
  ['cron(30 5 * * ? *)', '2024-01-01T00:00:00Z', ['2024-01-02T00:00:00Z'], 'Asia/Kolkata'],
  // Spring forward (2024-03-10 in New York: 02:00 → 03:00): 02:30 does not exist that day and is skipped.
  ['cron(30 2 * * ? *)', '2024-03-09T12:00:00Z', ['2024-03-11T06:30:00Z'], 'America/New_York'],
  ['cron(30 2 * * ? *)', '2024-03-08T12:00:00Z', ['2024-03-09T07:30:00Z', '2024-03-11T06:30:00Z'], 'America/New_York'],
  // Fall back (2024-11-03: 02:00 → 01:00): 01:30 happens twice and fires once, at the first.
  ['cron(30 1 * * ? *)', '2024-11-02T12:00:00Z', ['2024-11-03T05:30:00Z', '2024-11-04T06:30:00Z'], 'America/New_York'],
  // Hourly across fall back: 01:00 fires once (EDT), then 02:00 EST.
  ['cron(0 * * * ? *)', '2024-11-03T04:30:00Z', ['2024-11-03T05:00:00Z', '2024-11-03T07:00:00Z', '2024-11-03T08:00:00Z'], 'America/New_York'],
  // Southern hemisphere: Sydney leaves daylight saving on 2024-04-07 (03:00 → 02:00).
  ['cron(0 10 * * ? *)', '2024-04-05T00:00:00Z', ['2024-04-05T23:00:00Z', '2024-04-07T00:00:00Z'], 'Australia/Sydney'],
];

for (const [text, after, expected, tz] of CRON_CASES) {
  test(`${text} after ${after}${tz ? ` in ${tz}` : ''}`, () => {
    const got = fires(text, after, expected.length + 1, tz);
    assert.deepEqual(got.slice(0, expected.length), expected);
    // An empty list means: never fires again.
    if (expected.length === 0) assert.equal(got[0], undefined);
  });
}

test('a parsed expression keeps its text', () => {
  const e: ScheduleExpression = parseScheduleExpression('cron(0 10 * * ? *)', false);
  assert.equal(e.text, 'cron(0 10 * * ? *)');
});
