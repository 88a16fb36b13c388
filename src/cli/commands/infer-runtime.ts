import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Defaults for `sluice deploy` when --runtime/--handler are not given, from the folder's entry file. */
export const DEFAULT_NODE_RUNTIME = 'nodejs22.x';
export const DEFAULT_PYTHON_RUNTIME = 'python3.12';

export interface InferredRuntime {
  runtime: string;
  handler: string;
  /** The file it was inferred from. */
  from: string;
}

/**
 * `index.mjs|js|cjs` → Node.js with `index.handler`; `lambda_function.py` → Python with
 * `lambda_function.lambda_handler` (the console's default); a single other `.py` file `x.py` → `x.handler`;
 * an executable `bootstrap` → a custom runtime. Undefined when the folder says nothing clear.
 */
export function inferRuntime(dir: string, runtime?: string): InferredRuntime | undefined {
  const has = (f: string) => existsSync(join(dir, f));
  const family = runtime?.replace(/[\d.x]+$/, '').replace(/\.al\d*$/, '');
  if ((family === undefined || family === 'nodejs')) {
    for (const f of ['index.mjs', 'index.js', 'index.cjs']) {
      if (has(f)) return { runtime: runtime ?? DEFAULT_NODE_RUNTIME, handler: 'index.handler', from: f };
    }
  }
  if (family === undefined || family === 'python') {
    if (has('lambda_function.py')) return { runtime: runtime ?? DEFAULT_PYTHON_RUNTIME, handler: 'lambda_function.lambda_handler', from: 'lambda_function.py' };
    const py = readdirSync(dir).filter((f) => f.endsWith('.py'));
    if (py.length === 1) return { runtime: runtime ?? DEFAULT_PYTHON_RUNTIME, handler: `${py[0]!.slice(0, -3)}.handler`, from: py[0]! };
  }
  if ((family === undefined || family === 'provided') && has('bootstrap')) {
    return { runtime: runtime ?? 'provided.al2023', handler: 'bootstrap', from: 'bootstrap' };
  }
  return undefined;
}
