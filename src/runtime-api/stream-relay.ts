import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { StreamEnd, StreamedResponse } from './types.js';
import { errorBody, tooLarge } from './runtime-errors.js';

/** 200 MiB: AWS's limit on a streamed response (InvokeMode RESPONSE_STREAM, InvokeWithResponseStream). */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

const ACCEPTED = Buffer.from('{"status":"OK"}');
/** How much of a stream waits in Sluice for a slow reader before the runtime is paused. */
const RELAY_BUFFER_BYTES = 64 * 1024;

export interface StreamRelay {
  stream: StreamedResponse;
  end: Promise<StreamEnd>;
  /** The environment is going away mid-stream: the body errors and `end` settles. */
  abort(reason: string): void;
}

/**
 * Passes a runtime's streamed POST /response through as it arrives, instead of buffering it: the reader's pace
 * pauses the runtime's connection (so a slow client never makes Sluice buffer without bound), a reader that goes
 * away turns the rest into a discard (the function still finishes), and the error trailers or the size limit
 * decide how the stream ended. The runtime gets its 202 (or 413) when its request ends.
 */
export function relayStream(req: IncomingMessage, res: ServerResponse, contentType: string, maxBytes: number): StreamRelay {
  const body = new PassThrough({ highWaterMark: RELAY_BUFFER_BYTES });
  // Errors we inject (abort, truncation) must never become an uncaught 'error' when nobody reads.
  body.on('error', () => {});
  let resolveEnd!: (e: StreamEnd) => void;
  const end = new Promise<StreamEnd>((resolve) => { resolveEnd = resolve; });
  let settled = false;
  const finish = (e: StreamEnd) => {
    if (settled) return;
    settled = true;
    resolveEnd(e);
  };
  let size = 0;
  let discard = false;
  let over = false;
  let paused = false;
  let ended = false;
  const resume = () => {
    if (!paused) return;
    paused = false;
    req.resume();
  };

  body.on('close', () => {
    // Destroyed before we ended it: the reader is gone; let the runtime finish into the void.
    if (!body.writableEnded) {
      discard = true;
      resume();
    }
  });
  req.on('data', (chunk: Buffer) => {
    if (discard || body.destroyed) return;
    size += chunk.length;
    if (size > maxBytes) {
      over = true;
      discard = true;
      body.end();
      return;
    }
    if (!body.write(chunk) && !paused) {
      paused = true;
      req.pause();
      body.once('drain', resume);
    }
  });
  req.once('end', () => {
    ended = true;
    let outcome: StreamEnd = { kind: 'complete' };
    if (over) {
      const errorType = 'Function.ResponseSizeTooLarge';
      outcome = {
        kind: 'function-error', errorType,
        payload: errorBody(errorType, `Response payload size exceeded maximum allowed payload size (${maxBytes} bytes).`),
      };
      const b = errorBody('RequestEntityTooLarge', tooLarge(maxBytes));
      if (!res.headersSent) res.writeHead(413, { 'Content-Type': 'application/json', 'Content-Length': String(b.length) }).end(b);
    } else {
      const errorType = req.trailers['lambda-runtime-function-error-type'];
      if (errorType !== undefined) {
        const b64 = req.trailers['lambda-runtime-function-error-body'];
        outcome = {
          // Kept as the runtime named it (e.g. "Error"): InvokeComplete reports it as the ErrorCode.
          kind: 'function-error', errorType: errorType.slice(0, 256) || 'Runtime.Unknown',
          payload: b64 !== undefined ? Buffer.from(b64, 'base64') : errorBody(errorType, ''),
        };
      }
      if (!res.headersSent) {
        res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': String(ACCEPTED.length) }).end(ACCEPTED);
      }
    }
    if (!body.writableEnded && !body.destroyed) body.end();
    finish(outcome);
  });
  req.once('close', () => {
    if (ended) return;
    const errorType = 'Runtime.TruncatedResponse';
    body.destroy(new Error('the runtime closed the connection mid-stream'));
    finish({ kind: 'function-error', errorType, payload: errorBody(errorType, 'The runtime closed the connection before finishing the streamed response.') });
  });

  return {
    stream: { contentType, body },
    end,
    abort(reason) {
      if (ended) return;
      body.destroy(new Error(`stream aborted: ${reason}`));
      finish({ kind: 'function-error', errorType: 'Sandbox.Failure', payload: errorBody('Sandbox.Failure', reason) });
    },
  };
}
