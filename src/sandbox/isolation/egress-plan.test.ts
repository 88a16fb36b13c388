import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressesFor, capacity, netfilterRules, netfilterScript, parseSubnet } from './egress-plan.js';

test('each environment gets a /30: the host end is the gateway, the sandbox end .2', () => {
  const subnet = parseSubnet('10.213.0.0/16');
  assert.equal(capacity(subnet), 16384);
  assert.deepEqual(addressesFor(subnet, 0), { index: 0, hostVeth: 'slv0', hostIp: '10.213.0.1', sandboxIp: '10.213.0.2' });
  assert.deepEqual(addressesFor(subnet, 16383), { index: 16383, hostVeth: 'slv16383', hostIp: '10.213.255.253', sandboxIp: '10.213.255.254' });
  assert.throws(() => addressesFor(subnet, 16384));
  assert.ok(addressesFor(parseSubnet('10.0.0.0/8'), capacity(parseSubnet('10.0.0.0/8')) - 1).hostVeth.length <= 15, 'interface names fit IFNAMSIZ');
});

test('subnets must be aligned IPv4 ranges between /8 and /28', () => {
  for (const bad of ['10.213.0.1/16', '10.213.0.0', '300.0.0.0/16', '10.0.0.0/30', 'fd00::/64']) assert.throws(() => parseSubnet(bad), bad);
  assert.deepEqual(parseSubnet('192.168.64.0/20'), { base: (192 * 2 ** 24) + (168 << 16) + (64 << 8), prefix: 20 });
});

test('the firewall drops traffic to the host, to link-local/metadata and between environments before accepting egress', () => {
  const { rules } = netfilterRules('10.213.0.0/16');
  const forward = rules.filter(([, chain]) => chain === 'SLUICE-FORWARD').map(([, , r]) => r.join(' '));
  const accept = forward.indexOf('-i slv+ -j ACCEPT');
  assert.ok(forward.indexOf('-i slv+ -o slv+ -j DROP') < accept);
  assert.ok(forward.indexOf('-i slv+ -d 169.254.0.0/16 -j DROP') < accept);
  assert.equal(forward.at(-1), '-o slv+ -j DROP', 'nothing enters an environment but replies');
  assert.deepEqual(rules.find(([, chain]) => chain === 'SLUICE-INPUT')?.[2], ['-j', 'DROP']);
  assert.ok(rules.some(([table, , r]) => table === 'nat' && r.join(' ') === '-s 10.213.0.0/16 ! -o slv+ -j MASQUERADE'));
});

test('the install script is idempotent: it checks before it adds and never flushes', () => {
  const script = netfilterScript('10.213.0.0/16');
  assert.ok(!/ -F\b| -X\b| -D\b/.test(script), 'no flush, delete-chain or delete-rule');
  for (const line of script.split('\n').slice(1)) assert.match(line, /(-L .* \|\| .* -N |-C .* \|\| .* -[AI] )/, line);
  assert.match(script, /-C INPUT -i slv\+ -j SLUICE-INPUT .*\|\| iptables -w -t filter -I INPUT 1 -i slv\+ -j SLUICE-INPUT/);
  assert.match(script, / '!' -o slv\+ -j MASQUERADE/);
});
