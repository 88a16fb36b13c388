import type { Scope } from '../../domain/scope.js';
import { InvalidParameterValueException, ResourceNotFoundException } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { requireFunction } from '../services/function-resolver.js';
import { unqualifiedFunctionName } from '../services/unqualified-function.js';
import { empty, json, type Route } from '../types.js';
import { optInt } from '../wire/input.js';

/** Debugger sessions as the API needs them (src/hot-reload/debug implements it). */
export interface DebugControl {
  get(scope: Scope, functionName: string): { port: number; attached: boolean } | undefined;
  enable(scope: Scope, functionName: string, port: number): Promise<{ port: number; attached: boolean }>;
  disable(scope: Scope, functionName: string): Promise<boolean>;
}

const view = (name: string, s: { port: number; attached: boolean }) => ({ FunctionName: name, Port: s.port, Attached: s.attached });

/**
 * Sluice's own (signed, account-scoped) routes behind `sluice deploy --watch --debug`: while a function has a
 * debugger session, its environments start their runtime's debugger (Node.js inspector, debugpy), reachable on
 * the session's port on the server's loopback interface, and its timeout stands still while a debugger is attached.
 */
export function sluiceDebugRoutes(ctx: ApiContext): Route[] {
  const control = (): DebugControl => {
    if (!ctx.debug) throw new InvalidParameterValueException('This Sluice server offers no debugger sessions.');
    return ctx.debug;
  };
  const path = '/_sluice/functions/{FunctionName}/debug';
  return [
    {
      method: 'PUT', path, operation: 'SluicePutFunctionDebug',
      handler: async (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        requireFunction(ctx.repos, req.scope, name);
        const body = req.body.length > 0 ? req.json() : {};
        const port = optInt(body, 'Port', 0, 65535) ?? 0;
        try {
          return json(200, view(name, await control().enable(req.scope, name, port)));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
            throw new InvalidParameterValueException(`Port ${port} is in use on the Sluice server's host; choose another (--debug-port) or 0 for any free port.`);
          }
          throw err;
        }
      },
    },
    {
      method: 'GET', path, operation: 'SluiceGetFunctionDebug',
      handler: (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        requireFunction(ctx.repos, req.scope, name);
        const s = control().get(req.scope, name);
        if (!s) throw new ResourceNotFoundException(`No debugger session for function ${name}.`);
        return json(200, view(name, s));
      },
    },
    {
      method: 'DELETE', path, operation: 'SluiceDeleteFunctionDebug',
      handler: async (req) => {
        const name = unqualifiedFunctionName(req.params.FunctionName!, req.scope);
        await control().disable(req.scope, name);
        return empty(204);
      },
    },
  ];
}
