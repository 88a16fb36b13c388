import { isUtf8 } from 'node:buffer';

/**
 * The request event of a function URL: API Gateway HTTP API payload format 2.0, as Lambda builds it
 * (reference §8.6, checked against responses recorded from AWS).
 */

/** The caller identity of an AWS_IAM request (`requestContext.authorizer.iam`). */
export interface IamIdentity {
  accessKey: string;
  accountId: string;
  callerId: string;
  cognitoIdentity: null;
  principalOrgId: null;
  userArn: string;
  userId: string;
}

export interface UrlRequest {
  method: string;
  /** The path the function sees (path form: without `/lambda-url/<id>`), still percent-encoded. */
  rawPath: string;
  /** Without the leading `?`. */
  rawQuery: string;
  /** Node's rawHeaders: [name, value, ...]. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** `1.1` */
  httpVersion: string;
  urlId: string;
  /** `<url-id>.lambda-url.<region>.<domain>` */
  domainName: string;
  /** The function owner's account for AWS_IAM; `anonymous` for NONE (as observed on AWS). */
  accountId: string;
  requestId: string;
  timeEpochMs: number;
  /** The port the request came in on (x-forwarded-port). */
  port: number;
  traceId: string;
  iam?: IamIdentity;
}

/** Connection-level headers a proxy does not forward. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `12/Mar/2024:19:03:58 +0000` */
export function requestTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** Bodies of these content types reach the function as text; everything else (and no type) as base64. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type.startsWith('text/') || /json|xml|javascript/.test(type);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Query parameters decoded, repeated keys joined with `,`; undefined when there are none. */
export function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === '') return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    out[key] = Object.prototype.hasOwnProperty.call(out, key) ? `${out[key]},${value}` : value;
    any = true;
  }
  return any ? out : undefined;
}

export function buildUrlEvent(r: UrlRequest): Record<string, unknown> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const cookies: string[] = [];
  let contentType: string | undefined;
  let userAgent = '';
  for (let i = 0; i + 1 < r.rawHeaders.length; i += 2) {
    const name = r.rawHeaders[i]!.toLowerCase();
    const value = r.rawHeaders[i + 1]!;
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'cookie') {
      for (const c of value.split(';')) {
        const trimmed = c.trim();
        if (trimmed !== '') cookies.push(trimmed);
      }
      continue;
    }
    if (name === 'content-type') contentType ??= value;
    if (name === 'user-agent') userAgent ||= value;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // What Lambda's front end adds on its way to the function.
  headers['x-amzn-trace-id'] = r.traceId;
  headers['x-forwarded-for'] = headers['x-forwarded-for'] === undefined ? r.sourceIp : `${headers['x-forwarded-for']}, ${r.sourceIp}`;
  headers['x-forwarded-port'] = String(r.port);
  headers['x-forwarded-proto'] = 'http';

  const requestContext: Record<string, unknown> = {
    accountId: r.accountId,
    apiId: r.urlId,
  };
  if (r.iam) {
    requestContext.authentication = null;
    requestContext.authorizer = { iam: r.iam };
  }
  Object.assign(requestContext, {
    domainName: r.domainName,
    domainPrefix: r.urlId,
    http: { method: r.method, path: r.rawPath, protocol: `HTTP/${r.httpVersion}`, sourceIp: r.sourceIp, userAgent },
    requestId: r.requestId,
    routeKey: '$default',
    stage: '$default',
    time: requestTime(r.timeEpochMs),
    timeEpoch: r.timeEpochMs,
  });

  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.rawPath,
    rawQueryString: r.rawQuery,
  };
  if (cookies.length > 0) event.cookies = cookies;
  event.headers = { ...headers };
  const query = queryParameters(r.rawQuery);
  if (query) event.queryStringParameters = query;
  event.requestContext = requestContext;
  let base64 = false;
  if (r.body.length > 0) {
    base64 = !(isTextContentType(contentType) && isUtf8(r.body));
    event.body = base64 ? r.body.toString('base64') : r.body.toString('utf8');
  }
  event.pathParameters = null;
  event.isBase64Encoded = base64;
  event.stageVariables = null;
  return event;
}
