import { CONFIG_FLAGS } from '../../config/index.js';

/** A mistake in how a command was called: printed with the command's usage, exit status 2. */
export class UsageError extends Error {}

export interface ArgSpec {
  /** Options that take a value (`--name x` or `--name=x`). */
  values?: readonly string[];
  /** Options that may be given several times (`--env A=1 --env B=2`). */
  multi?: readonly string[];
  /** Switches (`--watch`). */
  switches?: readonly string[];
}

export interface ParsedArgs {
  positional: string[];
  values: Record<string, string>;
  multi: Record<string, string[]>;
  switches: Set<string>;
  /** Configuration flags (`--data-dir`, `--region`, ...) for loadConfig, and `--endpoint`. */
  config: Record<string, string>;
}

/** Parses a client command's arguments: its own options, the configuration flags, and `--endpoint`. */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positional: [], values: {}, multi: {}, switches: new Set(), config: {} };
  const values = new Set(spec.values ?? []);
  const multi = new Set(spec.multi ?? []);
  const switches = new Set(spec.switches ?? []);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (switches.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      out.switches.add(name);
      continue;
    }
    const known = values.has(name) || multi.has(name) || CONFIG_FLAGS.has(name) || name === 'endpoint';
    if (!known) throw new UsageError(`unknown option --${name}`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (multi.has(name)) (out.multi[name] ??= []).push(value);
    else if (values.has(name)) out.values[name] = value;
    else out.config[name] = value;
  }
  return out;
}

/** An integer option within bounds, or undefined when absent. */
export function intOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}
