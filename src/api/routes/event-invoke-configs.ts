import type { Scope } from '../../domain/scope.js';
import { functionArn, parseFunctionRef } from '../../domain/arn.js';
import { childKey, versionKey } from '../../domain/function-model.js';
import { epochSeconds } from '../../domain/time.js';
import { InvalidParameterValueException, ResourceNotFoundException, ValidationException } from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type ApiRequest, type Route } from '../types.js';
import { constraint, decodeMarker, encodeMarker, optInt, optObject, pageQuery } from '../wire/input.js';
import { functionTarget, isVersionNumber, type FunctionTarget } from '../services/function-resolver.js';

/** The stored asynchronous-invocation settings of `$LATEST`, a version or an alias. */
export interface EventInvokeConfigRecord {
  functionName: string;
  /** '$LATEST' (also for the unqualified function), a version number or an alias name. */
  qualifier: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** Destination function ARNs (the only destination kind Sluice delivers to). */
  onSuccess?: string;
  onFailure?: string;
  lastModified: number; // epoch ms
}

/** Unqualified and `$LATEST` are one config, kept under the bare name (DeleteFunction's convention). */
export const eventInvokeConfigKey = (name: string, qualifier: string | undefined): string =>
  qualifier === undefined || qualifier === '$LATEST' ? name : childKey(name, qualifier);

export function getEventInvokeConfig(repos: Repositories, scope: Scope, name: string, qualifier: string | undefined): EventInvokeConfigRecord | undefined {
  return repos.eventInvokeConfigs.get(scope, eventInvokeConfigKey(name, qualifier)) as EventInvokeConfigRecord | undefined;
}

const BASE = '/2019-09-25/functions/{FunctionName}/event-invoke-config';
const LIST_MAX_ITEMS = 50;
const FUNCTION_MISSING = "The function doesn't exist.";
const noConfig = (scope: Scope, name: string, qualifier: string | undefined) =>
  new ResourceNotFoundException(`The function ${functionArn(scope, name, qualifier ?? '$LATEST')} doesn't have an EventInvokeConfig`);

interface Settings {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** Present when DestinationConfig was given; each side present when that side was given. */
  destinations?: { onSuccess?: Side; onFailure?: Side };
}
/** One side of DestinationConfig: the ARN, or undefined for `{}` / an empty Destination. */
type Side = { arn: string | undefined };

