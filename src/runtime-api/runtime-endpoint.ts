import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type {
  Assignment,
  InitOutcome,
  InvocationOutcome,
  InvocationRequest,
  RuntimeEndpointAddress,
  RuntimeEndpointApi,
  RuntimeEndpointOptions,
} from './types.js';
import { validErrorType, errorTypeFromBody } from './error-type.js';
import { RUNTIME_ERRORS, errorBody, tooLarge } from './runtime-errors.js';
import { AssignmentChannel, ASSIGNMENT_PATH } from './assignment.js';
import { MAX_STREAMED_RESPONSE_BYTES, relayStream, type StreamRelay } from './stream-relay.js';

/** 6 MiB + 100 bytes: what the runtime side accepts ([RIE] interop.MaxPayloadSize). */
export const MAX_RUNTIME_RESPONSE_BYTES = 6_291_556;

/** Address a runtime inside an isolated environment uses; the in-sandbox relay forwards it to the unix socket. */
export const SANDBOX_RUNTIME_API = '127.0.0.1:9001';

const PREFIX = '/2018-06-01/runtime/';
const NEXT = '/2018-06-01/runtime/invocation/next';
const INVOCATION = '/2018-06-01/runtime/invocation/';
const INIT_ERROR = '/2018-06-01/runtime/init/error';

const ACCEPTED = Buffer.from('{"status":"OK"}');
const ACCEPTED_HEADERS = { 'Content-Type': 'application/json', 'Content-Length': String(ACCEPTED.length) };

type Phase = 'init' | 'ready' | 'init-failed' | 'aborted';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  // Nobody may be waiting (e.g. waitForInit never called before abort): never an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

interface Invocation {
  request: InvocationRequest;
  result: Deferred<InvocationOutcome>;
  /** Set once the event went out on GET /next. */
  delivered: boolean;
  /** Set once /response or /error settled it (a late 413 drain may still be running). */
  settled: boolean;
}

/**
 * One execution environment's private Runtime API (2018-06-01). One invocation at a time: invoke() queues the
 * event until the runtime is parked on GET /next, then resolves with how the runtime answered.
 */
export class RuntimeEndpoint implements RuntimeEndpointApi {
  private readonly server: Server;
  private readonly socketPath: string | undefined;
  private readonly maxResponseBytes: number;
  private readonly maxStreamedResponseBytes: number;
  private readonly tooLargeMessage: string;
  /** The streamed response in flight, if any. */
  private relay: StreamRelay | undefined;
  private phase: Phase = 'init';
  private readonly init = deferred<InitOutcome>();
  /** The runtime's parked GET /next, if any. */
  private parked: ServerResponse | undefined;
  private current: Invocation | undefined;
  private abortReason = '';
  private closed: Promise<void> | undefined;
  /** Pre-started environments: the function arrives through this before init. */
  private readonly assignment: AssignmentChannel | undefined;

  constructor(options: RuntimeEndpointOptions = {}) {
    this.socketPath = options.socketPath;
    this.assignment = options.standby ? new AssignmentChannel() : undefined;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RUNTIME_RESPONSE_BYTES;
    this.maxStreamedResponseBytes = options.maxStreamedResponseBytes ?? MAX_STREAMED_RESPONSE_BYTES;
    this.tooLargeMessage = tooLarge(this.maxResponseBytes);
    this.server = createServer({ keepAlive: true, noDelay: true }, (req, res) => this.route(req, res));
    // Runtimes hold one connection for the environment's whole life and long-poll on it: no server-side timeouts.
    this.server.keepAliveTimeout = 0;
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
  }

