/**
 * CloudWatch Logs filter patterns (FilterLogEvents, `aws logs tail --filter-pattern`): a parser that turns a
 * pattern into a matcher over one event's message. Three forms, as AWS has them:
 *  - terms: `ERROR Exception` (all), `?ERROR ?WARN` (any), `"exact phrase"`, `-excluded`, `%regex%`;
 *    case-sensitive substring matches on the raw message;
 *  - JSON: `{ $.level = "ERROR" && ($.latency > 100 || $.user.id NOT EXISTS) }` on messages that are JSON objects;
 *  - space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]` on whitespace-separated fields.
 * An empty pattern (or `""`) matches every event.
 */
export type Matcher = (message: string) => boolean;

export class FilterPatternError extends Error {}

export function parseFilterPattern(pattern: string): Matcher {
  const p = pattern.trim();
  if (p === '' || p === '""') return () => true;
  if (p.startsWith('{')) return jsonPattern(p);
  if (p.startsWith('[')) return delimitedPattern(p);
  return termsPattern(p);
}

// ---------------------------------------------------------------- terms

interface Term {
  kind: 'all' | 'any' | 'not';
  test: (message: string) => boolean;
}

function termsPattern(p: string): Matcher {
  const terms: Term[] = [];
  let i = 0;
  while (i < p.length) {
    if (/\s/.test(p[i]!)) { i++; continue; }
    let kind: Term['kind'] = 'all';
    if (p[i] === '?') { kind = 'any'; i++; } else if (p[i] === '-' && i + 1 < p.length && !/\s/.test(p[i + 1]!)) { kind = 'not'; i++; }
    let test: (m: string) => boolean;
    if (p[i] === '"') {
      const { value, end } = quoted(p, i);
      i = end;
      test = (m) => m.includes(value);
    } else if (p[i] === '%') {
      const end = p.indexOf('%', i + 1);
      if (end < 0) throw new FilterPatternError(`Invalid filter pattern: unterminated regular expression in ${p}`);
      const re = regex(p.slice(i + 1, end));
      i = end + 1;
      test = (m) => re.test(m);
    } else {
      let end = i;
      while (end < p.length && !/\s/.test(p[end]!)) end++;
      const value = p.slice(i, end);
      if (value === '') throw new FilterPatternError(`Invalid filter pattern: ${p}`);
      i = end;
      test = (m) => m.includes(value);
    }
    terms.push({ kind, test });
  }
  const all = terms.filter((t) => t.kind === 'all');
  const any = terms.filter((t) => t.kind === 'any');
  const not = terms.filter((t) => t.kind === 'not');
  return (m) => all.every((t) => t.test(m)) && (any.length === 0 || any.some((t) => t.test(m))) && !not.some((t) => t.test(m));
}

/** A double-quoted string starting at p[start]; `\"` and `\\` are escapes. */
function quoted(p: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) { value += p[++i]; continue; }
    if (c === '"') return { value, end: i + 1 };
    value += c;
  }
  throw new FilterPatternError(`Invalid filter pattern: unterminated quote in ${p}`);
}

function regex(source: string): RegExp {
  // AWS's regex subset has no groups; everything it accepts is valid JavaScript.
  if (/[()]/.test(source)) throw new FilterPatternError(`Invalid filter pattern: parentheses are not supported in regular expressions: %${source}%`);
  try {
    return new RegExp(source);
  } catch (err) {
    throw new FilterPatternError(`Invalid filter pattern: ${(err as Error).message}`);
  }
}

