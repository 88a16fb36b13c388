import type { Scope } from '../../domain/scope.js';
import { functionArn } from '../../domain/arn.js';
import { awsTimestamp } from '../../domain/time.js';
import {
  childKey, versionKey, type ProvisionedConcurrencyRecord, type ProvisionedConcurrencyStatus,
} from '../../domain/function-model.js';
import {
  InvalidParameterValueException, ProvisionedConcurrencyConfigNotFoundException, ResourceConflictException, ResourceNotFoundException,
  ValidationException,
} from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type ApiRequest, type Route } from '../types.js';
import { constraint, decodeMarker, encodeMarker, pageQuery, reqInt } from '../wire/input.js';
import { functionTarget, isVersionNumber, requireFunction } from '../services/function-resolver.js';
import { committedByOthers, minimumUnreserved, provisionedSum } from '../services/concurrency-budget.js';

const PATH = '/2019-09-30/functions/{FunctionName}/provisioned-concurrency';
const LIST_MAX = 50;

export function provisionedConcurrencyRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;
  const limit = ctx.config.accountConcurrencyLimit;

  return [
    {
      method: 'GET', path: PATH, query: { List: 'ALL' }, operation: 'ListProvisionedConcurrencyConfigs',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope);
        const rawMax = req.query.get('MaxItems');
        if (rawMax !== null && Number.isInteger(Number(rawMax)) && Number(rawMax) > LIST_MAX) {
          throw constraint('MaxItems', Number(rawMax), `Member must have value less than or equal to ${LIST_MAX}`);
        }
        const { marker, maxItems } = pageQuery(req.query, LIST_MAX);
        requireFunction(repos, req.scope, target.name);
        const page = repos.provisionedConcurrency.list(req.scope, { prefix: `${target.name}/`, after: decodeMarker(marker), limit: maxItems + 1 });
        const items = page.slice(0, maxItems).map((e) => ({
          FunctionArn: functionArn(req.scope, e.doc.functionName, e.doc.qualifier),
          ...provisionedConfiguration(e.doc),
        }));
        const out: Record<string, unknown> = { ProvisionedConcurrencyConfigs: items };
        if (page.length > maxItems) out.NextMarker = encodeMarker(page[maxItems - 1]!.key);
        return json(200, out);
      },
    },
    {
      method: 'PUT', path: PATH, operation: 'PutProvisionedConcurrencyConfig',
      handler: (req) => {
        const requested = reqInt(req.json(), 'ProvisionedConcurrentExecutions', 1);
        const { name, qualifier } = qualifiedTarget(req);
        if (qualifier === '$LATEST') {
          throw new InvalidParameterValueException('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
        }
        const record = repos.transaction(() => {
          requireQualifier(repos, req.scope, name, qualifier);
          const meta = requireFunction(repos, req.scope, name);
          const others = provisionedSum(repos, req.scope, name, qualifier);
          if (meta.reservedConcurrency !== undefined) {
            if (others + requested > meta.reservedConcurrency) {
              throw new InvalidParameterValueException('Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function');
            }
          } else {
            // Without a reservation, provisioned concurrency comes straight out of the unreserved pool.
            const unreserved = limit - committedByOthers(repos, req.scope, name) - others;
            if (requested > unreserved) {
              throw new InvalidParameterValueException(`Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${unreserved}].`);
            }
            const floor = minimumUnreserved(limit);
            if (unreserved - requested < floor) {
              throw new InvalidParameterValueException(
                `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${floor}].`,
              );
            }
          }
          checkAliasVersionOverlap(repos, req.scope, name, qualifier);
          const rec: ProvisionedConcurrencyRecord = {
            functionName: name, qualifier, requested, available: 0, allocated: 0, status: 'IN_PROGRESS', lastModified: ctx.clock.now(),
          };
          repos.provisionedConcurrency.put(req.scope, childKey(name, qualifier), rec);
          return rec;
        });
        ctx.lifecycle.notifyChanged(req.scope, name, qualifier);
        return json(202, provisionedConfiguration(record));
      },
    },
    {
      method: 'GET', path: PATH, operation: 'GetProvisionedConcurrencyConfig',
      handler: (req) => {
        const { name, qualifier } = publishedTarget(req);
        requireQualifier(repos, req.scope, name, qualifier);
        const rec = repos.provisionedConcurrency.get(req.scope, childKey(name, qualifier));
        if (!rec) throw new ProvisionedConcurrencyConfigNotFoundException('No Provisioned Concurrency Config found for this function');
        return json(200, provisionedConfiguration(rec));
      },
    },
    {
      method: 'DELETE', path: PATH, operation: 'DeleteProvisionedConcurrencyConfig',
      handler: (req) => {
        const { name, qualifier } = publishedTarget(req);
        // Deleting a config that is not there is not an error (the operation is idempotent).
        const deleted = repos.transaction(() => {
          requireQualifier(repos, req.scope, name, qualifier);
          return repos.provisionedConcurrency.delete(req.scope, childKey(name, qualifier));
        });
        if (deleted) ctx.lifecycle.notifyChanged(req.scope, name, qualifier);
        return empty(204);
      },
    },
  ];
}

