#!/usr/bin/env node
// Node 20's test runner takes no globs: find the compiled test files and hand them over.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const [suffix = '.test.js', ...roots] = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(suffix)) files.push(p);
  }
};
for (const root of roots.length ? roots : ['dist/src', 'dist/test']) walk(root);
if (files.length === 0) {
  console.error(`no ${suffix} files found`);
  process.exit(1);
}
const extra = (process.env.SLUICE_TEST_ARGS ?? '').split(' ').filter(Boolean);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...extra, ...files.sort()], { stdio: 'inherit' });
process.exit(r.status ?? 1);
