import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { uriEncode } from '../../src/api/auth/sigv4.js';

/**
 * Signs requests the way the clients do, for tests that need raw HTTP: the JS SDK's signer
 * (@smithy/signature-v4) and botocore's (SigV4Auth, what the AWS CLI and boto3 use).
 */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestSpec {
  method: string;
  /** `host:port`, as the Host header will carry it. */
  host: string;
  /** Already percent-encoded, as sent on the wire. */
  path: string;
  /** Decoded query; arrays repeat the key. Sent in the order given. */
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface SignOptions {
  region?: string;
  service?: string;
  date?: Date;
  /** The JS SDK sends x-amz-content-sha256; false signs without it, as botocore does. */
  contentSha256?: boolean;
  /** false signs the path encoded only once (what S3 does and Lambda must not accept). */
  doubleEncodePath?: boolean;
}

export interface SignedSpec {
  method: string;
  path: string;
  rawQuery: string;
  /** Every header to send, Host included. */
  headers: Record<string, string>;
  body: Buffer;
}

/** The query string exactly as an SDK puts it on the wire. */
export function wireQuery(query: Record<string, string | string[]> = {}): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${uriEncode(k)}=${uriEncode(one)}`);
  }
  return parts.join('&');
}

export async function smithySign(spec: RequestSpec, creds: Credentials, opts: SignOptions = {}): Promise<SignedSpec> {
  const signer = new SignatureV4({
    credentials: creds,
    region: opts.region ?? 'us-east-1',
    service: opts.service ?? 'lambda',
    sha256: Sha256,
    applyChecksum: opts.contentSha256 ?? true,
    uriEscapePath: opts.doubleEncodePath ?? true,
  });
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
  const [hostname, port] = spec.host.split(':');
  const toSign: Parameters<SignatureV4['sign']>[0] = {
    method: spec.method,
    protocol: 'http:',
    hostname: hostname!,
    port: port ? Number(port) : undefined,
    path: spec.path,
    query: spec.query ?? {},
    headers: { host: spec.host, ...(spec.headers ?? {}) },
    body: body.length > 0 ? body : undefined,
  } as Parameters<SignatureV4['sign']>[0];
  const signed = (await signer.sign(toSign, { signingDate: opts.date ?? new Date() })) as unknown as { headers: Record<string, string> };
  return { method: spec.method, path: spec.path, rawQuery: wireQuery(spec.query), headers: { ...signed.headers }, body };
}

const BOTOCORE_SIGNER = `
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
spec = json.load(sys.stdin)
body = spec['body'].encode('utf-8') if spec['body'] else None
req = AWSRequest(method=spec['method'], url=spec['url'], data=body, headers=spec['headers'])
SigV4Auth(Credentials(spec['key'], spec['secret']), spec['service'], spec['region']).add_auth(req)
prepared = req.prepare()
print(json.dumps({'url': prepared.url, 'headers': dict(prepared.headers.items())}))
`;

/** Signs with botocore itself (python3-botocore), as the AWS CLI and boto3 would; Host is added as urllib3 sends it. */
export function botocoreSign(spec: RequestSpec, creds: Credentials, opts: SignOptions = {}): SignedSpec {
  const rawQuery = wireQuery(spec.query);
  const url = `http://${spec.host}${spec.path}${rawQuery ? `?${rawQuery}` : ''}`;
  const body = spec.body === undefined ? '' : spec.body.toString();
  const out = execFileSync('python3', ['-c', BOTOCORE_SIGNER], {
    input: JSON.stringify({
      method: spec.method, url, body, headers: spec.headers ?? {}, key: creds.accessKeyId, secret: creds.secretAccessKey,
      region: opts.region ?? 'us-east-1', service: opts.service ?? 'lambda',
    }),
  });
  const { url: sentUrl, headers } = JSON.parse(out.toString()) as { url: string; headers: Record<string, string> };
  const parsed = new URL(sentUrl);
  return {
    method: spec.method,
    path: sentUrl.slice(`http://${spec.host}`.length).split('?')[0]!,
    rawQuery: parsed.search.slice(1),
    headers: { Host: spec.host, ...headers },
    body: Buffer.from(body),
  };
}

/** Node's rawHeaders shape: [name, value, name, value, ...]. */
export function rawHeaders(headers: Record<string, string>): string[] {
  return Object.entries(headers).flat();
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

/** Sends exactly these bytes (no client-side normalisation of the path), for robustness tests. */
export function send(
  baseUrl: string,
  req: { method: string; path: string; rawQuery?: string; headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean },
): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
    if (body && !req.chunked && !hasLength) headers['Content-Length'] = String(body.length);
    const r = httpRequest(
      { host: u.hostname, port: u.port, method: req.method, path: `${req.path}${req.rawQuery ? `?${req.rawQuery}` : ''}`, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (body && req.chunked) {
      // Several writes without a length: the server only learns the size as the bytes arrive.
      const step = 1024 * 1024;
      for (let i = 0; i < body.length; i += step) r.write(body.subarray(i, i + step));
      r.end();
    } else {
      r.end(body);
    }
  });
}
