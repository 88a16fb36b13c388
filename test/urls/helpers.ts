import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import {
  AddPermissionCommand, CreateFunctionUrlConfigCommand, type CreateFunctionUrlConfigCommandInput, type LambdaClient,
} from '@aws-sdk/client-lambda';

/** `*.localhost` is loopback (as browsers and curl treat it); Node's resolver does not know that by itself. */
const localhostLookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  callback(new Error(`test lookup: ${hostname} is not a localhost name`));
}) as unknown as LookupFunction;

export interface UrlResponse {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json(): any;
}

export interface UrlRequestOptions {
  method?: string;
  /** Path and query appended to the URL (no leading slash needed). */
  path?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

/** Starts a request to a function URL; the response is handed over as soon as its head arrives. */
export function urlStream(url: string, opts: UrlRequestOptions = {}): Promise<IncomingMessage> {
  const u = new URL(opts.path ?? '', url);
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string | string[]> = { ...(opts.headers ?? {}) };
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(body.length);
    const req = httpRequest(u, { method: opts.method ?? 'GET', headers, lookup: localhostLookup, agent: false }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

/** One whole request/response to a function URL. */
export async function urlRequest(url: string, opts: UrlRequestOptions = {}): Promise<UrlResponse> {
  const res = await urlStream(url, opts);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const text = body.toString('utf8');
  return { status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text, json: () => JSON.parse(text) };
}

/** Creates a function URL and returns its FunctionUrl. */
export async function createUrl(lambda: LambdaClient, name: string, extra: Partial<CreateFunctionUrlConfigCommandInput> = {}): Promise<string> {
  const out = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE', ...extra }));
  return out.FunctionUrl!;
}

/** The two statements a public (AuthType NONE) URL needs, as the console adds them. */
export async function allowPublic(lambda: LambdaClient, name: string, qualifier?: string): Promise<void> {
  await lambda.send(new AddPermissionCommand({
    FunctionName: name, Qualifier: qualifier, StatementId: 'FunctionURLAllowPublicAccess', Action: 'lambda:InvokeFunctionUrl',
    Principal: '*', FunctionUrlAuthType: 'NONE',
  }));
  await lambda.send(new AddPermissionCommand({
    FunctionName: name, Qualifier: qualifier, StatementId: 'FunctionURLInvokeAllowPublicAccess', Action: 'lambda:InvokeFunction',
    Principal: '*', InvokedViaFunctionUrl: true,
  }));
}
