import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import {
  AwsError,
  InvalidRequestContentException,
  RequestEntityTooLargeException,
  UnknownOperationException,
} from '../errors/index.js';
import type { Clock } from '../domain/scope.js';
import { AccessDeniedForeign } from '../domain/arn.js';
import type { Logger } from '../observability/index.js';
import { verifySigV4, type SecretLookup } from './auth/sigv4.js';
import { Router } from './router.js';
import type { ApiRequest, ApiResponse, Route } from './types.js';
import { asAwsError, sendError } from './wire/error-response.js';

export interface ApiServerOptions {
  routes: Route[];
  lookupSecret: SecretLookup;
  clock: Clock;
  logger: Logger;
  /** SigV4 service names accepted in the credential scope of requests that match no route. */
  services?: readonly string[];
  /** Requests this claims (e.g. function URLs by Host) bypass the Lambda API entirely. */
  frontDoor?: FrontDoor;
}

const DEFAULT_MAX_BODY = 6 * 1024 * 1024;
const UNROUTED_MAX_BODY = 1024 * 1024;
/** Operation names AWS's front door uses in its messages where they differ from the API's. */
const FRONT_DOOR_NAMES: Record<string, string> = { Invoke: 'InvokeFunction' };

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      // Drain without buffering so the connection stays usable for the error response.
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface FrontDoor {
  handles(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export class ApiServer {
  private readonly server: Server;
  private readonly router: Router;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ApiServerOptions) {
    this.router = new Router(options.routes);
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      void this.handle(req, res);
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    let operation = 'Unknown';
    let status = 500;
    let account: string | undefined;
    let protocol: 'rest-json' | 'json-1.1' = 'rest-json';
    if (this.options.frontDoor?.handles(req)) {
      this.options.frontDoor.handle(req, res);
      return;
    }
    // The server's clock, which clients use to correct their skew (an injected clock in tests included).
    res.setHeader('Date', new Date(this.options.clock.now()).toUTCString());
    try {
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
      const query = new URLSearchParams(rawQuery);
      const method = (req.method ?? 'GET').toUpperCase();
      const targetHeader = req.headers['x-amz-target'];
      const target = typeof targetHeader === 'string' ? targetHeader : undefined;
      if (target !== undefined) protocol = 'json-1.1';
      const match = this.router.match(method, rawPath, query, target);
      if (match) operation = match.route.operation;
      const limit = match ? (match.route.maxBodyBytes ?? DEFAULT_MAX_BODY) : UNROUTED_MAX_BODY;
      let body: Buffer;
      try {
        body = await readBody(req, limit);
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          throw new RequestEntityTooLargeException(
            `Request must be smaller than ${limit} bytes for the ${FRONT_DOOR_NAMES[operation] ?? operation} operation`,
          );
        }
        throw err;
      }
      const caller = match?.route.unauthenticated
        ? { accessKeyId: '', accountId: '', region: '', service: '' }
        : verifySigV4(
            { method, rawPath, rawQuery, rawHeaders: req.rawHeaders, body },
            this.options.lookupSecret,
            match ? [match.route.service ?? 'lambda'] : (this.options.services ?? ['lambda']),
            this.options.clock.now(),
          );
      account = caller.accountId || undefined;
      if (!match) throw new UnknownOperationException();
      if (match.error) throw match.error;
      let parsed: Record<string, unknown> | undefined;
      const apiReq: ApiRequest = {
        requestId,
        operation,
        method,
        params: match.params,
        query,
        headers: req.headers,
        body,
        caller,
        scope: { account: caller.accountId, region: caller.region },
        baseUrl: `http://${req.headers.host ?? 'localhost'}`,
        remoteAddress: req.socket.remoteAddress ?? '',
        receivedAt: performance.timeOrigin + started,
        json: () => (parsed ??= parseJsonObject(body)),
      };
      const out = await match.handler(apiReq);
      status = out.status;
      send(res, requestId, out);
    } catch (err) {
      const awsErr = err instanceof AccessDeniedForeign ? err.forOperation(operation) : asAwsError(err);
      if (!(err instanceof AwsError)) this.options.logger.error('unhandled error', { requestId, operation, error: String((err as Error)?.stack ?? err) });
      status = awsErr.status;
      if (!res.headersSent) sendError(res, requestId, awsErr, protocol);
      else res.destroy();
    } finally {
      this.options.logger.info('request', {
        requestId, operation, status, account, ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  }
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InvalidRequestContentException(`Could not parse request body into json: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestContentException('Could not parse request body into json: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, requestId: string, out: ApiResponse): void {
  const headers: Record<string, string | number> = { 'x-amzn-RequestId': requestId, ...out.headers };
  if (out.body instanceof Readable) {
    // Streamed as produced (chunked), at the client's pace; an error mid-stream can only cut the connection, and a
    // client that goes away destroys the source (which lets the producer stop).
    res.writeHead(out.status, headers);
    pipeline(out.body, res, () => {});
    return;
  }
  let payload: Buffer | string | undefined;
  if (out.body === undefined) {
    payload = undefined;
  } else if (Buffer.isBuffer(out.body)) {
    payload = out.body;
    headers['Content-Type'] ??= 'application/octet-stream';
  } else {
    payload = JSON.stringify(out.body);
    headers['Content-Type'] ??= 'application/json';
  }
  headers['Content-Length'] = payload === undefined ? 0 : Buffer.byteLength(payload);
  res.writeHead(out.status, headers);
  res.end(payload);
}
