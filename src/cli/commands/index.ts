import { UsageError } from './args.js';
import { describeError } from './connection.js';
import { DEPLOY_USAGE, deployCommand } from './deploy.js';
import { EVENTS_USAGE, eventsCommand } from './events.js';
import { INVOKE_USAGE, invokeCommand } from './invoke.js';
import type { CommandIo } from './io.js';
import { LS_USAGE, listCommand } from './list.js';
import { LOGS_USAGE, logsCommand } from './logs.js';
import { RM_USAGE, removeCommand } from './remove.js';
import { SCHEDULES_USAGE, schedulesCommand } from './schedules.js';

export type { CommandIo } from './io.js';

const COMMANDS: Record<string, { run: (argv: readonly string[], io: CommandIo) => Promise<number>; usage: string }> = {
  deploy: { run: deployCommand, usage: DEPLOY_USAGE },
  invoke: { run: invokeCommand, usage: INVOKE_USAGE },
  ls: { run: listCommand, usage: LS_USAGE },
  rm: { run: removeCommand, usage: RM_USAGE },
  logs: { run: logsCommand, usage: LOGS_USAGE },
  events: { run: eventsCommand, usage: EVENTS_USAGE },
  schedules: { run: schedulesCommand, usage: SCHEDULES_USAGE },
};

/** The client commands: thin, signed clients of a running server's HTTP API. */
export const CLIENT_COMMANDS = new Set(Object.keys(COMMANDS));

export const CLIENT_USAGE = `  deploy <dir|zip>  create or update a function from a folder (zipped, honouring .gitignore/.sluiceignore)
                    or a zip, and wait until it is Active; --watch serves the folder live (hot reload)
  invoke <function> invoke it: the response on stdout, the log tail on stderr; exit 1 on a function error
  ls                list functions
  rm <function>...  delete functions
  logs <function>   print a function's logs (--follow, --since 10m)
  events <function> its asynchronous events: queued, in flight, retrying, dropped (attempts, last error)
  schedules         scheduled EventBridge rules and Scheduler schedules: next fire time, deliveries, failures`;

export const CLIENT_OPTIONS = `client commands: --endpoint URL (or SLUICE_ENDPOINT; default: the local server), --region;
  credentials: SLUICE_ACCESS_KEY_ID/SLUICE_SECRET_ACCESS_KEY, else <data-dir>/credentials.json, else AWS_ACCESS_KEY_ID/...`;

/**
 * Runs a client command. Never throws: every failure is one line on standard error (the AWS error type and message,
 * or why the server is unreachable), exit status 1; a usage mistake prints the command's usage, exit status 2.
 */
export async function runClientCommand(command: string, argv: readonly string[], io: CommandIo): Promise<number> {
  const entry = COMMANDS[command]!;
  try {
    return await entry.run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`sluice ${command}: ${err.message}`);
      io.err(entry.usage);
      return 2;
    }
    io.err(`sluice: ${describeError(err)}`);
    return 1;
  }
}

/** Runs a client command in this process: standard output/error, the environment, Ctrl-C / SIGTERM as the stop signal. */
export function runClientCli(command: string, argv: readonly string[]): Promise<number> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return runClientCommand(command, argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (data) => process.stdout.write(data),
    env: process.env,
    stopped,
  });
}