/** `*` matches any run of characters; everything else literally. */
function glob(value: string): (s: string) => boolean {
  if (!value.includes('*')) return (s) => s === value;
  const re = new RegExp(`^${value.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return (s) => re.test(s);
}

// ---------------------------------------------------------------- JSON

type Literal = { kind: 'string'; value: string } | { kind: 'number'; value: number };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'cmp'; path: (string | number)[]; op: string; literal: Literal }
  | { kind: 'is'; path: (string | number)[]; what: 'TRUE' | 'FALSE' | 'NULL' | 'NOT EXISTS' | 'EXISTS' };

class Lexer {
  i = 0;
  constructor(readonly s: string) {}
  skip(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  peek(token: string): boolean {
    this.skip();
    return this.s.startsWith(token, this.i);
  }
  eat(token: string): boolean {
    if (!this.peek(token)) return false;
    this.i += token.length;
    return true;
  }
  expect(token: string): void {
    if (!this.eat(token)) throw this.error(`expected '${token}'`);
  }
  word(): string {
    this.skip();
    const m = /^[A-Za-z]+/.exec(this.s.slice(this.i));
    return m ? m[0] : '';
  }
  error(what: string): FilterPatternError {
    return new FilterPatternError(`Invalid filter pattern: ${what} at position ${this.i} of ${this.s}`);
  }
}

function jsonPattern(p: string): Matcher {
  const lx = new Lexer(p);
  lx.expect('{');
  const tree = orExpr(lx);
  lx.expect('}');
  lx.skip();
  if (lx.i !== p.length) throw lx.error('unexpected text after the closing brace');
  return (m) => {
    const t = m.trimStart();
    if (!t.startsWith('{')) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(m);
    } catch {
      return false;
    }
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && evaluate(tree, doc);
  };
}

function orExpr(lx: Lexer): Node {
  let left = andExpr(lx);
  while (lx.eat('||')) left = { kind: 'or', left, right: andExpr(lx) };
  return left;
}

function andExpr(lx: Lexer): Node {
  let left = unary(lx);
  while (lx.eat('&&')) left = { kind: 'and', left, right: unary(lx) };
  return left;
}

function unary(lx: Lexer): Node {
  if (lx.eat('(')) {
    const inner = orExpr(lx);
    lx.expect(')');
    return inner;
  }
  const path = selector(lx);
  const w = lx.word().toUpperCase();
  if (w === 'IS') {
    lx.i += 2;
    const what = lx.word().toUpperCase();
    if (what !== 'TRUE' && what !== 'FALSE' && what !== 'NULL') throw lx.error('expected TRUE, FALSE or NULL after IS');
    lx.i += what.length;
    return { kind: 'is', path, what };
  }
  if (w === 'NOT') {
    lx.i += 3;
    if (lx.word().toUpperCase() !== 'EXISTS') throw lx.error('expected EXISTS after NOT');
    lx.i += 6;
    return { kind: 'is', path, what: 'NOT EXISTS' };
  }
  if (w === 'EXISTS') {
    lx.i += 6;
    return { kind: 'is', path, what: 'EXISTS' };
  }
  const op = ['!=', '<=', '>=', '=', '<', '>'].find((o) => lx.eat(o));
  if (!op) throw lx.error('expected a comparison operator');
  const literal = literalValue(lx);
  if (op !== '=' && op !== '!=' && literal.kind !== 'number') throw lx.error(`'${op}' needs a number`);
  return { kind: 'cmp', path, op, literal };
}

/** `$.a.b[0].c` → ['a', 'b', 0, 'c']. */
function selector(lx: Lexer): (string | number)[] {
  lx.skip();
  if (lx.s[lx.i] !== '$') throw lx.error("expected a selector starting with '$'");
  lx.i++;
  const path: (string | number)[] = [];
  for (;;) {
    const rest = lx.s.slice(lx.i);
    let m = /^\.([A-Za-z0-9_\-@:$]+)/.exec(rest);
    if (m) { path.push(m[1]!); lx.i += m[0].length; continue; }
    m = /^\[(\d+)\]/.exec(rest);
    if (m) { path.push(Number(m[1])); lx.i += m[0].length; continue; }
    break;
  }
  if (path.length === 0) throw lx.error('expected a property after $');
  return path;
}

function literalValue(lx: Lexer): Literal {
  lx.skip();
  if (lx.s[lx.i] === '"') {
    const { value, end } = quoted(lx.s, lx.i);
    lx.i = end;
    return { kind: 'string', value };
  }
  const m = /^[^\s()&|}]+/.exec(lx.s.slice(lx.i));
  if (!m) throw lx.error('expected a value');
  lx.i += m[0].length;
  const n = Number(m[0]);
  return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(m[0]) && Number.isFinite(n) ? { kind: 'number', value: n } : { kind: 'string', value: m[0] };
}

const MISSING = Symbol('missing');

function lookup(doc: unknown, path: (string | number)[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(cur) || key >= cur.length) return MISSING;
      cur = cur[key];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, key)) return MISSING;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur;
}

function evaluate(node: Node, doc: unknown): boolean {
  switch (node.kind) {
    case 'and': return evaluate(node.left, doc) && evaluate(node.right, doc);
    case 'or': return evaluate(node.left, doc) || evaluate(node.right, doc);
    case 'is': {
      const v = lookup(doc, node.path);
      if (node.what === 'NOT EXISTS') return v === MISSING;
      if (node.what === 'EXISTS') return v !== MISSING;
      if (node.what === 'NULL') return v === null;
      return v === (node.what === 'TRUE');
    }
    case 'cmp': return compare(lookup(doc, node.path), node.op, node.literal);
  }
}

function compare(v: unknown, op: string, literal: Literal): boolean {
  if (v === MISSING) return false;
  if (literal.kind === 'number') {
    if (typeof v !== 'number') return false;
    return numeric(v, op, literal.value);
  }
  if (typeof v !== 'string') return false;
  const same = glob(literal.value)(v);
  return op === '=' ? same : !same;
}

function numeric(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '>': return a > b;
    case '<=': return a <= b;
    default: return a >= b;
  }
}

// ---------------------------------------------------------------- space-delimited

type Field = { kind: 'any' } | { kind: 'ellipsis' } | { kind: 'cmp'; op: string; literal: Literal };

function delimitedPattern(p: string): Matcher {
  if (!p.endsWith(']')) throw new FilterPatternError(`Invalid filter pattern: missing ']' in ${p}`);
  const fields: Field[] = [];
  for (const raw of splitFields(p.slice(1, -1))) {
    const f = raw.trim();
    if (f === '...') { fields.push({ kind: 'ellipsis' }); continue; }
    const m = /^([A-Za-z0-9_\-]*)\s*(!=|<=|>=|=|<|>)\s*(.+)$/.exec(f);
    if (!m) {
      if (!/^[A-Za-z0-9_\-]+$/.test(f)) throw new FilterPatternError(`Invalid filter pattern: bad field '${f}' in ${p}`);
      fields.push({ kind: 'any' });
      continue;
    }
    const lx = new Lexer(m[3]!);
    const literal = literalValue(lx);
    if (m[2] !== '=' && m[2] !== '!=' && literal.kind !== 'number') throw new FilterPatternError(`Invalid filter pattern: '${m[2]}' needs a number in ${p}`);
    fields.push({ kind: 'cmp', op: m[2]!, literal });
  }
  return (message) => matchFields(fields, 0, tokenize(message), 0);
}

function splitFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' && s[i - 1] !== '\\') inQuote = !inQuote;
    if (c === ',' && !inQuote) { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

/** Whitespace-separated fields; `"..."` and `[...]` are one field each (without their delimiters). */
function tokenize(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < message.length) {
    const c = message[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const close = c === '"' ? '"' : c === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end > 0) { out.push(message.slice(i + 1, end)); i = end + 1; continue; }
    }
    let end = i;
    while (end < message.length && !/\s/.test(message[end]!)) end++;
    out.push(message.slice(i, end));
    i = end;
  }
  return out;
}

function matchFields(fields: Field[], fi: number, tokens: string[], ti: number): boolean {
  if (fi === fields.length) return ti === tokens.length;
  const f = fields[fi]!;
  if (f.kind === 'ellipsis') {
    for (let k = ti; k <= tokens.length; k++) if (matchFields(fields, fi + 1, tokens, k)) return true;
    return false;
  }
  if (ti >= tokens.length) return false;
  const token = tokens[ti]!;
  if (f.kind === 'cmp') {
    if (f.literal.kind === 'number') {
      const n = Number(token);
      if (token === '' || !Number.isFinite(n) || !numeric(n, f.op, f.literal.value)) return false;
    } else {
      const same = glob(f.literal.value)(token);
      if (f.op === '=' ? !same : same) return false;
    }
  }
  return matchFields(fields, fi + 1, tokens, ti + 1);
}
