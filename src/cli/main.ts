#!/usr/bin/env node
import { loadConfig, CONFIG_FLAGS } from '../config/index.js';
import { startSluice } from '../main.js';
import { exportLines, loadCredentials } from '../api/index.js';

function parseFlags(args: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!CONFIG_FLAGS.has(name)) throw new Error(`unknown option --${name}`);
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

options: --host --port --data-dir --region --log-level --config (and SLUICE_* variables)`;

async function main(): Promise<number> {
  const { positional, flags } = parseFlags(process.argv.slice(2));
  const command = positional[0] ?? 'help';
  const config = loadConfig({ flags, env: process.env });
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
