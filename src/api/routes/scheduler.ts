import type { Scope } from '../../domain/scope.js';
import { InvalidParameterValueException, InvalidRequestContentException, ValidationException } from '../../errors/index.js';
import { parseFunctionTarget } from '../../events/delivery.js';
import type { EventScheduler, ScheduleInput } from '../../events/event-scheduler.js';
import { DEFAULT_GROUP, scheduleArn, scheduleGroupArn, type ScheduleGroupRecord, type ScheduleRecord, type ScheduleTarget, type Tags } from '../../domain/event-records.js';
import { parseScheduleExpression, ScheduleExpressionError } from '../../events/schedule/schedule-expression.js';
import { isTimeZone } from '../../events/schedule/zoned-time.js';
import type { ApiContext } from '../context.js';
import { json, type ApiRequest, type ApiResponse, type Route } from '../types.js';
import { constraint, decodeMarker, encodeMarker, optEnum, optInt, optObject, optString, reqString, type StrRule } from '../wire/input.js';

/**
 * The EventBridge Scheduler API (REST-JSON, SigV4 service `scheduler`): schedules, schedule groups and group tags.
 * Timestamps travel as epoch seconds. Behaviour lives in src/events/event-scheduler.ts.
 */

const NAME: StrRule = { min: 1, max: 64, pattern: /^[0-9a-zA-Z-_.]+$/, patternText: '^[0-9a-zA-Z-_.]+$' };
const ROLE: StrRule = { min: 1, max: 1600, pattern: /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/, patternText: '^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$' };
const GROUP_ARN = /^arn:aws(-[a-z]+)?:scheduler:([a-z0-9-]+):(\d{12}):schedule-group\/([0-9a-zA-Z-_.]+)$/;
const DEFAULT_RETRY = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };

function route(method: Route['method'], path: string, operation: string, handler: (req: ApiRequest) => unknown): Route {
  return {
    method, path, operation, service: 'scheduler', protocol: 'rest-json',
    handler: (req): ApiResponse => {
      try {
        return json(200, handler(req) ?? {});
      } catch (err) {
        if (err instanceof InvalidParameterValueException || err instanceof InvalidRequestContentException) throw new ValidationException(err.message);
        throw err;
      }
    },
  };
}

const seconds = (ms: number) => ms / 1000;

function timestamp(body: Record<string, unknown>, member: string): number | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  throw new ValidationException(`Invalid type for parameter ${member}, value type must be timestamp`);
}

function pathName(req: ApiRequest): string {
  const name = req.params.Name ?? '';
  return reqString({ Name: name }, 'Name', NAME);
}

function groupFromQuery(req: ApiRequest, key = 'groupName'): string {
  const g = req.query.get(key);
  return g === null ? DEFAULT_GROUP : reqString({ GroupName: g }, 'GroupName', NAME);
}

const UNSUPPORTED_TARGET_MEMBERS = ['DeadLetterConfig', 'EcsParameters', 'EventBridgeParameters', 'KinesisParameters', 'SageMakerPipelineParameters', 'SqsParameters'];

function readTarget(body: Record<string, unknown>): ScheduleTarget {
  const t = optObject(body, 'Target');
  if (t === undefined) throw constraint('Target', null, 'Member must not be null');
  const arn = reqString(t, 'Arn', { min: 1, max: 1600 });
  if (!parseFunctionTarget(arn)) {
    throw new ValidationException(`Sluice schedules invoke Lambda functions only: ${arn} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]).`);
  }
  for (const m of UNSUPPORTED_TARGET_MEMBERS) {
    if (t[m] !== undefined && t[m] !== null) {
      throw new ValidationException(`Sluice does not support Target.${m} (${m === 'DeadLetterConfig' ? 'there is no SQS to send dead letters to' : 'it applies to targets other than Lambda functions'}): remove it.`);
    }
  }
  const out: ScheduleTarget = { Arn: arn, RoleArn: reqString(t, 'RoleArn', ROLE) };
  const input = optString(t, 'Input', { min: 1 });
  if (input !== undefined) out.Input = input;
  const retry = optObject(t, 'RetryPolicy');
  if (retry !== undefined) {
    out.RetryPolicy = {};
    const age = optInt(retry, 'MaximumEventAgeInSeconds', 60, 86400);
    const attempts = optInt(retry, 'MaximumRetryAttempts', 0, 185);
    if (age !== undefined) out.RetryPolicy.MaximumEventAgeInSeconds = age;
    if (attempts !== undefined) out.RetryPolicy.MaximumRetryAttempts = attempts;
  }
  return out;
}

