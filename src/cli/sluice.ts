#!/usr/bin/env node
/**
 * The `sluice` entry point (package.json `bin`). Client commands (deploy, invoke, ls, rm, logs) are thin HTTP
 * clients: they load only the client and configuration modules, so they start fast and never depend on the
 * server's code. Everything else (serve, credentials, doctor, runtimes) is main.ts, which also runs client commands.
 */
import { CLIENT_COMMANDS, runClientCli } from './commands/index.js';

const command = process.argv[2];
if (command !== undefined && CLIENT_COMMANDS.has(command)) process.exit(await runClientCli(command, process.argv.slice(3)));
else await import('./main.js');
