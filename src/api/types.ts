import type { IncomingHttpHeaders } from 'node:http';
import type { Scope } from '../domain/scope.js';
import type { Caller } from './auth/sigv4.js';

export interface ApiRequest {
  readonly requestId: string;
  readonly operation: string;
  readonly method: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly caller: Caller;
  /** The caller's account and the region from its signature scope. */
  readonly scope: Scope;
  /** `http://host:port` as the client addressed us (for URLs we hand out). */
  readonly baseUrl: string;
  /** The peer's address (loopback checks). */
  readonly remoteAddress: string;
  /** When the request arrived (performance.timeOrigin-based epoch ms; the start of its trace span). */
  readonly receivedAt: number;
  /** The JSON body as an object ({} when empty). */
  json(): Record<string, unknown>;
}

export interface ApiResponse {
  status: number;
  /** A JSON value, raw bytes, or a Readable streamed as it is produced. Omitted for empty bodies (204). */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  /** Literal query parameters that select this route (`find=LayerVersion`, `List=ALL`). */
  query?: Record<string, string>;
  operation: string;
  /** Largest request body this operation takes; default 6 MiB. */
  maxBodyBytes?: number;
  /** Serve without SigV4 (signed download URLs carry their own signature). */
  unauthenticated?: boolean;
  /** JSON 1.1 services (EventBridge, CloudWatch Logs): matched on `POST /` with this `X-Amz-Target`. */
  target?: string;
  /** The SigV4 service name this operation is signed for; default `lambda`. */
  service?: string;
  /** Wire protocol for errors: REST-JSON (Lambda) or JSON 1.1 (`__type` in the body). Default from `target`. */
  protocol?: 'rest-json' | 'json-1.1';
  handler: Handler;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): ApiResponse =>
  headers ? { status, body, headers } : { status, body };
export const empty = (status = 204): ApiResponse => ({ status });
