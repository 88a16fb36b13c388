import { connect, createServer, type Server, type Socket } from 'node:net';
import type { DebugTarget } from '../../sandbox/backend.js';

/**
 * How a relay tells a debugger session from other traffic: Node's inspector also answers plain HTTP (`/json/list`,
 * which IDEs poll), and only a WebSocket upgrade is a debugger; for debugpy (DAP) any connection is one.
 */
export type SessionDetection = 'websocket-upgrade' | 'any-connection';

/**
 * A TCP port on the host's loopback interface that forwards each connection to the debugger of the current
 * environment (a loopback port for the process backend, a unix socket bridged into the sandbox for the isolated
 * one), and knows whether a debugger is attached.
 */
export class DebugRelay {
  private server: Server | undefined;
  private current: DebugTarget | undefined;
  private sessions = 0;
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<(attached: boolean) => void>();
  detection: SessionDetection = 'websocket-upgrade';

  get attached(): boolean {
    return this.sessions > 0;
  }

  /** Listens on 127.0.0.1:port (0 picks one); resolves with the port. */
  listen(port: number): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  target(to: DebugTarget): void {
    this.current = to;
  }

  onAttachChange(listener: (attached: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    const to = this.current;
    if (!to) {
      client.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = 'socketPath' in to ? connect(to.socketPath) : connect(to.port, to.host);
    this.sockets.add(upstream);
    let session = false;
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      if (session) {
        session = false;
        this.change(-1);
      }
    };
    client.once('data', (first: Buffer) => {
      if (this.detection === 'any-connection' || /^upgrade:\s*websocket/im.test(first.toString('latin1'))) {
        session = true;
        this.change(1);
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }

  private change(delta: number): void {
    const before = this.attached;
    this.sessions += delta;
    if (before !== this.attached) for (const l of this.listeners) l(this.attached);
  }
}
