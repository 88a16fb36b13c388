import { readFileSync } from 'node:fs';
import { parseArgs, UsageError } from './args.js';
import { connect } from './connection.js';
import type { CommandIo } from './io.js';

export const INVOKE_USAGE = `usage: sluice invoke <function> [--payload JSON|@file|@-] [--qualifier VERSION|ALIAS] [--async] [--quiet]`;

const SPEC = { values: ['payload', 'qualifier'], switches: ['async', 'quiet'] } as const;

/** `--payload '{"a":1}'`, `--payload @event.json`, `--payload @-` (standard input); none is `{}`. */
function payloadOf(raw: string | undefined): Buffer {
  if (raw === undefined) return Buffer.from('{}');
  if (raw === '@-') return readFileSync(0);
  if (raw.startsWith('@')) {
    try {
      return readFileSync(raw.slice(1));
    } catch (err) {
      throw new UsageError(`--payload ${raw}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  return Buffer.from(raw);
}

/**
 * Invokes a function and prints its response on standard output, after its log tail on standard error (START …
 * REPORT). Exit status 1 when the function failed (X-Amz-Function-Error), with its error type and message.
 */
export async function invokeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const name = args.positional[0];
  if (!name || args.positional.length > 1) throw new UsageError('one function name');
  const payload = payloadOf(args.values.payload);
  const { api } = connect(args, io.env);
  const qualifier = args.values.qualifier;
  if (args.switches.has('async')) {
    const r = await api.invoke(name, payload, { type: 'Event', ...(qualifier ? { qualifier } : {}) });
    io.out(`Accepted (${r.status}): request ${r.requestId ?? '?'} runs in the background; its output: sluice logs ${name}`);
    return 0;
  }
  const quiet = args.switches.has('quiet');
  const r = await api.invoke(name, payload, { tail: !quiet, ...(qualifier ? { qualifier } : {}) });
  if (r.log && !quiet) io.err(r.log.replace(/\n$/, ''));
  io.write(r.payload);
  if (r.payload.length > 0 && r.payload[r.payload.length - 1] !== 0x0a) io.write('\n');
  if (!r.functionError) return 0;
  let summary = '';
  try {
    const e = JSON.parse(r.payload.toString('utf8')) as { errorType?: string; errorMessage?: string };
    summary = [e.errorType, e.errorMessage].filter((x) => x !== undefined && x !== '').join(': ');
  } catch {
    summary = '';
  }
  io.err(`sluice: ${name} failed (${r.functionError})${summary ? `: ${summary}` : ''}`);
  return 1;
}
