import { throwIfError, type SignedClient } from './signed-client.js';

/** The FunctionConfiguration members the CLI reads (the API returns more). */
export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Handler?: string;
  MemorySize?: number;
  Timeout?: number;
  CodeSha256?: string;
  CodeSize?: number;
  LastModified?: string;
  Version?: string;
  State?: string;
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus?: string;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  Environment?: { Variables?: Record<string, string> };
  Layers?: { Arn: string; CodeSize?: number }[];
}

/** A function's code: a zip archive, or (Sluice/LocalStack hot reload) a directory on the server's host. */
export type CodeSource = { zip: Buffer } | { hotReloadDir: string };

export interface FunctionSettingsInput {
  Runtime?: string;
  Handler?: string;
  Role?: string;
  MemorySize?: number;
  Timeout?: number;
  Environment?: { Variables: Record<string, string> };
  Layers?: string[];
}

export interface InvokeOptions {
  qualifier?: string;
  /** `Event` answers 202 at once; `RequestResponse` waits for the result. */
  type?: 'RequestResponse' | 'Event' | 'DryRun';
  /** Ask for the last 4 KB of the invocation's log (X-Amz-Log-Result). */
  tail?: boolean;
}

export interface InvokeResult {
  status: number;
  payload: Buffer;
  /** `Unhandled` (or `Handled`) when the function failed. */
  functionError?: string;
  /** The decoded log tail, when asked for. */
  log?: string;
  executedVersion?: string;
  requestId?: string;
}

const FUNCTIONS = '/2015-03-31/functions';
const fn = (name: string) => `${FUNCTIONS}/${encodeURIComponent(name)}`;
const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function codeMember(code: CodeSource): Record<string, string> {
  return 'zip' in code ? { ZipFile: code.zip.toString('base64') } : { S3Bucket: 'hot-reload', S3Key: code.hotReloadDir };
}

/**
 * A small typed client of the Lambda REST API as Sluice serves it (the same routes the AWS SDK and CLI use), plus
 * Sluice's own routes. Every request is SigV4-signed by the SignedClient; errors arrive as SluiceApiError.
 */
export class LambdaApi {
  constructor(readonly http: SignedClient) {}

  getFunctionConfiguration(name: string, qualifier?: string): Promise<FunctionConfiguration> {
    return this.http.json('GET', `${fn(name)}/configuration`, qualifier ? { Qualifier: qualifier } : {});
  }

  createFunction(name: string, code: CodeSource, settings: FunctionSettingsInput): Promise<FunctionConfiguration> {
    return this.http.json('POST', FUNCTIONS, {}, { FunctionName: name, Code: codeMember(code), ...settings });
  }

  updateFunctionCode(name: string, code: CodeSource): Promise<FunctionConfiguration> {
    return this.http.json('PUT', `${fn(name)}/code`, {}, codeMember(code));
  }

  updateFunctionConfiguration(name: string, settings: FunctionSettingsInput): Promise<FunctionConfiguration> {
    return this.http.json('PUT', `${fn(name)}/configuration`, {}, settings);
  }

  listFunctions(marker?: string): Promise<{ Functions: FunctionConfiguration[]; NextMarker?: string }> {
    return this.http.json('GET', FUNCTIONS, marker ? { Marker: marker } : {});
  }

  async allFunctions(): Promise<FunctionConfiguration[]> {
    const out: FunctionConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await this.listFunctions(marker);
      out.push(...page.Functions);
      marker = page.NextMarker;
    } while (marker);
    return out;
  }

  async deleteFunction(name: string, qualifier?: string): Promise<void> {
    await this.http.json('DELETE', fn(name), qualifier ? { Qualifier: qualifier } : {});
  }

  async invoke(name: string, payload: Buffer, opts: InvokeOptions = {}): Promise<InvokeResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-invocation-type': opts.type ?? 'RequestResponse' };
    if (opts.tail) headers['x-amz-log-type'] = 'Tail';
    const res = await this.http.send('POST', `${fn(name)}/invocations`, opts.qualifier ? { Qualifier: opts.qualifier } : {}, payload, headers);
    throwIfError(res);
    const out: InvokeResult = { status: res.status, payload: res.body };
    const functionError = header(res.headers, 'x-amz-function-error');
    const log = header(res.headers, 'x-amz-log-result');
    const executedVersion = header(res.headers, 'x-amz-executed-version');
    const requestId = header(res.headers, 'x-amzn-requestid');
    if (functionError) out.functionError = functionError;
    if (log) out.log = Buffer.from(log, 'base64').toString('utf8');
    if (executedVersion) out.executedVersion = executedVersion;
    if (requestId) out.requestId = requestId;
    return out;
  }

  /** Sluice: start (or keep) a debugger session for the function on this host port (0: any free one). */
  enableDebug(name: string, port: number): Promise<{ FunctionName: string; Port: number; Attached: boolean }> {
    return this.http.json('PUT', `/_sluice/functions/${encodeURIComponent(name)}/debug`, {}, { Port: port });
  }

  async disableDebug(name: string): Promise<void> {
    await this.http.json('DELETE', `/_sluice/functions/${encodeURIComponent(name)}/debug`);
  }
}
