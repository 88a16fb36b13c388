import { timingSafeEqual } from 'node:crypto';
import type { ApiContext } from '../context.js';
import type { ApiRequest, ApiResponse, Route } from '../types.js';

/** What `GET /metrics` serves (src/observability/metrics/lambda-metrics.ts) and how it checks a caller's keys. */
export interface MetricsEndpoint {
  render(): Promise<string>;
  readonly contentType: string;
  /** The secret access key of an access key id (credentials mode). */
  secretFor(accessKeyId: string): { accountId: string; secretAccessKey: string } | undefined;
}

const text = (status: number, body: string, headers: Record<string, string> = {}): ApiResponse =>
  ({ status, body: Buffer.from(body), headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers } });

const isLoopback = (addr: string) => addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** HTTP Basic with an account's access key id and secret (Prometheus `basic_auth`) → that account. */
function basicAccount(req: ApiRequest, endpoint: MetricsEndpoint): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const found = endpoint.secretFor(decoded.slice(0, colon));
  return found && safeEqual(found.secretAccessKey, decoded.slice(colon + 1)) ? found.accountId : undefined;
}

/** Series of other accounts are left out for a caller authenticated as one account. */
function onlyAccount(exposition: string, account: string): string {
  const mark = /\baccount="(\d+)"/;
  return exposition.split('\n').filter((line) => {
    if (line.startsWith('#')) return true;
    const m = mark.exec(line);
    return !m || m[1] === account;
  }).join('\n');
}

/**
 * `GET /metrics` in Prometheus text format, guarded by configuration (`metrics`): off (404), loopback (only callers
 * on this host), or credentials (HTTP Basic with an account's keys; that account's function series plus the
 * platform's). Outside the SigV4-signed API: Prometheus does not sign its scrapes.
 */
export function metricsRoutes(ctx: ApiContext): Route[] {
  return [
    {
      method: 'GET', path: '/metrics', operation: 'GetMetrics', unauthenticated: true, maxBodyBytes: 0,
      handler: async (req) => {
        const mode = ctx.config.metrics;
        const endpoint = ctx.metrics;
        if (mode === 'off' || !endpoint) return text(404, 'metrics are disabled (configuration: metrics)\n');
        let account: string | undefined;
        if (mode === 'loopback') {
          if (!isLoopback(req.remoteAddress)) return text(403, 'metrics are served to loopback callers only\n');
        } else {
          account = basicAccount(req, endpoint);
          if (!account) return text(401, 'unauthorized\n', { 'WWW-Authenticate': 'Basic realm="sluice metrics"' });
        }
        const body = await endpoint.render();
        return { status: 200, body: Buffer.from(account ? onlyAccount(body, account) : body), headers: { 'Content-Type': endpoint.contentType } };
      },
    },
  ];
}
