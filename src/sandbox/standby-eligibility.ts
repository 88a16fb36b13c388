import { createHash } from 'node:crypto';
import type { RuntimeLaunchPlan } from './environment.js';

/**
 * Whether a function can start in a pre-started environment, and which pre-started environments fit it.
 *
 * A pooled runtime was started before its function was known, with the runtime table's environment only. What the
 * interpreter reads once at startup therefore cannot follow the function: such functions start fresh instead.
 * That covers custom runtimes (their bootstrap is the function's own code), variables that override the runtime
 * table's (LD_LIBRARY_PATH, NODE_PATH, PYTHONPATH, LANG, ...; PATH is only read when spawning), and variables
 * interpreters, libc or OpenSSL read at startup.
 */
const STARTUP_EXACT = new Set(['LANG', 'LANGUAGE', 'GLIBC_TUNABLES', 'AWS_LAMBDA_EXEC_WRAPPER', 'TZDIR']);
const STARTUP_PREFIXES = ['LC_', 'LD_', 'MALLOC_', 'OPENSSL_', 'UV_', 'PYTHON'];
/** Only ever read by applications, never by Node itself at startup. */
const NODE_APPLICATION_VARIABLES = new Set(['NODE_ENV']);

export function readAtStartup(name: string): boolean {
  if (STARTUP_EXACT.has(name)) return true;
  if (name.startsWith('NODE_')) return !NODE_APPLICATION_VARIABLES.has(name);
  return STARTUP_PREFIXES.some((p) => name.startsWith(p));
}

/** Undefined when the function can use a pre-started environment of this launch plan, else why not. */
export function standbyIneligible(runtime: string, environment: Readonly<Record<string, string>>, plan: RuntimeLaunchPlan): string | undefined {
  if (runtime.startsWith('provided')) return 'custom runtime';
  for (const name of Object.keys(environment)) {
    if (name !== 'PATH' && Object.hasOwn(plan.env, name)) return `overrides ${name}`;
    if (readAtStartup(name)) return `sets ${name}`;
  }
  return undefined;
}

/**
 * Pre-started environments are interchangeable when they run the same command line with the same environment
 * (for Node.js that includes the heap size derived from MemorySize) and have the same /tmp size.
 */
export function standbyKey(runtime: string, plan: RuntimeLaunchPlan, ephemeralStorageMb: number): string {
  const env = Object.entries(plan.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify([runtime, plan.command, plan.args, env, ephemeralStorageMb])).digest('hex').slice(0, 24);
}
