import { parseFunctionRef } from '../../domain/arn.js';
import type { QueuedEvent } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { json, type Route } from '../types.js';

import type { EventState, EventView } from '../../domain/sluice-views.js';

export type { EventState, EventView };

const iso = (ms: number) => new Date(ms).toISOString();

export function eventView(e: QueuedEvent, now: number): EventView {
  // A lease that ran out belongs to no one: the event waits to run again.
  const inFlight = e.status === 'leased' && e.availableAt > now;
  const state: EventState = e.status === 'dropped' ? 'dropped'
    : inFlight ? 'in-flight'
      : e.attempts > 0 || e.throttles > 0 ? 'retrying' : 'queued';
  const v: EventView = {
    requestId: e.id, state, attempts: e.attempts, failures: e.failures, throttles: e.throttles,
    enqueuedAt: iso(e.enqueuedAt), expiresAt: iso(e.expiresAt),
  };
  if (e.qualifier !== undefined) v.qualifier = e.qualifier;
  if (state === 'queued' || state === 'retrying') v.nextAttemptAt = iso(Math.max(e.availableAt, now));
  if (e.lastError !== undefined) v.lastError = e.lastError;
  if (e.condition !== undefined) v.condition = e.condition;
  if (e.deliveredTo !== undefined) v.deliveredTo = e.deliveredTo;
  if (e.finishedAt !== undefined) v.finishedAt = iso(e.finishedAt);
  return v;
}

/**
 * Sluice's own (signed, account-scoped) route behind `sluice events`: a function's asynchronous events that have
 * not finished (queued, in flight, waiting to be retried) and the ones dropped in the last days.
 */
export function sluiceEventRoutes(ctx: ApiContext): Route[] {
  return [
    {
      method: 'GET', path: '/_sluice/events/{FunctionName}', operation: 'SluiceListFunctionEvents',
      handler: async (req) => {
        const { name } = parseFunctionRef(req.params.FunctionName!, req.scope);
        // limit=0: the counts alone.
        const raw = Number(req.query.get('limit') ?? 1000);
        const limit = Number.isInteger(raw) && raw >= 0 ? Math.min(raw, 10_000) : 1000;
        const now = ctx.clock.now();
        const events = (await ctx.asyncInvoker.list(req.scope, name, limit)).map((e) => eventView(e, now));
        const counts = await ctx.asyncInvoker.counts(req.scope, name);
        return json(200, { functionName: name, counts, events });
      },
    },
  ];
}
