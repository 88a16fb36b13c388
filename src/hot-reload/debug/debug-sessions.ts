import { spawnSync } from 'node:child_process';
import { runtimeFamily } from '../../domain/runtimes.js';
import type { Scope } from '../../domain/scope.js';
import type { DebugTarget } from '../../sandbox/backend.js';
import type { EnvironmentDebugSession } from '../../sandbox/debug-session.js';
import type { RuntimeLaunchPlan } from '../../sandbox/environment.js';
import { DebugRelay } from './debug-relay.js';

const key = (scope: Scope, name: string) => `${scope.account}/${scope.region}/${name}`;

/** Whether an interpreter can import debugpy (asked once per interpreter). */
const debugpyFound = new Map<string, boolean>();
function hasDebugpy(python: string): boolean {
  let found = debugpyFound.get(python);
  if (found === undefined) {
    found = spawnSync(python, ['-c', 'import debugpy'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
    debugpyFound.set(python, found);
  }
  return found;
}

/** One function's debugger session: its host port and the relay behind it. */
export class DebugSession implements EnvironmentDebugSession {
  constructor(readonly functionName: string, readonly port: number, private readonly relay: DebugRelay) {}

  get attached(): boolean {
    return this.relay.attached;
  }

  onAttachChange(listener: (attached: boolean) => void): () => void {
    return this.relay.onAttachChange(listener);
  }

  target(to: DebugTarget): void {
    this.relay.target(to);
  }

  instrument(runtime: string, plan: RuntimeLaunchPlan, listen: { host: string; port: number }): { plan: RuntimeLaunchPlan; note: string } {
    const at = `${listen.host}:${listen.port}`;
    const family = runtimeFamily(runtime);
    if (family === 'nodejs') {
      this.relay.detection = 'websocket-upgrade';
      return {
        plan: { ...plan, args: [`--inspect=${at}`, ...plan.args] },
        note: `SLUICE DEBUG: Node.js inspector for ${this.functionName} on 127.0.0.1:${this.port} (chrome://inspect, or a VS Code "attach" configuration with "port": ${this.port}); the timeout is suspended while a debugger is attached`,
      };
    }
    if (family === 'python') {
      this.relay.detection = 'any-connection';
      if (!hasDebugpy(plan.command)) {
        return { plan, note: `SLUICE DEBUG: debugpy is not installed for ${plan.command} (pip install debugpy); ${this.functionName} runs without a debugger` };
      }
      return {
        plan: { ...plan, args: ['-m', 'debugpy', '--listen', at, ...plan.args] },
        note: `SLUICE DEBUG: debugpy for ${this.functionName} on 127.0.0.1:${this.port} (a VS Code "attach" configuration with "connect": {"port": ${this.port}}); the timeout is suspended while a debugger is attached`,
      };
    }
    // A custom runtime starts its own debugger, if it has one: it is told where to listen.
    this.relay.detection = 'any-connection';
    return {
      plan: { ...plan, env: { ...plan.env, SLUICE_DEBUG_HOST: listen.host, SLUICE_DEBUG_PORT: String(listen.port) } },
      note: `SLUICE DEBUG: custom runtime: a debugger listening on $SLUICE_DEBUG_HOST:$SLUICE_DEBUG_PORT (${at}) is reachable on 127.0.0.1:${this.port}`,
    };
  }

  close(): Promise<void> {
    return this.relay.close();
  }
}

/**
 * Debugger sessions per function, set through Sluice's own API (`sluice deploy --watch --debug`). Kept in memory:
 * a session is part of a developer's running terminal, not of the function. Turning one on or off retires the
 * function's environments, so the next invocation starts with (or without) the debugger.
 */
export class DebugSessions {
  private readonly sessions = new Map<string, DebugSession>();

  constructor(private readonly retire: (scope: Scope, functionName: string) => void) {}

  get(scope: Scope, functionName: string): DebugSession | undefined {
    return this.sessions.get(key(scope, functionName));
  }

  /** Starts (or keeps) a session on this port; 0 keeps the current port or picks a free one. */
  async enable(scope: Scope, functionName: string, port: number): Promise<DebugSession> {
    const k = key(scope, functionName);
    const existing = this.sessions.get(k);
    if (existing && (port === 0 || port === existing.port)) return existing;
    const relay = new DebugRelay();
    const bound = await relay.listen(port);
    if (existing) await existing.close();
    const session = new DebugSession(functionName, bound, relay);
    this.sessions.set(k, session);
    this.retire(scope, functionName);
    return session;
  }

  async disable(scope: Scope, functionName: string): Promise<boolean> {
    const k = key(scope, functionName);
    const s = this.sessions.get(k);
    if (!s) return false;
    this.sessions.delete(k);
    await s.close();
    this.retire(scope, functionName);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
  }
}
