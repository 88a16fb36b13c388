import { formatLogEvent, functionLogs, parseSince } from '../../client/index.js';
import { parseArgs, UsageError } from './args.js';
import { connect } from './connection.js';
import type { CommandIo } from './io.js';

export const LOGS_USAGE = 'usage: sluice logs <function> [--follow] [--since 10m|2h|ISO-TIME]';

/** Prints a function's log events (time, stream, message); --follow keeps printing new ones until stopped. */
export async function logsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, { values: ['since'], switches: ['follow'] });
  const name = args.positional[0];
  if (!name || args.positional.length > 1) throw new UsageError('one function name');
  let since: number;
  try {
    since = parseSince(args.values.since ?? '10m', Date.now());
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { api } = connect(args, io.env);
  let stopped = false;
  void io.stopped.then(() => { stopped = true; });
  let page = await functionLogs(api.http, name, { since });
  for (;;) {
    for (const e of page.events) io.out(formatLogEvent(e));
    if (page.events.length >= 1000) {
      page = await functionLogs(api.http, name, { since, after: page.next });
      continue;
    }
    if (!args.switches.has('follow') || stopped) return 0;
    await Promise.race([new Promise((r) => setTimeout(r, 1000)), io.stopped]);
    if (stopped) return 0;
    page = await functionLogs(api.http, name, { since, after: page.next });
  }
}