export function eventInvokeConfigRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;

  /** `$LATEST`, a published version or an alias of an existing function. */
  const targetExists = (scope: Scope, t: FunctionTarget): boolean => {
    if (!repos.functions.get(scope, t.name)) return false;
    const q = t.qualifier;
    if (q === undefined || q === '$LATEST') return true;
    if (isVersionNumber(q)) return !!repos.versions.get(scope, versionKey(t.name, q));
    return !!repos.aliases.get(scope, childKey(t.name, q));
  };

  const store = (scope: Scope, rec: EventInvokeConfigRecord) =>
    repos.eventInvokeConfigs.put(scope, eventInvokeConfigKey(rec.functionName, rec.qualifier), rec as unknown as Record<string, unknown>);

  const target = (req: ApiRequest) => functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));

  return [
    {
      method: 'PUT', path: BASE, operation: 'PutFunctionEventInvokeConfig',
      handler: (req) => {
        const t = target(req);
        const s = parseSettings(req.json());
        const rec = repos.transaction(() => {
          if (!targetExists(req.scope, t)) throw new ResourceNotFoundException(FUNCTION_MISSING);
          checkDestinations(repos, req.scope, t.name, s);
          // Put replaces the whole configuration: whatever is not given is unset.
          const next: EventInvokeConfigRecord = { functionName: t.name, qualifier: t.qualifier ?? '$LATEST', lastModified: ctx.clock.now() };
          applySettings(next, s);
          store(req.scope, next);
          return next;
        });
        return json(200, wire(rec, req.scope));
      },
    },
    {
      method: 'POST', path: BASE, operation: 'UpdateFunctionEventInvokeConfig',
      handler: (req) => {
        const t = target(req);
        const s = parseSettings(req.json());
        const rec = repos.transaction(() => {
          if (!targetExists(req.scope, t)) throw new ResourceNotFoundException(FUNCTION_MISSING);
          const existing = getEventInvokeConfig(repos, req.scope, t.name, t.qualifier);
          if (!existing) throw noConfig(req.scope, t.name, t.qualifier);
          checkDestinations(repos, req.scope, t.name, s);
          // Update merges: only the members (and destination sides) that were given change.
          const next: EventInvokeConfigRecord = { ...existing, lastModified: ctx.clock.now() };
          applySettings(next, s);
          store(req.scope, next);
          return next;
        });
        return json(200, wire(rec, req.scope));
      },
    },
    {
      method: 'GET', path: BASE, operation: 'GetFunctionEventInvokeConfig',
      handler: (req) => {
        const t = target(req);
        const rec = repos.functions.get(req.scope, t.name) ? getEventInvokeConfig(repos, req.scope, t.name, t.qualifier) : undefined;
        if (!rec) throw noConfig(req.scope, t.name, t.qualifier);
        return json(200, wire(rec, req.scope));
      },
    },
    {
      method: 'DELETE', path: BASE, operation: 'DeleteFunctionEventInvokeConfig',
      handler: (req) => {
        const t = target(req);
        const deleted = !!repos.functions.get(req.scope, t.name)
          && repos.eventInvokeConfigs.delete(req.scope, eventInvokeConfigKey(t.name, t.qualifier));
        if (!deleted) throw noConfig(req.scope, t.name, t.qualifier);
        return empty(204);
      },
    },
    {
      method: 'GET', path: `${BASE}/list`, operation: 'ListFunctionEventInvokeConfigs',
      handler: (req) => {
        const { name } = parseFunctionRef(req.params.FunctionName!, req.scope);
        const raw = Number(req.query.get('MaxItems'));
        if (req.query.get('MaxItems') !== null && Number.isInteger(raw) && raw > LIST_MAX_ITEMS) {
          throw constraint('MaxItems', raw, `Member must have value less than or equal to ${LIST_MAX_ITEMS}`);
        }
        const { marker, maxItems } = pageQuery(req.query, LIST_MAX_ITEMS);
        if (!repos.functions.get(req.scope, name)) throw new ResourceNotFoundException(FUNCTION_MISSING);
        const after = decodeMarker(marker);
        const entries: { key: string; rec: EventInvokeConfigRecord }[] = [];
        const own = repos.eventInvokeConfigs.get(req.scope, name);
        if (own) entries.push({ key: name, rec: own as unknown as EventInvokeConfigRecord });
        for (const e of repos.eventInvokeConfigs.list(req.scope, { prefix: `${name}/` })) {
          entries.push({ key: e.key, rec: e.doc as unknown as EventInvokeConfigRecord });
        }
        const rest = entries.filter((e) => after === undefined || e.key > after);
        const page = rest.slice(0, maxItems);
        const out: Record<string, unknown> = { FunctionEventInvokeConfigs: page.map((e) => wire(e.rec, req.scope)) };
        if (rest.length > maxItems) out.NextMarker = encodeMarker(page[page.length - 1]!.key);
        return json(200, out);
      },
    },
  ];
}

/** The FunctionEventInvokeConfig shape: FunctionArn always qualified (`:$LATEST` for the function itself). */
function wire(rec: EventInvokeConfigRecord, scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {
    LastModified: epochSeconds(rec.lastModified),
    FunctionArn: functionArn(scope, rec.functionName, rec.qualifier),
    DestinationConfig: {
      OnSuccess: rec.onSuccess ? { Destination: rec.onSuccess } : {},
      OnFailure: rec.onFailure ? { Destination: rec.onFailure } : {},
    },
  };
  if (rec.maximumRetryAttempts !== undefined) out.MaximumRetryAttempts = rec.maximumRetryAttempts;
  if (rec.maximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = rec.maximumEventAgeInSeconds;
  return out;
}

function applySettings(rec: EventInvokeConfigRecord, s: Settings): void {
  if (s.maximumRetryAttempts !== undefined) rec.maximumRetryAttempts = s.maximumRetryAttempts;
  if (s.maximumEventAgeInSeconds !== undefined) rec.maximumEventAgeInSeconds = s.maximumEventAgeInSeconds;
  for (const side of ['onSuccess', 'onFailure'] as const) {
    const given = s.destinations?.[side];
    if (!given) continue;
    if (given.arn === undefined) delete rec[side];
    else rec[side] = given.arn;
  }
}

// ---- request parsing and destination checks ---------------------------------------------------------------

/** The model's pattern for OnSuccess/OnFailure.Destination. */
const DESTINATION_RE = /^$|^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const DESTINATION_PATTERN_TEXT = '^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const FUNCTION_ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
/** Destination kinds AWS accepts that Sluice has no delivery for (yet). */
const UNDELIVERABLE: Record<string, string> = { sqs: 'SQS queue', sns: 'SNS topic', events: 'EventBridge event bus', s3: 'S3 bucket' };

function parseSide(dc: Record<string, unknown>, member: 'OnSuccess' | 'OnFailure'): Side | undefined {
  const obj = dc[member];
  if (obj === undefined || obj === null) return undefined;
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    throw new InvalidParameterValueException(`Invalid type for parameter DestinationConfig.${member}, value type must be structure`);
  }
  const d = (obj as Record<string, unknown>).Destination;
  if (d === undefined || d === null) return { arn: undefined };
  if (typeof d !== 'string') {
    throw new InvalidParameterValueException(`Invalid type for parameter DestinationConfig.${member}.Destination, value type must be string`);
  }
  const path = `destinationConfig.${member === 'OnSuccess' ? 'onSuccess' : 'onFailure'}.destination`;
  if (d.length > 350) {
    throw new ValidationException(`1 validation error detected: Value '${d}' at '${path}' failed to satisfy constraint: Member must have length less than or equal to 350`);
  }
  if (!DESTINATION_RE.test(d)) {
    throw new ValidationException(
      `1 validation error detected: Value '${d}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DESTINATION_PATTERN_TEXT}`,
    );
  }
  return { arn: d === '' ? undefined : d };
}

