import type { Scope } from '../../domain/scope.js';
import { InvalidParameterValueException, InvalidRequestContentException, ValidationException } from '../../errors/index.js';
import { busNameOf, type EventBridge, type PutEventsEntry } from '../../events/event-bridge.js';
import { parseFunctionTarget } from '../../events/delivery.js';
import { JsonPathError, parseJsonPath, RESERVED_VARIABLES } from '../../events/input-transform.js';
import { DEFAULT_BUS, eventBusArn, ruleArn, type RuleRecord, type TargetRecord, type Tags } from '../../domain/event-records.js';
import { MAX_PATTERN_LENGTH } from '../../events/pattern/event-pattern.js';
import type { ApiContext } from '../context.js';
import { json, type ApiRequest, type ApiResponse, type Route } from '../types.js';
import {
  constraint, decodeMarker, encodeMarker, optBool, optEnum, optInt, optObject, optString, reqString, type StrRule,
} from '../wire/input.js';

/**
 * The EventBridge API (JSON 1.1: `X-Amz-Target: AWSEvents.<Operation>`, SigV4 service `events`): event buses,
 * rules, targets, PutEvents, TestEventPattern and tags. Behaviour lives in src/events/event-bridge.ts.
 */
const CONTENT_TYPE = 'application/x-amz-json-1.1';

function eventsRoute(operation: string, handler: (req: ApiRequest, body: Record<string, unknown>) => unknown): Route {
  return {
    method: 'POST', path: '/', target: `AWSEvents.${operation}`, service: 'events', protocol: 'json-1.1', operation,
    maxBodyBytes: 512 * 1024,
    handler: (req): ApiResponse => {
      let out: unknown;
      try {
        out = handler(req, req.json());
      } catch (err) {
        // Wrong member types and unreadable bodies: EventBridge reports them as validation errors.
        if (err instanceof InvalidParameterValueException || err instanceof InvalidRequestContentException) throw new ValidationException(err.message);
        throw err;
      }
      return json(200, out ?? {}, { 'Content-Type': CONTENT_TYPE });
    },
  };
}

const RULE_NAME: StrRule = { min: 1, max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, patternText: '[\\.\\-_A-Za-z0-9]+' };
const BUS_NAME: StrRule = { min: 1, max: 256, pattern: /^[/.\-_A-Za-z0-9]+$/, patternText: '[/\\.\\-_A-Za-z0-9]+' };
const BUS_NAME_OR_ARN: StrRule = {
  min: 1, max: 1600,
  pattern: /^(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/,
  patternText: '(arn:aws[\\w-]*:events:[a-z]{2}-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+',
};
const TARGET_ID: StrRule = RULE_NAME;

/** `EventBusName` (a name or an ARN of this account and region); default bus when absent. */
function busOf(body: Record<string, unknown>, scope: Scope, member = 'EventBusName'): string {
  const raw = optString(body, member, BUS_NAME_OR_ARN);
  if (raw === undefined) return DEFAULT_BUS;
  const name = busNameOf(raw);
  if (name === undefined) throw constraint(member, raw, `Member must satisfy regular expression pattern: ${BUS_NAME_OR_ARN.patternText}`);
  if (raw.startsWith('arn:') && raw !== eventBusArn(scope, name)) {
    throw new ValidationException(`Parameter ${member} is not valid: the event bus must be in this account and region.`);
  }
  return name;
}

function tagList(body: Record<string, unknown>, member: string): Tags | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new ValidationException(`Invalid type for parameter ${member}, value type must be list`);
  const out: Tags = {};
  for (const t of v) {
    if (t === null || typeof t !== 'object') throw new ValidationException(`Invalid type for parameter ${member}, value type must be list of Tag`);
    const key = reqString(t as Record<string, unknown>, 'Key', { min: 1, max: 128 });
    const value = reqString(t as Record<string, unknown>, 'Value', { min: 0, max: 256 });
    out[key] = value;
  }
  return out;
}

