/**
 * A function's result as the function URL's HTTP response (payload format 2.0), as Lambda maps it. Checked
 * against responses recorded from AWS: an object with `statusCode` is an HTTP response (statusCode may be a
 * numeric string); anything else is sent as JSON text with status 200, except that a bare string is sent as the
 * string itself (`"hello"` → `hello`); `content-type` defaults to application/json.
 */

export interface UrlHttpResponse {
  status: number;
  /** In order; `set-cookie` may repeat. */
  headers: Array<[string, string]>;
  body: Buffer;
}

const JSON_TYPE = 'application/json';

/** A valid HTTP status a function may set (informational 1xx codes cannot be a final response). */
export function validStatus(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 200 && n <= 599 ? n : undefined;
}

/** Header values as HTTP sends them; undefined when the value is not one (objects, arrays). */
function headerValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The `headers` and `cookies` members of an HTTP-shaped result (buffered response or streaming prelude). */
export function responseHeaders(shape: Record<string, unknown>): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  const headers = shape.headers;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) return undefined;
    for (const [name, raw] of Object.entries(headers as Record<string, unknown>)) {
      const v = headerValue(raw);
      if (v === undefined) return undefined;
      out.push([name, v]);
    }
  }
  const cookies = shape.cookies;
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) return undefined;
    for (const c of cookies as string[]) out.push(['set-cookie', c]);
  }
  return out;
}

export const hasHeader = (headers: ReadonlyArray<[string, string]>, name: string): boolean =>
  headers.some(([n]) => n.toLowerCase() === name);

/** The HTTP response for a buffered result, or undefined when it cannot be mapped (→ 502). */
export function mapBufferedResponse(payload: Buffer): UrlHttpResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('statusCode' in value)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return { status: 200, headers: [['content-type', JSON_TYPE]], body: Buffer.from(text, 'utf8') };
  }
  const shape = value as Record<string, unknown>;
  const status = validStatus(shape.statusCode);
  if (status === undefined) return undefined;
  const headers = responseHeaders(shape);
  if (!headers) return undefined;
  if (!hasHeader(headers, 'content-type')) headers.unshift(['content-type', JSON_TYPE]);
  let body: Buffer;
  const raw = shape.body;
  if (raw === undefined || raw === null) body = Buffer.alloc(0);
  else if (typeof raw === 'string') body = shape.isBase64Encoded === true ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  else body = Buffer.from(JSON.stringify(raw), 'utf8');
  return { status, headers, body };
}
