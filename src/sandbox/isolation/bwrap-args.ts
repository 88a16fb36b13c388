/**
 * Builds the setpriv + bubblewrap command line for one environment (see ../shared/reference/isolation.md §3).
 * Pure: paths in, argv out. Option order matters to bwrap: binds before `--remount-ro /`.
 */
export interface BwrapSpec {
  uid: number;
  gid: number;
  /** Host paths bound read-only into the sandbox. */
  taskDir: string;
  optDir: string;
  runtimeDir: string;
  /** Generated passwd/group files for the sandbox user. */
  passwdFile: string;
  groupFile: string;
  /** Host directory (or mounted image) that becomes the writable /tmp; tmpfs of tmpSizeBytes when absent. */
  tmpDir?: string;
  tmpSizeBytes: number;
  /** Host unix socket of this environment's Runtime API, bound at /run/rapi.sock. */
  runtimeApiSocket: string;
  /** Keep the network namespace of an existing process (egress mode) instead of a fresh loopback-only one. */
  netnsPath?: string;
  env: Record<string, string>;
  argv: string[];
  /** Extra read-only binds (host → sandbox), e.g. a Node binary outside /usr. */
  extraRoBinds?: [string, string][];
  /** Extra writable binds (host → sandbox), e.g. the directory of a debugger relay's socket. */
  extraBinds?: [string, string][];
  /** Working directory inside the sandbox (default /var/task). */
  chdir?: string;
  /** Allow nested user namespaces (only for bubblewrap older than 0.8, which cannot forbid them). */
  nestedUserns?: boolean;
}

export const SANDBOX_RUNTIME_API_SOCKET = '/run/rapi.sock';

const ETC_FILES = ['/etc/hosts', '/etc/nsswitch.conf', '/etc/localtime', '/etc/resolv.conf', '/etc/ssl', '/etc/ca-certificates'];

export function bwrapArgs(spec: BwrapSpec, existing: (p: string) => boolean): { command: string; args: string[] } {
  const a: string[] = [
    `--reuid=${spec.uid}`, `--regid=${spec.gid}`, '--clear-groups', '--inh-caps=-all', '--no-new-privs',
    'bwrap',
    '--unshare-user', '--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-cgroup-try',
    ...(spec.netnsPath ? [] : ['--unshare-net']),
    // No nested user namespaces: inside one the function would hold every capability (over its own objects).
    ...(spec.nestedUserns ? [] : ['--disable-userns']),
    '--die-with-parent', '--new-session',
    '--uid', String(spec.uid), '--gid', String(spec.gid),
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/sbin', '/sbin',
  ];
  if (existing('/usr/lib64')) a.push('--symlink', 'usr/lib64', '/lib64');
  a.push('--ro-bind', spec.passwdFile, '/etc/passwd', '--ro-bind', spec.groupFile, '/etc/group');
  for (const f of ETC_FILES) if (existing(f)) a.push('--ro-bind', f, f);
  a.push(
    '--ro-bind', spec.taskDir, '/var/task',
    '--ro-bind', spec.optDir, '/opt',
    '--ro-bind', spec.runtimeDir, '/var/runtime',
    '--ro-bind', spec.runtimeApiSocket, SANDBOX_RUNTIME_API_SOCKET,
  );
  for (const [from, to] of spec.extraRoBinds ?? []) a.push('--ro-bind', from, to);
  for (const [from, to] of spec.extraBinds ?? []) a.push('--bind', from, to);
  if (spec.tmpDir) a.push('--bind', spec.tmpDir, '/tmp');
  else a.push('--size', String(spec.tmpSizeBytes), '--perms', '1777', '--tmpfs', '/tmp');
  a.push('--proc', '/proc', '--dev', '/dev', '--hostname', 'sandbox', '--chdir', spec.chdir ?? '/var/task', '--clearenv');
  for (const [k, v] of Object.entries(spec.env)) a.push('--setenv', k, v);
  a.push('--remount-ro', '/', '--cap-drop', 'ALL', '--', ...spec.argv);
  return { command: 'setpriv', args: a };
}

export function passwdFor(uid: number, gid: number): { passwd: string; group: string } {
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nsbx_user1051:x:${uid}:${gid}::/tmp:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\nsbx_user1051:x:${gid}:\nnogroup:x:65534:\n`,
  };
}

/**
 * Moves bwrap's options out of its command line into `--args 3` (NUL-separated, read from fd 3 and closed by
 * bwrap); only `-- <command>` stays. The sandbox's init shows in the sandbox's /proc/1/cmdline, and host paths
 * (the data dir, code hashes) must not.
 */
export function argsViaFd(setprivArgs: string[], fd = 3): { args: string[]; data: Buffer } {
  const at = setprivArgs.indexOf('bwrap');
  const end = setprivArgs.indexOf('--', at);
  if (at < 0 || end < 0) throw new Error('not a setpriv + bwrap command line');
  return {
    args: [...setprivArgs.slice(0, at + 1), '--args', String(fd), ...setprivArgs.slice(end)],
    data: Buffer.from(setprivArgs.slice(at + 1, end).map((a) => `${a}\0`).join('')),
  };
}
