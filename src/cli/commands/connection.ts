import { clientSettings, loadConfig, type ClientSettings } from '../../config/index.js';
import { LambdaApi, SignedClient, SluiceApiError } from '../../client/index.js';
import type { ParsedArgs } from './args.js';

export interface Connection {
  api: LambdaApi;
  settings: ClientSettings;
}

/** The endpoint of the command's connection (for the unreachable-server message). */
let connectedTo: string | undefined;

/** The API client for a command: endpoint, region and credentials from flags, SLUICE_* / AWS_* variables and the data dir. */
export function connect(args: ParsedArgs, env: Record<string, string | undefined>): Connection {
  const { endpoint, ...configFlags } = args.config;
  const config = loadConfig({ flags: configFlags, env });
  const settings = clientSettings(config, env, { ...args.config });
  let url: URL;
  try {
    url = new URL(settings.endpoint);
  } catch {
    throw new Error(`invalid endpoint "${settings.endpoint}" (expected e.g. http://127.0.0.1:9070)`);
  }
  void endpoint;
  const http = new SignedClient({
    endpoint: url.origin, region: settings.region, accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey,
  });
  connectedTo = settings.endpoint;
  return { api: new LambdaApi(http), settings };
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** One line for any failure: the AWS error type and message, or why the server could not be reached. */
export function describeError(err: unknown, endpoint: string | undefined = connectedTo): string {
  if (err instanceof SluiceApiError) return `${err.code}: ${err.message.slice(err.code.length + 2)}`;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? (e as { cause?: NodeJS.ErrnoException })?.cause?.code;
  if (code && NETWORK_CODES[code] && endpoint) {
    return `cannot reach Sluice at ${endpoint} (${NETWORK_CODES[code]}): is \`sluice serve\` running? (choose another server with --endpoint or SLUICE_ENDPOINT)`;
  }
  return String(e?.message ?? err).split('\n')[0]!;
}