const tagShape = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function ruleShape(scope: Scope, r: RuleRecord, describe: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { Name: r.name, Arn: ruleArn(scope, r.eventBusName, r.name) };
  if (r.eventPattern !== undefined) out.EventPattern = r.eventPattern;
  if (r.scheduleExpression !== undefined) out.ScheduleExpression = r.scheduleExpression;
  out.State = r.state;
  if (r.description !== undefined) out.Description = r.description;
  if (r.roleArn !== undefined) out.RoleArn = r.roleArn;
  out.EventBusName = r.eventBusName;
  if (describe) out.CreatedBy = scope.account;
  return out;
}

/** `Limit` / `NextToken` over a name-ordered list. */
function page<T>(body: Record<string, unknown>, items: T[], keyOf: (t: T) => string): { items: T[]; next?: string } {
  const limit = optInt(body, 'Limit', 1, 100) ?? 100;
  const token = optString(body, 'NextToken', { min: 1, max: 2048 });
  let after: string | undefined;
  try {
    after = decodeMarker(token);
  } catch {
    throw new ValidationException('The NextToken provided is invalid.');
  }
  const rest = after === undefined ? items : items.filter((i) => keyOf(i) > after!);
  const slice = rest.slice(0, limit);
  return rest.length > limit ? { items: slice, next: encodeMarker(keyOf(slice[slice.length - 1]!)) } : { items: slice };
}

function jsonPath(member: string, value: string): void {
  try {
    parseJsonPath(value);
  } catch (err) {
    if (err instanceof JsonPathError) throw new ValidationException(`Parameter ${member} is not valid: ${value} is not a valid JSON path.`);
    throw err;
  }
}

const UNSUPPORTED_TARGET_MEMBERS = [
  'KinesisParameters', 'RunCommandParameters', 'EcsParameters', 'BatchParameters', 'SqsParameters', 'HttpParameters',
  'RedshiftDataParameters', 'SageMakerPipelineParameters', 'DeadLetterConfig', 'AppSyncParameters',
];

function readTarget(raw: unknown): TargetRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationException('Invalid type for parameter Targets, value type must be list of Target');
  const t = raw as Record<string, unknown>;
  const out: TargetRecord = { Id: reqString(t, 'Id', TARGET_ID), Arn: reqString(t, 'Arn', { min: 1, max: 1600 }) };
  if (!parseFunctionTarget(out.Arn)) {
    throw new ValidationException(`Sluice delivers to Lambda functions only: ${out.Arn} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]).`);
  }
  for (const m of UNSUPPORTED_TARGET_MEMBERS) {
    if (t[m] !== undefined && t[m] !== null) {
      throw new ValidationException(`Sluice does not support ${m} (${m === 'DeadLetterConfig' ? 'there is no SQS to send dead letters to' : 'it applies to targets other than Lambda functions'}): remove it.`);
    }
  }
  const role = optString(t, 'RoleArn', { min: 1, max: 1600 });
  if (role !== undefined) out.RoleArn = role;
  const input = optString(t, 'Input', { max: 8192 });
  const inputPath = optString(t, 'InputPath', { max: 256 });
  const transformer = optObject(t, 'InputTransformer');
  if ([input, inputPath, transformer].filter((x) => x !== undefined).length > 1) {
    throw new ValidationException('Only one of Input, InputPath, or InputTransformer must be provided.');
  }
  if (input !== undefined) {
    try {
      JSON.parse(input);
    } catch {
      throw new ValidationException('Parameter Input is not valid JSON.');
    }
    out.Input = input;
  }
  if (inputPath !== undefined) {
    jsonPath('InputPath', inputPath);
    out.InputPath = inputPath;
  }
  if (transformer !== undefined) {
    const template = reqString(transformer, 'InputTemplate', { min: 1, max: 8192 });
    const paths = optObject(transformer, 'InputPathsMap');
    const map: Record<string, string> = {};
    if (paths !== undefined) {
      const entries = Object.entries(paths);
      if (entries.length > 100) throw constraint('InputTransformer.InputPathsMap', '...', 'Member must have length less than or equal to 100');
      for (const [k, v] of entries) {
        if (!/^[A-Za-z0-9_-]+$/.test(k) || RESERVED_VARIABLES.includes(k)) {
          throw new ValidationException(`InputTransformer: the InputPathsMap key ${k} is not valid.`);
        }
        if (typeof v !== 'string') throw new ValidationException('Invalid type for parameter InputTransformer.InputPathsMap, value type must be map of strings');
        jsonPath(`InputTransformer.InputPathsMap.${k}`, v);
        map[k] = v;
      }
    }
    out.InputTransformer = paths === undefined ? { InputTemplate: template } : { InputPathsMap: map, InputTemplate: template };
  }
  const retry = optObject(t, 'RetryPolicy');
  if (retry !== undefined) {
    const attempts = optInt(retry, 'MaximumRetryAttempts', 0, 185);
    const age = optInt(retry, 'MaximumEventAgeInSeconds', 60, 86400);
    out.RetryPolicy = {};
    if (attempts !== undefined) out.RetryPolicy.MaximumRetryAttempts = attempts;
    if (age !== undefined) out.RetryPolicy.MaximumEventAgeInSeconds = age;
  }
  return out;
}

