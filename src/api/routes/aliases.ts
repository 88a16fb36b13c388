import { randomUUID } from 'node:crypto';
import type { Scope } from '../../domain/scope.js';
import { functionArn } from '../../domain/arn.js';
import { childKey, versionKey, type AliasRecord } from '../../domain/function-model.js';
import { ResourceConflictException, ResourceNotFoundException } from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type Route } from '../types.js';
import { aliasConfiguration } from '../wire/alias-configuration.js';
import { parseRoutingConfig, validateRouting } from '../wire/alias-routing.js';
import { decodeMarker, encodeMarker, optString, pageQuery, reqString, type StrRule } from '../wire/input.js';
import { requireFunction } from '../services/function-resolver.js';
import { unqualifiedFunctionName } from '../services/unqualified-function.js';
import { checkRevision } from '../services/functions.js';
import { removeUrlConfigs } from '../services/function-url.js';

const NAME_RULE: StrRule = { min: 1, max: 128, pattern: /^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/, patternText: '(?!^[0-9]+$)([a-zA-Z0-9-_]+)' };
const VERSION_RULE: StrRule = { min: 1, max: 1024, pattern: /^(\$LATEST|[0-9]+)$/, patternText: '(\\$LATEST|[0-9]+)' };

export function aliasRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;

  return [
    {
      method: 'POST', path: '/2015-03-31/functions/{FunctionName}/aliases', operation: 'CreateAlias',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        const body = req.json();
        const aliasName = reqString(body, 'Name', NAME_RULE);
        const version = reqString(body, 'FunctionVersion', VERSION_RULE);
        const description = optString(body, 'Description', { max: 256 }) ?? '';
        const weights = parseRoutingConfig(body);
        const created = repos.transaction(() => {
          requireVersion(repos, req.scope, name, version);
          if (repos.aliases.get(req.scope, childKey(name, aliasName))) {
            throw new ResourceConflictException(`Alias already exists: ${functionArn(req.scope, name, aliasName)}`);
          }
          if (weights) validateRouting(weights, { functionVersion: version, requireVersion: (v) => requireVersion(repos, req.scope, name, v) });
          const alias: AliasRecord = { functionName: name, name: aliasName, functionVersion: version, description, revisionId: randomUUID() };
          if (weights && Object.keys(weights).length > 0) alias.additionalVersionWeights = weights;
          repos.aliases.put(req.scope, childKey(name, aliasName), alias);
          return alias;
        });
        return json(201, aliasConfiguration(created, req.scope));
      },
    },
    {
      method: 'GET', path: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'GetAlias',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        const alias = requireAlias(repos, req.scope, name, pathAliasName(req.params.Name!));
        return json(200, aliasConfiguration(alias, req.scope));
      },
    },
    {
      method: 'GET', path: '/2015-03-31/functions/{FunctionName}/aliases', operation: 'ListAliases',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        const version = req.query.get('FunctionVersion') ?? undefined;
        if (version !== undefined) optString({ FunctionVersion: version }, 'FunctionVersion', VERSION_RULE);
        const { marker, maxItems } = pageQuery(req.query, 50);
        requireFunction(repos, req.scope, name);
        const matching = repos.aliases
          .list(req.scope, { prefix: `${name}/`, after: decodeMarker(marker) })
          .filter((e) => version === undefined || e.doc.functionVersion === version);
        const out: Record<string, unknown> = { Aliases: matching.slice(0, maxItems).map((e) => aliasConfiguration(e.doc, req.scope)) };
        if (matching.length > maxItems) out.NextMarker = encodeMarker(matching[maxItems - 1]!.key);
        return json(200, out);
      },
    },
    {
      method: 'PUT', path: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'UpdateAlias',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        const aliasName = pathAliasName(req.params.Name!);
        const body = req.json();
        const version = optString(body, 'FunctionVersion', VERSION_RULE);
        const description = optString(body, 'Description', { max: 256 });
        const weights = parseRoutingConfig(body);
        const revisionId = optString(body, 'RevisionId');
        const updated = repos.transaction(() => {
          const current = requireAlias(repos, req.scope, name, aliasName);
          checkRevision(revisionId, current.revisionId);
          if (version !== undefined) requireVersion(repos, req.scope, name, version);
          const next: AliasRecord = {
            functionName: name,
            name: aliasName,
            functionVersion: version ?? current.functionVersion,
            description: description ?? current.description,
            revisionId: randomUUID(),
          };
          const effective = weights ?? current.additionalVersionWeights ?? {};
          // The kept routing must still be valid against a changed primary version.
          validateRouting(effective, { functionVersion: next.functionVersion, requireVersion: (v) => requireVersion(repos, req.scope, name, v) });
          if (Object.keys(effective).length > 0) next.additionalVersionWeights = effective;
          repos.aliases.put(req.scope, childKey(name, aliasName), next);
          return next;
        });
        ctx.lifecycle.notifyChanged(req.scope, name, aliasName);
        return json(200, aliasConfiguration(updated, req.scope));
      },
    },
    {
      method: 'DELETE', path: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', operation: 'DeleteAlias',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        const aliasName = pathAliasName(req.params.Name!);
        repos.transaction(() => {
          requireAlias(repos, req.scope, name, aliasName);
          const key = childKey(name, aliasName);
          repos.aliases.delete(req.scope, key);
          // Per-alias configuration goes with the alias, as in AWS.
          removeUrlConfigs(repos, req.scope, name, aliasName); // with its url-id index entry
          for (const c of [repos.policies, repos.eventInvokeConfigs, repos.provisionedConcurrency]) c.delete(req.scope, key);
        });
        ctx.lifecycle.notifyChanged(req.scope, name, aliasName);
        return empty(204);
      },
    },
  ];
}

/** The `{Name}` path segment obeys the same model rule as the body member. */
function pathAliasName(raw: string): string {
  return reqString({ Name: raw }, 'Name', NAME_RULE);
}

/** `$LATEST` or a published version of an existing function; otherwise AWS's qualified not-found. */
function requireVersion(repos: Repositories, scope: Scope, name: string, version: string): void {
  if (!repos.versions.get(scope, versionKey(name, version))) {
    throw new ResourceNotFoundException(`Function not found: ${functionArn(scope, name, version)}`);
  }
}

export function requireAlias(repos: Repositories, scope: Scope, name: string, aliasName: string): AliasRecord {
  requireFunction(repos, scope, name);
  const alias = repos.aliases.get(scope, childKey(name, aliasName));
  if (!alias) throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(scope, name, aliasName)}`);
  return alias;
}
