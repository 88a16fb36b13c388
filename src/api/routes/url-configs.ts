import type { Scope } from '../../domain/scope.js';
import { functionArn, parseFunctionRef } from '../../domain/arn.js';
import { childKey } from '../../domain/function-model.js';
import { awsTimestamp } from '../../domain/time.js';
import {
  InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException, ValidationException,
} from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type ApiRequest, type Route } from '../types.js';
import { constraint, decodeMarker, encodeMarker, optEnum, optObject, pageQuery } from '../wire/input.js';
import { functionTarget, type FunctionTarget } from '../services/function-resolver.js';
import {
  deleteUrlConfig, functionUrl, getUrlConfig, insertUrlConfig, listUrlConfigs, putUrlConfig, urlConfigKey,
  type CorsConfig, type FunctionUrlAuthType, type FunctionUrlConfigRecord, type InvokeMode,
} from '../services/function-url.js';

const BASE = '/2021-10-31/functions/{FunctionName}';
const AUTH_TYPES: readonly FunctionUrlAuthType[] = ['NONE', 'AWS_IAM'];
const INVOKE_MODES: readonly InvokeMode[] = ['BUFFERED', 'RESPONSE_STREAM'];
const LIST_MAX_ITEMS = 50;

// AWS's wording for these three cases (recorded from real Lambda).
const FUNCTION_MISSING = 'Function does not exist';
const RESOURCE_MISSING = 'The resource you requested does not exist.';
const conflict = (arn: string) => new ResourceConflictException(
  `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
);

export function urlConfigRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;

  /** The function exists and, for an alias-qualified target, so does the alias. */
  const ownerExists = (scope: Scope, t: FunctionTarget): boolean =>
    !!repos.functions.get(scope, t.name) && (t.qualifier === undefined || !!repos.aliases.get(scope, childKey(t.name, t.qualifier)));

  const wire = (rec: FunctionUrlConfigRecord, req: ApiRequest): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      FunctionUrl: functionUrl(rec.urlId, req.scope.region, req.baseUrl, ctx.config.functionUrlBase),
      FunctionArn: functionArn(req.scope, rec.functionName, rec.qualifier),
      AuthType: rec.authType,
      CreationTime: awsTimestamp(rec.creationTime),
      LastModifiedTime: awsTimestamp(rec.lastModifiedTime),
      InvokeMode: rec.invokeMode,
    };
    if (rec.cors) out.Cors = rec.cors;
    return out;
  };

  return [
    {
      method: 'POST', path: `${BASE}/url`, operation: 'CreateFunctionUrlConfig',
      handler: (req) => {
        const target = urlTarget(req);
        const body = req.json();
        if (body.AuthType === undefined || body.AuthType === null) {
          throw new ValidationException("1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null");
        }
        const authType = optEnum(body, 'AuthType', AUTH_TYPES)!;
        const invokeMode = optEnum(body, 'InvokeMode', INVOKE_MODES);
        const cors = parseCors(body);
        if (!ownerExists(req.scope, target)) throw new ResourceNotFoundException(FUNCTION_MISSING);
        const now = ctx.clock.now();
        const draft: Omit<FunctionUrlConfigRecord, 'urlId'> = {
          functionName: target.name, authType, invokeMode: invokeMode ?? 'BUFFERED', creationTime: now, lastModifiedTime: now,
        };
        if (target.qualifier !== undefined) draft.qualifier = target.qualifier;
        if (cors) draft.cors = cors;
        const rec = insertUrlConfig(repos, req.scope, draft);
        if (!rec) throw conflict(functionArn(req.scope, target.name, target.qualifier));
        // Real Lambda's create response has no LastModifiedTime, and InvokeMode only when it was given.
        const { LastModifiedTime, InvokeMode: mode, ...created } = wire(rec, req);
        void LastModifiedTime;
        return json(201, invokeMode === undefined ? created : { ...created, InvokeMode: mode });
      },
    },
    {
      method: 'GET', path: `${BASE}/url`, operation: 'GetFunctionUrlConfig',
      handler: (req) => {
        const target = urlTarget(req);
        const rec = ownerExists(req.scope, target) ? getUrlConfig(repos, req.scope, target.name, target.qualifier) : undefined;
        if (!rec) throw new ResourceNotFoundException(RESOURCE_MISSING);
        return json(200, wire(rec, req));
      },
    },
    {
      method: 'PUT', path: `${BASE}/url`, operation: 'UpdateFunctionUrlConfig',
      handler: (req) => {
        const target = urlTarget(req);
        const body = req.json();
        const authType = optEnum(body, 'AuthType', AUTH_TYPES);
        const invokeMode = optEnum(body, 'InvokeMode', INVOKE_MODES);
        const cors = parseCors(body);
        const updated = repos.transaction(() => {
          if (!ownerExists(req.scope, target)) throw new ResourceNotFoundException(FUNCTION_MISSING);
          const rec = getUrlConfig(repos, req.scope, target.name, target.qualifier);
          if (!rec) throw new ResourceNotFoundException(RESOURCE_MISSING);
          const next: FunctionUrlConfigRecord = { ...rec, lastModifiedTime: ctx.clock.now() };
          if (authType !== undefined) next.authType = authType;
          if (invokeMode !== undefined) next.invokeMode = invokeMode;
          if (cors !== undefined) next.cors = cors;
          putUrlConfig(repos, req.scope, next);
          return next;
        });
        return json(200, wire(updated, req));
      },
    },
    {
      method: 'DELETE', path: `${BASE}/url`, operation: 'DeleteFunctionUrlConfig',
      handler: (req) => {
        const target = urlTarget(req);
        if (!ownerExists(req.scope, target) || !deleteUrlConfig(repos, req.scope, target.name, target.qualifier)) {
          throw new ResourceNotFoundException(RESOURCE_MISSING);
        }
        return empty(204);
      },
    },
    {
      method: 'GET', path: `${BASE}/urls`, operation: 'ListFunctionUrlConfigs',
      handler: (req) => {
        const { name } = parseFunctionRef(req.params.FunctionName!, req.scope);
        const { marker, maxItems } = listPage(req.query);
        if (!repos.functions.get(req.scope, name)) throw new ResourceNotFoundException(FUNCTION_MISSING);
        const after = decodeMarker(marker);
        const all = listUrlConfigs(repos, req.scope, name)
          .map((rec) => ({ key: urlConfigKey(rec.functionName, rec.qualifier), rec }))
          .filter((e) => after === undefined || e.key > after);
        const page = all.slice(0, maxItems);
        const out: Record<string, unknown> = { FunctionUrlConfigs: page.map((e) => wire(e.rec, req)) };
        if (all.length > maxItems) out.NextMarker = encodeMarker(page[page.length - 1]!.key);
        return json(200, out);
      },
    },
  ];
}

/** Function URLs exist for the unqualified function or an alias; `$LATEST` and version numbers fail the model's pattern. */
const URL_QUALIFIER_RE = /^(?!\d+$)[0-9a-zA-Z_-]+$/;

function checkUrlQualifier(q: string): void {
  if (!URL_QUALIFIER_RE.test(q)) {
    throw new ValidationException(
      `1 validation error detected: Value '${q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)`,
    );
  }
}

