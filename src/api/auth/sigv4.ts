import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from '../../errors/index.js';

/** What the verifier needs of a request; the path and query are exactly as received (still percent-encoded). */
export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Node's rawHeaders: [name, value, name, value, ...]. */
  rawHeaders: string[];
  body: Buffer;
}

export interface Caller {
  accessKeyId: string;
  accountId: string;
  region: string;
  service: string;
}

export interface SecretLookup {
  (accessKeyId: string): { secretAccessKey: string; accountId: string } | undefined;
}

const MAX_SKEW_MS = 5 * 60 * 1000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const AUTH_RE = /^AWS4-HMAC-SHA256\s+(.*)$/;
const REGION_RE = /^[a-z0-9-]{1,64}$/;

/** RFC 3986 encoding as SigV4 defines it: everything but unreserved characters, upper-case hex. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/**
 * Lambda (not S3) signs the already-encoded path encoded once more, segment by segment, after dropping empty
 * and dot segments as botocore and the JS SDK both do before signing.
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const s of rawPath.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  if (segments.length === 0) return '/';
  return `/${segments.map(uriEncode).join('/')}${rawPath.endsWith('/') ? '/' : ''}`;
}

export function canonicalQuery(rawQuery: string, skip?: string): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = uriEncode(safeDecode(eq < 0 ? part : part.slice(0, eq)));
    const value = uriEncode(safeDecode(eq < 0 ? '' : part.slice(eq + 1)));
    if (name === skip) continue;
    pairs.push([name, value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function headerMap(rawHeaders: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim().replace(/\s+/g, ' ');
    const list = map.get(name);
    if (list) list.push(value);
    else map.set(name, [value]);
  }
  return map;
}

const keyCache = new Map<string, Buffer>();

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  let key = keyCache.get(id);
  if (!key) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
    const kRegion = createHmac('sha256', kDate).update(region).digest();
    const kService = createHmac('sha256', kRegion).update(service).digest();
    key = createHmac('sha256', kService).update('aws4_request').digest();
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

function amzDateToMs(d: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function msToAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Verifies an AWS Signature Version 4 `Authorization` header. Returns the caller, or throws the AWS error
 * the real front door would: 403 MissingAuthenticationToken / UnrecognizedClient / InvalidSignature.
 */
export function verifySigV4(req: SignedRequest, lookup: SecretLookup, services: readonly string[], nowMs: number): Caller {
  const headers = headerMap(req.rawHeaders);
  const auth = headers.get('authorization')?.[0];
  if (!auth) throw new MissingAuthenticationTokenException();
  const m = AUTH_RE.exec(auth);
  if (!m) throw new IncompleteSignatureException(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${auth.split(' ')[0] ?? ''}`);
  const fields = new Map<string, string>();
  for (const part of m[1]!.split(/,\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    const missing = [!credential && 'Credential', !signedHeaders && 'SignedHeaders', !signature && 'Signature'].filter(Boolean);
    throw new IncompleteSignatureException(`Authorization header requires '${missing.join("', '")}' parameter(s). Authorization=AWS4-HMAC-SHA256`);
  }
  const scopeParts = credential.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request') {
    throw new IncompleteSignatureException(`Credential should be scoped to a valid region. `);
  }
  const [accessKeyId, date, region, service] = scopeParts as [string, string, string, string];
  // The region becomes part of every ARN and storage scope, so it must look like one.
  if (!REGION_RE.test(region)) throw new InvalidSignatureException('Credential should be scoped to a valid region. ');
  const secret = lookup(accessKeyId);
  if (!secret) throw new UnrecognizedClientException();
  if (!services.includes(service)) {
    throw new InvalidSignatureException(`Credential should be scoped to correct service: '${services[0]}'. `);
  }

  const amzDate = headers.get('x-amz-date')?.[0];
  if (!amzDate) throw new IncompleteSignatureException(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
  const signedAt = amzDateToMs(amzDate);
  if (Number.isNaN(signedAt)) throw new IncompleteSignatureException(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
  if (signedAt < nowMs - MAX_SKEW_MS) {
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate} is now earlier than ${msToAmzDate(nowMs - MAX_SKEW_MS)} (${msToAmzDate(nowMs)} - 5 min.)`,
    );
  }
  if (signedAt > nowMs + MAX_SKEW_MS) {
    throw new InvalidSignatureException(
      `Signature not yet current: ${amzDate} is still later than ${msToAmzDate(nowMs + MAX_SKEW_MS)} (${msToAmzDate(nowMs)} + 5 min.)`,
    );
  }
  if (!amzDate.startsWith(date)) {
    throw new InvalidSignatureException(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }

  const names = signedHeaders.split(';');
  if (!names.includes('host')) throw new InvalidSignatureException(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  const canonicalHeaders = names.map((n) => `${n}:${(headers.get(n) ?? []).join(',')}\n`).join('');
  const bodyHash = req.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(req.body).digest('hex');
  const declared = headers.get('x-amz-content-sha256')?.[0];
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== bodyHash) {
    throw new InvalidSignatureException('The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const payloadHash = declared ?? bodyHash;
  const canonicalRequest = [
    req.method,
    canonicalUri(req.rawPath),
    canonicalQuery(req.rawQuery),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', signingKey(secret.secretAccessKey, date, region, service)).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidSignatureException(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { accessKeyId, accountId: secret.accountId, region, service };
}