  listen(): Promise<RuntimeEndpointAddress> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const done = () => {
        this.server.off('error', reject);
        if (this.socketPath !== undefined) {
          resolve({ hostPort: SANDBOX_RUNTIME_API, socketPath: this.socketPath });
        } else {
          const a = this.server.address() as AddressInfo;
          resolve({ hostPort: `127.0.0.1:${a.port}` });
        }
      };
      if (this.socketPath !== undefined) {
        rmSync(this.socketPath, { force: true });
        this.server.listen(this.socketPath, done);
      } else {
        this.server.listen(0, '127.0.0.1', done);
      }
    });
  }

  waitForInit(): Promise<InitOutcome> {
    return this.init.promise;
  }

  waitForStandby(): Promise<void> {
    return this.assignment ? this.assignment.waitForStandby() : Promise.reject(new Error('not a standby endpoint'));
  }

  assign(assignment: Assignment): void {
    if (!this.assignment) throw new Error('not a standby endpoint');
    this.assignment.assign(assignment);
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    if (this.phase === 'aborted') return Promise.reject(new Error(`runtime endpoint aborted: ${this.abortReason}`));
    if (this.current !== undefined && !this.current.settled) {
      return Promise.reject(new Error('an invocation is already in progress in this environment'));
    }
    const inv: Invocation = { request, result: deferred(), delivered: false, settled: false };
    this.current = inv;
    const parked = this.parked;
    if (parked !== undefined) {
      this.parked = undefined;
      this.deliver(parked, inv);
    }
    return inv.result.promise;
  }

  abort(reason: string): void {
    if (this.phase === 'aborted') return;
    this.phase = 'aborted';
    this.abortReason = reason;
    const err = new Error(`runtime endpoint aborted: ${reason}`);
    this.init.reject(err);
    this.assignment?.abort(reason);
    this.relay?.abort(reason);
    const inv = this.current;
    if (inv !== undefined && !inv.settled) {
      inv.settled = true;
      inv.result.reject(err);
    }
    const parked = this.parked;
    this.parked = undefined;
    if (parked !== undefined) sendError(parked, 500, 'InternalServerError', reason);
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.abort('closed');
    this.closed = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    }).then(() => {
      if (this.socketPath !== undefined) rmSync(this.socketPath, { force: true });
    });
    return this.closed;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    let url = req.url ?? '';
    const q = url.indexOf('?');
    if (q >= 0) url = url.slice(0, q);
    const method = req.method;

    if (url === ASSIGNMENT_PATH && this.assignment) return this.assignment.handle(req, res);
    if (url === NEXT) {
      if (method !== 'GET') return methodNotAllowed(req, res);
      return this.next(req, res);
    }
    if (url.startsWith(INVOCATION)) {
      const rest = url.slice(INVOCATION.length);
      const slash = rest.indexOf('/');
      const action = slash < 0 ? '' : rest.slice(slash + 1);
      if (slash > 0 && (action === 'response' || action === 'error')) {
        if (method !== 'POST') return methodNotAllowed(req, res);
        const raw = rest.slice(0, slash);
        const id = raw.includes('%') ? safeDecode(raw) : raw;
        return action === 'response' ? this.response(id, req, res) : this.error(id, req, res);
      }
    } else if (url === INIT_ERROR) {
      if (method !== 'POST') return methodNotAllowed(req, res);
      return this.initError(req, res);
    } else if (!url.startsWith(PREFIX)) {
      const unsupported = unsupportedApi(url);
      if (unsupported !== undefined) {
        req.resume();
        return sendError(res, 404, unsupported.type, unsupported.message);
      }
    }
    req.resume();
    sendError(res, 404, 'NotFound', `No such Runtime API path: ${method} ${url}`);
  }

  private next(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    if (this.phase === 'aborted') return sendError(res, 500, 'InternalServerError', this.abortReason);
    if (this.phase === 'init-failed') return stateError(res, RUNTIME_ERRORS.nextAfterInitError);
    if (this.assignment && !this.assignment.assigned) return stateError(res, RUNTIME_ERRORS.nextBeforeAssignment);
    if (this.parked !== undefined) return stateError(res, RUNTIME_ERRORS.concurrentNext);
    const inv = this.current;
    if (inv !== undefined && inv.delivered && !inv.settled) return stateError(res, RUNTIME_ERRORS.nextWhileInvoking);
    if (this.phase === 'init') {
      this.phase = 'ready';
      this.init.resolve({ kind: 'ready' });
    }
    if (inv !== undefined && !inv.delivered && !inv.settled) {
      this.deliver(res, inv);
      return;
    }
    this.parked = res;
    res.once('close', () => {
      if (this.parked === res) this.parked = undefined;
    });
  }

  private deliver(res: ServerResponse, inv: Invocation): void {
    inv.delivered = true;
    const r = inv.request;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(r.payload.length),
      'Lambda-Runtime-Aws-Request-Id': r.requestId,
      'Lambda-Runtime-Deadline-Ms': String(r.deadlineMs),
    };
    if (r.invokedFunctionArn) headers['Lambda-Runtime-Invoked-Function-Arn'] = r.invokedFunctionArn;
    if (r.traceId) headers['Lambda-Runtime-Trace-Id'] = r.traceId;
    if (r.clientContext) headers['Lambda-Runtime-Client-Context'] = r.clientContext;
    if (r.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = r.cognitoIdentity;
    if (r.tenantId) headers['Lambda-Runtime-Aws-Tenant-Id'] = r.tenantId;
    res.writeHead(200, headers);
    res.end(r.payload);
  }

  /** The outstanding invocation `id` names, or an error already sent. */
  private answerable(id: string, req: IncomingMessage, res: ServerResponse): Invocation | undefined {
    if (this.phase === 'aborted') {
      req.resume();
      sendError(res, 500, 'InternalServerError', this.abortReason);
      return undefined;
    }
    const inv = this.current;
    if (inv === undefined || !inv.delivered || inv.settled || inv.request.requestId !== id) {
      req.resume();
      sendError(res, 400, 'InvalidRequestID', RUNTIME_ERRORS.invalidRequestId);
      return undefined;
    }
    return inv;
  }

  private response(id: string, req: IncomingMessage, res: ServerResponse): void {
    const inv = this.answerable(id, req, res);
    if (inv === undefined) return;
    const mode = headerValue(req, 'lambda-runtime-function-response-mode');
    const streaming = mode !== undefined;
    if (streaming && mode.toLowerCase() !== 'streaming') {
      req.resume();
      this.settle(inv, {
        kind: 'function-error',
        errorType: 'Runtime.InvalidResponseModeHeader',
        payload: errorBody('Runtime.InvalidResponseModeHeader', `Invalid response mode header value: ${mode}`),
      });
      return sendError(res, 400, 'InvalidFunctionResponseMode', `Invalid function response mode: ${mode}`);
    }
    const contentType = req.headers['content-type'];
    if (streaming && inv.request.streaming) {
      // Passed through as it arrives; the invocation is answered now, its end comes with the stream.
      const relay = relayStream(req, res, contentType ?? 'application/octet-stream', this.maxStreamedResponseBytes);
      this.relay = relay;
      void relay.end.then(() => { if (this.relay === relay) this.relay = undefined; });
      this.settle(inv, { kind: 'stream', stream: relay.stream, end: relay.end });
      return;
    }
    this.readBody(req, inv, res, (body) => {
      if (streaming) {
        const trailerType = req.trailers['lambda-runtime-function-error-type'];
        if (trailerType !== undefined) {
          const b64 = req.trailers['lambda-runtime-function-error-body'];
          const payload = b64 !== undefined ? Buffer.from(b64, 'base64') : errorBody(trailerType, '');
          this.settle(inv, { kind: 'function-error', errorType: validErrorType(trailerType), payload });
          return accept(res);
        }
      }
      this.settle(inv, contentType === undefined
        ? { kind: 'response', payload: body }
        : { kind: 'response', payload: body, contentType });
      accept(res);
    });
  }

  private error(id: string, req: IncomingMessage, res: ServerResponse): void {
    const inv = this.answerable(id, req, res);
    if (inv === undefined) return;
    const header = headerValue(req, 'lambda-runtime-function-error-type');
    this.readBody(req, inv, res, (body) => {
      const errorType = header !== undefined ? validErrorType(header) : errorTypeFromBody(body);
      this.settle(inv, { kind: 'function-error', errorType, payload: body });
      accept(res);
    });
  }

  private initError(req: IncomingMessage, res: ServerResponse): void {
    if (this.phase !== 'init') {
      req.resume();
      if (this.phase === 'aborted') return sendError(res, 500, 'InternalServerError', this.abortReason);
      return stateError(res, RUNTIME_ERRORS.initErrorAfterInit);
    }
    const header = headerValue(req, 'lambda-runtime-function-error-type');
    collect(req, this.maxResponseBytes, (body) => {
      if (body === undefined) return sendError(res, 413, 'RequestEntityTooLarge', this.tooLargeMessage);
      if (this.phase !== 'init') return stateError(res, RUNTIME_ERRORS.initErrorAfterInit);
      this.phase = 'init-failed';
      const errorType = header !== undefined ? validErrorType(header) : errorTypeFromBody(body);
      this.init.resolve({ kind: 'init-error', errorType, payload: body });
      accept(res);
    });
  }

  /** Reads a response/error body within the limit; over it, the invocation fails at once and the runtime gets 413. */
  private readBody(req: IncomingMessage, inv: Invocation, res: ServerResponse, done: (body: Buffer) => void): void {
    let truncated = true;
    req.once('end', () => { truncated = false; });
    req.once('close', () => {
      // The runtime dropped the connection mid-body while still alive; without this the invoke would wait for the timeout.
      if (truncated && !inv.settled) {
        this.settle(inv, {
          kind: 'function-error',
          errorType: 'Runtime.TruncatedResponse',
          payload: errorBody('Runtime.TruncatedResponse', 'The runtime closed the connection before sending the whole response.'),
        });
      }
    });
    collect(req, this.maxResponseBytes, (body) => {
      if (inv.settled) {
        // Aborted, or already failed as too large, while the body was arriving.
        return body === undefined
          ? sendError(res, 413, 'RequestEntityTooLarge', this.tooLargeMessage)
          : sendError(res, 400, 'InvalidRequestID', RUNTIME_ERRORS.invalidRequestId);
      }
      if (body === undefined) return sendError(res, 413, 'RequestEntityTooLarge', this.tooLargeMessage);
      done(body);
    }, () => {
      // Over the limit: the caller learns now; the rest of the body is drained before the 413 goes out.
      this.settle(inv, { kind: 'response-too-large' });
    });
  }

  private settle(inv: Invocation, outcome: InvocationOutcome): void {
    if (inv.settled) return;
    inv.settled = true;
    inv.result.resolve(outcome);
  }
}

