import { functionLogs, type LambdaApi } from '../../client/index.js';
import type { CommandIo } from './io.js';

const clock = (t: number) => new Date(t).toISOString().slice(11, 23);

/**
 * `sluice deploy --watch`: the function now serves the folder live (the server watches it and reloads on every
 * settled change); this stays in the foreground, optionally holding a debugger session, and prints the function's
 * log (invocations and reloads) until stopped.
 */
export async function watchFunction(
  api: LambdaApi, name: string, dir: string, opts: { debug: boolean; debugPort: number }, io: CommandIo,
): Promise<number> {
  if (opts.debug) {
    const s = await api.enableDebug(name, opts.debugPort);
    io.out(`Debugger for ${name}: attach to 127.0.0.1:${s.Port} on the server's host (Node.js: chrome://inspect or VS Code "attach"; Python: debugpy). The timeout is suspended while a debugger is attached.`);
  }
  io.out(`Watching ${dir}: ${name} serves it live. Save a file and the next invoke runs the new code (sluice invoke ${name}). Ctrl-C stops.`);
  let stopped = false;
  void io.stopped.then(() => { stopped = true; });
  let after: number | undefined;
  const since = Date.now();
  while (!stopped) {
    try {
      const page = await functionLogs(api.http, name, after === undefined ? { since } : { since, after });
      for (const e of page.events) io.out(`${clock(e.timestamp)} ${e.message}`);
      after = page.next;
    } catch (err) {
      io.err(`sluice: reading logs: ${(err as Error).message}`);
    }
    await Promise.race([new Promise((r) => setTimeout(r, 300)), io.stopped]);
  }
  if (opts.debug) await api.disableDebug(name).catch(() => undefined);
  io.out(`Stopped watching. ${name} keeps serving ${dir}; \`sluice deploy ${dir}\` (without --watch) deploys it as a package.`);
  return 0;
}
