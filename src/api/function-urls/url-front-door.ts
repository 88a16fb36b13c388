import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { finished } from 'node:stream/promises';
import type { Clock } from '../../domain/scope.js';
import { AwsError } from '../../errors/index.js';
import type { InvokeResponse, Invoker, StreamedResponse } from '../../invoke/index.js';
import type { Logger } from '../../observability/index.js';
import type { Repositories } from '../../store/index.js';
import type { SecretLookup } from '../auth/sigv4.js';
import type { FrontDoor } from '../server.js';
import { parseFunctionUrlHost, parseFunctionUrlPath, resolveUrlId, URL_PATH_PREFIX } from '../services/function-url.js';
import { invokeStreaming } from '../services/streaming-invoke.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, HttpPreludeParser, type StreamHead } from './http-prelude.js';
import { authorizeUrlRequest } from './url-auth.js';
import { corsResponseHeaders, isPreflight, preflightHeaders, withoutCorsHeaders } from './url-cors.js';
import { buildUrlEvent } from './url-event.js';
import { hasHeader, mapBufferedResponse } from './url-response.js';

/** Request and (buffered) response payloads of function URLs: 6 MB, as Invoke. */
const MAX_PAYLOAD_BYTES = 6_291_456;

// AWS's answers (recorded): an unknown URL, a denied request, a function that failed.
const UNKNOWN_URL = '{"Message":null}';
const FORBIDDEN = JSON.stringify({
  Message: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
});
const BAD_GATEWAY = 'Internal Server Error';

export interface FunctionUrlFrontDoorOptions {
  repos: Repositories;
  invoker: Invoker;
  clock: Clock;
  logger: Logger;
  lookupSecret: SecretLookup;
  /** config.functionUrlBase ('' = localhost names only). */
  publicBase: string;
}

interface Target {
  urlId: string;
  /** Region named by the host (host form only). */
  region?: string;
  rawPath: string;
  rawQuery: string;
  domainName: string;
}

class TooLarge extends Error {}

/**
 * Serves function URLs, before the Lambda API sees the request: by Host (`<url-id>.lambda-url.<region>.localhost`,
 * or under the public base) or by path (`/lambda-url/<url-id>/...`). Maps the HTTP request to a payload-2.0
 * event and the result back (BUFFERED), or passes a streamed response through as it is produced (RESPONSE_STREAM).
 */
export class FunctionUrlFrontDoor implements FrontDoor {
  constructor(private readonly options: FunctionUrlFrontDoorOptions) {}

  handles(req: IncomingMessage): boolean {
    return (req.url ?? '').startsWith(URL_PATH_PREFIX) || parseFunctionUrlHost(req.headers.host, this.options.publicBase) !== undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const requestId = randomUUID();
    res.once('close', () => {
      this.options.logger.info('function url', {
        requestId, url: req.headers.host, method: req.method, status: res.statusCode, ms: Math.round((performance.now() - started) * 100) / 100,
      });
    });
    this.serve(req, res, requestId).catch((err: unknown) => {
      this.options.logger.error('function url failed', { requestId, error: String((err as Error)?.stack ?? err) });
      if (!res.headersSent) reply(res, requestId, 500, BAD_GATEWAY, 'text/plain');
      else res.destroy();
    });
  }

