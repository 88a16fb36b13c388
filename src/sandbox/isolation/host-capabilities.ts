import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CgroupV1Manager, CgroupV2Manager } from './cgroups.js';

export interface Capability {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when it is missing. */
  fix?: string;
}

function which(cmd: string): string | undefined {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) {
    if (existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return undefined;
}

function readTrim(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** What the isolated backend needs, probed on this host (`sluice doctor`). */
export function probeHost(): Capability[] {
  const caps: Capability[] = [];
  const root = process.getuid?.() === 0;
  caps.push({ name: 'root', ok: root, detail: root ? 'running as root' : `running as uid ${process.getuid?.()}`, fix: 'run `sluice serve` as root (it drops every function to an unprivileged uid)' });
  const bwrap = which('bwrap');
  caps.push({ name: 'bubblewrap', ok: !!bwrap, detail: bwrap ?? 'not found', fix: 'apt-get install bubblewrap' });
  let help = '';
  try {
    if (bwrap) help = execFileSync(bwrap, ['--help'], { encoding: 'utf8', timeout: 5000 });
  } catch { /* old bwrap versions exit non-zero on --help */ }
  const noUserns = help.includes('--disable-userns');
  caps.push({
    name: 'bubblewrap --disable-userns', ok: noUserns,
    detail: noUserns ? 'functions cannot create nested user namespaces' : 'this bubblewrap cannot stop functions from creating nested user namespaces',
    fix: 'bubblewrap 0.8 or later (Debian 12)',
  });
  const setpriv = which('setpriv');
  caps.push({ name: 'setpriv', ok: !!setpriv, detail: setpriv ?? 'not found', fix: 'apt-get install util-linux' });
  const v2 = CgroupV2Manager.available();
  const v1 = CgroupV1Manager.available();
  caps.push({
    name: 'cgroups', ok: v1 || v2,
    detail: v2 ? 'v2 with memory, pids, cpu' : v1 ? 'v1 hierarchies: memory, cpu, pids' : 'no usable memory/cpu/pids controllers',
    fix: 'mount cgroup v1 hierarchies or enable the controllers in cgroup v2',
  });
  const userns = readTrim('/proc/sys/user/max_user_namespaces');
  caps.push({ name: 'user namespaces', ok: !!userns && userns !== '0', detail: `max_user_namespaces=${userns ?? 'unknown'}`, fix: 'sysctl user.max_user_namespaces=15000' });
  const loop = existsSync('/dev/loop-control') && !!which('mkfs.ext4') && !!which('losetup');
  caps.push({ name: 'loop devices + mkfs.ext4', ok: loop, detail: loop ? '/tmp as an ext4 image (not charged to memory)' : '/tmp falls back to tmpfs (charged to memory)', fix: 'apt-get install e2fsprogs mount; modprobe loop' });
  const socat = which('socat');
  caps.push({ name: 'socat', ok: !!socat, detail: socat ?? 'not found: custom runtimes get no host:port Runtime API relay', fix: 'apt-get install socat' });
  const netns = existsSync('/proc/self/ns/net');
  caps.push({ name: 'network namespaces', ok: netns, detail: netns ? 'supported by the kernel' : 'no /proc/self/ns/net', fix: 'a kernel with CONFIG_NET_NS' });
  const ip = which('ip');
  const ipt = which('iptables') ?? which('iptables-nft') ?? which('iptables-legacy');
  caps.push({ name: 'egress networking', ok: !!ip && !!ipt, detail: ip && ipt ? `${ip}, ${ipt}` : 'ip/iptables missing: only the `none` network mode is available', fix: 'apt-get install iproute2 iptables' });
  const forward = readTrim('/proc/sys/net/ipv4/ip_forward');
  caps.push({
    name: 'IPv4 forwarding', ok: true,
    detail: forward === '1' ? 'on' : 'off (the `egress` mode turns it on and sets the FORWARD policy to DROP, as Docker does)',
  });
  return caps;
}

export function isolationAvailable(caps: Capability[] = probeHost()): boolean {
  const need = ['root', 'bubblewrap', 'setpriv', 'cgroups', 'user namespaces'];
  if (!caps.filter((c) => need.includes(c.name)).every((c) => c.ok)) return false;
  try {
    // The real test: can bwrap create the namespaces here?
    execFileSync('bwrap', ['--unshare-all', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--', '/usr/bin/true'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
