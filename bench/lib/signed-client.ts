import { Agent, request } from 'node:http';
import { SigV4Signer, type SigningCredentials } from './sigv4-signer.js';

/**
 * A keep-alive HTTP client that signs every request with SigV4, as an SDK does. The same client drives
 * the system under test and the bare baseline server, so the difference between them is the server's cost.
 */
export interface BenchRequest {
  method: string;
  /** Already percent-encoded path. */
  path: string;
  query?: [string, string][];
  body?: Buffer;
  /** Extra (unsigned) request headers, e.g. X-Amz-Invocation-Type. */
  headers?: Record<string, string>;
}

export interface BenchResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class SignedClient {
  private readonly agent: Agent;
  private readonly signer: SigV4Signer;
  private readonly hostname: string;
  private readonly port: number;
  private readonly host: string;

  constructor(baseUrl: string, creds: SigningCredentials, maxSockets = 64) {
    const u = new URL(baseUrl);
    this.hostname = u.hostname;
    this.port = Number(u.port);
    this.host = u.host;
    this.signer = new SigV4Signer(creds);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  send(req: BenchRequest): Promise<BenchResponse> {
    const query = req.query ?? [];
    const qs = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
    const headers: Record<string, string | number> = {
      Host: this.host,
      ...this.signer.sign(req.method, this.host, req.path, query, req.body),
      ...req.headers,
    };
    if (req.body) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = req.body.length;
    }
    return new Promise((resolve, reject) => {
      const r = request(
        { agent: this.agent, hostname: this.hostname, port: this.port, method: req.method, path: qs ? `${req.path}?${qs}` : req.path, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });
  }

  /** Sends and insists on a 2xx, so a benchmark never silently measures error responses. */
  async ok(req: BenchRequest): Promise<BenchResponse> {
    const res = await this.send(req);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${req.method} ${req.path} → ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}
