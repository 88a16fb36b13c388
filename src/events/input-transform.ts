/**
 * What a rule target receives: the matched event, or the target's `Input` (constant JSON), `InputPath` (part of
 * the event) or `InputTransformer` (values picked by JSONPath into a template), as EventBridge's user guide
 * ("Transforming target input") describes.
 */

export class JsonPathError extends Error {}

type Segment = string | number;

/** The JSONPath subset EventBridge accepts: `$`, `$.a.b`, `$.a[0]`, `$['a b']`. */
export function parseJsonPath(path: string): Segment[] {
  if (!path.startsWith('$')) throw new JsonPathError(path);
  const out: Segment[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) throw new JsonPathError(path);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = path.slice(i);
      let m: RegExpExecArray | null;
      if ((m = /^\[(\d+)\]/.exec(rest))) out.push(Number(m[1]));
      else if ((m = /^\['([^']*)'\]/.exec(rest)) || (m = /^\["([^"]*)"\]/.exec(rest))) out.push(m[1]!);
      else throw new JsonPathError(path);
      i += m[0].length;
    } else {
      throw new JsonPathError(path);
    }
  }
  return out;
}

export function selectPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of parseJsonPath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  /** When EventBridge received the event (epoch ms). */
  ingestionTime: number;
}

/** Placeholders EventBridge defines itself; InputPathsMap may not use their names. */
export const RESERVED_VARIABLES = ['aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event.ingestion-time', 'aws.events.event', 'aws.events.event.json'];

export function transformInput(
  template: string, pathsMap: Record<string, string>, event: Record<string, unknown>, ctx: TransformContext,
): string {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(pathsMap)) vars.set(name, selectPath(event, path));
  vars.set('aws.events.rule-arn', ctx.ruleArn);
  vars.set('aws.events.rule-name', ctx.ruleName);
  vars.set('aws.events.event.ingestion-time', new Date(ctx.ingestionTime).toISOString());
  const { detail: _detail, ...withoutDetail } = event;
  vars.set('aws.events.event', withoutDetail);
  vars.set('aws.events.event.json', event);
  return template.replace(/<([A-Za-z0-9_.\-]+)>/g, (whole, name: string, offset: number) => {
    if (!vars.has(name)) return whole;
    const value = vars.get(name);
    // `"<name>"`: the value goes inside the template's quotes, escaped as JSON string content.
    const quoted = template[offset - 1] === '"' && template[offset + whole.length] === '"';
    if (quoted) {
      if (value === undefined) return '';
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return JSON.stringify(text).slice(1, -1);
    }
    if (value === undefined) return 'null';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

export interface TargetInput {
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

/** The bytes a target is invoked with. */
export function targetPayload(target: TargetInput, event: Record<string, unknown>, ctx: TransformContext): Buffer {
  if (target.Input !== undefined) return Buffer.from(target.Input);
  if (target.InputPath !== undefined) {
    const v = selectPath(event, target.InputPath);
    return Buffer.from(JSON.stringify(v === undefined ? null : v));
  }
  if (target.InputTransformer !== undefined) {
    const t = target.InputTransformer;
    return Buffer.from(transformInput(t.InputTemplate, t.InputPathsMap ?? {}, event, ctx));
  }
  return Buffer.from(JSON.stringify(event));
}
