import type { Scope } from '../../domain/scope.js';
import {
  InvalidParameterException, ResourceAlreadyExistsException, TooManyTagsException,
} from '../../errors/index.js';
import type { LogGroupInfo, LogStreamInfo } from '../../observability/log-store.js';
import type { ApiContext } from '../context.js';
import { optBool, optEnum, optInt, optString, optStringList } from '../wire/input.js';
import {
  groupName, groupNameFromArn, groupNotFound, logGroupArn, logsRoute, optStreamName, parseOpaqueToken, opaqueToken,
  plainGroupName, streamName, streamNotFound, tagMap,
} from '../wire/logs-input.js';
import type { Route } from '../types.js';

/** The retention periods CloudWatch Logs accepts (days). */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

function groupShape(scope: Scope, g: LogGroupInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {
    logGroupName: g.logGroupName,
    creationTime: g.creationTime,
    metricFilterCount: 0,
    arn: `${logGroupArn(scope, g.logGroupName)}:*`,
    storedBytes: g.storedBytes,
    logGroupClass: 'STANDARD',
    logGroupArn: logGroupArn(scope, g.logGroupName),
  };
  if (g.retentionInDays !== undefined) out.retentionInDays = g.retentionInDays;
  return out;
}

function streamShape(scope: Scope, group: string, s: LogStreamInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { logStreamName: s.logStreamName, creationTime: s.creationTime };
  if (s.firstEventTimestamp !== undefined) out.firstEventTimestamp = s.firstEventTimestamp;
  if (s.lastEventTimestamp !== undefined) out.lastEventTimestamp = s.lastEventTimestamp;
  if (s.lastIngestionTime !== undefined) out.lastIngestionTime = s.lastIngestionTime;
  out.arn = `${logGroupArn(scope, group)}:log-stream:${s.logStreamName}`;
  // Deprecated by AWS for streams (always 0); the group's storedBytes carries the size.
  out.storedBytes = 0;
  return out;
}

