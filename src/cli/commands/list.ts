import { HOT_RELOAD_CODE_SHA256 } from '../../domain/local-code.js';
import { parseArgs, UsageError } from './args.js';
import { connect } from './connection.js';
import type { CommandIo } from './io.js';

export const LS_USAGE = 'usage: sluice ls [--json]';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Lists the account's functions in this region: name, runtime, memory, timeout, state, code, last change. */
export async function listCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, { switches: ['json'] });
  if (args.positional.length > 0) throw new UsageError('ls takes no arguments');
  const { api } = connect(args, io.env);
  const functions = await api.allFunctions();
  if (args.switches.has('json')) {
    io.out(JSON.stringify(functions, null, 2));
    return 0;
  }
  if (functions.length === 0) {
    io.out('No functions. Create one: sluice deploy <folder>');
    return 0;
  }
  const rows = [['NAME', 'RUNTIME', 'MEMORY', 'TIMEOUT', 'STATE', 'CODE', 'LAST MODIFIED']];
  for (const f of functions) {
    const code = f.CodeSha256 === HOT_RELOAD_CODE_SHA256 ? 'hot reload' : `${f.CodeSize ?? 0} B`;
    const state = f.LastUpdateStatus && f.LastUpdateStatus !== 'Successful' ? `${f.State}/${f.LastUpdateStatus}` : f.State ?? '';
    rows.push([f.FunctionName, f.Runtime ?? '', `${f.MemorySize ?? ''} MB`, `${f.Timeout ?? ''} s`, state, code, f.LastModified ?? '']);
  }
  for (const line of table(rows)) io.out(line);
  return 0;
}
