import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, openSync, ftruncateSync, closeSync, readFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A per-environment /tmp of EphemeralStorage size that is not charged to the function's memory: a sparse
 * ext4 image mounted through a loop device (a tmpfs would count against the memory cgroup).
 */
export interface TmpVolume {
  readonly path: string;
  close(): Promise<void>;
}

export async function createTmpVolume(dir: string, sizeBytes: number, owner: { uid: number; gid: number }): Promise<TmpVolume> {
  // Traversable (not listable) so bwrap, running as the sandbox uid, can bind the mount point.
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const image = join(dir, 'tmp.ext4');
  const mountPoint = join(dir, 'tmp');
  mkdirSync(mountPoint, { recursive: true });
  const fd = openSync(image, 'w', 0o600);
  try {
    ftruncateSync(fd, sizeBytes);
  } finally {
    closeSync(fd);
  }
  // No journal: /tmp content does not need to survive a crash, and journaling costs time at mkfs and write.
  await run('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', '-m', '0', image]);
  await run('mount', ['-o', 'loop,nosuid,nodev', image, mountPoint]);
  chownSync(mountPoint, owner.uid, owner.gid);
  let closed: Promise<void> | undefined;
  return {
    path: mountPoint,
    close: () => (closed ??= (async () => {
      await unmount(mountPoint);
      rmSync(dir, { recursive: true, force: true });
    })()),
  };
}

async function unmount(mountPoint: string): Promise<void> {
  try {
    // -d frees the loop device with the mount.
    await run('umount', ['-d', mountPoint]);
  } catch {
    await run('umount', ['-l', '-d', mountPoint]).catch(() => undefined);
  }
}

/** Unmounts every volume a crashed run left mounted under `root`; returns how many. */
export async function sweepTmpVolumes(root: string): Promise<number> {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return 0;
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const stale = mounts.split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(prefix));
  for (const m of stale) await unmount(m);
  rmSync(root, { recursive: true, force: true });
  return stale.length;
}
