import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_SPEC } from '../../src/config/index.js';

/** docs/configuration.md's option table is checked against the config schema: every option, nothing else. */
const DOC = readFileSync(fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url)), 'utf8');

/** Rows of the options table: `| \`name\` | \`--flag\` | \`SLUICE_X\` | default | meaning |`. */
function rows(): Map<string, { flag: string; env: string }> {
  const out = new Map<string, { flag: string; env: string }>();
  for (const line of DOC.split('\n')) {
    const m = /^\| `([A-Za-z]+)` \| `(--[a-z0-9-]+)` \| `(SLUICE_[A-Z0-9_]+)` \|/.exec(line);
    if (m) out.set(m[1]!, { flag: m[2]!, env: m[3]! });
  }
  return out;
}

test('every configuration option is documented with its flag and environment variable', () => {
  const documented = rows();
  const missing = Object.keys(CONFIG_SPEC).filter((k) => !documented.has(k));
  assert.deepEqual(missing, [], `options missing from docs/configuration.md: ${missing.join(', ')}`);
  for (const [key, spec] of Object.entries(CONFIG_SPEC)) {
    assert.deepEqual(documented.get(key), { flag: `--${spec.flag}`, env: spec.env }, key);
  }
});

test('the documentation lists no option that does not exist', () => {
  const extra = [...rows().keys()].filter((k) => !(k in CONFIG_SPEC));
  assert.deepEqual(extra, []);
});