  private target(req: IncomingMessage): Target | undefined {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const byHost = parseFunctionUrlHost(req.headers.host, this.options.publicBase);
    if (byHost) {
      const domainName = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
      return { urlId: byHost.urlId, region: byHost.region, rawPath: path || '/', rawQuery, domainName };
    }
    const byPath = parseFunctionUrlPath(path);
    if (!byPath) return undefined;
    return { urlId: byPath.urlId, rawPath: byPath.path, rawQuery, domainName: '' };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const { repos, invoker, clock } = this.options;
    const method = (req.method ?? 'GET').toUpperCase();
    const target = this.target(req);
    const resolved = target ? resolveUrlId(repos, target.urlId) : undefined;
    if (!target || !resolved || (target.region !== undefined && target.region !== resolved.owner.region)) {
      req.resume();
      return reply(res, requestId, 403, UNKNOWN_URL, 'application/json', { 'x-amzn-ErrorType': 'AccessDeniedException' });
    }
    const { config, scope, owner } = resolved;
    const domainName = target.domainName || `${target.urlId}.lambda-url.${owner.region}.${this.publicHost()}`;
    const cors = config.cors;
    if (cors && isPreflight(method, req.headers)) {
      req.resume();
      return reply(res, requestId, 200, '', undefined, preflightHeaders(cors, req.headers));
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_PAYLOAD_BYTES);
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      return tooLarge(res, requestId);
    }
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const auth = authorizeUrlRequest({
      repos, scope, config, lookupSecret: this.options.lookupSecret, nowMs: clock.now(),
      request: { method, rawPath: q < 0 ? rawUrl : rawUrl.slice(0, q), rawQuery: target.rawQuery, rawHeaders: req.rawHeaders, body },
    });
    if (!auth.ok) {
      this.options.logger.debug('function url denied', { requestId, urlId: target.urlId, reason: auth.reason });
      return reply(res, requestId, 403, FORBIDDEN, 'application/json', { 'x-amzn-ErrorType': 'AccessDeniedException' });
    }
    const now = clock.now();
    const event = buildUrlEvent({
      method, rawPath: target.rawPath, rawQuery: target.rawQuery, rawHeaders: req.rawHeaders, body,
      sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), httpVersion: req.httpVersion,
      urlId: target.urlId, domainName, accountId: auth.iam ? scope.account : 'anonymous', requestId, timeEpochMs: now,
      port: req.socket.localPort ?? 0, traceId: traceHeader(now, requestId), ...(auth.iam ? { iam: auth.iam } : {}),
    });
    const payload = Buffer.from(JSON.stringify(event));
    if (payload.length > MAX_PAYLOAD_BYTES) return tooLarge(res, requestId);
    const invocation = { scope, functionName: owner.functionName, qualifier: owner.qualifier, payload, requestId, tail: false };
    const extra = cors ? corsResponseHeaders(cors, req.headers) : [];
    const finish = (headers: Array<[string, string]>) => [...(cors ? withoutCorsHeaders(headers) : headers), ...extra];
    try {
      if (config.invokeMode === 'RESPONSE_STREAM') {
        const start = await invokeStreaming(invoker, invocation);
        if (start.kind === 'stream') return await this.stream(res, requestId, start.stream, start.done, finish);
        return this.bufferedStreamResult(res, requestId, start.out, finish);
      }
      const out = await invoker.invoke(invocation);
      if (out.result.kind === 'function-error') return reply(res, requestId, 502, BAD_GATEWAY, 'application/json');
      const mapped = mapBufferedResponse(out.result.payload);
      if (!mapped) return reply(res, requestId, 502, BAD_GATEWAY, 'application/json');
      return writeResponse(res, requestId, mapped.status, finish(mapped.headers), mapped.body);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      // Throttling (429) and other platform refusals, in the front door's {"Message"} shape.
      return reply(res, requestId, err.status, JSON.stringify({ Message: err.message }), 'application/json', {
        'x-amzn-ErrorType': err.code, ...err.headers,
      });
    }
  }

  private publicHost(): string {
    return this.options.publicBase === '' ? 'localhost' : new URL(this.options.publicBase).hostname;
  }

  /** RESPONSE_STREAM with a handler that did not stream: its payload goes out as it is (no HTTP mapping). */
  private bufferedStreamResult(
    res: ServerResponse, requestId: string, out: InvokeResponse, finish: (h: Array<[string, string]>) => Array<[string, string]>,
  ): void {
    if (out.result.kind === 'function-error') return reply(res, requestId, 502, BAD_GATEWAY, 'application/json');
    return writeResponse(res, requestId, 200, finish([['content-type', out.result.contentType ?? 'application/json']]), out.result.payload);
  }

  /**
   * A streamed response: the head (from the HTTP-integration prelude, or 200 with the runtime's content type)
   * goes out with the first body bytes, the rest as the function writes it, at the client's pace. A failure
   * before the first byte is a 502; after it, the connection is cut so the client sees an incomplete response.
   */
  private async stream(
    res: ServerResponse, requestId: string, stream: StreamedResponse, done: Promise<InvokeResponse>,
    finish: (h: Array<[string, string]>) => Array<[string, string]>,
  ): Promise<void> {
    const body = stream.body;
    const ended = finished(body, { writable: false }).then(() => true, () => false);
    res.once('close', () => {
      // The client went away: the function's remaining output is discarded (it still runs to completion).
      if (!res.writableFinished) body.destroy();
    });
    const first = await readHead(body, stream.contentType === HTTP_INTEGRATION_CONTENT_TYPE);
    if (res.destroyed) return;
    if (first.kind === 'error' || first.kind === 'ended') {
      const out = await done.catch(() => undefined);
      if (!out || out.result.kind === 'function-error' || first.kind === 'error') return reply(res, requestId, 502, BAD_GATEWAY, 'application/json');
      const head = first.kind === 'ended' ? first.head : { status: 200, headers: [] };
      const headers = head.headers.length === 0 && stream.contentType !== HTTP_INTEGRATION_CONTENT_TYPE
        ? [['content-type', stream.contentType] as [string, string]] : head.headers;
      return writeResponse(res, requestId, head.status, finish(headers), Buffer.alloc(0));
    }
    const headers = stream.contentType === HTTP_INTEGRATION_CONTENT_TYPE ? first.head.headers : [['content-type', stream.contentType] as [string, string]];
    if (!hasHeader(headers, 'content-type')) headers.unshift(['content-type', 'application/octet-stream']);
    try {
      res.writeHead(first.head.status, toNodeHeaders(requestId, finish(headers)));
    } catch {
      body.destroy();
      return reply(res, requestId, 502, BAD_GATEWAY, 'application/json');
    }
    if (first.rest.length > 0) res.write(first.rest);
    else res.flushHeaders();
    body.pipe(res, { end: false });
    const complete = await ended;
    const out = await done.catch(() => undefined);
    if (res.destroyed) return;
    if (!complete || !out || out.result.kind === 'function-error') res.destroy();
    else res.end();
  }
}

