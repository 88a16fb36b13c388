import { parseCidr, parseIp, type Cidr } from './cidr.js';

/**
 * EventBridge event patterns (content filtering), compiled once and matched against event documents.
 *
 * Semantics (EventBridge user guide, "Event patterns" and "Content filtering"):
 * - A pattern is an object whose keys are event fields; all keys must match (AND). A key maps to a nested object
 *   (fields below it) or to an array of match values, any of which may match (OR).
 * - An event field holding an array matches when any of its elements matches; objects inside arrays are matched
 *   element by element, so every field of a sub-pattern must come from the same element.
 * - Match values: string / number / boolean / null exact values (numbers compare numerically, a string never equals
 *   a number), and filter objects: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr.
 *   `$or` (at any object level) takes an array of sub-patterns, any of which may match.
 * - Filters apply to leaf values only: an object-valued field has no value of its own (exists: false matches it).
 */

export class InvalidEventPattern extends Error {
  /** AWS's wording: `Event pattern is not valid. Reason: ...`. */
  readonly awsMessage: string;
  constructor(reason: string) {
    super(reason);
    this.awsMessage = `Event pattern is not valid. Reason: ${reason}`;
  }
}

type Scalar = string | number | boolean | null;

type Condition =
  | { kind: 'exact'; value: Scalar }
  | { kind: 'prefix'; text: string; ignoreCase: boolean }
  | { kind: 'suffix'; text: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; text: string }
  | { kind: 'wildcard'; re: RegExp }
  | { kind: 'anything-but'; not: Condition[] }
  | { kind: 'numeric'; lower?: { value: number; inclusive: boolean }; upper?: { value: number; inclusive: boolean } }
  | { kind: 'exists'; exists: boolean }
  | { kind: 'cidr'; cidr: Cidr };

type FieldRule = { kind: 'nested'; node: ObjectNode } | { kind: 'leaf'; conditions: Condition[] };

interface ObjectNode {
  fields: [string, FieldRule][];
  /** Each entry is one `$or`: at least one of its alternatives must match. */
  ors: ObjectNode[][];
}

export interface EventPattern {
  readonly source: string;
  matches(event: unknown): boolean;
}

/** Largest pattern the API accepts (PutRule / TestEventPattern model constraint). */
export const MAX_PATTERN_LENGTH = 4096;

