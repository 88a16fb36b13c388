import { responseHeaders, validStatus } from './url-response.js';

/** The content type `awslambda.HttpResponseStream.from` declares for a streamed function URL response. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The prelude never gets this large in practice; beyond it the stream is not an HTTP integration response. */
const MAX_PRELUDE_BYTES = 64 * 1024;
const DELIMITER_BYTES = 8;

export interface StreamHead {
  status: number;
  headers: Array<[string, string]>;
}

export class PreludeError extends Error {}

/**
 * Reads the head of a streamed function URL response: a JSON prelude `{statusCode, headers, cookies}` followed by
 * 8 NUL bytes, then the body. JSON text cannot contain a raw NUL, so the first NUL starts the delimiter.
 */
export class HttpPreludeParser {
  private buffered: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the head and the body bytes that followed it once the delimiter is complete. */
  push(chunk: Buffer): { head: StreamHead; rest: Buffer } | undefined {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const nul = this.buffered.indexOf(0);
    if (nul < 0) {
      if (this.buffered.length > MAX_PRELUDE_BYTES) throw new PreludeError('no prelude delimiter within 64 KB');
      return undefined;
    }
    const available = Math.min(this.buffered.length, nul + DELIMITER_BYTES);
    for (let i = nul; i < available; i++) {
      if (this.buffered[i] !== 0) throw new PreludeError('malformed prelude delimiter');
    }
    if (this.buffered.length < nul + DELIMITER_BYTES) return undefined;
    const head = parseHead(this.buffered.subarray(0, nul));
    const rest = this.buffered.subarray(nul + DELIMITER_BYTES);
    this.buffered = Buffer.alloc(0);
    return { head, rest };
  }

  /** The stream ended before a complete prelude: an empty stream is an empty 200; a partial prelude is an error. */
  end(): StreamHead {
    if (this.buffered.length > 0) throw new PreludeError('the stream ended inside the prelude');
    return { status: 200, headers: [] };
  }
}

function parseHead(json: Buffer): StreamHead {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    throw new PreludeError('the prelude is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PreludeError('the prelude is not a JSON object');
  const shape = value as Record<string, unknown>;
  const status = shape.statusCode === undefined ? 200 : validStatus(shape.statusCode);
  if (status === undefined) throw new PreludeError('invalid statusCode in the prelude');
  const headers = responseHeaders(shape);
  if (!headers) throw new PreludeError('invalid headers or cookies in the prelude');
  return { status, headers };
}
