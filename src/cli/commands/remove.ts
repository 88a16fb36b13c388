import { parseArgs, UsageError } from './args.js';
import { connect } from './connection.js';
import type { CommandIo } from './io.js';

export const RM_USAGE = 'usage: sluice rm <function>... [--qualifier VERSION]';

/** Deletes functions (or one published version of each with --qualifier). */
export async function removeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, { values: ['qualifier'] });
  if (args.positional.length === 0) throw new UsageError('name at least one function');
  const { api } = connect(args, io.env);
  const qualifier = args.values.qualifier;
  for (const name of args.positional) {
    await api.deleteFunction(name, qualifier);
    io.out(qualifier ? `Deleted version ${qualifier} of ${name}` : `Deleted function ${name}`);
  }
  return 0;
}
