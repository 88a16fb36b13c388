import { parseFunctionRef } from '../../domain/arn.js';
import { versionKey } from '../../domain/function-model.js';
import { ValidationException } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { json, type Route } from '../types.js';

function optNumber(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ValidationException(`${name} must be a non-negative integer`);
  return n;
}

/**
 * Sluice's own (signed, account-scoped) route behind `sluice logs`: a function's log events in append order,
 * optionally since a time and after a cursor, so the CLI can follow (the AWS tools use the Logs API: logs-*.ts).
 */
export function sluiceLogRoutes(ctx: ApiContext): Route[] {
  return [
    {
      method: 'GET', path: '/_sluice/logs/{FunctionName}', operation: 'SluiceGetFunctionLogs',
      handler: (req) => {
        const { name } = parseFunctionRef(req.params.FunctionName!, req.scope);
        // Logs outlive their function: fall back to the default group when it is gone.
        const latest = ctx.repos.versions.get(req.scope, versionKey(name, '$LATEST'));
        const logGroupName = latest?.loggingConfig.LogGroup || `/aws/lambda/${name}`;
        const since = optNumber(req.query, 'since');
        const after = optNumber(req.query, 'after');
        const limit = Math.min(optNumber(req.query, 'limit') ?? 1000, 10_000);
        const events = ctx.logs.query(req.scope, {
          logGroupName, limit,
          ...(since === undefined ? {} : { startTime: since }),
          ...(after === undefined ? {} : { afterId: after }),
        });
        const last = events[events.length - 1];
        return json(200, {
          logGroupName,
          events: events.map((e) => ({ id: e.id, timestamp: e.timestamp, logStreamName: e.logStreamName, message: e.message })),
          next: last ? last.id : after ?? 0,
        });
      },
    },
  ];
}
