import type { SignedClient } from './signed-client.js';

export interface FunctionLogEvent {
  id: number;
  timestamp: number;
  logStreamName: string;
  message: string;
}

export interface FunctionLogPage {
  logGroupName: string;
  events: FunctionLogEvent[];
  /** Cursor: pass as `after` to get only newer events. */
  next: number;
}

/** GET /_sluice/logs/{FunctionName}: a function's log events in order. */
export function functionLogs(client: SignedClient, functionName: string, opts: { since?: number; after?: number; limit?: number } = {}): Promise<FunctionLogPage> {
  const query: Record<string, string> = {};
  if (opts.since !== undefined) query.since = String(opts.since);
  if (opts.after !== undefined) query.after = String(opts.after);
  if (opts.limit !== undefined) query.limit = String(opts.limit);
  return client.json<FunctionLogPage>('GET', `/_sluice/logs/${encodeURIComponent(functionName)}`, query);
}

/** `10m`, `2h`, `30s`, `1d`, `1w` before now, or an ISO-8601 time. */
export function parseSince(value: string, now: number): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (m) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`--since: expected e.g. 10m, 2h, 1d or an ISO time, got "${value}"`);
  return t;
}

export function formatLogEvent(e: FunctionLogEvent): string {
  return `${new Date(e.timestamp).toISOString()} ${e.logStreamName} ${e.message}`;
}
