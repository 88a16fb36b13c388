// Network modes of the isolated backend. `egress`: a namespace per environment with NAT to the outside (here a
// test host in a namespace of our own), while the host, Sluice's port, metadata and other environments stay
// unreachable. `none`: loopback only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createProbeFunction, egressSkip, hostAddresses, hostProbes, probe, type ProbeResult } from './helpers.js';
import { startTestHost, type TestHost } from './test-host.js';

const skip = egressSkip();
let egress: TestServer;
let none: TestServer;
let testHost: TestHost;
let loopbackOnly: Server;
let loopbackPort: number;

before(async () => {
  if (skip) return;
  testHost = await startTestHost();
  // A service the host offers on loopback only.
  loopbackOnly = createServer((c) => { c.on('error', () => undefined); c.end('host loopback\n'); }).listen(0, '127.0.0.1');
  await once(loopbackOnly, 'listening');
  loopbackPort = (loopbackOnly.address() as { port: number }).port;
  // Bound to every address, so Sluice's port is open on the host's real and veth addresses too.
  [egress, none] = await Promise.all([
    startTestServer({ sandbox: 'isolated', sandboxNetwork: 'egress', host: '0.0.0.0' }),
    startTestServer({ sandbox: 'isolated', sandboxNetwork: 'none' }),
  ]);
  await Promise.all([
    createProbeFunction(egress.lambda, 'net-a'),
    createProbeFunction(egress.lambda, 'net-b'),
    createProbeFunction(none.lambda, 'net-none'),
  ]);
});
after(async () => {
  await egress?.close();
  await none?.close();
  loopbackOnly?.close();
  await testHost?.close();
});

const exchange = () => ({ op: 'exchange', host: testHost.address, port: testHost.port, send: 'hello' });

test('egress: a function reaches a host outside through NAT, from its own namespace', { skip }, async () => {
  const { results } = await probe(egress.lambda, 'net-a', [{ op: 'interfaces' }, exchange()]);
  const [ifaces, reply] = results as [ProbeResult, ProbeResult];
  assert.deepEqual(ifaces.names.sort(), ['eth0', 'lo']);
  const [own] = ifaces.ipv4.eth0 as string[];
  assert.match(own!, /^10\.213\./);
  assert.ok(ifaces.gateway, 'a default route');
  assert.equal(reply.ok, true, JSON.stringify(reply));
  // The test host sees the host's address on its link, not the environment's: the connection was NATed.
  assert.match(reply.reply, /^from 198\.1[89]\.\d+\.\d+: hello$/);
  assert.ok(!reply.reply.includes(own!), reply.reply);
});

test('egress: the host, Sluice\'s port, host loopback services, metadata and other environments are unreachable', { skip }, async () => {
  const port = egress.sluice.address.port;
  const b = await probe(egress.lambda, 'net-b', [{ op: 'listen', port: 8123 }, { op: 'interfaces' }]);
  assert.equal(b.results[0]!.ok, true, JSON.stringify(b.results[0]));
  const bIp = (b.results[1]!.ipv4.eth0 as string[])[0]!;
  const a = await probe(egress.lambda, 'net-a', [{ op: 'interfaces' }]);
  const gateway = a.results[0]!.gateway as string;
  const hostIps = await hostAddresses();
  const attacks = [
    { op: 'connect', host: gateway, port },
    ...hostIps.map((host) => ({ op: 'connect', host, port })),
    { op: 'connect', host: '127.0.0.1', port },
    { op: 'connect', host: '127.0.0.1', port: loopbackPort },
    { op: 'connect', host: gateway, port: loopbackPort },
    { op: 'connect', host: '169.254.169.254', port: 80 },
    { op: 'connect', host: bIp, port: 8123 },
    { op: 'connect', host: b.results[1]!.gateway, port },
  ].map((p) => ({ ...p, timeoutMs: 1500 }));
  const { results } = await probe(egress.lambda, 'net-a', [{ op: 'all', probes: attacks }, exchange()]);
  const attempts = results[0]!.results as ProbeResult[];
  attempts.forEach((r, i) => assert.equal(r.ok, false, `${JSON.stringify(attacks[i])} must be unreachable: ${JSON.stringify(r)}`));
  assert.equal(results[1]!.ok, true, 'control: the outside is still reachable from the same environment');
  // Controls: each target is live where it should be.
  for (const target of [{ host: gateway, port }, ...hostIps.map((host) => ({ host, port })), { host: '127.0.0.1', port: loopbackPort }]) {
    assert.equal((await hostProbes.runProbe({ op: 'connect', ...target })).ok, true, `host control: ${JSON.stringify(target)}`);
  }
  const own = await probe(egress.lambda, 'net-b', [{ op: 'exchange', host: bIp, port: 8123, send: 'x' }]);
  assert.equal(own.results[0]!.reply, 'listener', 'control: the other environment\'s listener answers inside it');
});

test('none: only loopback; the outside host is unreachable', { skip }, async () => {
  const { results } = await probe(none.lambda, 'net-none', [
    { op: 'interfaces' }, { ...exchange(), timeoutMs: 1500 }, { op: 'connect', host: '169.254.169.254', port: 80, timeoutMs: 1500 }, { op: 'loopback' },
  ]);
  const [ifaces, outside, metadata, loopback] = results as [ProbeResult, ProbeResult, ProbeResult, ProbeResult];
  assert.deepEqual(ifaces.names, ['lo']);
  assert.equal(outside.ok, false, JSON.stringify(outside));
  assert.equal(outside.code, 'ENETUNREACH');
  assert.equal(metadata.ok, false);
  assert.equal(loopback.reply, 'hi', 'control: loopback works');
});
