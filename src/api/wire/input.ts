import { InvalidParameterValueException, ValidationException } from '../../errors/index.js';

/**
 * Typed readers for JSON request members. Model violations produce AWS's ValidationException wording:
 * `1 validation error detected: Value 'x' at 'memberName' failed to satisfy constraint: ...`.
 */
function camel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** The value as AWS's (Java) validator prints it: `null` bare, lists as `[a, b]`, anything else quoted. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]'`;
  return `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
}

/** `member` may be a dotted path (`EphemeralStorage.Size`); each part is camel-cased as AWS does. */
export function constraint(member: string, value: unknown, rule: string): ValidationException {
  const path = member.split('.').map(camel).join('.');
  return new ValidationException(`1 validation error detected: Value ${shown(value)} at '${path}' failed to satisfy constraint: ${rule}`);
}

function typeError(member: string, expected: string): InvalidParameterValueException {
  return new InvalidParameterValueException(`Invalid type for parameter ${member}, value type must be ${expected}`);
}

export interface StrRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
}

export function optString(obj: Record<string, unknown>, member: string, rule: StrRule = {}): string | undefined {
  const v = obj[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(member, 'string');
  if (rule.min !== undefined && v.length < rule.min) throw constraint(member, v, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && v.length > rule.max) throw constraint(member, v, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(v)) {
    throw constraint(member, v, `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`);
  }
  return v;
}

export function reqString(obj: Record<string, unknown>, member: string, rule: StrRule = {}): string {
  const v = optString(obj, member, rule);
  if (v === undefined) throw constraint(member, null, 'Member must not be null');
  return v;
}

export function optInt(obj: Record<string, unknown>, member: string, min?: number, max?: number): number | undefined {
  const v = obj[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(member, 'integer');
  if (min !== undefined && v < min) throw constraint(member, v, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && v > max) throw constraint(member, v, `Member must have value less than or equal to ${max}`);
  return v;
}

export function reqInt(obj: Record<string, unknown>, member: string, min?: number, max?: number): number {
  const v = optInt(obj, member, min, max);
  if (v === undefined) throw constraint(member, null, 'Member must not be null');
  return v;
}

export function optBool(obj: Record<string, unknown>, member: string): boolean | undefined {
  const v = obj[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(member, 'boolean');
  return v;
}

export function optObject(obj: Record<string, unknown>, member: string): Record<string, unknown> | undefined {
  const v = obj[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(member, 'structure');
  return v as Record<string, unknown>;
}

export function optStringMap(obj: Record<string, unknown>, member: string): Record<string, string> | undefined {
  const v = optObject(obj, member);
  if (v === undefined) return undefined;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw typeError(`${member}.${k}`, 'string');
  }
  return v as Record<string, string>;
}

export function optStringList(obj: Record<string, unknown>, member: string, maxItems?: number): string[] | undefined {
  const v = obj[member];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw typeError(member, 'list of strings');
  if (maxItems !== undefined && v.length > maxItems) throw constraint(member, v, `Member must have length less than or equal to ${maxItems}`);
  return v as string[];
}

export function optEnum<T extends string>(obj: Record<string, unknown>, member: string, values: readonly T[]): T | undefined {
  const v = optString(obj, member);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw constraint(member, v, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return v as T;
}

/** Pagination query: `Marker` and `MaxItems` (1..10000). */
export function pageQuery(query: URLSearchParams, cap = 10000): { marker: string | undefined; maxItems: number } {
  const marker = query.get('Marker') ?? undefined;
  const raw = query.get('MaxItems');
  let maxItems = cap;
  if (raw !== null) {
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new InvalidParameterValueException(`Invalid MaxItems: ${raw}`);
    if (n < 1) throw constraint('MaxItems', n, 'Member must have value greater than or equal to 1');
    if (n > 10000) throw constraint('MaxItems', n, 'Member must have value less than or equal to 10000');
    maxItems = Math.min(n, cap);
  }
  return { marker, maxItems };
}

/** Markers are opaque to clients; ours are base64url of the last key served. */
export function encodeMarker(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const key = Buffer.from(marker, 'base64url').toString('utf8');
  if (!key || encodeMarker(key) !== marker) throw new InvalidParameterValueException('Invalid Marker value');
  return key;
}
