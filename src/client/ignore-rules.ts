/**
 * `.gitignore`-style rules (also the format of `.sluiceignore`): what `sluice deploy` leaves out of a package.
 * Supported: comments, blank lines, `!` re-includes, a trailing `/` for directories only, a leading or inner `/`
 * anchoring the pattern to the ignore file's directory, `*`, `?`, `[...]` classes and `**` across directories.
 * Files in nested directories add rules for their subtree; later (deeper) rules win, as in git.
 */
interface Rule {
  /** Directory of the ignore file, relative to the package root ('' for the root). */
  base: string;
  negate: boolean;
  dirOnly: boolean;
  regex: RegExp;
}

/** One glob (already split from its flags) as a regular expression over a `/`-separated relative path. */
export function globToRegExp(glob: string, anchored: boolean): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length;
        if (atStart && glob[i + 2] === '/') {
          re += '(?:.*/)?'; // `**/x`: x at any depth
          i += 2;
          continue;
        }
        if (atStart && atEnd) {
          re += '.*'; // `x/**`: everything inside
          i += 1;
          continue;
        }
        re += '[^/]*'; // `a**b` is two single stars
        i += 1;
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < glob.length) {
      re += escapeRe(glob[++i]!);
    } else {
      re += escapeRe(c);
    }
  }
  return new RegExp(anchored ? `^${re}$` : `^(?:.*/)?${re}$`);
}

const escapeRe = (c: string) => c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');

export class IgnoreRules {
  private readonly rules: Rule[] = [];

  /** Adds the lines of an ignore file found in `base` (relative to the root, '' for the root). */
  add(base: string, text: string): void {
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.replace(/(?<!\\)\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      let negate = false;
      if (line.startsWith('!')) {
        negate = true;
        line = line.slice(1);
      } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
        line = line.slice(1);
      }
      let dirOnly = false;
      if (line.endsWith('/')) {
        dirOnly = true;
        line = line.replace(/\/+$/, '');
      }
      if (line === '') continue;
      const anchored = line.includes('/');
      if (line.startsWith('/')) line = line.slice(1);
      this.rules.push({ base, negate, dirOnly, regex: globToRegExp(line, anchored) });
    }
  }

  /** Whether a path (relative to the root, `/`-separated) is left out; the last matching rule decides. */
  ignored(path: string, isDir: boolean): boolean {
    let out = false;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      let sub = path;
      if (r.base !== '') {
        if (!path.startsWith(`${r.base}/`)) continue;
        sub = path.slice(r.base.length + 1);
      }
      if (r.regex.test(sub)) out = !r.negate;
    }
    return out;
  }
}