function urlTarget(req: ApiRequest): FunctionTarget {
  const q = req.query.get('Qualifier');
  if (q !== null) checkUrlQualifier(q);
  const target = functionTarget(req.params.FunctionName!, req.scope, q);
  if (target.qualifier !== undefined) checkUrlQualifier(target.qualifier);
  return target;
}

/** Marker/MaxItems for the per-function lists, whose model caps MaxItems at 50. */
function listPage(query: URLSearchParams): { marker: string | undefined; maxItems: number } {
  const raw = Number(query.get('MaxItems'));
  if (query.get('MaxItems') !== null && Number.isInteger(raw) && raw > LIST_MAX_ITEMS) {
    throw constraint('MaxItems', raw, `Member must have value less than or equal to ${LIST_MAX_ITEMS}`);
  }
  return pageQuery(query, LIST_MAX_ITEMS);
}

// ---- Cors ---------------------------------------------------------------------------------------------

interface ListRule { maxItems: number; minLen?: number; maxLen: number }

const CORS_LISTS: Record<'AllowHeaders' | 'AllowMethods' | 'AllowOrigins' | 'ExposeHeaders', ListRule> = {
  AllowHeaders: { maxItems: 100, maxLen: 1024 },
  AllowMethods: { maxItems: 6, maxLen: 6 },
  AllowOrigins: { maxItems: 100, minLen: 1, maxLen: 253 },
  ExposeHeaders: { maxItems: 100, maxLen: 1024 },
};

const corsViolation = (member: string, shown: string, rule: string) => new ValidationException(
  `1 validation error detected: Value '${shown}' at 'cors.${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: ${rule}`,
);

const typeError = (member: string, expected: string) =>
  new InvalidParameterValueException(`Invalid type for parameter Cors.${member}, value type must be ${expected}`);

/** Validates `Cors` against the model (list sizes, item lengths, MaxAge range); undefined when absent. */
function parseCors(body: Record<string, unknown>): CorsConfig | undefined {
  const raw = optObject(body, 'Cors');
  if (!raw) return undefined;
  const cors: CorsConfig = {};
  if (raw.AllowCredentials !== undefined && raw.AllowCredentials !== null) {
    if (typeof raw.AllowCredentials !== 'boolean') throw typeError('AllowCredentials', 'boolean');
    cors.AllowCredentials = raw.AllowCredentials;
  }
  for (const [member, rule] of Object.entries(CORS_LISTS) as [keyof typeof CORS_LISTS, ListRule][]) {
    const v = raw[member];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw typeError(member, 'list of strings');
    const items = v as string[];
    const shown = `[${items.join(', ')}]`;
    if (items.length > rule.maxItems) throw corsViolation(member, shown, `Member must have length less than or equal to ${rule.maxItems}`);
    if (items.some((s) => s.length > rule.maxLen)) {
      throw corsViolation(member, shown, `Member must satisfy constraint: [Member must have length less than or equal to ${rule.maxLen}]`);
    }
    if (rule.minLen !== undefined && items.some((s) => s.length < rule.minLen!)) {
      throw corsViolation(member, shown, `Member must satisfy constraint: [Member must have length greater than or equal to ${rule.minLen}]`);
    }
    cors[member] = items;
  }
  if (raw.MaxAge !== undefined && raw.MaxAge !== null) {
    const age = raw.MaxAge;
    if (typeof age !== 'number' || !Number.isInteger(age)) throw typeError('MaxAge', 'integer');
    if (age < 0) throw corsViolation('MaxAge', String(age), 'Member must have value greater than or equal to 0');
    if (age > 86400) throw corsViolation('MaxAge', String(age), 'Member must have value less than or equal to 86400');
    cors.MaxAge = age;
  }
  return cors;
}