/** Log groups, log streams, retention and tags of the CloudWatch Logs API. */
export function logGroupRoutes(ctx: ApiContext): Route[] {
  const { logs } = ctx;
  const requireGroup = (scope: Scope, name: string) => {
    const g = logs.group(scope, name);
    if (!g) throw groupNotFound();
    return g;
  };
  const mergeTags = (scope: Scope, name: string, add: Record<string, string>) => {
    const g = requireGroup(scope, name);
    if (Object.keys({ ...g.tags, ...add }).length > 50) {
      throw new TooManyTagsException('A resource can have no more than 50 tags.', logGroupArn(scope, name));
    }
    logs.setTags(scope, name, (tags) => ({ ...tags, ...add }));
  };
  const removeTags = (scope: Scope, name: string, keys: string[]) => {
    requireGroup(scope, name);
    logs.setTags(scope, name, (tags) => Object.fromEntries(Object.entries(tags).filter(([k]) => !keys.includes(k))));
  };

  return [
    logsRoute('CreateLogGroup', (req, body) => {
      const name = plainGroupName(body);
      if (optString(body, 'kmsKeyId') !== undefined) {
        throw new InvalidParameterException('Sluice does not support KMS encryption of log groups: remove kmsKeyId.');
      }
      optEnum(body, 'logGroupClass', ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'] as const);
      const tags = tagMap(body, 'tags', false) ?? {};
      if (!logs.createGroup(req.scope, name, tags)) throw new ResourceAlreadyExistsException('The specified log group already exists');
      return undefined;
    }),
    logsRoute('DeleteLogGroup', (req, body) => {
      if (!logs.deleteGroup(req.scope, plainGroupName(body))) throw groupNotFound();
      return undefined;
    }),
    logsRoute('DescribeLogGroups', (req, body) => {
      const prefix = optString(body, 'logGroupNamePrefix', { min: 1, max: 512 });
      const pattern = optString(body, 'logGroupNamePattern', { min: 0, max: 512 });
      if (prefix !== undefined && pattern !== undefined) {
        throw new InvalidParameterException('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      const limit = optInt(body, 'limit', 1, 50) ?? 50;
      const after = parseOpaqueToken(optString(body, 'nextToken', { min: 1 }));
      if (after !== undefined && typeof after !== 'string') throw new InvalidParameterException('The specified nextToken is invalid.');
      const page = logs.listGroups(req.scope, {
        limit: limit + 1,
        ...(prefix === undefined ? {} : { prefix }), ...(pattern ? { pattern } : {}), ...(after === undefined ? {} : { after }),
      });
      const groups = page.slice(0, limit);
      const out: Record<string, unknown> = { logGroups: groups.map((g) => groupShape(req.scope, g)) };
      if (page.length > limit) out.nextToken = opaqueToken(groups[groups.length - 1]!.logGroupName);
      return out;
    }),
    logsRoute('PutRetentionPolicy', (req, body) => {
      const name = plainGroupName(body);
      const days = optInt(body, 'retentionInDays');
      if (days === undefined || !(RETENTION_DAYS as readonly number[]).includes(days)) {
        throw new InvalidParameterException(
          `1 validation error detected: Value '${days ?? 'null'}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
        );
      }
      if (!logs.setRetention(req.scope, name, days)) throw groupNotFound();
      return undefined;
    }),
    logsRoute('DeleteRetentionPolicy', (req, body) => {
      if (!logs.setRetention(req.scope, plainGroupName(body), undefined)) throw groupNotFound();
      return undefined;
    }),
    logsRoute('CreateLogStream', (req, body) => {
      const group = plainGroupName(body);
      const r = logs.createStream(req.scope, group, streamName(body));
      if (r === 'no-group') throw groupNotFound();
      if (r === 'exists') throw new ResourceAlreadyExistsException('The specified log stream already exists');
      return undefined;
    }),
    logsRoute('DeleteLogStream', (req, body) => {
      const group = plainGroupName(body);
      requireGroup(req.scope, group);
      if (!logs.deleteStream(req.scope, group, streamName(body))) throw streamNotFound();
      return undefined;
    }),
    logsRoute('DescribeLogStreams', (req, body) => {
      const group = groupName(body, req.scope);
      const prefix = optStreamName(body, 'logStreamNamePrefix');
      const orderBy = optEnum(body, 'orderBy', ['LogStreamName', 'LastEventTime'] as const) ?? 'LogStreamName';
      if (prefix !== undefined && orderBy === 'LastEventTime') {
        throw new InvalidParameterException('Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const descending = optBool(body, 'descending') ?? false;
      const limit = optInt(body, 'limit', 1, 50) ?? 50;
      const token = optString(body, 'nextToken', { min: 1 });
      requireGroup(req.scope, group);
      if (token !== undefined) parseOpaqueToken(token);
      const page = logs.listStreams(req.scope, group, {
        orderBy, descending, limit, ...(prefix === undefined ? {} : { prefix }), ...(token === undefined ? {} : { after: token }),
      });
      const out: Record<string, unknown> = { logStreams: page.streams.map((s) => streamShape(req.scope, group, s)) };
      if (page.next) out.nextToken = page.next;
      return out;
    }),
    // Tags, by name (the older operations) and by ARN.
    logsRoute('TagLogGroup', (req, body) => {
      mergeTags(req.scope, plainGroupName(body), tagMap(body, 'tags', true)!);
      return undefined;
    }),
    logsRoute('UntagLogGroup', (req, body) => {
      removeTags(req.scope, plainGroupName(body), optStringList(body, 'tags', 50) ?? []);
      return undefined;
    }),
    logsRoute('ListTagsLogGroup', (req, body) => ({ tags: requireGroup(req.scope, plainGroupName(body)).tags })),
    logsRoute('TagResource', (req, body) => {
      mergeTags(req.scope, groupNameFromArn(resourceArn(body), req.scope), tagMap(body, 'tags', true)!);
      return undefined;
    }),
    logsRoute('UntagResource', (req, body) => {
      const name = groupNameFromArn(resourceArn(body), req.scope);
      const keys = optStringList(body, 'tagKeys', 50);
      if (keys === undefined) throw new InvalidParameterException("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
      removeTags(req.scope, name, keys);
      return undefined;
    }),
    logsRoute('ListTagsForResource', (req, body) => ({ tags: requireGroup(req.scope, groupNameFromArn(resourceArn(body), req.scope)).tags })),
  ];
}

function resourceArn(body: Record<string, unknown>): string {
  const arn = optString(body, 'resourceArn', { min: 1, max: 1011 });
  if (arn === undefined) throw new InvalidParameterException("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null");
  return arn;
}
