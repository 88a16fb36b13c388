/**
 * Pure parts of the `egress` network mode: addresses per environment and the host firewall rules.
 * Each environment gets a /30 of the egress subnet: `.1` on the host end of its veth pair (the gateway), `.2`
 * inside. Host ends are named `slv<index>`, so the kernel's unique interface names allocate indexes across every
 * Sluice server on the host without a lock file.
 */

/** Host-side veth names: every rule below matches them with the `slv+` wildcard. */
export const VETH_PREFIX = 'slv';
/** Our chains, jumped to from the built-in ones. */
export const CHAINS = { input: 'SLUICE-INPUT', forward: 'SLUICE-FORWARD', postrouting: 'SLUICE-POSTROUTING' } as const;

export interface Subnet {
  base: number;
  prefix: number;
}

export function parseSubnet(cidr: string): Subnet {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) throw new Error(`expected an IPv4 subnet like 10.213.0.0/16, got "${cidr}"`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 8 || prefix > 28) throw new Error(`expected an IPv4 subnet between /8 and /28, got "${cidr}"`);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) throw new Error(`"${cidr}" is not aligned to its prefix length`);
  return { base, prefix };
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** How many environments the subnet holds at once (one /30 each). */
export function capacity(subnet: Subnet): number {
  return 2 ** (32 - subnet.prefix) / 4;
}

export interface EnvironmentAddresses {
  index: number;
  hostVeth: string;
  hostIp: string;
  sandboxIp: string;
}

export function addressesFor(subnet: Subnet, index: number): EnvironmentAddresses {
  if (!Number.isInteger(index) || index < 0 || index >= capacity(subnet)) throw new Error(`index ${index} is outside the egress subnet`);
  const block = subnet.base + index * 4;
  return { index, hostVeth: `${VETH_PREFIX}${index}`, hostIp: formatIp(block + 1), sandboxIp: formatIp(block + 2) };
}

/**
 * The host firewall, as iptables argument lists (table first). Environments reach the outside through NAT and
 * nothing else: not the host (any of its addresses, so no Sluice port either), not link-local / cloud metadata
 * (169.254.0.0/16), not each other; nothing from outside reaches them except replies.
 */
export function netfilterRules(subnetCidr: string): { chains: [table: string, chain: string, from: string, match: string[]][]; rules: [table: string, chain: string, rule: string[]][] } {
  const veths = `${VETH_PREFIX}+`;
  return {
    chains: [
      ['filter', CHAINS.input, 'INPUT', ['-i', veths]],
      ['filter', CHAINS.forward, 'FORWARD', []],
      ['nat', CHAINS.postrouting, 'POSTROUTING', []],
    ],
    rules: [
      ['filter', CHAINS.input, ['-j', 'DROP']],
      ['filter', CHAINS.forward, ['-i', veths, '-o', veths, '-j', 'DROP']],
      ['filter', CHAINS.forward, ['-i', veths, '-d', '169.254.0.0/16', '-j', 'DROP']],
      ['filter', CHAINS.forward, ['-i', veths, '-j', 'ACCEPT']],
      ['filter', CHAINS.forward, ['-o', veths, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']],
      ['filter', CHAINS.forward, ['-o', veths, '-j', 'DROP']],
      ['nat', CHAINS.postrouting, ['-s', subnetCidr, '!', '-o', veths, '-j', 'MASQUERADE']],
    ],
  };
}

/**
 * One idempotent shell script that installs the rules without ever flushing them (another Sluice server may be
 * relying on them right now): create each chain if missing, append each rule unless present (`-C`), and jump to
 * our chains from the top of the built-in ones. Run under `flock` so concurrent starts do not race.
 */
export function netfilterScript(subnetCidr: string, iptables = 'iptables'): string {
  const q = (args: string[]) => args.map((a) => (/^[\w.,/:+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  const { chains, rules } = netfilterRules(subnetCidr);
  const lines = ['set -e'];
  for (const [table, chain] of chains) lines.push(`${iptables} -w -t ${table} -L ${chain} -n >/dev/null 2>&1 || ${iptables} -w -t ${table} -N ${chain}`);
  for (const [table, chain, rule] of rules) lines.push(`${iptables} -w -t ${table} -C ${chain} ${q(rule)} 2>/dev/null || ${iptables} -w -t ${table} -A ${chain} ${q(rule)}`);
  for (const [table, chain, from, match] of chains) {
    const jump = [...match, '-j', chain];
    lines.push(`${iptables} -w -t ${table} -C ${from} ${q(jump)} 2>/dev/null || ${iptables} -w -t ${table} -I ${from} 1 ${q(jump)}`);
  }
  return lines.join('\n');
}
