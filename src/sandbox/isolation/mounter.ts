import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { LineSplitter } from '../line-splitter.js';

const run = promisify(execFile);

/**
 * The mount operations the pre-started pool needs, on the host's mount namespace. Two implementations: a resident
 * helper that calls mount(2) directly (~0.01 ms per mount measured here), and mount(8)/umount(8) per operation
 * (a process each: 4–16 ms on a loaded 2-vCPU host, which would be most of a pooled cold start's budget).
 */
export interface Mounter {
  readonly kind: 'syscall helper' | 'mount(8)';
  /** A plain bind mount (it inherits the source's flags: binding a read-only mount gives a read-only one). */
  bind(source: string, target: string): Promise<void>;
  /** A bind mount, then remounted read-only, nosuid, nodev. */
  bindReadOnly(source: string, target: string): Promise<void>;
  /** Binds `dir` onto itself as a new shared peer group, so mounts made below it propagate into sandboxes. */
  sharedRoot(dir: string): Promise<void>;
  /** Unmounts; `detach` is MNT_DETACH (lazy). */
  unmount(target: string, detach?: boolean): Promise<void>;
  close(): Promise<void>;
}

// <linux/mount.h>
const MS_RDONLY = 1;
const MS_NOSUID = 2;
const MS_NODEV = 4;
const MS_REMOUNT = 32;
const MS_BIND = 4096;
const MS_PRIVATE = 1 << 18;
const MS_SHARED = 1 << 20;
const MNT_DETACH = 2;

type Call = ['mount', string | null, string, number] | ['umount', string, number];

/**
 * Reads JSON lines of calls from stdin and answers each line with {id, errno}. Runs as root on the host side, fed
 * only by Sluice through a pipe. Python's ctypes is the one dependency-free way to reach mount(2) from here.
 */
const HELPER = `
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p)
libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
enc = lambda p: None if p is None else os.fsencode(p)
for line in sys.stdin:
    req = json.loads(line)
    err = 0
    for c in req["calls"]:
        r = libc.mount(enc(c[1]), enc(c[2]), None, c[3], None) if c[0] == "mount" else libc.umount2(enc(c[1]), c[2])
        if r != 0:
            err = ctypes.get_errno()
            break
    sys.stdout.write(json.dumps({"id": req["id"], "errno": err, "message": os.strerror(err) if err else ""}) + "\\n")
    sys.stdout.flush()
`;

/** System interpreters only: a version manager's shim would be slow and is no business of a root helper. */
const PYTHONS = ['/usr/bin/python3', '/usr/local/bin/python3', '/bin/python3'];

class SyscallMounter implements Mounter {
  readonly kind = 'syscall helper' as const;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(): void; reject(err: Error): void; what: string }>();
  private dead: Error | undefined;

  constructor(private readonly child: ChildProcess) {
    const lines = new LineSplitter((line) => this.answer(line));
    child.stdout!.on('data', (c: Buffer) => lines.push(c));
    child.stderr!.resume();
    child.stdin!.on('error', () => undefined);
    child.once('exit', () => this.fail(new Error('the mount helper exited')));
  }

  bind(source: string, target: string): Promise<void> {
    return this.call(`bind ${source} → ${target}`, [['mount', source, target, MS_BIND]]);
  }

  async bindReadOnly(source: string, target: string): Promise<void> {
    await this.call(`bind ${source} → ${target}`, [['mount', source, target, MS_BIND]]);
    try {
      await this.call(`read-only remount ${target}`, [['mount', null, target, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV]]);
    } catch (err) {
      // Never leave a writable view of the code behind.
      await this.unmount(target, true).catch(() => undefined);
      throw err;
    }
  }

  sharedRoot(dir: string): Promise<void> {
    // Private first: making a private mount shared starts a new peer group (never the host root's).
    return this.call(`shared root ${dir}`, [['mount', dir, dir, MS_BIND], ['mount', null, dir, MS_PRIVATE], ['mount', null, dir, MS_SHARED]]);
  }

  unmount(target: string, detach = false): Promise<void> {
    return this.call(`unmount ${target}`, [['umount', target, detach ? MNT_DETACH : 0]]);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    await exited;
  }

  ping(): Promise<void> {
    return this.call('ping', []);
  }

  private call(what: string, calls: Call[]): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what });
      this.child.stdin!.write(`${JSON.stringify({ id, calls })}\n`);
    });
  }

  private answer(line: string): void {
    let reply: { id: number; errno: number; message: string };
    try {
      reply = JSON.parse(line) as typeof reply;
    } catch {
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.errno === 0) p.resolve();
    else p.reject(Object.assign(new Error(`${p.what}: ${reply.message}`), { errno: reply.errno }));
  }

  private fail(err: Error): void {
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

class CommandMounter implements Mounter {
  readonly kind = 'mount(8)' as const;

  async bind(source: string, target: string): Promise<void> {
    await run('mount', ['--bind', source, target]);
  }

  async bindReadOnly(source: string, target: string): Promise<void> {
    await run('mount', ['--bind', source, target]);
    try {
      await run('mount', ['-o', 'remount,bind,ro,nosuid,nodev', target]);
    } catch (err) {
      // Never leave a writable view of the code behind.
      await this.unmount(target, true).catch(() => undefined);
      throw err;
    }
  }

  async sharedRoot(dir: string): Promise<void> {
    await run('mount', ['--bind', dir, dir]);
    await run('mount', ['--make-private', dir]);
    await run('mount', ['--make-shared', dir]);
  }

  async unmount(target: string, detach = false): Promise<void> {
    await run('umount', detach ? ['-l', target] : [target]);
  }

  async close(): Promise<void> {}
}

/** The syscall helper where a system Python 3 runs it, else mount(8). */
export async function createMounter(owner: string): Promise<Mounter> {
  const python = PYTHONS.find((p) => existsSync(p));
  if (python) {
    // -I -S: no user site, no PYTHON* variables, no site import; the environment is empty anyway. `owner` only
    // names the helper in process listings.
    // Its own process group: a terminal's Ctrl-C reaches only the server, which then unmounts through the helper;
    // the helper exits by itself when the server's end of its stdin closes (including when the server dies).
    const child = spawn(python, ['-I', '-S', '-c', HELPER, 'sluice-mount-helper', owner], { env: {}, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const started = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', () => resolve(false));
    });
    if (started) {
      const mounter = new SyscallMounter(child);
      // The helper must really run here (ctypes present): an empty request round-trips.
      try {
        await mounter.ping();
        return mounter;
      } catch {
        child.kill('SIGKILL');
      }
    }
  }
  return new CommandMounter();
}
