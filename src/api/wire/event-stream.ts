import * as zlib from 'node:zlib';

/**
 * AWS event-stream framing (application/vnd.amazon.eventstream), as InvokeWithResponseStream sends it:
 * [total length u32][headers length u32][prelude CRC32][headers][payload][message CRC32], big-endian, CRC32 with
 * the IEEE polynomial. Only string-valued headers (type 7) are needed here.
 */

const PRELUDE = 12;
const TRAILER = 4;
const STRING_TYPE = 7;

/** zlib.crc32 is native (Node ≥ 20.15); older Node 20 releases get the table-driven equivalent. */
const crc32: (data: Uint8Array, value?: number) => number =
  (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32 ?? tableCrc32;

let table: Uint32Array | undefined;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

export type EventHeaders = ReadonlyArray<readonly [name: string, value: string]>;

function headerBytes(headers: EventHeaders): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    if (n.length > 255) throw new RangeError(`event-stream header name too long: ${name}`);
    if (v.length > 0xffff) throw new RangeError(`event-stream header value too long: ${name}`);
    const h = Buffer.allocUnsafe(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING_TYPE, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  return Buffer.concat(parts);
}

/** One complete message. */
export function encodeMessage(headers: EventHeaders, payload: Uint8Array): Buffer {
  const h = headerBytes(headers);
  const total = PRELUDE + h.length + payload.length + TRAILER;
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(h.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  h.copy(out, PRELUDE);
  out.set(payload, PRELUDE + h.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - TRAILER)), total - TRAILER);
  return out;
}

/** An `event` message of the given type (`:event-type`), e.g. PayloadChunk or InvokeComplete. */
export function eventMessage(eventType: string, contentType: string, payload: Uint8Array): Buffer {
  return encodeMessage([[':event-type', eventType], [':content-type', contentType], [':message-type', 'event']], payload);
}

/** An `error` message: what clients raise when a stream fails in a way no modeled event can carry. */
export function errorMessage(code: string, message: string): Buffer {
  return encodeMessage([[':error-code', code], [':error-message', message], [':message-type', 'error']], new Uint8Array(0));
}
