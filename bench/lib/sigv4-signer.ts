import { createHash, createHmac } from 'node:crypto';

/**
 * A minimal AWS Signature Version 4 signer on node:crypto, for load generation: the SDK signers are
 * asynchronous and pure-JS hashed, which would make the client, not the server, the thing measured.
 * Lambda signs the already-encoded path encoded once more; bench paths are plain ASCII either way.
 */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service?: string;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

const encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class SigV4Signer {
  private keyDate = '';
  private key: Buffer = Buffer.alloc(0);
  private readonly service: string;

  constructor(private readonly creds: SigningCredentials) {
    this.service = creds.service ?? 'lambda';
  }

  /** Headers to add to a request (host must be exactly what the Host header will carry). */
  sign(method: string, host: string, path: string, query: [string, string][], body: Buffer | undefined, now = new Date()): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = amzDate.slice(0, 8);
    const payloadHash = body && body.length > 0 ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
    const canonicalQuery = query
      .map(([k, v]) => [encode(k), encode(v)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalUri = path.split('/').map(encode).join('/');
    const signedHeaders = 'host;x-amz-date';
    const canonicalRequest = `${method}\n${canonicalUri}\n${canonicalQuery}\nhost:${host}\nx-amz-date:${amzDate}\n\n${signedHeaders}\n${payloadHash}`;
    const scope = `${date}/${this.creds.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(date)).update(stringToSign).digest('hex');
    return {
      'X-Amz-Date': amzDate,
      Authorization: `AWS4-HMAC-SHA256 Credential=${this.creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
  }

  private signingKey(date: string): Buffer {
    if (date !== this.keyDate) {
      const kDate = createHmac('sha256', `AWS4${this.creds.secretAccessKey}`).update(date).digest();
      const kRegion = createHmac('sha256', kDate).update(this.creds.region).digest();
      const kService = createHmac('sha256', kRegion).update(this.service).digest();
      this.key = createHmac('sha256', kService).update('aws4_request').digest();
      this.keyDate = date;
    }
    return this.key;
  }
}
