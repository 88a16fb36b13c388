import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Keeps the module graph of docs/architecture.md true: which top-level folder of src/ may import which.
 * `main` (the composition root) may import everything; runtimes/ (code run inside environments) imports nothing of src/.
 */
const ALLOWED: Record<string, string[]> = {
  cli: ['client', 'config', 'main', 'api', 'sandbox', 'domain'], // `serve`, `doctor`, `runtimes` are server-side commands
  client: ['config', 'domain', 'errors'],
  config: [],
  api: ['config', 'domain', 'errors', 'events', 'invoke', 'observability', 'store'],
  events: ['domain', 'errors', 'observability', 'store'],
  'hot-reload': ['domain', 'observability', 'sandbox'],
  invoke: ['domain', 'errors', 'observability', 'sandbox', 'store'],
  sandbox: ['domain', 'errors', 'observability', 'runtime-api'],
  'runtime-api': ['domain'],
  observability: ['domain'],
  store: ['domain'],
  domain: ['errors'],
  errors: [],
};

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = join(REPO, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0]! : 'main';
};

test('src/ folders import only in the documented directions', () => {
  const violations: string[] = [];
  for (const file of sources(SRC)) {
    const from = folderOf(file);
    if (from === 'main') continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = folderOf(normalize(join(dirname(file), m[1]!)));
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) violations.push(`${relative(REPO, file)} → ${to}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('runtimes/ (code inside environments) never imports src/', () => {
  const files = readdirSync(join(REPO, 'runtimes'), { recursive: true }) as string[];
  const offenders = files.filter((f) => /\.(m?js|cjs|py)$/.test(f) && /src\//.test(readFileSync(join(REPO, 'runtimes', f), 'utf8').match(/(import|require|from)[^\n]*src\/[^\n]*/)?.[0] ?? ''));
  assert.deepEqual(offenders, []);
});
