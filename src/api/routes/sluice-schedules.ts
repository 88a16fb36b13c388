import { ruleArn, scheduleArn } from '../../domain/event-records.js';
import type { ApiContext } from '../context.js';
import { json, type Route } from '../types.js';

import type { ScheduleView } from '../../domain/sluice-views.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Sluice's own (signed, account-scoped) route behind `sluice schedules`: scheduled rules and schedules, next fire times. */
export function sluiceScheduleRoutes(ctx: ApiContext): Route[] {
  return [
    {
      method: 'GET', path: '/_sluice/schedules', operation: 'SluiceListSchedules',
      handler: (req) => {
        const schedules = ctx.scheduleRunner.upcoming(req.scope).map((u): ScheduleView => {
          const arn = u.kind === 'rule' ? ruleArn(req.scope, u.container, u.name) : scheduleArn(req.scope, u.container, u.name);
          const c = ctx.eventBridge.delivery.countersFor(arn);
          const v: ScheduleView = {
            kind: u.kind, arn, container: u.container, name: u.name, expression: u.expression, state: u.state,
            invocations: c.invocations, failedInvocations: c.failedInvocations,
          };
          if (u.timeZone !== undefined) v.timeZone = u.timeZone;
          if (u.nextFireAt !== undefined) v.nextFireAt = iso(u.nextFireAt);
          if (u.lastFiredAt !== undefined) v.lastFiredAt = iso(u.lastFiredAt);
          if (c.lastFailure) v.lastFailure = `${iso(c.lastFailure.at)} ${c.lastFailure.targetId}: ${c.lastFailure.reason}`;
          return v;
        });
        // Soonest first; those that never fire again last. Plain code-unit order (ISO times and ARNs).
        const key = (v: ScheduleView) => `${v.nextFireAt ?? '~'} ${v.arn}`;
        schedules.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        return json(200, { schedules });
      },
    },
  ];
}
