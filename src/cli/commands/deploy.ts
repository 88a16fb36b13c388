import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  SluiceApiError, packageFolder, type CodeSource, type FunctionConfiguration, type FunctionSettingsInput, type LambdaApi,
} from '../../client/index.js';
import { intOption, parseArgs, UsageError, type ParsedArgs } from './args.js';
import { connect } from './connection.js';
import { inferRuntime } from './infer-runtime.js';
import type { CommandIo } from './io.js';
import { watchFunction } from './watch.js';

export const DEPLOY_USAGE = `usage: sluice deploy <dir|file.zip> [--name NAME] [--runtime RUNTIME] [--handler HANDLER]
         [--memory MB] [--timeout SECONDS] [--env KEY=VALUE]... [--layer ARN]... [--role ARN]
         [--watch [--debug [--debug-port PORT]]]`;

const SPEC = {
  values: ['name', 'runtime', 'handler', 'memory', 'timeout', 'role', 'debug-port'],
  multi: ['env', 'layer'],
  switches: ['watch', 'debug'],
} as const;

/** How long deploy waits for Active / Successful. */
const SETTLE_LIMIT_MS = 5 * 60_000;

/** The configuration flags given, as UpdateFunctionConfiguration/CreateFunction members. */
function settingsFrom(args: ParsedArgs): FunctionSettingsInput {
  const s: FunctionSettingsInput = {};
  if (args.values.runtime !== undefined) s.Runtime = args.values.runtime;
  if (args.values.handler !== undefined) s.Handler = args.values.handler;
  if (args.values.role !== undefined) s.Role = args.values.role;
  const memory = intOption(args, 'memory', 128, 10240);
  if (memory !== undefined) s.MemorySize = memory;
  const timeout = intOption(args, 'timeout', 1, 900);
  if (timeout !== undefined) s.Timeout = timeout;
  if (args.multi.env) {
    const vars: Record<string, string> = {};
    for (const pair of args.multi.env) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got "${pair}"`);
      vars[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    s.Environment = { Variables: vars };
  }
  if (args.multi.layer) s.Layers = [...args.multi.layer];
  return s;
}

async function existing(api: LambdaApi, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return await api.getFunctionConfiguration(name);
  } catch (err) {
    if (err instanceof SluiceApiError && err.code === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** Polls until the function is Active with its last update Successful (as the AWS waiters do), printing each new state. */
export async function waitUntilReady(api: LambdaApi, name: string, io: CommandIo): Promise<FunctionConfiguration> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let shown = '';
  for (;;) {
    const c = await api.getFunctionConfiguration(name);
    const state = `State ${c.State ?? '?'}, LastUpdateStatus ${c.LastUpdateStatus ?? '?'}`;
    if (state !== shown) {
      io.out(`  ${name}: ${state}${c.StateReasonCode && c.State !== 'Active' ? ` (${c.StateReasonCode})` : ''}`);
      shown = state;
    }
    if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed') {
      throw new Error(`${name} failed: ${c.LastUpdateStatusReason ?? c.StateReason ?? 'no reason given'}`);
    }
    if (c.State === 'Active' && c.LastUpdateStatus === 'Successful') return c;
    if (Date.now() > deadline) throw new Error(`${name} did not become Active/Successful within ${SETTLE_LIMIT_MS / 1000} s (${state})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const kb = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export async function deployCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.positional.length > 1) throw new UsageError(`one folder or zip file, got ${args.positional.length}`);
  const path = resolve(args.positional[0] ?? '.');
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new UsageError(`${path} does not exist`);
  const isDir = st.isDirectory();
  if (!isDir && !path.endsWith('.zip')) throw new UsageError(`${path} is neither a folder nor a .zip file`);
  const watch = args.switches.has('watch');
  const debug = args.switches.has('debug');
  if (watch && !isDir) throw new UsageError('--watch serves a folder, not a zip file');
  if (debug && !watch) throw new UsageError('--debug needs --watch');
  const debugPort = intOption(args, 'debug-port', 0, 65535) ?? 9229;
  const name = args.values.name ?? basename(path).replace(/\.zip$/, '');
  const settings = settingsFrom(args);

  let code: CodeSource;
  if (watch) {
    code = { hotReloadDir: path };
  } else if (isDir) {
    const pkg = await packageFolder(path);
    if (pkg.files.length === 0) throw new UsageError(`${path} has no files to deploy`);
    const left = pkg.ignored.length > 0 ? `; left out by ignore rules: ${pkg.ignored.slice(0, 5).join(', ')}${pkg.ignored.length > 5 ? `, +${pkg.ignored.length - 5} more` : ''}` : '';
    io.out(`Packaged ${path}: ${pkg.files.length} file(s), ${kb(pkg.bytes)} → ${kb(pkg.zip.length)} zip${left}`);
    code = { zip: pkg.zip };
  } else {
    code = { zip: readFileSync(path) };
  }

  const { api, settings: conn } = connect(args, io.env);
  const before = await existing(api, name);
  let ready: FunctionConfiguration;
  if (!before) {
    if (settings.Runtime === undefined || settings.Handler === undefined) {
      const inferred = isDir ? inferRuntime(path, settings.Runtime) : undefined;
      if (!inferred) throw new UsageError(`creating ${name} needs --runtime and --handler`);
      settings.Runtime ??= inferred.runtime;
      settings.Handler ??= inferred.handler;
      io.out(`Using --runtime ${settings.Runtime} --handler ${settings.Handler} (from ${inferred.from})`);
    }
    settings.Role ??= `arn:aws:iam::${conn.accountId ?? '000000000000'}:role/sluice-function`;
    io.out(`Creating function ${name} (${settings.Runtime}, ${settings.Handler})${watch ? ` serving ${path} live` : ''}`);
    await api.createFunction(name, code, settings);
    ready = await waitUntilReady(api, name, io);
  } else {
    io.out(`Updating code of ${name}${watch ? ` to serve ${path} live` : ''}`);
    await api.updateFunctionCode(name, code);
    ready = await waitUntilReady(api, name, io);
    if (Object.keys(settings).length > 0) {
      io.out(`Updating configuration of ${name} (${Object.keys(settings).join(', ')})`);
      await api.updateFunctionConfiguration(name, settings);
      ready = await waitUntilReady(api, name, io);
    }
  }
  io.out(`Deployed ${name}: ${ready.FunctionArn} (${ready.Runtime}, ${ready.MemorySize} MB, ${ready.Timeout} s)`);
  if (!watch) {
    io.out(`Invoke it: sluice invoke ${name} --payload '{}'`);
    return 0;
  }
  return watchFunction(api, name, path, { debug, debugPort }, io);
}
