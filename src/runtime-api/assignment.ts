import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Assignment } from './types.js';
import { errorBody } from './runtime-errors.js';

/**
 * Sluice's own addition to the Runtime API, for pre-started environments: a runtime started with
 * `_SLUICE_STANDBY=1` loads itself, then long-polls `GET /sluice/v1/assignment` before it loads any user code.
 * The platform answers with the function's environment (which names the handler); from then on the runtime
 * follows the AWS protocol (`/next`, `/init/error`, ...). Not under /2018-06-01: stock runtimes never call it.
 */
export const ASSIGNMENT_PATH = '/sluice/v1/assignment';

export class AssignmentChannel {
  private parked: ServerResponse | undefined;
  private pending: Assignment | undefined;
  private state: 'waiting' | 'assigned' | 'aborted' = 'waiting';
  private reason = '';
  private readonly waiting: Promise<void>;
  private resolveWaiting!: () => void;
  private rejectWaiting!: (err: Error) => void;

  constructor() {
    this.waiting = new Promise((resolve, reject) => {
      this.resolveWaiting = resolve;
      this.rejectWaiting = reject;
    });
    this.waiting.catch(() => {});
  }

  /** Assigned (the runtime may now ask for events). */
  get assigned(): boolean {
    return this.state === 'assigned';
  }

  /** Resolves once the runtime is parked on the assignment request (the environment is ready to be handed out). */
  waitForStandby(): Promise<void> {
    return this.waiting;
  }

  assign(assignment: Assignment): void {
    if (this.state !== 'waiting') throw new Error(`cannot assign: the environment is ${this.state}`);
    this.state = 'assigned';
    const parked = this.parked;
    this.parked = undefined;
    if (parked) send(parked, assignment);
    else this.pending = assignment;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    if (req.method !== 'GET') return sendError(res, 405, 'MethodNotAllowed', `Method ${req.method} is not allowed on ${ASSIGNMENT_PATH}`);
    if (this.state === 'aborted') return sendError(res, 500, 'InternalServerError', this.reason);
    if (this.pending) {
      const a = this.pending;
      this.pending = undefined;
      return send(res, a);
    }
    if (this.state === 'assigned' || this.parked) {
      return sendError(res, 403, 'InvalidStateTransition', 'The environment is already assigned or waiting for its assignment.');
    }
    this.parked = res;
    res.once('close', () => {
      if (this.parked === res) this.parked = undefined;
    });
    this.resolveWaiting();
  }

  abort(reason: string): void {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    this.reason = reason;
    this.rejectWaiting(new Error(`runtime endpoint aborted: ${reason}`));
    const parked = this.parked;
    this.parked = undefined;
    if (parked) sendError(parked, 500, 'InternalServerError', reason);
  }
}

function send(res: ServerResponse, a: Assignment): void {
  const body = Buffer.from(JSON.stringify(a));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = errorBody(errorType, message);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}
