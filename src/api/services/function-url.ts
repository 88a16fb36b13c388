import { randomInt } from 'node:crypto';
import type { Scope } from '../../domain/scope.js';
import { childKey } from '../../domain/function-model.js';
import type { Repositories, UrlIdEntry } from '../../store/index.js';

/**
 * Function URLs on Sluice: `http://<url-id>.lambda-url.<region>.localhost:<port>/`. `*.localhost` resolves to
 * the loopback address without any DNS setup, and the port is the one the API was reached on, so the URL a
 * client is handed is one it can call. The url-id → owner index lives in one global scope because a request
 * to a URL carries no account.
 */
export const URL_ID_SCOPE: Scope = { account: '_', region: '_' };

const URL_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const URL_ID_LENGTH = 32;
const HOST_RE = /^([a-z0-9]{32})\.lambda-url\.([a-z0-9-]+)\.(.+)$/;
const PATH_RE = /^\/lambda-url\/([a-zA-Z0-9]{32})(\/.*)?$/;
/** The path-form prefix of function URLs on the API's own host. */
export const URL_PATH_PREFIX = '/lambda-url/';

export type FunctionUrlAuthType = 'NONE' | 'AWS_IAM';
export type InvokeMode = 'BUFFERED' | 'RESPONSE_STREAM';

