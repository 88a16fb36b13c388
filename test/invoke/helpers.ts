import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateFunctionCommand, InvokeCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
  type CreateFunctionCommandInput, type InvokeCommandInput, type InvokeCommandOutput, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { ROLE } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';

/** test/fixtures/functions in the source tree (tests run from dist/). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/functions/', import.meta.url));

/** Zips a fixture folder as it is on disk. */
export function fixtureZip(name: string, extra: Record<string, string> = {}): Uint8Array {
  const root = join(FIXTURES, name);
  const files: Record<string, Buffer | string> = {};
  const modes: Record<string, number> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const name = relative(root, p);
        files[name] = readFileSync(p);
        // Keep executables executable (a custom runtime's bootstrap).
        if (statSync(p).mode & 0o111) modes[name] = 0o100755;
      }
    }
  };
  walk(root);
  Object.assign(files, extra);
  return zipFiles(files, modes);
}

export const NODE = { Runtime: 'nodejs22.x' as const, Handler: 'index.handler' };
export const PYTHON = { Runtime: 'python3.12' as const, Handler: 'handler.handler' };

export async function createFunction(
  lambda: LambdaClient, name: string, fixture: string, extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Role: ROLE, Code: { ZipFile: fixtureZip(fixture) }, ...NODE, ...extra,
  } as CreateFunctionCommandInput));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: name });
}

export async function waitUpdated(lambda: LambdaClient, name: string): Promise<void> {
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: name });
}

export interface Invoked {
  out: InvokeCommandOutput;
  /** The payload as text. */
  text: string;
  /** The payload parsed as JSON (undefined when it is not JSON). */
  body: any;
  /** The decoded X-Amz-Log-Result. */
  log: string;
}

export async function invoke(lambda: LambdaClient, name: string, event: unknown = {}, extra: Partial<InvokeCommandInput> = {}): Promise<Invoked> {
  const out = await lambda.send(new InvokeCommand({
    FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), ...extra,
  }));
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const log = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '';
  return { out, text, body, log };
}
