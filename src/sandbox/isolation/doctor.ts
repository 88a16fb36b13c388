import { planBackend, type SandboxMode } from './select-backend.js';
import { detectCgroups } from './cgroups.js';

export interface DoctorInput {
  dataDir: string;
  runtimesDir: string;
  mode: SandboxMode;
  network: 'none' | 'egress';
  egressSubnet: string;
  uid: number;
}

/**
 * `sluice doctor`: what the isolated backend needs, what this host has, how to fix what is missing, and which
 * backend `serve` would use with this configuration. Changes nothing.
 */
export function doctorReport(input: DoctorInput): string {
  const plan = planBackend({ dataDir: input.dataDir, runtimesDir: input.runtimesDir, mode: input.mode, network: input.network, egressSubnet: input.egressSubnet, cgroupParent: 'sluice' });
  const width = Math.max(...plan.capabilities.map((c) => c.name.length));
  const lines = ['What the isolated sandbox backend needs on this host:', ''];
  for (const c of plan.capabilities) {
    lines.push(`  ${c.ok ? '[ok]     ' : '[missing]'} ${c.name.padEnd(width)}  ${c.detail}`);
    if (!c.ok && c.fix) lines.push(`  ${' '.repeat(9)} ${' '.repeat(width)}  fix: ${c.fix}`);
  }
  lines.push('', `Configuration: --sandbox ${input.mode}, --sandbox-network ${input.network}` +
    `${input.network === 'egress' ? ` (subnet ${input.egressSubnet})` : ''}, --sandbox-uid ${input.uid}, --data-dir ${input.dataDir}`, '');
  if (plan.refused) {
    lines.push(`serve will refuse to start: ${plan.reason}`);
  } else if (plan.backend === 'isolated') {
    const cgroups = detectCgroups('sluice')?.version ?? 'none';
    const loop = plan.capabilities.find((c) => c.name === 'loop devices + mkfs.ext4')?.ok;
    lines.push(`serve will use: the isolated backend (bubblewrap as uid ${input.uid}, cgroups ${cgroups}, ` +
      `/tmp as ${loop ? 'an ext4 loop image' : 'a tmpfs charged to memory'}, network ${input.network})`);
  } else if (input.mode === 'process') {
    lines.push('serve will use: the process backend (--sandbox process): FUNCTIONS ARE NOT ISOLATED');
    if (input.network === 'egress') lines.push('  (--sandbox-network egress has no effect there: functions use the host network directly)');
  } else {
    lines.push(`serve will use: the process backend: FUNCTIONS ARE NOT ISOLATED, because ${plan.reason}`);
    lines.push('  (fix the items above, or pass --sandbox isolated to refuse to start instead of downgrading)');
  }
  return `${lines.join('\n')}\n`;
}
