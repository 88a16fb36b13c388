import type { ApiContext } from '../context.js';
import { json, type Route } from '../types.js';
import { unreservedConcurrency } from '../services/concurrency-budget.js';

/** AWS's default per-region code storage quota (75 GiB) and per-function package limits. */
const TOTAL_CODE_SIZE = 80_530_636_800;
const CODE_SIZE_UNZIPPED = 262_144_000;
const CODE_SIZE_ZIPPED = 52_428_800;

export function accountSettingsRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;
  return [
    {
      method: 'GET', path: '/2016-08-19/account-settings', operation: 'GetAccountSettings',
      handler: (req) => {
        // Every stored version counts, as in AWS: publishing a version adds its package to the total again.
        let totalCodeSize = 0;
        for (const e of repos.versions.list(req.scope)) totalCodeSize += e.doc.codeSize;
        for (const e of repos.layerVersions.list(req.scope)) totalCodeSize += e.doc.codeSize;
        const limit = ctx.config.accountConcurrencyLimit;
        return json(200, {
          AccountLimit: {
            TotalCodeSize: TOTAL_CODE_SIZE,
            CodeSizeUnzipped: CODE_SIZE_UNZIPPED,
            CodeSizeZipped: CODE_SIZE_ZIPPED,
            ConcurrentExecutions: limit,
            UnreservedConcurrentExecutions: unreservedConcurrency(repos, req.scope, limit),
          },
          AccountUsage: {
            TotalCodeSize: totalCodeSize,
            FunctionCount: repos.functions.count(req.scope),
          },
        });
      },
    },
  ];
}
