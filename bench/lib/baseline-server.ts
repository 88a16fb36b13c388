import { createServer, type Server } from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';

/**
 * The baseline: a bare Node HTTP server that reads the request and answers `{}` — the floor any Node HTTP
 * API can reach with this client on this machine. Runs in its own process, like the system under test.
 */
export function createBaselineServer(): Server {
  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end('{}');
    });
  });
}

export interface BaselineProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts the baseline server in a child process and resolves with its URL. */
export function startBaselineProcess(): Promise<BaselineProcess> {
  const child = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code})`)));
    child.once('message', (msg: { port: number }) => {
      child.removeAllListeners('exit');
      resolve({
        url: `http://127.0.0.1:${msg.port}`,
        stop: () => new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

// Run directly (by startBaselineProcess): listen on a free port and report it to the parent.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = createBaselineServer();
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.once('SIGTERM', () => process.exit(0));
}
