import { parseFunctionRef } from '../../domain/arn.js';
import { validateTags } from '../../domain/tags.js';
import { versionKey, type FunctionVersion } from '../../domain/function-model.js';
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException, AccessDeniedException } from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type ApiResponse, type Route } from '../types.js';
import { functionConfiguration } from '../wire/function-configuration.js';
import { parseFunctionSettings } from '../wire/function-settings.js';
import {
  decodeMarker, encodeMarker, optBool, optObject, optString, optStringMap, pageQuery, reqString,
} from '../wire/input.js';
import { acceptCode } from '../services/code-upload.js';
import { localCodeDir } from '../../domain/local-code.js';
import { zipLocalDirectory } from '../services/local-code-archive.js';
import { CODE_DOWNLOAD_PATH, signedCodeLocation } from '../services/code-location.js';
import { unqualifiedFunctionName as unqualified } from '../services/unqualified-function.js';
import { functionTarget, requireFunction, resolveVersion } from '../services/function-resolver.js';
import {
  createFunction, deleteFunction, publishVersion, updateFunctionCode, updateFunctionConfiguration,
} from '../services/functions.js';

const CODE_BODY_LIMIT = 70_167_211;

export function functionRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;

  const config = (v: FunctionVersion, scope: Parameters<typeof functionConfiguration>[1], qualifiedLatest = false) =>
    functionConfiguration(v, scope, qualifiedLatest);

  return [
    {
      method: 'POST', path: '/2015-03-31/functions', operation: 'CreateFunction', maxBodyBytes: CODE_BODY_LIMIT,
      handler: async (req) => {
        const body = req.json();
        const rawName = reqString(body, 'FunctionName', { min: 1, max: 140 });
        const ref = parseFunctionRef(rawName, req.scope);
        if (ref.qualifier !== undefined) throw new InvalidParameterValueException('Unsupported: a qualifier in the function name for CreateFunction.');
        reqString(body, 'Role');
        const settings = parseFunctionSettings(body, ref.name);
        const tags = optStringMap(body, 'Tags') ?? {};
        validateTags(tags);
        const codeObj = optObject(body, 'Code');
        if (!codeObj) throw new InvalidParameterValueException('1 validation error detected: Value null at \'code\' failed to satisfy constraint: Member must not be null');
        if (repos.functions.get(req.scope, ref.name)) throw conflict(ref.name);
        const code = await acceptCode(codeObj, ctx.code, ctx.config.localCodePaths, ctx.sandboxIsolated);
        const created = createFunction(ctx, req.scope, {
          name: ref.name, settings, code, tags, publish: optBool(body, 'Publish') ?? false,
        });
        return json(201, config(created, req.scope));
      },
    },
    {
      method: 'GET', path: '/2015-03-31/functions', operation: 'ListFunctions',
      handler: (req) => {
        const all = req.query.get('FunctionVersion');
        if (all !== null && all !== 'ALL') throw new InvalidParameterValueException(`1 validation error detected: Value '${all}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
        const { marker, maxItems } = pageQuery(req.query, 50);
        const after = decodeMarker(marker);
        const functions: Record<string, unknown>[] = [];
        let next: string | undefined;
        if (all === 'ALL') {
          const page = repos.versions.list(req.scope, { after, limit: maxItems + 1 });
          for (const e of page.slice(0, maxItems)) functions.push(config(e.doc, req.scope, true));
          if (page.length > maxItems) next = page[maxItems - 1]!.key;
        } else {
          const page = repos.functions.list(req.scope, { after, limit: maxItems + 1 });
          for (const e of page.slice(0, maxItems)) {
            const v = repos.versions.get(req.scope, versionKey(e.key, '$LATEST'));
            if (v) functions.push(config(v, req.scope));
          }
          if (page.length > maxItems) next = page[maxItems - 1]!.key;
        }
        return json(200, next ? { Functions: functions, NextMarker: encodeMarker(next) } : { Functions: functions });
      },
    },
    {
      method: 'GET', path: '/2015-03-31/functions/{FunctionName}', operation: 'GetFunction',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        const meta = requireFunction(repos, req.scope, target.name);
        const { version } = resolveVersion(repos, req.scope, target);
        const out: Record<string, unknown> = {
          Configuration: config(version, req.scope, target.qualifier === '$LATEST'),
          Code: { RepositoryType: 'S3', Location: signedCodeLocation(ctx, req.baseUrl, req.scope, version.codeKey) },
        };
        if (target.qualifier === undefined) {
          out.Tags = { ...meta.tags };
          if (meta.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: meta.reservedConcurrency };
        }
        return json(200, out);
      },
    },
    {
      method: 'GET', path: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'GetFunctionConfiguration',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        requireFunction(repos, req.scope, target.name);
        const { version } = resolveVersion(repos, req.scope, target);
        return json(200, config(version, req.scope, target.qualifier === '$LATEST'));
      },
    },
    {
      method: 'PUT', path: '/2015-03-31/functions/{FunctionName}/code', operation: 'UpdateFunctionCode', maxBodyBytes: CODE_BODY_LIMIT,
      handler: async (req) => {
        const target = unqualified(req.params.FunctionName!, req.scope);
        const body = req.json();
        requireFunction(repos, req.scope, target);
        const code = await acceptCode(body, ctx.code, ctx.config.localCodePaths, ctx.sandboxIsolated);
        const v = updateFunctionCode(ctx, req.scope, target, code, {
          publish: optBool(body, 'Publish') ?? false,
          dryRun: optBool(body, 'DryRun') ?? false,
          revisionId: optString(body, 'RevisionId'),
        });
        return json(200, config(v, req.scope));
      },
    },
    {
      method: 'PUT', path: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'UpdateFunctionConfiguration',
      handler: (req) => {
        const target = unqualified(req.params.FunctionName!, req.scope);
        const body = req.json();
        requireFunction(repos, req.scope, target);
        const settings = parseFunctionSettings(body, target);
        const v = updateFunctionConfiguration(ctx, req.scope, target, settings, optString(body, 'RevisionId'));
        return json(200, config(v, req.scope));
      },
    },
    {
      method: 'DELETE', path: '/2015-03-31/functions/{FunctionName}', operation: 'DeleteFunction',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        deleteFunction(ctx, req.scope, target.name, target.qualifier);
        return empty(204);
      },
    },
    {
      method: 'POST', path: '/2015-03-31/functions/{FunctionName}/versions', operation: 'PublishVersion',
      handler: (req) => {
        const name = unqualified(req.params.FunctionName!, req.scope);
        const body = req.json();
        const v = publishVersion(ctx, req.scope, name, {
          codeSha256: optString(body, 'CodeSha256'),
          description: optString(body, 'Description', { max: 256 }),
          revisionId: optString(body, 'RevisionId'),
        });
        return json(201, config(v, req.scope));
      },
    },
    {
      method: 'GET', path: '/2015-03-31/functions/{FunctionName}/versions', operation: 'ListVersionsByFunction',
      handler: (req) => {
        const name = unqualified(req.params.FunctionName!, req.scope);
        requireFunction(repos, req.scope, name);
        const { marker, maxItems } = pageQuery(req.query, 50);
        const page = repos.versions.list(req.scope, { prefix: `${name}/`, after: decodeMarker(marker), limit: maxItems + 1 });
        const versions = page.slice(0, maxItems).map((e) => config(e.doc, req.scope, true));
        const out: Record<string, unknown> = { Versions: versions };
        if (page.length > maxItems) out.NextMarker = encodeMarker(page[maxItems - 1]!.key);
        return json(200, out);
      },
    },
    {
      // GetFunction's Code.Location: a signed, expiring URL that returns the original archive.
      method: 'GET', path: `${CODE_DOWNLOAD_PATH}/{Token}`, operation: 'DownloadCode', unauthenticated: true,
      handler: async (req): Promise<ApiResponse> => {
        const payload = ctx.urlSigner.verify(req.params.Token!);
        if (!payload) throw new AccessDeniedException('The download URL signature is not valid.');
        if (typeof payload.e !== 'number' || payload.e < ctx.clock.now()) throw new AccessDeniedException('The download URL has expired. Call GetFunction again for a new one.');
        const key = String(payload.k);
        // Hot-reload code: the directory as it is now, zipped on the fly.
        const local = localCodeDir(key);
        if (local !== undefined) {
          const body = await zipLocalDirectory(local).catch(() => undefined);
          if (!body) throw new ResourceNotFoundException('The hot-reload code directory no longer exists.');
          return { status: 200, body, headers: { 'Content-Type': 'application/zip' } };
        }
        if (!ctx.code.blobs.has(key)) throw new ResourceNotFoundException('The code archive no longer exists.');
        return { status: 200, body: ctx.code.blobs.read(key), headers: { 'Content-Type': 'application/zip' } };
      },
    },
  ];
}

const conflict = (name: string) => new ResourceConflictException(`Function already exist: ${name}`);
