import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newTraceContext, parseTraceHeader } from './trace-header.js';

const NOW = 0x5759e988 * 1000 + 123;

test('a new trace: AWS header format, the time in the root, sampled only when Active', () => {
  const active = newTraceContext({ now: NOW, active: true });
  assert.match(active.header, /^Root=1-5759e988-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
  assert.equal(active.header, `Root=${active.root};Parent=${active.invocationSpanId};Sampled=1`);
  assert.equal(active.traceId, active.root.slice(2).replace('-', ''));
  assert.match(active.traceId, /^[0-9a-f]{32}$/);
  assert.notEqual(active.requestSpanId, active.invocationSpanId);
  assert.equal(active.callerSpanId, undefined);
  const passive = newTraceContext({ now: NOW, active: false });
  assert.match(passive.header, /;Sampled=0$/);
  assert.notEqual(passive.root, active.root);
});

test('an upstream trace is continued; its sampling decision wins; junk is ignored', () => {
  const up = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a:1';
  const ctx = newTraceContext({ now: NOW + 99_000_000, active: true, incoming: up });
  assert.equal(ctx.root, '1-5759e988-bd862e3fe1be46a994272793');
  assert.equal(ctx.sampled, false);
  assert.equal(ctx.callerSpanId, '53995c3f42cd8ad8');
  assert.deepEqual(parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?'), { root: '1-5759e988-bd862e3fe1be46a994272793' });
  assert.deepEqual(parseTraceHeader('Root=nope;Parent=xyz;Sampled=2'), {});
  assert.deepEqual(parseTraceHeader(undefined), {});
});
