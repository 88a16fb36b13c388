import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  HOT_RELOAD_BUCKET, HOT_RELOAD_CODE_SHA256, localCodeKey, localPathProblem, normalizeLocalPath,
} from '../../domain/local-code.js';
import { InvalidParameterValueException } from '../../errors/index.js';
import { optString } from '../wire/input.js';
import type { AcceptedCode } from './code-upload.js';

/**
 * `Code`/`Content` naming the hot-reload bucket: the S3Key is a directory on this host, served live (see
 * domain/local-code.ts). Undefined for any other code source.
 */
export function acceptLocalCode(code: Record<string, unknown>, allowedPaths: string, sandboxIsolated = false): AcceptedCode | undefined {
  if (optString(code, 'S3Bucket') !== HOT_RELOAD_BUCKET) return undefined;
  const path = optString(code, 'S3Key');
  if (path === undefined || path === '') {
    throw new InvalidParameterValueException('S3Key must name the absolute path of the code directory when S3Bucket is "hot-reload".');
  }
  const problem = localPathProblem(path, allowedPaths);
  if (problem) throw new InvalidParameterValueException(`Cannot serve hot-reload code: ${problem}.`);
  const dir = normalizeLocalPath(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new InvalidParameterValueException(`Cannot serve hot-reload code: ${dir} is not a directory on the Sluice server's host.`);
  }
  const blocked = sandboxIsolated ? unsearchable(dir) : [];
  if (blocked.length > 0) {
    throw new InvalidParameterValueException(
      `Cannot serve hot-reload code: functions run as an unprivileged user in their sandbox, and it cannot reach ${dir} because ` +
      `${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} not searchable by others (chmod o+x ${blocked.join(' ')}, or move the code).`,
    );
  }
  return { key: localCodeKey(dir), sha256Base64: HOT_RELOAD_CODE_SHA256, size: 0, unzippedSize: 0 };
}

/** The directory and its ancestors that others (the sandbox user) cannot search (enter). */
function unsearchable(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d, { throwIfNoEntry: false })?.mode ?? 0;
    if ((mode & 0o001) === 0) out.push(d);
    if (d === dirname(d)) break;
  }
  return out.reverse();
}
