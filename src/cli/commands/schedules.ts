import { formatSchedules, listSchedules } from '../../client/index.js';
import { parseArgs, UsageError } from './args.js';
import { connect } from './connection.js';
import type { CommandIo } from './io.js';

export const SCHEDULES_USAGE = 'usage: sluice schedules [--json]';

/** Scheduled EventBridge rules and Scheduler schedules with their next fire times and delivery counts. */
export async function schedulesCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, { values: [], switches: ['json'] });
  if (args.positional.length > 0) throw new UsageError('no arguments');
  const { api } = connect(args, io.env);
  const entries = await listSchedules(api.http);
  if (args.switches.has('json')) {
    io.out(JSON.stringify(entries, null, 2));
    return 0;
  }
  for (const line of formatSchedules(entries)) io.out(line);
  return 0;
}
