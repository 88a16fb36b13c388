import type { SignedClient } from './signed-client.js';

import type { ScheduleView } from '../domain/sluice-views.js';

/** A scheduled rule or schedule as `GET /_sluice/schedules` describes it. */
export type ScheduleEntry = ScheduleView;

/** GET /_sluice/schedules: the caller's scheduled EventBridge rules and Scheduler schedules, soonest first. */
export async function listSchedules(client: SignedClient): Promise<ScheduleEntry[]> {
  return (await client.json<{ schedules: ScheduleEntry[] }>('GET', '/_sluice/schedules')).schedules;
}

/** One line per rule or schedule: what, when next, how it went. */
export function formatSchedules(entries: ScheduleEntry[]): string[] {
  if (entries.length === 0) return ['No scheduled rules or schedules.'];
  const head = ['KIND', 'NAME', 'EXPRESSION', 'STATE', 'NEXT FIRE (UTC)', 'LAST FIRED', 'SENT', 'FAILED', 'LAST FAILURE'];
  const rows = entries.map((e) => [
    e.kind, e.kind === 'rule' ? (e.container === 'default' ? e.name : `${e.container}/${e.name}`) : `${e.container}/${e.name}`,
    e.timeZone && e.timeZone !== 'UTC' ? `${e.expression} ${e.timeZone}` : e.expression, e.state,
    e.nextFireAt?.replace('.000Z', 'Z') ?? '-', e.lastFiredAt?.replace('.000Z', 'Z') ?? '-', String(e.invocations), String(e.failedInvocations),
    e.lastFailure ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}
