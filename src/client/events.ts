import type { SignedClient } from './signed-client.js';

import type { EventView } from '../domain/sluice-views.js';

/** One asynchronous event as `GET /_sluice/events/{FunctionName}` describes it. */
export type FunctionEvent = EventView;

export interface FunctionEventPage {
  functionName: string;
  counts: { queued: number; inFlight: number; retrying: number; dropped: number };
  events: FunctionEvent[];
}

/** GET /_sluice/events/{FunctionName}: a function's pending and recently dropped asynchronous events. */
export function functionEvents(client: SignedClient, functionName: string, opts: { limit?: number } = {}): Promise<FunctionEventPage> {
  const query: Record<string, string> = {};
  if (opts.limit !== undefined) query.limit = String(opts.limit);
  return client.json<FunctionEventPage>('GET', `/_sluice/events/${encodeURIComponent(functionName)}`, query);
}

const ago = (iso: string, now: number): string => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};
const inTime = (iso: string | undefined, now: number): string => {
  if (iso === undefined) return '-';
  const s = Math.round((Date.parse(iso) - now) / 1000);
  return s <= 0 ? 'now' : `in ${s < 120 ? `${s}s` : `${Math.round(s / 60)}m`}`;
};

/** The page as a table: one line per event, then a summary line. */
export function formatEvents(page: FunctionEventPage, now: number): string[] {
  const rows = page.events.map((e) => {
    const what = e.state === 'dropped'
      ? [e.condition ?? 'function gone', e.deliveredTo ? `→ ${e.deliveredTo}` : 'no OnFailure destination'].join(' ')
      : e.state === 'in-flight' ? 'running' : `next ${inTime(e.nextAttemptAt, now)}`;
    return [
      e.requestId, e.state, String(e.attempts), e.throttles > 0 ? String(e.throttles) : '-', ago(e.enqueuedAt, now), what,
      e.lastError ?? '',
    ];
  });
  const head = ['REQUEST ID', 'STATE', 'ATTEMPTS', 'THROTTLED', 'AGE', 'NEXT / OUTCOME', 'LAST ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const c = page.counts;
  return [
    ...(rows.length > 0 ? [line(head), ...rows.map(line)] : [`No asynchronous events for ${page.functionName}.`]),
    `${c.queued} queued, ${c.inFlight} in flight, ${c.retrying} retrying, ${c.dropped} dropped`,
  ];
}
