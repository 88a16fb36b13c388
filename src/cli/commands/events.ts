import { formatEvents, functionEvents } from '../../client/index.js';
import { intOption, parseArgs, UsageError } from './args.js';
import { connect } from './connection.js';
import type { CommandIo } from './io.js';

export const EVENTS_USAGE = 'usage: sluice events <function> [--limit N] [--json]';

/**
 * A function's asynchronous events: queued, in flight, waiting for a retry, and dropped in the last days, with their
 * attempt counts and last error.
 */
export async function eventsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, { values: ['limit'], switches: ['json'] });
  const name = args.positional[0];
  if (!name || args.positional.length > 1) throw new UsageError('one function name');
  const limit = intOption(args, 'limit', 1, 10_000);
  const { api } = connect(args, io.env);
  const page = await functionEvents(api.http, name, limit === undefined ? {} : { limit });
  if (args.switches.has('json')) {
    io.out(JSON.stringify(page, null, 2));
    return 0;
  }
  for (const line of formatEvents(page, Date.now())) io.out(line);
  return 0;
}
