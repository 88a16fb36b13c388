import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IgnoreRules, globToRegExp } from './ignore-rules.js';

const rules = (text: string, base = '') => {
  const r = new IgnoreRules();
  r.add(base, text);
  return r;
};

test('a bare name matches at any depth; a slash anchors it', () => {
  const r = rules('node_modules\n/build\ndocs/*.md\n');
  assert.equal(r.ignored('node_modules', true), true);
  assert.equal(r.ignored('lib/node_modules', true), true);
  assert.equal(r.ignored('build', true), true);
  assert.equal(r.ignored('src/build', true), false);
  assert.equal(r.ignored('docs/a.md', false), true);
  assert.equal(r.ignored('x/docs/a.md', false), false);
});

test('stars, question marks, classes and double stars', () => {
  assert.ok(globToRegExp('*.log', false).test('a/b/c.log'));
  assert.ok(!globToRegExp('*.log', false).test('c.log/x'));
  assert.ok(globToRegExp('file?.txt', false).test('file1.txt'));
  assert.ok(globToRegExp('[ab].js', false).test('a.js'));
  assert.ok(!globToRegExp('[!ab].js', false).test('a.js'));
  assert.ok(globToRegExp('**/tmp', true).test('tmp'));
  assert.ok(globToRegExp('**/tmp', true).test('a/b/tmp'));
  assert.ok(globToRegExp('a/**', true).test('a/b/c'));
  assert.ok(globToRegExp('a/**/z', true).test('a/z'));
  assert.ok(globToRegExp('a/**/z', true).test('a/b/c/z'));
});

test('negation re-includes, the last matching rule wins, comments and blanks are skipped', () => {
  const r = rules('# comment\n\n*.txt\n!keep.txt\n');
  assert.equal(r.ignored('a.txt', false), true);
  assert.equal(r.ignored('keep.txt', false), false);
  assert.equal(r.ignored('# comment', false), false);
});

test('a trailing slash matches directories only', () => {
  const r = rules('out/\n');
  assert.equal(r.ignored('out', true), true);
  assert.equal(r.ignored('out', false), false);
});

test('rules from a nested file apply below it only', () => {
  const r = new IgnoreRules();
  r.add('', '*.tmp\n');
  r.add('sub', 'secret.json\n!special.tmp\n');
  assert.equal(r.ignored('sub/secret.json', false), true);
  assert.equal(r.ignored('secret.json', false), false);
  assert.equal(r.ignored('sub/special.tmp', false), false);
  assert.equal(r.ignored('special.tmp', false), true);
});
