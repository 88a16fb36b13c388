import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logTail } from './log-tail.js';

test('the tail is base64 of the lines, cut to their last 4096 bytes', () => {
  assert.equal(Buffer.from(logTail(['START a', 'END a']), 'base64').toString(), 'START a\nEND a\n');
  const long = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
  const tail = Buffer.from(logTail([...long, 'REPORT last']), 'base64');
  assert.equal(tail.length, 4096);
  assert.ok(tail.toString().endsWith('REPORT last\n'));
});
