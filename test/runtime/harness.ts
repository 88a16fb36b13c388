import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { RuntimeEndpoint } from '../../src/runtime-api/index.js';
import type { InitOutcome, InvocationOutcome, InvocationRequest } from '../../src/runtime-api/index.js';
import { RuntimeTable, type RuntimeLaunch } from '../../src/sandbox/runtime-table.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (tests run from dist/test/runtime). */
export const REPO = resolve(here, '..', '..', '..');
export const FIXTURES = join(REPO, 'test', 'fixtures', 'functions');
export const RUNTIME_ROOT = join(REPO, 'runtimes');
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:fixture';

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface StartOptions {
  runtime: string;
  /** A directory under test/fixtures/functions, copied to a fresh task root (as the platform extracts a zip). */
  fixture: string;
  handler: string;
  env?: Record<string, string>;
  /** Extra files written into the task root (and the layer root /opt) after the copy. */
  prepare?: (taskRoot: string, optRoot: string) => void;
  memorySizeMb?: number;
  /** A runtime table other than the default one (e.g. with interpreter overrides). */
  table?: RuntimeTable;
  /** Serve the Runtime API on a unix socket (as the isolated backend does) instead of TCP. */
  unixSocket?: boolean;
}

export interface RunningRuntime {
  endpoint: RuntimeEndpoint;
  child: ChildProcess;
  taskRoot: string;
  launch: RuntimeLaunch;
  /** Resolves on init (first /next or /init/error), or rejects when the process exits first. */
  init: Promise<InitOutcome>;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Lines the runtime wrote to stdout. */
  lines(): string[];
  /** Resolves with the first stdout line matching `pattern` once it has arrived (output travels apart from HTTP). */
  waitForLine(pattern: RegExp): Promise<string>;
  invoke(payload: unknown, extra?: Partial<InvocationRequest>): Promise<InvocationOutcome & { requestId: string }>;
  close(): Promise<void>;
}

const table = new RuntimeTable({ dataDir: mkdtempSync(join(tmpdir(), 'sluice-rt-data-')), searchPath: process.env.PATH });

/** Starts a real RuntimeEndpoint and the runtime as a real process, with the environment the platform sets. */
export async function startRuntime(opts: StartOptions): Promise<RunningRuntime> {
  const base = mkdtempSync(join(tmpdir(), 'sluice-rt-'));
  const taskRoot = join(base, 'task');
  const optRoot = join(base, 'opt');
  cpSync(join(FIXTURES, opts.fixture), taskRoot, { recursive: true });
  mkdirSync(optRoot);
  opts.prepare?.(taskRoot, optRoot);
  const launched = (opts.table ?? table).launch(opts.runtime, { taskRoot, optRoot, runtimeRoot: RUNTIME_ROOT },
    opts.memorySizeMb === undefined ? {} : { memorySizeMb: opts.memorySizeMb });
  if ('error' in launched) throw new Error(`${launched.error}: ${launched.message}`);
  const endpoint = new RuntimeEndpoint(opts.unixSocket ? { socketPath: join(base, 'runtime-api.sock') } : {});
  const address = await endpoint.listen();
  const env: Record<string, string> = {
    ...launched.env,
    _HANDLER: opts.handler,
    AWS_LAMBDA_RUNTIME_API: address.hostPort,
    AWS_LAMBDA_FUNCTION_NAME: 'fixture',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(opts.memorySizeMb ?? 128),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fixture',
    AWS_LAMBDA_LOG_STREAM_NAME: '2025/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    ...(address.socketPath ? { _SLUICE_RUNTIME_API_SOCKET: address.socketPath } : {}),
    ...opts.env,
  };
  const child = spawn(launched.command, launched.args, { cwd: taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<Exit>((res) => child.once('close', (code, signal) => res({ code, signal })));
  const init = Promise.race([
    endpoint.waitForInit(),
    exited.then((e) => {
      throw new Error(`runtime exited during init (${e.code ?? e.signal})\nstdout: ${out}\nstderr: ${err}`);
    }),
  ]);
  init.catch(() => {});
  return {
    endpoint,
    child,
    taskRoot,
    launch: launched,
    init,
    exited,
    stdout: () => out,
    stderr: () => err,
    lines: () => out.split('\n').filter((l) => l !== ''),
    waitForLine(pattern) {
      const find = () => out.split('\n').find((l) => pattern.test(l));
      return new Promise<string>((res, rej) => {
        const check = () => {
          const line = find();
          if (line === undefined) return;
          waiters.delete(check);
          res(line);
        };
        waiters.add(check);
        check();
        exited.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          const line = find();
          if (line !== undefined) res(line);
          else rej(new Error(`no stdout line matching ${pattern} before exit\nstdout: ${out}\nstderr: ${err}`));
        });
      });
    },
    async invoke(payload, extra = {}) {
      const requestId = extra.requestId ?? randomUUID();
      const request: InvocationRequest = {
        requestId,
        payload: Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload)),
        deadlineMs: Date.now() + 30_000,
        invokedFunctionArn: FUNCTION_ARN,
        ...extra,
      };
      const outcome = await Promise.race([
        endpoint.invoke(request),
        exited.then((e): never => {
          throw new Error(`runtime exited during invoke (${e.code ?? e.signal})\nstdout: ${out}\nstderr: ${err}`);
        }),
      ]);
      return { ...outcome, requestId };
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await endpoint.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Parsed JSON payload of an outcome (asserting its kind). */
export function payloadOf(outcome: InvocationOutcome, kind: InvocationOutcome['kind'] = 'response'): unknown {
  if (outcome.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify({ ...outcome, payload: 'payload' in outcome ? outcome.payload.toString() : undefined })}`);
  return 'payload' in outcome ? JSON.parse(outcome.payload.toString()) : undefined;
}