export function parseEventPattern(text: string): EventPattern {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InvalidEventPattern(`Filter is not valid JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidEventPattern('Filter is not an object');
  const root = compileObject(doc as Record<string, unknown>);
  return { source: text, matches: (event) => matchObject(root, event) };
}

/** True when the text is a valid pattern and the event (a parsed JSON document) matches it. */
export function testEventPattern(pattern: string, event: unknown): boolean {
  return parseEventPattern(pattern).matches(event);
}

// ---------------------------------------------------------------------------------------------
// Compilation (validation)

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function compileObject(obj: Record<string, unknown>): ObjectNode {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new InvalidEventPattern('Empty objects are not allowed');
  const node: ObjectNode = { fields: [], ors: [] };
  for (const key of keys) {
    const value = obj[key];
    if (key === '$or') {
      if (!Array.isArray(value)) throw new InvalidEventPattern('Or relationship must be an array');
      if (value.length < 2) throw new InvalidEventPattern('There must have at least 2 Objects in $or Array.');
      node.ors.push(value.map((alt) => {
        if (!isObject(alt)) throw new InvalidEventPattern('Only JSON object is allowed in array of $or relationship');
        return compileObject(alt);
      }));
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPattern('Empty arrays are not allowed');
      node.fields.push([key, { kind: 'leaf', conditions: value.map((v) => compileMatch(v)) }]);
    } else if (isObject(value)) {
      node.fields.push([key, { kind: 'nested', node: compileObject(value) }]);
    } else {
      throw new InvalidEventPattern(`"${key}" must be an object or an array`);
    }
  }
  return node;
}

function compileMatch(v: unknown): Condition {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return { kind: 'exact', value: v };
  if (typeof v === 'number') return { kind: 'exact', value: v };
  if (Array.isArray(v)) throw new InvalidEventPattern('Match value must be String, number, true, false, or null');
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new InvalidEventPattern('Empty objects are not allowed');
  if (keys.length > 1) throw new InvalidEventPattern('Only one key allowed in match expression');
  const type = keys[0]!;
  const arg = obj[type];
  switch (type) {
    case 'prefix':
    case 'suffix': {
      if (typeof arg === 'string') return { kind: type, text: arg, ignoreCase: false };
      if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
        return { kind: type, text: (arg['equals-ignore-case'] as string).toLowerCase(), ignoreCase: true };
      }
      throw new InvalidEventPattern(`${type} match pattern must be a string`);
    }
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new InvalidEventPattern('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', text: arg.toLowerCase() };
    case 'wildcard':
      if (typeof arg !== 'string') throw new InvalidEventPattern('wildcard match pattern must be a string');
      return { kind: 'wildcard', re: wildcardRegExp(arg) };
    case 'exists':
      if (typeof arg !== 'boolean') throw new InvalidEventPattern('exists match pattern must be either true or false.');
      return { kind: 'exists', exists: arg };
    case 'numeric':
      return compileNumeric(arg);
    case 'cidr': {
      if (typeof arg !== 'string') throw new InvalidEventPattern('prefix match pattern must be a string');
      const cidr = parseCidr(arg);
      if (!cidr) throw new InvalidEventPattern(`Nonstandard IP address: ${arg}`);
      return { kind: 'cidr', cidr };
    }
    case 'anything-but':
      return { kind: 'anything-but', not: compileAnythingBut(arg) };
    default:
      throw new InvalidEventPattern(`Unrecognized match type ${type}`);
  }
}

function compileAnythingBut(arg: unknown): Condition[] {
  if (typeof arg === 'string' || typeof arg === 'number') return [{ kind: 'exact', value: arg }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new InvalidEventPattern('Empty arrays are not allowed');
    const allStrings = arg.every((x) => typeof x === 'string');
    const allNumbers = arg.every((x) => typeof x === 'number');
    if (!allStrings && !allNumbers) throw new InvalidEventPattern('Inside anything but list, start|null|boolean is not supported.');
    return arg.map((x) => ({ kind: 'exact', value: x as string | number }));
  }
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1) throw new InvalidEventPattern('Only one key allowed in match expression');
    const type = keys[0]!;
    const inner = arg[type];
    const texts = typeof inner === 'string' ? [inner] : Array.isArray(inner) && inner.length > 0 && inner.every((x) => typeof x === 'string') ? inner as string[] : undefined;
    switch (type) {
      case 'prefix':
      case 'suffix':
        if (typeof inner !== 'string') throw new InvalidEventPattern(`${type} match pattern must be a string`);
        return [{ kind: type, text: inner, ignoreCase: false }];
      case 'equals-ignore-case':
        if (!texts) throw new InvalidEventPattern('Inside anything-but/ignore-case list, number|start|null|boolean is not supported.');
        return texts.map((t) => ({ kind: 'equals-ignore-case', text: t.toLowerCase() }));
      case 'wildcard':
        if (!texts) throw new InvalidEventPattern('wildcard match pattern must be a string');
        return texts.map((t) => ({ kind: 'wildcard', re: wildcardRegExp(t) }));
      default:
        throw new InvalidEventPattern(`Unsupported anything-but pattern: ${type}`);
    }
  }
  throw new InvalidEventPattern('Value of anything-but must be an array or single string/number value.');
}

const LOWER_OPS = new Set(['>', '>=']);
const UPPER_OPS = new Set(['<', '<=']);

function compileNumeric(arg: unknown): Condition {
  if (!Array.isArray(arg) || arg.length === 0) throw new InvalidEventPattern('Value of numeric must be an array.');
  const out: Extract<Condition, { kind: 'numeric' }> = { kind: 'numeric' };
  let i = 0;
  let sawEquals = false;
  while (i < arg.length) {
    const op = arg[i];
    if (typeof op !== 'string' || !(op === '=' || LOWER_OPS.has(op) || UPPER_OPS.has(op))) {
      throw new InvalidEventPattern(`Unrecognized numeric range operator: ${JSON.stringify(op)}`);
    }
    const value = arg[i + 1];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidEventPattern(`Value of ${op} must be numeric`);
    i += 2;
    if (op === '=') {
      if (arg.length !== 2) throw new InvalidEventPattern('Equals must be alone in numeric match');
      sawEquals = true;
      out.lower = { value, inclusive: true };
      out.upper = { value, inclusive: true };
    } else if (LOWER_OPS.has(op)) {
      if (out.lower) throw new InvalidEventPattern('Two lower bounds specified in numeric range');
      out.lower = { value, inclusive: op === '>=' };
    } else {
      if (out.upper) throw new InvalidEventPattern('Two upper bounds specified in numeric range');
      out.upper = { value, inclusive: op === '<=' };
    }
  }
  if (!sawEquals && out.lower && out.upper && out.lower.value >= out.upper.value) {
    throw new InvalidEventPattern('Bottom must be less than top');
  }
  return out;
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function wildcardRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new InvalidEventPattern(`Invalid escape character at pos ${i}`);
      re += escapeRegExp(next);
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') throw new InvalidEventPattern(`Consecutive wildcard characters at pos ${i + 1}`);
      re += '.*';
    } else {
      re += escapeRegExp(c);
    }
  }
  return new RegExp(`^${re}$`, 's');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---------------------------------------------------------------------------------------------
// Matching

function matchObject(node: ObjectNode, value: unknown): boolean {
  const obj = isObject(value) ? value : undefined;
  for (const [key, rule] of node.fields) {
    const field = obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
    if (!matchField(rule, field)) return false;
  }
  for (const alternatives of node.ors) {
    if (!alternatives.some((alt) => matchObject(alt, value))) return false;
  }
  return true;
}

function matchField(rule: FieldRule, field: unknown): boolean {
  if (rule.kind === 'nested') {
    const objects = objectsOf(field);
    // No object below this key: its fields are all absent (exists: false can still match).
    if (objects.length === 0) return matchObject(rule.node, undefined);
    return objects.some((o) => matchObject(rule.node, o));
  }
  const values = leafValues(field);
  return rule.conditions.some((c) => matchCondition(c, values));
}

function objectsOf(field: unknown): Record<string, unknown>[] {
  if (isObject(field)) return [field];
  if (Array.isArray(field)) return field.flatMap((x) => objectsOf(x));
  return [];
}

/** The leaf values of a field: itself when scalar, the scalars among its array elements (recursively). */
function leafValues(field: unknown): Scalar[] {
  if (field === undefined) return [];
  if (Array.isArray(field)) return field.flatMap((x) => leafValues(x));
  if (isObject(field)) return [];
  return [field as Scalar];
}

function matchCondition(c: Condition, values: Scalar[]): boolean {
  switch (c.kind) {
    case 'exists':
      return c.exists === values.length > 0;
    case 'anything-but':
      return values.some((v) => !c.not.some((n) => matchValue(n, v)));
    default:
      return values.some((v) => matchValue(c, v));
  }
}

function matchValue(c: Condition, v: Scalar): boolean {
  switch (c.kind) {
    case 'exact':
      return c.value === v;
    case 'prefix':
      return typeof v === 'string' && (c.ignoreCase ? v.toLowerCase() : v).startsWith(c.text);
    case 'suffix':
      return typeof v === 'string' && (c.ignoreCase ? v.toLowerCase() : v).endsWith(c.text);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === c.text;
    case 'wildcard':
      return typeof v === 'string' && c.re.test(v);
    case 'numeric': {
      if (typeof v !== 'number') return false;
      if (c.lower && (c.lower.inclusive ? v < c.lower.value : v <= c.lower.value)) return false;
      if (c.upper && (c.upper.inclusive ? v > c.upper.value : v >= c.upper.value)) return false;
      return true;
    }
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const ip = parseIp(v);
      return ip !== undefined && ip.version === c.cidr.version && (ip.value & c.cidr.mask) === c.cidr.network;
    }
    case 'exists':
      return c.exists;
    case 'anything-but':
      return !c.not.some((n) => matchValue(n, v));
  }
}
