import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CreateFunctionCommand, waitUntilFunctionActiveV2, type CreateFunctionCommandInput, type LambdaClient } from '@aws-sdk/client-lambda';
import { probeHost, isolationAvailable } from '../../src/sandbox/isolation/host-capabilities.js';
import { ROLE } from '../helpers/server.js';
import { FIXTURES, fixtureZip, invoke, NODE, type Invoked } from '../invoke/helpers.js';

/** Why isolation tests cannot run here (false when they can): they need root, bubblewrap and cgroups. */
export function isolationSkip(): string | false {
  const caps = probeHost();
  if (isolationAvailable(caps)) return false;
  const missing = caps.filter((c) => !c.ok && ['root', 'bubblewrap', 'setpriv', 'cgroups', 'user namespaces'].includes(c.name));
  return `the isolated backend cannot run on this host (${missing.map((c) => `${c.name}: ${c.detail}`).join('; ') || 'bubblewrap cannot create namespaces'})`;
}

/** Why egress tests cannot run here (false when they can). */
export function egressSkip(): string | false {
  const base = isolationSkip();
  if (base) return base;
  const egress = probeHost().find((c) => c.name === 'egress networking');
  return egress?.ok ? false : `egress networking unavailable: ${egress?.detail}`;
}

export interface ProbeResult {
  ok: boolean;
  code?: string;
  [k: string]: any;
}

/** The same probes the fixture runs, loaded into the test process for host-side controls. */
export const hostProbes = createRequire(import.meta.url)(join(FIXTURES, 'sec-probe', 'probes.cjs')) as {
  runProbe(p: Record<string, unknown>): Promise<ProbeResult>;
};

/** Deploys the sec-probe fixture; `extraFiles` make its code (and so its code directory) distinct. */
export async function createProbeFunction(
  lambda: LambdaClient, name: string, extra: Partial<CreateFunctionCommandInput> = {}, extraFiles: Record<string, string> = {},
): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Role: ROLE, Code: { ZipFile: fixtureZip('sec-probe', extraFiles) }, ...NODE, Timeout: 60, ...extra,
  } as CreateFunctionCommandInput));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: name });
}

/** Runs probes inside a function; fails loudly when the invocation itself failed. */
export async function probe(
  lambda: LambdaClient, name: string, probes: Record<string, unknown>[], marker?: string,
): Promise<{ instance: string; results: ProbeResult[]; invoked: Invoked }> {
  const invoked = await invoke(lambda, name, { probes, marker }, { LogType: 'Tail' });
  if (invoked.out.FunctionError || !Array.isArray(invoked.body?.results)) {
    throw new Error(`probe invocation of ${name} failed: ${invoked.text}\n${invoked.log}`);
  }
  return { instance: invoked.body.instance, results: invoked.body.results, invoked };
}

/** The cgroup parent Sluice derives from its data dir (src/main.ts). */
export function cgroupParentFor(dataDir: string): string {
  return `sluice-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`;
}

/** Per-environment state directories (named by environment id) of a server. */
export function environmentDirs(dataDir: string): string[] {
  const root = join(dataDir, 'sandboxes');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, e.name));
}

/** The environment whose /tmp holds `marker` (written by the fixture), as its host-side state directory. */
export function environmentWithMarker(dataDir: string, marker: string): string | undefined {
  return environmentDirs(dataDir).find((d) => {
    try {
      return readFileSync(join(d, 'tmpfs', 'tmp', 'sec-marker'), 'utf8') === marker;
    } catch {
      return false;
    }
  });
}

/** Host directories of extracted code that contain `file`. */
export function codeDirsWith(dataDir: string, file: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), depth + 1);
      else if (e.name === file) out.push(dir);
    }
  };
  walk(join(dataDir, 'code'), 0);
  return out;
}

/** The host's own non-loopback IPv4 addresses. */
export async function hostAddresses(): Promise<string[]> {
  const { networkInterfaces } = await import('node:os');
  return Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a!.address);
}
