import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TailBuffer } from './tail-buffer.js';

test('keeps at least the newest keepBytes, drops older lines', () => {
  const b = new TailBuffer(100);
  for (let i = 0; i < 1000; i++) b.push(`line ${String(i).padStart(4, '0')}`);
  const lines = b.lines();
  assert.equal(lines[lines.length - 1], 'line 0999');
  const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
  assert.ok(bytes >= 100 && bytes <= 400, `${bytes}`);
  assert.ok(lines.length < 1000);
});

test('a single huge line is kept', () => {
  const b = new TailBuffer(10);
  b.push('x'.repeat(1000));
  assert.equal(b.lines().length, 1);
});
