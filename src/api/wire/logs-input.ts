import type { Scope } from '../../domain/scope.js';
import {
  InvalidParameterException, InvalidParameterValueException, InvalidRequestContentException, LogsResourceNotFoundException, ValidationException,
} from '../../errors/index.js';
import type { EventPosition } from '../../observability/log-store.js';
import { json, type ApiRequest, type ApiResponse, type Route } from '../types.js';
import { constraint, optString, reqString } from './input.js';

/**
 * The CloudWatch Logs wire: JSON 1.1 operations (`X-Amz-Target: Logs_20140328.<Op>`, SigV4 service `logs`),
 * members in camelCase, every client error an InvalidParameterException (AWS reports model violations with the
 * usual `1 validation error detected: ...` text under that code).
 */
export const LOGS_CONTENT_TYPE = 'application/x-amz-json-1.1';

export function logsRoute(operation: string, handler: (req: ApiRequest, body: Record<string, unknown>) => unknown): Route {
  return {
    method: 'POST', path: '/', target: `Logs_20140328.${operation}`, service: 'logs', protocol: 'json-1.1', operation,
    maxBodyBytes: 1_100_000,
    handler: (req): ApiResponse => {
      let out: unknown;
      try {
        out = handler(req, req.json());
      } catch (err) {
        if (err instanceof ValidationException || err instanceof InvalidParameterValueException || err instanceof InvalidRequestContentException) {
          throw new InvalidParameterException(err.message);
        }
        throw err;
      }
      // Operations without output answer 200 with an empty body, as AWS does.
      return out === undefined ? { status: 200, headers: { 'Content-Type': LOGS_CONTENT_TYPE } } : json(200, out, { 'Content-Type': LOGS_CONTENT_TYPE });
    },
  };
}

const GROUP_NAME = { min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, patternText: '[\\.\\-_/#A-Za-z0-9]+' };
const STREAM_NAME = { min: 1, max: 512, pattern: /^[^:*]*$/, patternText: '[^:*]*' };

export const groupNotFound = () => new LogsResourceNotFoundException('The specified log group does not exist.');
export const streamNotFound = () => new LogsResourceNotFoundException('The specified log stream does not exist.');

export const logGroupArn = (scope: Scope, name: string) => `arn:aws:logs:${scope.region}:${scope.account}:log-group:${name}`;

/** A log group ARN of the caller's account and region (`...:log-group:NAME` or `...:NAME:*`) → its name. */
export function groupNameFromArn(arn: string, scope: Scope): string {
  const m = /^arn:aws[a-zA-Z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]+)(?::\*)?$/.exec(arn);
  if (!m) throw new InvalidParameterException(`Invalid resource ARN: ${arn}`);
  if (m[1] !== scope.region || m[2] !== scope.account) throw groupNotFound();
  return m[3]!;
}

export function groupName(body: Record<string, unknown>, scope: Scope): string {
  const id = optString(body, 'logGroupIdentifier', { min: 1, max: 2048 });
  const name = optString(body, 'logGroupName', GROUP_NAME);
  if (id !== undefined && name !== undefined) {
    throw new InvalidParameterException('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (id !== undefined) return id.startsWith('arn:') ? groupNameFromArn(id, scope) : id;
  if (name === undefined) throw constraint('logGroupName', null, 'Member must not be null');
  return name;
}

export const streamName = (body: Record<string, unknown>, member = 'logStreamName') => reqString(body, member, STREAM_NAME);
export const optStreamName = (body: Record<string, unknown>, member: string) => optString(body, member, STREAM_NAME);
export const plainGroupName = (body: Record<string, unknown>) => reqString(body, 'logGroupName', GROUP_NAME);

/** Epoch-millisecond members (`startTime`, `timestamp`): non-negative integers. */
export function optTimestamp(body: Record<string, unknown>, member: string): number | undefined {
  const v = body[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidParameterException(`Invalid type for parameter ${member}, value type must be long`);
  if (v < 0) throw constraint(member, v, 'Member must have value greater than or equal to 0');
  return v;
}

const TAG_KEY = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u;
const TAG_VALUE = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;

export function tagMap(body: Record<string, unknown>, member: string, required: boolean): Record<string, string> | undefined {
  const v = body[member];
  if (v === undefined || v === null) {
    if (required) throw constraint(member, null, 'Member must not be null');
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidParameterException(`Invalid type for parameter ${member}, value type must be map`);
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length < 1) throw constraint(member, v, 'Member must have length greater than or equal to 1');
  if (entries.length > 50) throw constraint(member, v, 'Member must have length less than or equal to 50');
  for (const [k, val] of entries) {
    if (typeof val !== 'string') throw new InvalidParameterException(`Invalid type for parameter ${member}.${k}, value type must be string`);
    if (k.length > 128 || !TAG_KEY.test(k)) throw constraint(`${member}.key`, k, 'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$');
    if (val.length > 256 || !TAG_VALUE.test(val)) throw constraint(`${member}.value`, val, 'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
  }
  return v as Record<string, string>;
}

// ---------------------------------------------------------------- paging tokens

const INVALID_TOKEN = () => new InvalidParameterException('The specified nextToken is invalid.');
const digits = (n: number) => String(n).padStart(20, '0');

/** GetLogEvents: `f/<position>/s` pages forward (events after it), `b/<position>/s` backward (events before it). */
export function eventToken(direction: 'f' | 'b', pos: EventPosition): string {
  return `${direction}/${digits(Math.max(0, pos.ts))}${digits(Math.max(0, pos.id))}/s`;
}

export function parseEventToken(token: string): { direction: 'f' | 'b'; pos: EventPosition } {
  const m = /^([fb])\/(\d{20})(\d{20})\/s$/.exec(token);
  if (!m) throw INVALID_TOKEN();
  return { direction: m[1] as 'f' | 'b', pos: { ts: Number(m[2]), id: Number(m[3]) } };
}

/** Opaque continuation tokens of the list and filter operations. */
export function opaqueToken(value: string | EventPosition): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function parseOpaqueToken(token: string | undefined): unknown {
  if (token === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw INVALID_TOKEN();
  }
}

export function parsePositionToken(token: string | undefined): EventPosition | undefined {
  const v = parseOpaqueToken(token) as Partial<EventPosition> | undefined;
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || typeof v.ts !== 'number' || typeof v.id !== 'number') throw INVALID_TOKEN();
  return { ts: v.ts, id: v.id };
}