export interface CorsConfig {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

/** The stored form of one function URL config (repos.urlConfigs, key `name` or `name/alias`). */
export interface FunctionUrlConfigRecord {
  urlId: string;
  functionName: string;
  /** Alias name; absent for the unqualified function. */
  qualifier?: string;
  authType: FunctionUrlAuthType;
  invokeMode: InvokeMode;
  cors?: CorsConfig;
  creationTime: number; // epoch ms
  lastModifiedTime: number; // epoch ms
}

export const urlConfigKey = (name: string, qualifier?: string): string =>
  qualifier === undefined ? name : childKey(name, qualifier);

/** 32 lowercase alphanumerics, uniformly drawn (the id is the only thing naming an AuthType NONE URL). */
export function newUrlId(): string {
  let id = '';
  for (let i = 0; i < URL_ID_LENGTH; i++) id += URL_ID_ALPHABET[randomInt(URL_ID_ALPHABET.length)];
  return id;
}

/**
 * The URL for a url-id: under the configured public base (`https://fn.example.com` →
 * `https://<url-id>.lambda-url.<region>.fn.example.com/`), else on `localhost` with the port the client used to
 * reach the API (`baseUrl` = `http://host[:port]`).
 */
export function functionUrl(urlId: string, region: string, baseUrl: string, publicBase = ''): string {
  if (publicBase !== '') {
    const base = new URL(publicBase);
    return `${base.protocol}//${urlId}.lambda-url.${region}.${base.hostname}${base.port ? `:${base.port}` : ''}/`;
  }
  let port = '';
  try {
    port = new URL(baseUrl).port;
  } catch {
    // A Host header that is not a valid authority: fall back to the default port.
  }
  return `http://${urlId}.lambda-url.${region}.localhost${port ? `:${port}` : ''}/`;
}

/**
 * The url-id and region named by a request's Host header, or undefined when it is not a function-URL host
 * (under `localhost`, or under the public base's host name when one is configured).
 */
export function parseFunctionUrlHost(host: string | undefined, publicBase = ''): { urlId: string; region: string } | undefined {
  if (!host) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const m = HOST_RE.exec(name);
  if (!m) return undefined;
  if (m[3] !== 'localhost' && (publicBase === '' || m[3] !== publicBaseHost(publicBase))) return undefined;
  return { urlId: m[1]!, region: m[2]! };
}

const baseHosts = new Map<string, string>();
function publicBaseHost(publicBase: string): string {
  let h = baseHosts.get(publicBase);
  if (h === undefined) {
    h = new URL(publicBase).hostname.toLowerCase();
    baseHosts.set(publicBase, h);
  }
  return h;
}

/** The path form `/lambda-url/<url-id>/<path>` (for clients that cannot set a Host): the url-id and the path. */
export function parseFunctionUrlPath(rawPath: string): { urlId: string; path: string } | undefined {
  const m = PATH_RE.exec(rawPath);
  if (!m) return undefined;
  return { urlId: m[1]!.toLowerCase(), path: m[2] || '/' };
}

/** The owner of a url-id together with its current config, or undefined when no such URL exists. */
export function resolveUrlId(
  repos: Repositories, urlId: string,
): { owner: UrlIdEntry; scope: Scope; config: FunctionUrlConfigRecord } | undefined {
  const owner = repos.urlIds.get(URL_ID_SCOPE, urlId);
  if (!owner) return undefined;
  const scope: Scope = { account: owner.account, region: owner.region };
  const config = getUrlConfig(repos, scope, owner.functionName, owner.qualifier);
  if (!config || config.urlId !== urlId) return undefined;
  return { owner, scope, config };
}

export function getUrlConfig(repos: Repositories, scope: Scope, name: string, qualifier?: string): FunctionUrlConfigRecord | undefined {
  return repos.urlConfigs.get(scope, urlConfigKey(name, qualifier)) as FunctionUrlConfigRecord | undefined;
}

/** Replaces an existing config (same url-id). Call inside the caller's transaction. */
export function putUrlConfig(repos: Repositories, scope: Scope, record: FunctionUrlConfigRecord): void {
  repos.urlConfigs.put(scope, urlConfigKey(record.functionName, record.qualifier), record as unknown as Record<string, unknown>);
}

/**
 * Stores a new config under a fresh url-id, writing the reverse index in the same transaction.
 * Returns false when the function (or alias) already has one.
 */
export function insertUrlConfig(
  repos: Repositories, scope: Scope, record: Omit<FunctionUrlConfigRecord, 'urlId'>,
): FunctionUrlConfigRecord | undefined {
  return repos.transaction(() => {
    if (getUrlConfig(repos, scope, record.functionName, record.qualifier)) return undefined;
    const owner: UrlIdEntry = { account: scope.account, region: scope.region, functionName: record.functionName };
    if (record.qualifier !== undefined) owner.qualifier = record.qualifier;
    let urlId = newUrlId();
    // 36^32 ids make a collision practically impossible, but uniqueness is a promise: retry if it happens.
    while (!repos.urlIds.insert(URL_ID_SCOPE, urlId, owner)) urlId = newUrlId();
    const full: FunctionUrlConfigRecord = { urlId, ...record };
    putUrlConfig(repos, scope, full);
    return full;
  });
}

/** Deletes one config and its url-id; false when there was none. */
export function deleteUrlConfig(repos: Repositories, scope: Scope, name: string, qualifier?: string): boolean {
  return repos.transaction(() => {
    const existing = getUrlConfig(repos, scope, name, qualifier);
    if (!existing) return false;
    repos.urlConfigs.delete(scope, urlConfigKey(name, qualifier));
    repos.urlIds.delete(URL_ID_SCOPE, existing.urlId);
    return true;
  });
}

/**
 * Removes a function's URL configs with their url-ids: every one when `qualifier` is undefined (DeleteFunction),
 * else only the one for that alias (DeleteAlias). Call inside the caller's transaction.
 */
export function removeUrlConfigs(repos: Repositories, scope: Scope, name: string, qualifier?: string): void {
  if (qualifier !== undefined) {
    deleteUrlConfig(repos, scope, name, qualifier);
    return;
  }
  for (const c of listUrlConfigs(repos, scope, name)) deleteUrlConfig(repos, scope, name, c.qualifier);
}

/** All configs of a function in key order (the unqualified one first, then aliases by name). */
export function listUrlConfigs(repos: Repositories, scope: Scope, name: string): FunctionUrlConfigRecord[] {
  const out: FunctionUrlConfigRecord[] = [];
  const own = getUrlConfig(repos, scope, name);
  if (own) out.push(own);
  for (const e of repos.urlConfigs.list(scope, { prefix: `${name}/` })) out.push(e.doc as unknown as FunctionUrlConfigRecord);
  return out;
}
