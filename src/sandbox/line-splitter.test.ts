import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './line-splitter.js';

test('splits chunks into lines across chunk boundaries and releases the tail on end', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  s.push(Buffer.from('a\nb'));
  s.push(Buffer.from('c\n\nd\r'));
  assert.deepEqual(lines, ['a', 'bc', '']);
  s.end();
  assert.deepEqual(lines, ['a', 'bc', '', 'd\r']);
  s.end();
  assert.equal(lines.length, 4);
});
