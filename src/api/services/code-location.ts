import type { Scope } from '../../domain/scope.js';
import type { ApiContext } from '../context.js';

/** Served by the DownloadCode route in routes/functions.ts (same token format). */
export const CODE_DOWNLOAD_PATH = '/_sluice/code';

/** A signed, expiring URL for a stored archive: GetFunction's Code.Location, a layer's Content.Location. */
export function signedCodeLocation(ctx: ApiContext, baseUrl: string, owner: Scope, codeKey: string): string {
  const token = ctx.urlSigner.sign({
    a: owner.account, r: owner.region, k: codeKey, e: ctx.clock.now() + ctx.config.codeUrlTtlSeconds * 1000,
  });
  return `${baseUrl}${CODE_DOWNLOAD_PATH}/${token}`;
}
