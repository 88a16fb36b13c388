import type { Readable } from 'node:stream';

/**
 * The contract between the invoker side (sandbox/invoke) and one environment's Runtime API endpoint.
 * Implemented by RuntimeEndpoint (src/runtime-api/runtime-endpoint.ts).
 */

/** One event handed to the runtime parked on GET /runtime/invocation/next. */
export interface InvocationRequest {
  requestId: string;
  payload: Buffer;
  /** Absolute deadline, epoch milliseconds (Lambda-Runtime-Deadline-Ms). */
  deadlineMs: number;
  invokedFunctionArn: string;
  traceId?: string;
  /** Decoded client-context JSON string (Lambda-Runtime-Client-Context). */
  clientContext?: string;
  /** Cognito identity JSON string (Lambda-Runtime-Cognito-Identity). */
  cognitoIdentity?: string;
  tenantId?: string;
  /**
   * The caller reads a streamed response as it arrives (InvokeWithResponseStream, streaming function URLs): a
   * streaming POST /response then yields a `stream` outcome at once. Otherwise a streamed response is buffered
   * like any other (6 MB limit).
   */
  streaming?: boolean;
}

/** A response the runtime is streaming (Lambda-Runtime-Function-Response-Mode: streaming). */
export interface StreamedResponse {
  /** The runtime's Content-Type (default application/octet-stream). */
  contentType: string;
  /**
   * The bytes as the runtime writes them. Reading slowly slows the runtime down (backpressure); destroying it
   * discards the rest, and the runtime still finishes normally. Errors when the environment is aborted.
   */
  body: Readable;
}

/** How a streamed response ended (after its last byte went into `body`). */
export type StreamEnd =
  | { kind: 'complete' }
  /** Error trailers, a truncated body, or more than the streamed-size limit. */
  | { kind: 'function-error'; errorType: string; payload: Buffer };

/** How one invocation ended, as seen by the Runtime API. Function failures are values, never exceptions. */
export type InvocationOutcome =
  | { kind: 'response'; payload: Buffer; contentType?: string }
  /** POST /invocation/{id}/error: errorType from Lambda-Runtime-Function-Error-Type (validated) or the body. */
  | { kind: 'function-error'; errorType: string; payload: Buffer }
  /** The runtime's POST /response exceeded 6,291,556 bytes. */
  | { kind: 'response-too-large' }
  /** Only for `streaming` requests: the runtime started a streamed response; `end` settles when it finishes. */
  | { kind: 'stream'; stream: StreamedResponse; end: Promise<StreamEnd> };

/** How initialization ended. */
export type InitOutcome =
  /** The runtime called GET /next: it is ready for events. */
  | { kind: 'ready' }
  /** POST /runtime/init/error. */
  | { kind: 'init-error'; errorType: string; payload: Buffer };

export interface RuntimeEndpointAddress {
  /** host:port for AWS_LAMBDA_RUNTIME_API. */
  hostPort: string;
  /** Unix socket path when listening on one (isolated backend). */
  socketPath?: string;
}

export interface RuntimeEndpointOptions {
  /** Listen on a unix socket at this path; otherwise on 127.0.0.1 with an ephemeral TCP port. */
  socketPath?: string;
  /** Largest /response or /error body accepted (default 6,291,556 bytes, as AWS); larger → 413 and response-too-large. */
  maxResponseBytes?: number;
  /** Largest streamed response passed through (default 200 MiB, as AWS); larger → cut, 413, Function.ResponseSizeTooLarge. */
  maxStreamedResponseBytes?: number;
  /** A pre-started environment: its runtime waits for assign() (GET /sluice/v1/assignment) before init. */
  standby?: boolean;
}

/** What a pre-started runtime (Sluice's own runtime clients only) receives when it is given a function. */
export interface Assignment {
  /** The function's complete environment (it names the handler); it replaces the runtime's own. */
  env: Record<string, string>;
}

/**
 * One environment's private Runtime API. `invoke()` resolves when the runtime answers; the caller owns
 * timeouts and process-exit detection (it races invoke() against them and then calls abort()).
 */
export interface RuntimeEndpointApi {
  listen(): Promise<RuntimeEndpointAddress>;
  /** Resolves on the runtime's first GET /next, or its POST /init/error. */
  waitForInit(): Promise<InitOutcome>;
  invoke(request: InvocationRequest): Promise<InvocationOutcome>;
  /** Standby endpoints: resolves once the runtime waits for its assignment; rejects if aborted first. */
  waitForStandby(): Promise<void>;
  /** Standby endpoints: hands the function to the waiting runtime, whose init then runs as usual. Once. */
  assign(assignment: Assignment): void;
  /** Fails any pending invocation/next call (environment discarded). */
  abort(reason: string): void;
  close(): Promise<void>;
}