type HeadRead =
  | { kind: 'head'; head: StreamHead; rest: Buffer }
  /** The stream ended before any body byte (`head` from a complete prelude, or the default). */
  | { kind: 'ended'; head: StreamHead }
  | { kind: 'error' };

/** Reads up to the first body bytes (through the prelude when there is one), leaving the stream paused after them. */
function readHead(body: StreamedResponse['body'], prelude: boolean): Promise<HeadRead> {
  return new Promise((resolve) => {
    const parser = prelude ? new HttpPreludeParser() : undefined;
    let head: StreamHead | undefined;
    const settle = (r: HeadRead) => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onEnd);
      body.pause();
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      try {
        if (!parser || head) return settle({ kind: 'head', head: head ?? { status: 200, headers: [] }, rest: chunk });
        const got = parser.push(chunk);
        if (!got) return;
        head = got.head;
        if (got.rest.length > 0) settle({ kind: 'head', head, rest: got.rest });
      } catch {
        settle({ kind: 'error' });
      }
    };
    const onEnd = () => {
      try {
        settle({ kind: 'ended', head: head ?? parser?.end() ?? { status: 200, headers: [] } });
      } catch {
        settle({ kind: 'error' });
      }
    };
    const onError = () => settle({ kind: 'error' });
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('close', onEnd);
    body.once('error', onError);
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => { if (!over) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)); });
    req.once('error', reject);
  });
}

function toNodeHeaders(requestId: string, headers: Array<[string, string]>): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  const names = new Map<string, string>();
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    const key = names.get(lower) ?? name;
    names.set(lower, key);
    const prev = out[key];
    // Set-Cookie must stay separate lines; other repeated names join as HTTP allows.
    if (prev === undefined) out[key] = lower === 'set-cookie' ? [value] : value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = `${prev},${value}`;
  }
  out['x-amzn-RequestId'] = requestId;
  return out;
}

function writeResponse(res: ServerResponse, requestId: string, status: number, headers: Array<[string, string]>, body: Buffer): void {
  const h = toNodeHeaders(requestId, headers);
  h['Content-Length'] = String(body.length);
  try {
    res.writeHead(status, h);
  } catch {
    // A header name or value HTTP cannot carry: the response cannot be mapped.
    return reply(res, requestId, 502, BAD_GATEWAY, 'application/json');
  }
  res.end(body);
}

function reply(
  res: ServerResponse, requestId: string, status: number, body: string, contentType: string | undefined,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId, 'Content-Length': String(Buffer.byteLength(body)), ...extra };
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  res.writeHead(status, headers);
  res.end(body);
}

function tooLarge(res: ServerResponse, requestId: string): void {
  reply(res, requestId, 413, JSON.stringify({ Message: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation` }),
    'application/json', { 'x-amzn-ErrorType': 'RequestEntityTooLargeException', Connection: 'close' });
}

/** The X-Ray header Lambda's front end adds (`x-amzn-trace-id`), with random parts taken from the request id. */
function traceHeader(now: number, requestId: string): string {
  const hex = requestId.replace(/-/g, '');
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${hex.slice(0, 24)}`;
}