/**
 * Collects a request body. `done(undefined)` when it exceeded `limit` (the excess is drained, not kept);
 * `onOverflow` fires as soon as the limit is crossed.
 */
function collect(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void, onOverflow?: () => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      chunks.length = 0;
      onOverflow?.();
      return;
    }
    chunks.push(chunk);
  });
  req.once('end', () => {
    if (over) return done(undefined);
    done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
}

function accept(res: ServerResponse): void {
  res.writeHead(202, ACCEPTED_HEADERS);
  res.end(ACCEPTED);
}

function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = errorBody(errorType, message);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}

function stateError(res: ServerResponse, message: string): void {
  sendError(res, 403, 'InvalidStateTransition', message);
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  sendError(res, 405, 'MethodNotAllowed', `Method ${req.method} is not allowed on ${req.url}`);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The other in-environment APIs answer clearly instead of hanging a caller that probes them. */
function unsupportedApi(url: string): { type: string; message: string } | undefined {
  if (url.startsWith('/2020-01-01/extension/')) {
    return { type: 'Extension.NotSupported', message: 'The Extensions API (2020-01-01) is not supported by Sluice yet.' };
  }
  if (url.startsWith('/2022-07-01/telemetry') || url.startsWith('/2020-08-15/logs')) {
    return { type: 'NotSupported', message: 'The Telemetry and Logs APIs are not supported by Sluice yet.' };
  }
  return undefined;
}
