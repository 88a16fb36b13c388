import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../services/function-url.js';

/**
 * A function URL's `Cors` settings applied as Lambda does: it answers preflight requests itself (the function is
 * not invoked) and puts the Access-Control-* headers on responses, in place of any the function returned.
 */

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && first(headers.origin) !== undefined && first(headers['access-control-request-method']) !== undefined;
}

function originAllowed(cors: CorsConfig, origin: string): boolean {
  const o = origin.toLowerCase();
  return (cors.AllowOrigins ?? []).some((a) => a === '*' || a.toLowerCase() === o);
}

function allowOrigin(cors: CorsConfig, origin: string): string {
  return (cors.AllowOrigins ?? []).includes('*') && !cors.AllowCredentials ? '*' : origin;
}

/** The answer to a preflight request: 200, with the CORS headers when the origin and method are allowed. */
export function preflightHeaders(cors: CorsConfig, headers: IncomingHttpHeaders): Record<string, string> {
  const origin = first(headers.origin)!;
  const method = first(headers['access-control-request-method'])!.toUpperCase();
  const out: Record<string, string> = { Vary: 'Origin' };
  const methods = cors.AllowMethods ?? [];
  const methodOk = methods.length === 0 || methods.some((m) => m === '*' || m.toUpperCase() === method);
  if (!originAllowed(cors, origin) || !methodOk) return out;
  out['Access-Control-Allow-Origin'] = allowOrigin(cors, origin);
  if (methods.length > 0) out['Access-Control-Allow-Methods'] = methods.join(',');
  if (cors.AllowHeaders && cors.AllowHeaders.length > 0) out['Access-Control-Allow-Headers'] = cors.AllowHeaders.join(',');
  if (cors.AllowCredentials) out['Access-Control-Allow-Credentials'] = 'true';
  if (cors.MaxAge !== undefined && cors.MaxAge > 0) out['Access-Control-Max-Age'] = String(cors.MaxAge);
  return out;
}

/** CORS headers for an actual (non-preflight) response. */
export function corsResponseHeaders(cors: CorsConfig, headers: IncomingHttpHeaders): Array<[string, string]> {
  const origin = first(headers.origin);
  if (origin === undefined || !originAllowed(cors, origin)) return [];
  const out: Array<[string, string]> = [['Access-Control-Allow-Origin', allowOrigin(cors, origin)], ['Vary', 'Origin']];
  if (cors.ExposeHeaders && cors.ExposeHeaders.length > 0) out.push(['Access-Control-Expose-Headers', cors.ExposeHeaders.join(',')]);
  if (cors.AllowCredentials) out.push(['Access-Control-Allow-Credentials', 'true']);
  return out;
}

/** With Cors configured, the function's own Access-Control-* headers give way to the configured ones. */
export function withoutCorsHeaders(headers: Array<[string, string]>): Array<[string, string]> {
  return headers.filter(([n]) => !n.toLowerCase().startsWith('access-control-'));
}