export function eventRoutes(ctx: ApiContext): Route[] {
  const eb: EventBridge = ctx.eventBridge;
  return [
    // ---------------------------------------------------------------- buses
    eventsRoute('CreateEventBus', (req, body) => {
      const name = reqString(body, 'Name', BUS_NAME);
      if (optString(body, 'EventSourceName') !== undefined) {
        throw new ValidationException('Sluice has no partner event sources: remove EventSourceName.');
      }
      if (name.includes('/')) throw new ValidationException(`Event bus name ${name} is not valid: only partner event buses may contain '/'.`);
      return { EventBusArn: eb.createBus(req.scope, name, tagList(body, 'Tags') ?? {}) };
    }),
    eventsRoute('DescribeEventBus', (req, body) => {
      const name = busOf(body, req.scope, 'Name');
      eb.requireBus(req.scope, name);
      return { Name: name, Arn: eventBusArn(req.scope, name) };
    }),
    eventsRoute('ListEventBuses', (req, body) => {
      const prefix = optString(body, 'NamePrefix', BUS_NAME);
      const names = eb.listBuses(req.scope).filter((n) => prefix === undefined || n.startsWith(prefix));
      const p = page(body, names, (n) => n);
      const out: Record<string, unknown> = { EventBuses: p.items.map((n) => ({ Name: n, Arn: eventBusArn(req.scope, n) })) };
      if (p.next) out.NextToken = p.next;
      return out;
    }),
    eventsRoute('DeleteEventBus', (req, body) => {
      eb.deleteBus(req.scope, reqString(body, 'Name', BUS_NAME));
      return undefined;
    }),
    // ---------------------------------------------------------------- rules
    eventsRoute('PutRule', (req, body) => {
      const name = reqString(body, 'Name', RULE_NAME);
      const schedule = optString(body, 'ScheduleExpression', { max: 256 });
      const pattern = optString(body, 'EventPattern', { max: MAX_PATTERN_LENGTH });
      const state = optEnum(body, 'State', ['ENABLED', 'DISABLED'] as const);
      const description = optString(body, 'Description', { max: 512 });
      const roleArn = optString(body, 'RoleArn', { min: 1, max: 1600 });
      const tags = tagList(body, 'Tags');
      const input: Parameters<EventBridge['putRule']>[1] = { name, busName: busOf(body, req.scope) };
      if (schedule !== undefined) input.scheduleExpression = schedule;
      if (pattern !== undefined) input.eventPattern = pattern;
      if (state !== undefined) input.state = state;
      if (description !== undefined) input.description = description;
      if (roleArn !== undefined) input.roleArn = roleArn;
      if (tags !== undefined) input.tags = tags;
      return { RuleArn: eb.putRule(req.scope, input) };
    }),
    eventsRoute('DescribeRule', (req, body) => {
      const name = reqString(body, 'Name', RULE_NAME);
      return ruleShape(req.scope, eb.getRule(req.scope, busOf(body, req.scope), name), true);
    }),
    eventsRoute('ListRules', (req, body) => {
      const prefix = optString(body, 'NamePrefix', RULE_NAME);
      const rules = eb.listRules(req.scope, busOf(body, req.scope)).filter((r) => prefix === undefined || r.name.startsWith(prefix));
      const p = page(body, rules, (r) => r.name);
      const out: Record<string, unknown> = { Rules: p.items.map((r) => ruleShape(req.scope, r, false)) };
      if (p.next) out.NextToken = p.next;
      return out;
    }),
    eventsRoute('DeleteRule', (req, body) => {
      const name = reqString(body, 'Name', RULE_NAME);
      optBool(body, 'Force');
      eb.deleteRule(req.scope, busOf(body, req.scope), name);
      return undefined;
    }),
    eventsRoute('EnableRule', (req, body) => {
      eb.setRuleState(req.scope, busOf(body, req.scope), reqString(body, 'Name', RULE_NAME), 'ENABLED');
      return undefined;
    }),
    eventsRoute('DisableRule', (req, body) => {
      eb.setRuleState(req.scope, busOf(body, req.scope), reqString(body, 'Name', RULE_NAME), 'DISABLED');
      return undefined;
    }),
    // ---------------------------------------------------------------- targets
    eventsRoute('PutTargets', (req, body) => {
      const rule = reqString(body, 'Rule', RULE_NAME);
      const bus = busOf(body, req.scope);
      const raw = body.Targets;
      if (raw === undefined || raw === null) throw constraint('Targets', null, 'Member must not be null');
      if (!Array.isArray(raw)) throw new ValidationException('Invalid type for parameter Targets, value type must be list');
      if (raw.length < 1) throw constraint('Targets', raw, 'Member must have length greater than or equal to 1');
      if (raw.length > 100) throw constraint('Targets', '...', 'Member must have length less than or equal to 100');
      const targets = raw.map(readTarget);
      eb.putTargets(req.scope, bus, rule, targets);
      return { FailedEntryCount: 0, FailedEntries: [] };
    }),
    eventsRoute('RemoveTargets', (req, body) => {
      const rule = reqString(body, 'Rule', RULE_NAME);
      const bus = busOf(body, req.scope);
      const ids = body.Ids;
      if (ids === undefined || ids === null) throw constraint('Ids', null, 'Member must not be null');
      if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) throw new ValidationException('Invalid type for parameter Ids, value type must be list of strings');
      if (ids.length < 1 || ids.length > 100) throw constraint('Ids', ids, `Member must have length ${ids.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`);
      for (const id of ids as string[]) {
        if (!TARGET_ID.pattern!.test(id) || id.length > 64) throw constraint('Ids', ids, `Member must satisfy constraint: [Member must have length less than or equal to 64, Member must satisfy regular expression pattern: ${TARGET_ID.patternText}]`);
      }
      optBool(body, 'Force');
      eb.removeTargets(req.scope, bus, rule, ids as string[]);
      return { FailedEntryCount: 0, FailedEntries: [] };
    }),
    eventsRoute('ListTargetsByRule', (req, body) => {
      const rule = eb.getRule(req.scope, busOf(body, req.scope), reqString(body, 'Rule', RULE_NAME));
      const p = page(body, rule.targets, (t) => t.Id);
      const out: Record<string, unknown> = { Targets: p.items };
      if (p.next) out.NextToken = p.next;
      return out;
    }),
    eventsRoute('ListRuleNamesByTarget', (req, body) => {
      const arn = reqString(body, 'TargetArn', { min: 1, max: 1600 });
      const names = eb.ruleNamesByTarget(req.scope, busOf(body, req.scope), arn);
      const p = page(body, names, (n) => n);
      const out: Record<string, unknown> = { RuleNames: p.items };
      if (p.next) out.NextToken = p.next;
      return out;
    }),
    // ---------------------------------------------------------------- events
    eventsRoute('PutEvents', (req, body) => {
      const raw = body.Entries;
      if (raw === undefined || raw === null) throw constraint('Entries', null, 'Member must not be null');
      if (!Array.isArray(raw)) throw new ValidationException('Invalid type for parameter Entries, value type must be list');
      if (raw.length < 1) throw constraint('Entries', raw, 'Member must have length greater than or equal to 1');
      if (raw.length > 10) throw constraint('Entries', '...', 'Member must have length less than or equal to 10');
      if (optString(body, 'EndpointId') !== undefined) throw new ValidationException('Sluice has no global endpoints: remove EndpointId.');
      const entries: PutEventsEntry[] = raw.map((e) => {
        if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new ValidationException('Invalid type for parameter Entries, value type must be list of PutEventsRequestEntry');
        const o = e as Record<string, unknown>;
        const entry: PutEventsEntry = {};
        const time = o.Time;
        if (time !== undefined && time !== null) {
          if (typeof time !== 'number') throw new ValidationException('Invalid type for parameter Entries.Time, value type must be timestamp');
          entry.Time = time;
        }
        const source = optString(o, 'Source');
        const detailType = optString(o, 'DetailType');
        const detail = optString(o, 'Detail');
        const bus = optString(o, 'EventBusName', { ...BUS_NAME_OR_ARN, min: 1 });
        if (source !== undefined) entry.Source = source;
        if (detailType !== undefined) entry.DetailType = detailType;
        if (detail !== undefined) entry.Detail = detail;
        if (bus !== undefined) entry.EventBusName = bus;
        const resources = o.Resources;
        if (resources !== undefined && resources !== null) {
          if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')) throw new ValidationException('Invalid type for parameter Entries.Resources, value type must be list of strings');
          entry.Resources = resources as string[];
        }
        return entry;
      });
      // AWS bounds the request as a whole: 256 KB of entries.
      const size = entries.reduce((n, e) => n + Buffer.byteLength(e.Source ?? '') + Buffer.byteLength(e.DetailType ?? '') + Buffer.byteLength(e.Detail ?? '')
        + (e.Resources ?? []).reduce((m, r) => m + Buffer.byteLength(r), 0) + (e.Time !== undefined ? 14 : 0), 0);
      if (size > 256 * 1024) throw new ValidationException('Total size of the entries in the request is over the limit.');
      const results = eb.putEvents(req.scope, entries);
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    }),
    eventsRoute('TestEventPattern', (_req, body) => {
      const pattern = reqString(body, 'EventPattern', { max: MAX_PATTERN_LENGTH });
      const eventText = reqString(body, 'Event');
      const compiled = eb.compile(pattern);
      let event: unknown;
      try {
        event = JSON.parse(eventText);
      } catch {
        throw new ValidationException('Parameter Event is not valid.');
      }
      // The event must look like an EventBridge event: these members are required.
      const required = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
      if (event === null || typeof event !== 'object' || Array.isArray(event) || required.some((k) => !(k in (event as object)))) {
        throw new ValidationException('Parameter Event is not valid.');
      }
      return { Result: compiled.matches(event) };
    }),
    // ---------------------------------------------------------------- tags
    eventsRoute('TagResource', (req, body) => {
      const arn = reqString(body, 'ResourceARN', { min: 1, max: 1600 });
      const tags = tagList(body, 'Tags');
      if (tags === undefined) throw constraint('Tags', null, 'Member must not be null');
      eb.updateTags(req.scope, arn, (old) => ({ ...old, ...tags }));
      return {};
    }),
    eventsRoute('UntagResource', (req, body) => {
      const arn = reqString(body, 'ResourceARN', { min: 1, max: 1600 });
      const keys = body.TagKeys;
      if (keys === undefined || keys === null) throw constraint('TagKeys', null, 'Member must not be null');
      if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw new ValidationException('Invalid type for parameter TagKeys, value type must be list of strings');
      eb.updateTags(req.scope, arn, (old) => Object.fromEntries(Object.entries(old).filter(([k]) => !(keys as string[]).includes(k))));
      return {};
    }),
    eventsRoute('ListTagsForResource', (req, body) => {
      return { Tags: tagShape(eb.tagsOf(req.scope, reqString(body, 'ResourceARN', { min: 1, max: 1600 }))) };
    }),
  ];
}
