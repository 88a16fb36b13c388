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
}

/** How one invocation ended, as seen by the Runtime API. Function failures are values, never exceptions. */
export type InvocationOutcome =
  | { kind: 'response'; payload: Buffer; contentType?: string }
  /** POST /invocation/{id}/error: errorType from Lambda-Runtime-Function-Error-Type (validated) or the body. */
  | { kind: 'function-error'; errorType: string; payload: Buffer }
  /** The runtime's POST /response exceeded 6,291,556 bytes. */
  | { kind: 'response-too-large' };

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
  /** Fails any pending invocation/next call (environment discarded). */
  abort(reason: string): void;
  close(): Promise<void>;
}