function parseSettings(body: Record<string, unknown>): Settings {
  const s: Settings = {};
  const retries = optInt(body, 'MaximumRetryAttempts', 0, 2);
  const age = optInt(body, 'MaximumEventAgeInSeconds', 60, 21600);
  const dc = optObject(body, 'DestinationConfig');
  if (retries !== undefined) s.maximumRetryAttempts = retries;
  if (age !== undefined) s.maximumEventAgeInSeconds = age;
  if (dc) {
    s.destinations = {};
    const onSuccess = parseSide(dc, 'OnSuccess');
    const onFailure = parseSide(dc, 'OnFailure');
    if (onSuccess) s.destinations.onSuccess = onSuccess;
    if (onFailure) s.destinations.onFailure = onFailure;
  }
  if (retries === undefined && age === undefined && !dc) {
    throw new InvalidParameterValueException('You must specify at least one of error handling or destination setting.');
  }
  return s;
}

/**
 * Destinations are checked when configured, never accepted and then ignored: a Lambda function of this
 * account and region must exist (and not be the function itself); other kinds AWS supports are refused
 * because Sluice cannot deliver to them.
 */
function checkDestinations(repos: Repositories, scope: Scope, self: string, s: Settings): void {
  const onSuccess = s.destinations?.onSuccess?.arn;
  const onFailure = s.destinations?.onFailure?.arn;
  for (const arn of [onSuccess, onFailure]) {
    if (arn === undefined) continue;
    const service = arn.split(':')[2]!;
    if (service === 'lambda') {
      checkFunctionDestination(repos, scope, self, arn);
      continue;
    }
    const kind = UNDELIVERABLE[service];
    if (kind) {
      throw new InvalidParameterValueException(
        `Sluice cannot deliver to ${kind} destinations yet (${arn}); only Lambda function destinations are supported.`,
      );
    }
    const side = (v: string | undefined, label: string) => (v === undefined ? 'null' : `${label}(destination=${v})`);
    throw new InvalidParameterValueException(
      `The provided destination config DestinationConfig(onSuccess=${side(onSuccess, 'OnSuccess')}, onFailure=${side(onFailure, 'OnFailure')}) is invalid.`,
    );
  }
}

function checkFunctionDestination(repos: Repositories, scope: Scope, self: string, arn: string): void {
  const m = FUNCTION_ARN_RE.exec(arn);
  if (!m) throw new InvalidParameterValueException(`The destination ARN ${arn} is invalid.`);
  const [, region, account, name, qualifier] = m;
  if (region !== scope.region || account !== scope.account) {
    throw new InvalidParameterValueException(
      `Sluice can only deliver to Lambda functions in the same account and region (${scope.account}, ${scope.region}); ${arn} is not.`,
    );
  }
  if (!repos.functions.get(scope, name!)) throw new InvalidParameterValueException(`The destination ARN ${arn} is invalid.`);
  if (name === self) throw new InvalidParameterValueException("You can't specify the function as a destination for itself.");
  if (qualifier !== undefined && qualifier !== '$LATEST') {
    const exists = isVersionNumber(qualifier)
      ? repos.versions.get(scope, versionKey(name!, qualifier))
      : repos.aliases.get(scope, childKey(name!, qualifier));
    if (!exists) throw new InvalidParameterValueException(`The destination ARN ${arn} is invalid.`);
  }
}
