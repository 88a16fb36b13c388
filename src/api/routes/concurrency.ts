import { InvalidParameterValueException } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type Route } from '../types.js';
import { reqInt } from '../wire/input.js';
import { requireFunction } from '../services/function-resolver.js';
import { unqualifiedFunctionName } from '../services/unqualified-function.js';
import { committedByOthers, minimumUnreserved, provisionedSum } from '../services/concurrency-budget.js';

/** Reserved concurrency: a per-function setting that applies to every version and alias. */
export function concurrencyRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;
  const limit = ctx.config.accountConcurrencyLimit;

  return [
    {
      method: 'PUT', path: '/2017-10-31/functions/{FunctionName}/concurrency', operation: 'PutFunctionConcurrency',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        const reserved = reqInt(req.json(), 'ReservedConcurrentExecutions', 0);
        repos.transaction(() => {
          const meta = requireFunction(repos, req.scope, name);
          const floor = minimumUnreserved(limit);
          if (limit - committedByOthers(repos, req.scope, name) - reserved < floor) {
            throw new InvalidParameterValueException(
              `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${floor}].`,
            );
          }
          const provisioned = provisionedSum(repos, req.scope, name);
          if (provisioned > reserved) {
            throw new InvalidParameterValueException(
              ` ReservedConcurrentExecutions  ${reserved} should not be lower than function's total provisioned concurrency [${provisioned}].`,
            );
          }
          repos.functions.put(req.scope, name, { ...meta, reservedConcurrency: reserved });
        });
        ctx.lifecycle.notifyChanged(req.scope, name, '*');
        return json(200, { ReservedConcurrentExecutions: reserved });
      },
    },
    {
      method: 'GET', path: '/2019-09-30/functions/{FunctionName}/concurrency', operation: 'GetFunctionConcurrency',
      handler: (req) => {
        const meta = requireFunction(repos, req.scope, unqualifiedFunctionName(req.params.FunctionName!, req.scope));
        return json(200, meta.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: meta.reservedConcurrency });
      },
    },
    {
      method: 'DELETE', path: '/2017-10-31/functions/{FunctionName}/concurrency', operation: 'DeleteFunctionConcurrency',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        repos.transaction(() => {
          const { reservedConcurrency, ...rest } = requireFunction(repos, req.scope, name);
          void reservedConcurrency;
          repos.functions.put(req.scope, name, rest);
        });
        ctx.lifecycle.notifyChanged(req.scope, name, '*');
        return empty(204);
      },
    },
  ];
}