export interface ProvisionedStatusUpdate {
  status: ProvisionedConcurrencyStatus;
  available: number;
  allocated: number;
  reason?: string;
}

/** Called by the invoke layer as environments come up; false when the config no longer exists. */
export function setProvisionedStatus(
  repos: Repositories, scope: Scope, name: string, qualifier: string, update: ProvisionedStatusUpdate,
): boolean {
  return repos.transaction(() => {
    const key = childKey(name, qualifier);
    const rec = repos.provisionedConcurrency.get(scope, key);
    if (!rec) return false;
    const { statusReason, ...rest } = rec;
    void statusReason;
    const next: ProvisionedConcurrencyRecord = { ...rest, status: update.status, available: update.available, allocated: update.allocated };
    if (update.reason !== undefined) next.statusReason = update.reason;
    repos.provisionedConcurrency.put(scope, key, next);
    return true;
  });
}

function provisionedConfiguration(r: ProvisionedConcurrencyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    RequestedProvisionedConcurrentExecutions: r.requested,
    AvailableProvisionedConcurrentExecutions: r.available,
    AllocatedProvisionedConcurrentExecutions: r.allocated,
    Status: r.status,
  };
  if (r.statusReason !== undefined) out.StatusReason = r.statusReason;
  out.LastModified = awsTimestamp(r.lastModified);
  return out;
}

/** `Qualifier` is required; it may also come as a suffix of the function name. */
function qualifiedTarget(req: ApiRequest): { name: string; qualifier: string } {
  const t = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
  if (t.qualifier === undefined) {
    throw new ValidationException("1 validation error detected: Value null at 'qualifier' failed to satisfy constraint: Member must not be null");
  }
  return { name: t.name, qualifier: t.qualifier };
}

function publishedTarget(req: ApiRequest): { name: string; qualifier: string } {
  const t = qualifiedTarget(req);
  if (t.qualifier === '$LATEST') {
    throw new InvalidParameterValueException('The function resource provided must be an alias or a published version.');
  }
  return t;
}

/** The qualifier must name an existing alias or published version. */
function requireQualifier(repos: Repositories, scope: Scope, name: string, qualifier: string): void {
  if (isVersionNumber(qualifier)) {
    if (!repos.versions.get(scope, versionKey(name, qualifier))) {
      throw new ResourceNotFoundException(`Function not found: ${functionArn(scope, name, qualifier)}`);
    }
    return;
  }
  if (!repos.aliases.get(scope, childKey(name, qualifier))) {
    throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(scope, name, qualifier)}`);
  }
}

/** One version gets provisioned concurrency either directly or through an alias, never both. */
function checkAliasVersionOverlap(repos: Repositories, scope: Scope, name: string, qualifier: string): void {
  if (isVersionNumber(qualifier)) {
    const provisionedAlias = repos.aliases
      .list(scope, { prefix: `${name}/` })
      .some((a) => a.doc.functionVersion === qualifier && repos.provisionedConcurrency.get(scope, childKey(name, a.doc.name)));
    if (provisionedAlias) throw new ResourceConflictException('Version is pointed by a Provisioned Concurrency alias');
    return;
  }
  const alias = repos.aliases.get(scope, childKey(name, qualifier));
  if (alias && repos.provisionedConcurrency.get(scope, childKey(name, alias.functionVersion))) {
    throw new ResourceConflictException("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version");
  }
}
