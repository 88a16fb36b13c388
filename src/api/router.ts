import { InvalidParameterValueException } from '../errors/index.js';
import type { Handler, Route } from './types.js';

interface CompiledRoute {
  route: Route;
  segments: (string | { param: string })[];
}

export interface Match {
  route: Route;
  handler: Handler;
  params: Record<string, string>;
  /** Set when a path parameter is not valid percent-encoding; raised only after authentication. */
  error?: InvalidParameterValueException;
}

function compile(route: Route): CompiledRoute {
  const segments = route.path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => (s.startsWith('{') && s.endsWith('}') ? { param: s.slice(1, -1) } : s));
  return { route, segments };
}

/**
 * Routes on (method, path template, literal query discriminator). Trailing slashes are ignored; path
 * parameters are matched raw and percent-decoded afterwards, so an encoded ARN never splits a segment.
 */
export class Router {
  private readonly byMethod = new Map<string, CompiledRoute[]>();
  private readonly byTarget = new Map<string, Route>();

  constructor(routes: Route[]) {
    for (const r of routes) {
      if (r.target !== undefined) {
        this.byTarget.set(r.target, r);
        continue;
      }
      const list = this.byMethod.get(r.method) ?? [];
      list.push(compile(r));
      this.byMethod.set(r.method, list);
    }
    // Literal-query routes first, so `GET /layers?find=LayerVersion` wins over `GET /layers`.
    for (const list of this.byMethod.values()) list.sort((a, b) => Number(!!b.route.query) - Number(!!a.route.query));
  }

  match(method: string, rawPath: string, query: URLSearchParams, target?: string): Match | undefined {
    if (target !== undefined && method === 'POST' && (rawPath === '/' || rawPath === '')) {
      const route = this.byTarget.get(target);
      return route ? { route, handler: route.handler, params: {} } : undefined;
    }
    const list = this.byMethod.get(method);
    if (!list) return undefined;
    const parts = rawPath.split('/').filter((s) => s !== '');
    for (const c of list) {
      if (c.segments.length !== parts.length) continue;
      if (c.route.query && !Object.entries(c.route.query).every(([k, v]) => query.get(k) === v)) continue;
      const params: Record<string, string> = {};
      let ok = true;
      let error: InvalidParameterValueException | undefined;
      for (let i = 0; i < parts.length; i++) {
        const seg = c.segments[i]!;
        const part = parts[i]!;
        if (typeof seg === 'string') {
          if (seg !== part) { ok = false; break; }
        } else {
          const decoded = decodeSegment(part);
          if (decoded === undefined) error ??= new InvalidParameterValueException(`Invalid percent-encoding in the request path: ${part}`);
          params[seg.param] = decoded ?? part;
        }
      }
      if (ok) return error ? { route: c.route, handler: c.route.handler, params, error } : { route: c.route, handler: c.route.handler, params };
    }
    return undefined;
  }
}

function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