function readSchedule(req: ApiRequest): ScheduleInput {
  const body = req.json();
  const name = pathName(req);
  const groupName = optString(body, 'GroupName', NAME) ?? DEFAULT_GROUP;
  const expression = reqString(body, 'ScheduleExpression', { min: 1, max: 256 });
  try {
    parseScheduleExpression(expression, true);
  } catch (err) {
    if (err instanceof ScheduleExpressionError) throw new ValidationException(`Invalid Schedule Expression ${expression}.`);
    throw err;
  }
  const timeZone = optString(body, 'ScheduleExpressionTimezone', { min: 1, max: 50 });
  if (timeZone !== undefined && !isTimeZone(timeZone)) throw new ValidationException(`Invalid Schedule Expression Timezone ${timeZone}.`);
  const window = optObject(body, 'FlexibleTimeWindow');
  if (window === undefined) throw constraint('FlexibleTimeWindow', null, 'Member must not be null');
  const mode = optEnum(window, 'Mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined) throw constraint('FlexibleTimeWindow.Mode', null, 'Member must not be null');
  const maxWindow = optInt(window, 'MaximumWindowInMinutes', 1, 1440);
  if (mode === 'FLEXIBLE' && maxWindow === undefined) throw new ValidationException('MaximumWindowInMinutes must be provided when Mode is FLEXIBLE.');
  if (mode === 'OFF' && maxWindow !== undefined) throw new ValidationException('MaximumWindowInMinutes must not be provided when Mode is OFF.');
  if (optString(body, 'KmsKeyArn') !== undefined) throw new ValidationException('Sluice does not support KMS encryption of schedules: remove KmsKeyArn.');
  optString(body, 'ClientToken', { min: 1, max: 64 });
  const startDate = timestamp(body, 'StartDate');
  const endDate = timestamp(body, 'EndDate');
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw new ValidationException('The EndDate you specify must be after the StartDate.');
  }
  const input: ScheduleInput = {
    name, groupName, scheduleExpression: expression,
    state: optEnum(body, 'State', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED',
    flexibleTimeWindow: maxWindow === undefined ? { Mode: mode } : { Mode: mode, MaximumWindowInMinutes: maxWindow },
    actionAfterCompletion: optEnum(body, 'ActionAfterCompletion', ['NONE', 'DELETE'] as const) ?? 'NONE',
    target: readTarget(body),
  };
  if (timeZone !== undefined) input.timeZone = timeZone;
  if (startDate !== undefined) input.startDate = startDate;
  if (endDate !== undefined) input.endDate = endDate;
  const description = optString(body, 'Description', { min: 0, max: 512 });
  if (description !== undefined) input.description = description;
  return input;
}

function scheduleShape(scope: Scope, s: ScheduleRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ActionAfterCompletion: s.actionAfterCompletion,
    Arn: scheduleArn(scope, s.groupName, s.name),
    CreationDate: seconds(s.createdAt),
  };
  if (s.description !== undefined) out.Description = s.description;
  if (s.endDate !== undefined) out.EndDate = seconds(s.endDate);
  out.FlexibleTimeWindow = s.flexibleTimeWindow;
  out.GroupName = s.groupName;
  out.LastModificationDate = seconds(s.modifiedAt);
  out.Name = s.name;
  out.ScheduleExpression = s.scheduleExpression;
  out.ScheduleExpressionTimezone = s.timeZone ?? 'UTC';
  if (s.startDate !== undefined) out.StartDate = seconds(s.startDate);
  out.State = s.state;
  out.Target = { ...s.target, RetryPolicy: { ...DEFAULT_RETRY, ...s.target.RetryPolicy } };
  return out;
}

function groupShape(scope: Scope, g: ScheduleGroupRecord): Record<string, unknown> {
  return {
    Arn: scheduleGroupArn(scope, g.name), CreationDate: seconds(g.createdAt), LastModificationDate: seconds(g.modifiedAt), Name: g.name, State: 'ACTIVE',
  };
}

function page<T>(req: ApiRequest, items: T[], keyOf: (t: T) => string): { items: T[]; next?: string } {
  const rawMax = req.query.get('MaxResults');
  const max = rawMax === null ? 100 : Number(rawMax);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw constraint('MaxResults', rawMax, `Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`);
  let after: string | undefined;
  try {
    after = decodeMarker(req.query.get('NextToken') ?? undefined);
  } catch {
    throw new ValidationException('Invalid NextToken.');
  }
  const rest = after === undefined ? items : items.filter((i) => keyOf(i) > after!);
  const slice = rest.slice(0, max);
  return rest.length > max ? { items: slice, next: encodeMarker(keyOf(slice[slice.length - 1]!)) } : { items: slice };
}

