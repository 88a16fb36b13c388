import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../observability/index.js';
import { addressesFor, capacity, netfilterScript, parseSubnet, type EnvironmentAddresses, type Subnet } from './egress-plan.js';

const run = promisify(execFile);
const NETNS_DIR = '/run/netns';
const LOCK_FILE = '/run/sluice-netfilter.lock';

/** One environment's network namespace; `path` is what `nsenter --net=` takes. */
export interface EnvironmentNetwork {
  readonly path: string;
  readonly addresses: EnvironmentAddresses;
  destroy(): Promise<void>;
}

async function ip(args: string[], input?: string): Promise<void> {
  if (input === undefined) {
    await run('ip', args);
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', args, (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(input);
  });
}

function sysctl(path: string, value: string): void {
  try {
    writeFileSync(join('/proc/sys', path), value);
  } catch { /* absent on kernels without that knob (e.g. IPv6 disabled) */ }
}

/** Deletes an environment's namespace: the veth pair first (synchronous), then the name. */
async function deleteNetns(name: string): Promise<void> {
  await ip(['-n', name, 'link', 'del', 'eth0']).catch(() => undefined);
  await ip(['netns', 'del', name]).catch(() => undefined);
}

/** Network namespaces a previous (crashed) run with this name prefix left; returns how many were removed. */
export async function sweepNetworks(namePrefix: string): Promise<number> {
  if (!existsSync(NETNS_DIR)) return 0;
  const stale = readdirSync(NETNS_DIR).filter((n) => n.startsWith(`${namePrefix}-`));
  for (const name of stale) await deleteNetns(name);
  return stale.length;
}

export interface EgressOptions {
  /** Names this server's namespaces (`<prefix>-<environment id>`), so sweeps never touch another server's. */
  namePrefix: string;
  subnet: string;
  logger: Logger;
}

/**
 * The `egress` network mode: a network namespace per environment joined to the host by a veth pair, NATed to
 * the outside. Host firewall rules (see egress-plan.ts) make the host itself, link-local/metadata addresses and
 * other environments unreachable. Installing them is idempotent and never flushes anything.
 */
export class EgressNetworks {
  private readonly subnet: Subnet;

  private constructor(private readonly options: EgressOptions) {
    this.subnet = parseSubnet(options.subnet);
  }

  static async start(options: EgressOptions): Promise<EgressNetworks> {
    const networks = new EgressNetworks(options);
    await run('flock', [LOCK_FILE, 'sh', '-c', netfilterScript(options.subnet)]);
    // Forwarding must be on for NAT; if it was off nothing relied on forwarding, so (like Docker) the FORWARD
    // policy becomes DROP and only our chain's traffic is forwarded.
    if (readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '1') {
      await run('iptables', ['-w', '-P', 'FORWARD', 'DROP']);
      writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
      options.logger.warn('egress networking enabled IPv4 forwarding (net.ipv4.ip_forward=1) and set the FORWARD policy to DROP');
    }
    return networks;
  }

  async create(id: string): Promise<EnvironmentNetwork> {
    const name = `${this.options.namePrefix}-${id}`;
    await ip(['netns', 'add', name]);
    try {
      const addresses = await this.allocateVeth(name);
      const { hostVeth, hostIp, sandboxIp } = addresses;
      // No IPv6 on either end (its link-local addresses would bypass the IPv4 rules); strict reverse-path filter
      // so an environment cannot send with another's source address.
      sysctl(`net/ipv6/conf/${hostVeth}/disable_ipv6`, '1');
      sysctl(`net/ipv4/conf/${hostVeth}/rp_filter`, '1');
      sysctl(`net/ipv4/conf/${hostVeth}/forwarding`, '1');
      await ip(['-batch', '-'], `addr add ${hostIp}/30 dev ${hostVeth}\nlink set ${hostVeth} up\n`);
      await ip(['-n', name, '-batch', '-'],
        `link set lo up\nlink set eth0 addrgenmode none\naddr add ${sandboxIp}/30 dev eth0\nlink set eth0 up\nroute add default via ${hostIp}\n`);
      let destroyed: Promise<void> | undefined;
      return { path: join(NETNS_DIR, name), addresses, destroy: () => (destroyed ??= deleteNetns(name)) };
    } catch (err) {
      await deleteNetns(name);
      throw err;
    }
  }

  /** Claims a free /30 by creating its uniquely named veth (EEXIST = taken by another environment or server). */
  private async allocateVeth(netns: string): Promise<EnvironmentAddresses> {
    const slots = capacity(this.subnet);
    const start = Math.floor(Math.random() * slots);
    for (let i = 0; i < slots; i++) {
      const addresses = addressesFor(this.subnet, (start + i) % slots);
      try {
        await ip(['link', 'add', addresses.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
        return addresses;
      } catch (err) {
        if (!/File exists/.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
      }
    }
    throw new Error(`the egress subnet ${this.options.subnet} has no free /30 left`);
  }
}
