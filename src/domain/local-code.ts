import { isAbsolute, normalize, sep } from 'node:path';

/**
 * Hot-reload code: a function (or layer) whose code is a directory on the server's host, served live instead of
 * from an uploaded archive. Requested as LocalStack does, so the unmodified AWS CLI can ask for it:
 * `--code S3Bucket=hot-reload,S3Key=/absolute/path` (layers: `--content S3Bucket=hot-reload,S3Key=/abs/path`).
 * Such code is kept under a code-store key `local:<path>` instead of a content hash.
 */
export const HOT_RELOAD_BUCKET = 'hot-reload';

/** What CodeSha256 shows for hot-reload code (LocalStack's wording: the content changes under it). */
export const HOT_RELOAD_CODE_SHA256 = 'hot-reloading-hash-not-available';

const PREFIX = 'local:';

export const localCodeKey = (dir: string): string => `${PREFIX}${dir}`;

export const isLocalCodeKey = (key: string): boolean => key.startsWith(PREFIX);

/** The directory of a `local:` key, or undefined for an archive's key. */
export const localCodeDir = (key: string): string | undefined => (key.startsWith(PREFIX) ? key.slice(PREFIX.length) : undefined);

/** The directories a set of code keys serves live (function code first, then layers in order). */
export function liveDirectories(keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const d = localCodeDir(k);
    if (d !== undefined && !out.includes(d)) out.push(d);
  }
  return out;
}

/**
 * Why an S3Key cannot name hot-reload code, or undefined when it can: it must be an absolute, normalized path
 * inside one of the allowed roots (`allowed`: colon-separated; empty disables hot reload).
 */
export function localPathProblem(path: string, allowed: string): string | undefined {
  const roots = allowed.split(':').filter((r) => r !== '');
  if (roots.length === 0) return 'hot-reload code is disabled on this server (option localCodePaths is empty)';
  if (!isAbsolute(path)) return `S3Key must be an absolute directory path on the Sluice server's host, got "${path}"`;
  const clean = normalize(path).replace(/(.)\/+$/, '$1');
  if (!roots.some((r) => r === '/' || clean === r || clean.startsWith(r.endsWith(sep) ? r : r + sep))) {
    return `${clean} is outside the directories this server allows for hot-reload code (localCodePaths: ${allowed})`;
  }
  return undefined;
}

/** The normalized form of an accepted hot-reload path (no trailing slash, no `..`). */
export const normalizeLocalPath = (path: string): string => normalize(path).replace(/(.)\/+$/, '$1');
