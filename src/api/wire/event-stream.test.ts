import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamCodec, getChunkedStream } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { encodeMessage, errorMessage, eventMessage } from './event-stream.js';

// The SDK's own codec (what @aws-sdk/client-lambda decodes InvokeWithResponseStream with) checks both CRCs.
const codec = new EventStreamCodec(toUtf8, fromUtf8);

test('a PayloadChunk decodes with the SDK codec: headers, payload, CRCs', () => {
  const payload = Buffer.from([0, 1, 2, 255, 0x7f, 0x80]);
  const msg = codec.decode(eventMessage('PayloadChunk', 'application/octet-stream', payload));
  assert.deepEqual(Buffer.from(msg.body), payload);
  assert.deepEqual(msg.headers[':event-type'], { type: 'string', value: 'PayloadChunk' });
  assert.deepEqual(msg.headers[':content-type'], { type: 'string', value: 'application/octet-stream' });
  assert.deepEqual(msg.headers[':message-type'], { type: 'string', value: 'event' });
});

test('the header block is laid out as the reference example shows', () => {
  const bytes = eventMessage('PayloadChunk', 'application/octet-stream', new Uint8Array(0));
  const headerLength = bytes.readUInt32BE(4);
  const expected = Buffer.concat([
    Buffer.from([0x0b]), Buffer.from(':event-type'), Buffer.from([7, 0x00, 0x0c]), Buffer.from('PayloadChunk'),
    Buffer.from([0x0d]), Buffer.from(':content-type'), Buffer.from([7, 0x00, 0x18]), Buffer.from('application/octet-stream'),
    Buffer.from([0x0d]), Buffer.from(':message-type'), Buffer.from([7, 0x00, 0x05]), Buffer.from('event'),
  ]);
  assert.deepEqual(bytes.subarray(12, 12 + headerLength), expected);
  assert.equal(bytes.readUInt32BE(0), bytes.length);
  assert.equal(bytes.length, 16 + headerLength);
});

test('our encoding is byte-identical to the SDK encoder, including UTF-8 and empty payloads', () => {
  for (const [headers, body] of [
    [[[':event-type', 'InvokeComplete'], [':content-type', 'application/json'], [':message-type', 'event']], Buffer.from('{"LogResult":"ü"}')],
    [[['x', 'ünïcødé ✓']], Buffer.alloc(0)],
    [[], Buffer.alloc(100_000, 7)],
  ] as const) {
    const ours = encodeMessage(headers, body);
    const sdk = codec.encode({
      headers: Object.fromEntries(headers.map(([n, v]) => [n, { type: 'string' as const, value: v }])),
      body,
    });
    assert.deepEqual(ours, Buffer.from(sdk));
  }
});

test('messages stream back to back and split anywhere: the SDK reassembles them', async () => {
  const all = Buffer.concat([eventMessage('PayloadChunk', 'application/octet-stream', Buffer.from('hello ')),
    eventMessage('PayloadChunk', 'application/octet-stream', Buffer.from('world')),
    eventMessage('InvokeComplete', 'application/json', Buffer.from('{}'))]);
  async function* sevenBytesAtATime() {
    for (let i = 0; i < all.length; i += 7) yield all.subarray(i, i + 7);
  }
  const got: [unknown, string][] = [];
  for await (const whole of getChunkedStream(sevenBytesAtATime())) {
    const m = codec.decode(whole);
    got.push([m.headers[':event-type']?.value, Buffer.from(m.body).toString()]);
  }
  assert.deepEqual(got, [['PayloadChunk', 'hello '], ['PayloadChunk', 'world'], ['InvokeComplete', '{}']]);
});

test('a corrupted byte fails the CRC check', () => {
  const bytes = eventMessage('PayloadChunk', 'application/octet-stream', Buffer.from('data'));
  bytes[bytes.length - 6]! ^= 0xff;
  assert.throws(() => codec.decode(bytes), /checksum/i);
});

test('error messages carry :error-code and :error-message', () => {
  const msg = codec.decode(errorMessage('ServiceException', 'stream failed'));
  assert.equal(msg.headers[':message-type']?.value, 'error');
  assert.equal(msg.headers[':error-code']?.value, 'ServiceException');
  assert.equal(msg.headers[':error-message']?.value, 'stream failed');
});
