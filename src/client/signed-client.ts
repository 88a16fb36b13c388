import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface SignedClientOptions {
  /** `http://127.0.0.1:9070` */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** SigV4 service name; Sluice's own routes verify as `lambda`. */
  service?: string;
}

export interface SignedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class SluiceApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`${code}: ${message}`);
  }
}

/** A minimal SigV4-signing HTTP client for Sluice's API (used by the CLI; no SDK needed for our own routes). */
export class SignedClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(private readonly options: SignedClientOptions) {
    this.base = new URL(options.endpoint);
    this.signer = new SignatureV4({
      service: options.service ?? 'lambda',
      region: options.region,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      sha256: Sha256,
    });
  }

  async send(method: string, path: string, query: Record<string, string> = {}, body?: Buffer, extraHeaders: Record<string, string> = {}): Promise<SignedResponse> {
    const signed = await this.signer.sign({
      method,
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port ? Number(this.base.port) : undefined,
      path,
      query,
      headers: { ...extraHeaders, host: this.base.host, ...(body ? { 'content-length': String(body.length) } : {}) },
      body,
    });
    const qs = new URLSearchParams(query).toString();
    const send = this.base.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send({
        method, hostname: this.base.hostname, port: this.base.port, path: qs ? `${path}?${qs}` : path,
        headers: signed.headers as Record<string, string>,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends (a JSON body, when given) and parses a JSON answer; AWS-style errors become SluiceApiError. */
  async json<T>(method: string, path: string, query: Record<string, string> = {}, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await this.send(method, path, query, payload, payload ? { 'content-type': 'application/json' } : {});
    throwIfError(res);
    const text = res.body.toString('utf8');
    return (text ? JSON.parse(text) : {}) as T;
  }
}

/** An AWS-style error answer (status >= 400) as a SluiceApiError: its x-amzn-ErrorType and message. */
export function throwIfError(res: SignedResponse): void {
  if (res.status < 400) return;
  const text = res.body.toString('utf8');
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  const code = String(res.headers['x-amzn-errortype'] ?? parsed.__type ?? res.status).split(':')[0]!.split('#').pop()!;
  throw new SluiceApiError(res.status, code, String(parsed.message ?? parsed.Message ?? (text || `HTTP ${res.status}`)));
}
