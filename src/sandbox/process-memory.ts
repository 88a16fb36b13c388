import { readFileSync, readdirSync } from 'node:fs';

/** Memory figures of one process from /proc/<pid>/status, in kB; undefined once the process is gone. */
export interface ProcessMemory {
  rssKb: number;
  hwmKb: number;
}

export function readProcessMemory(pid: number): ProcessMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  return { rssKb: field(text, 'VmRSS:'), hwmKb: field(text, 'VmHWM:') };
}

function field(text: string, name: string): number {
  const i = text.indexOf(name);
  if (i < 0) return 0; // zombies have no Vm* lines
  return parseInt(text.slice(i + name.length), 10) || 0;
}

/**
 * Members of each process group, from one pass over /proc/<pid>/stat (this kernel has no
 * /proc/<pid>/task/<tid>/children). Cost grows with the number of processes on the host, so callers
 * run it seldom and remember the result.
 */
export function processGroups(wanted: ReadonlySet<number>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (wanted.size === 0) return out;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Fields after the parenthesised command (which may itself contain spaces or parentheses).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgid = Number(rest[2]);
    if (!wanted.has(pgid)) continue;
    const list = out.get(pgid) ?? [];
    list.push(Number(name));
    out.set(pgid, list);
  }
  return out;
}