function tagList(body: Record<string, unknown>): Tags | undefined {
  const v = body.Tags;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new ValidationException('Invalid type for parameter Tags, value type must be list');
  const out: Tags = {};
  for (const t of v) {
    if (t === null || typeof t !== 'object') throw new ValidationException('Invalid type for parameter Tags, value type must be list of Tag');
    out[reqString(t as Record<string, unknown>, 'Key', { min: 1, max: 128 })] = reqString(t as Record<string, unknown>, 'Value', { min: 1, max: 256 });
  }
  return out;
}

function groupOfArn(req: ApiRequest): string {
  const arn = req.params.ResourceArn ?? '';
  const m = GROUP_ARN.exec(arn);
  if (!m) throw constraint('ResourceArn', arn, 'Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:scheduler:[a-z0-9\\-]+:\\d{12}:schedule-group\\/[0-9a-zA-Z-_.]+$');
  if (m[2] !== req.scope.region || m[3] !== req.scope.account) throw new ValidationException(`Resource ${arn} is not in this account and region.`);
  return m[4]!;
}

export function schedulerRoutes(ctx: ApiContext): Route[] {
  const s: EventScheduler = ctx.scheduler;
  return [
    route('POST', '/schedules/{Name}', 'CreateSchedule', (req) => ({ ScheduleArn: s.create(req.scope, readSchedule(req)) })),
    route('PUT', '/schedules/{Name}', 'UpdateSchedule', (req) => ({ ScheduleArn: s.update(req.scope, readSchedule(req)) })),
    route('GET', '/schedules/{Name}', 'GetSchedule', (req) => scheduleShape(req.scope, s.get(req.scope, groupFromQuery(req), pathName(req)))),
    route('DELETE', '/schedules/{Name}', 'DeleteSchedule', (req) => {
      s.delete(req.scope, groupFromQuery(req), pathName(req));
      return {};
    }),
    route('GET', '/schedules', 'ListSchedules', (req) => {
      const group = req.query.get('ScheduleGroup') === null ? undefined : groupFromQuery(req, 'ScheduleGroup');
      const prefix = req.query.get('NamePrefix');
      const state = req.query.get('State');
      if (state !== null && state !== 'ENABLED' && state !== 'DISABLED') throw constraint('State', state, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
      const all = s.list(req.scope, group).filter((x) => (prefix === null || x.name.startsWith(prefix)) && (state === null || x.state === state));
      const p = page(req, all, (x) => `${x.groupName}|${x.name}`);
      const out: Record<string, unknown> = {
        Schedules: p.items.map((x) => ({
          Arn: scheduleArn(req.scope, x.groupName, x.name), CreationDate: seconds(x.createdAt), GroupName: x.groupName,
          LastModificationDate: seconds(x.modifiedAt), Name: x.name, State: x.state, Target: { Arn: x.target.Arn },
        })),
      };
      if (p.next) out.NextToken = p.next;
      return out;
    }),
    route('POST', '/schedule-groups/{Name}', 'CreateScheduleGroup', (req) => {
      const name = pathName(req);
      s.createGroup(req.scope, name, tagList(req.json()) ?? {});
      return { ScheduleGroupArn: scheduleGroupArn(req.scope, name) };
    }),
    route('GET', '/schedule-groups/{Name}', 'GetScheduleGroup', (req) => groupShape(req.scope, s.group(req.scope, pathName(req)))),
    route('DELETE', '/schedule-groups/{Name}', 'DeleteScheduleGroup', (req) => {
      s.deleteGroup(req.scope, pathName(req));
      return {};
    }),
    route('GET', '/schedule-groups', 'ListScheduleGroups', (req) => {
      const prefix = req.query.get('NamePrefix');
      const p = page(req, s.listGroups(req.scope).filter((g) => prefix === null || g.name.startsWith(prefix)), (g) => g.name);
      const out: Record<string, unknown> = { ScheduleGroups: p.items.map((g) => groupShape(req.scope, g)) };
      if (p.next) out.NextToken = p.next;
      return out;
    }),
    route('GET', '/tags/{ResourceArn}', 'ListTagsForResource', (req) => ({
      Tags: Object.entries(s.group(req.scope, groupOfArn(req)).tags).map(([Key, Value]) => ({ Key, Value })),
    })),
    route('POST', '/tags/{ResourceArn}', 'TagResource', (req) => {
      const tags = tagList(req.json());
      if (tags === undefined) throw constraint('Tags', null, 'Member must not be null');
      s.setGroupTags(req.scope, groupOfArn(req), (old) => ({ ...old, ...tags }));
      return {};
    }),
    route('DELETE', '/tags/{ResourceArn}', 'UntagResource', (req) => {
      const keys = req.query.getAll('TagKeys');
      s.setGroupTags(req.scope, groupOfArn(req), (old) => Object.fromEntries(Object.entries(old).filter(([k]) => !keys.includes(k))));
      return {};
    }),
  ];
}
