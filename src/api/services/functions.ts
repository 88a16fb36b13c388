import { randomUUID } from 'node:crypto';
import type { Scope } from '../../domain/scope.js';
import { functionArn } from '../../domain/arn.js';
import { transition, isSettled } from '../../domain/function-state.js';
import { versionKey, childKey, type FunctionMeta, type FunctionVersion } from '../../domain/function-model.js';
import {
  InvalidParameterValueException, PreconditionFailedException, ResourceConflictException, ResourceNotFoundException,
} from '../../errors/index.js';
import type { ApiContext } from '../context.js';
import type { FunctionSettings } from '../wire/function-settings.js';
import type { AcceptedCode } from './code-upload.js';
import { MAX_UNZIPPED_BYTES } from './code-upload.js';
import { checkCombinedSize, resolveLayers } from './layer-resolver.js';
import { notFound, requireFunction } from './function-resolver.js';
import { removeUrlConfigs } from './function-url.js';

/** Rejects a request whose RevisionId does not match the resource's current one. */
export function checkRevision(given: string | undefined, current: string): void {
  if (given !== undefined && given !== current) {
    throw new PreconditionFailedException('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
}

function ensureSettled(scope: Scope, v: FunctionVersion): void {
  if (v.state === 'Pending') {
    throw new ResourceConflictException(`The operation cannot be performed at this time. The function is currently in the following state: Pending`);
  }
  if (!isSettled(v)) {
    throw new ResourceConflictException(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(scope, v.functionName)}`);
  }
}

export function requireLatest(ctx: ApiContext, scope: Scope, name: string): FunctionVersion {
  const v = ctx.repos.versions.get(scope, versionKey(name, '$LATEST'));
  if (!v) throw notFound(scope, name);
  return v;
}

export interface CreateInput {
  name: string;
  settings: FunctionSettings;
  code: AcceptedCode;
  tags: Record<string, string>;
  publish: boolean;
  versionDescription?: string;
}

export function createFunction(ctx: ApiContext, scope: Scope, input: CreateInput): FunctionVersion {
  const { name, settings: s } = input;
  if (!s.runtime || !s.handler) {
    throw new InvalidParameterValueException('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  }
  const arch = s.architectures ?? ['x86_64'];
  const layers = resolveLayers(ctx.repos, scope, s.layerArns ?? [], s.runtime, arch[0]!);
  checkCombinedSize(input.code.unzippedSize, layers, MAX_UNZIPPED_BYTES);
  const now = ctx.clock.now();
  const latest: FunctionVersion = {
    functionName: name,
    version: '$LATEST',
    runtime: s.runtime,
    role: s.role!,
    handler: s.handler,
    description: s.description ?? '',
    timeout: s.timeout ?? 3,
    memorySize: s.memorySize ?? 128,
    environment: s.environment ?? {},
    layers: layers.map((l) => ({ arn: l.arn, codeSize: l.codeSize })),
    architectures: arch,
    ephemeralStorageSize: s.ephemeralStorageSize ?? 512,
    loggingConfig: s.loggingConfig ?? { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
    tracingMode: s.tracingMode ?? 'PassThrough',
    snapStartApplyOn: s.snapStartApplyOn ?? 'None',
    codeSha256: input.code.sha256Base64,
    codeSize: input.code.size,
    codeKey: input.code.key,
    unzippedSize: input.code.unzippedSize,
    lastModified: now,
    revisionId: randomUUID(),
    ...transition({ state: 'Pending', lastUpdateStatus: 'InProgress' }, { type: 'created' }),
  };
  if (s.vpcConfig) latest.vpcConfig = s.vpcConfig;
  const meta: FunctionMeta = { functionName: name, tags: input.tags, lastPublishedVersion: 0, createdAt: now };
  const result = ctx.repos.transaction(() => {
    if (!ctx.repos.functions.insert(scope, name, meta)) throw new ResourceConflictException(`Function already exist: ${name}`);
    ctx.repos.versions.put(scope, versionKey(name, '$LATEST'), latest);
    if (!input.publish) return latest;
    return publishFrom(ctx, scope, meta, latest, input.versionDescription ?? '');
  });
  ctx.lifecycle.settle(scope, name, '$LATEST');
  if (result.version !== '$LATEST') ctx.lifecycle.settle(scope, name, result.version);
  return result;
}

/** Writes version N+1 as a snapshot of `latest` (inside the caller's transaction). */
function publishFrom(ctx: ApiContext, scope: Scope, meta: FunctionMeta, latest: FunctionVersion, description: string): FunctionVersion {
  const number = meta.lastPublishedVersion + 1;
  const version: FunctionVersion = {
    ...latest,
    version: String(number),
    description: description || latest.description,
    lastModified: ctx.clock.now(),
    revisionId: randomUUID(),
  };
  ctx.repos.functions.put(scope, meta.functionName, { ...meta, lastPublishedVersion: number });
  ctx.repos.versions.put(scope, versionKey(meta.functionName, version.version), version);
  return version;
}

/** Configuration fields whose change makes $LATEST differ from the last published version. */
function publishedShape(v: FunctionVersion): string {
  const { version, revisionId, lastModified, state, stateReason, stateReasonCode, lastUpdateStatus, lastUpdateStatusReason, lastUpdateStatusReasonCode, description, ...rest } = v;
  void version; void revisionId; void lastModified; void state; void stateReason; void stateReasonCode;
  void lastUpdateStatus; void lastUpdateStatusReason; void lastUpdateStatusReasonCode; void description;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

export interface PublishInput {
  codeSha256?: string;
  description?: string;
  revisionId?: string;
}

/** PublishVersion: a new immutable version, unless nothing changed since the last one (then that one). */
export function publishVersion(ctx: ApiContext, scope: Scope, name: string, input: PublishInput): FunctionVersion {
  const result = ctx.repos.transaction(() => {
    const meta = requireFunction(ctx.repos, scope, name);
    const latest = requireLatest(ctx, scope, name);
    ensureSettled(scope, latest);
    checkRevision(input.revisionId, latest.revisionId);
    if (input.codeSha256 !== undefined && input.codeSha256 !== latest.codeSha256) {
      throw new InvalidParameterValueException(
        `CodeSHA256 (${input.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.codeSha256}). Please try again with the current CodeSHA256.`,
      );
    }
    if (meta.lastPublishedVersion > 0) {
      const last = ctx.repos.versions.get(scope, versionKey(name, String(meta.lastPublishedVersion)));
      if (last && publishedShape(last) === publishedShape(latest)) return { version: last, created: false };
    }
    return { version: publishFrom(ctx, scope, meta, latest, input.description ?? ''), created: true };
  });
  if (result.created) ctx.lifecycle.settle(scope, name, result.version.version);
  return result.version;
}

export function updateFunctionCode(
  ctx: ApiContext, scope: Scope, name: string, code: AcceptedCode, opts: { publish: boolean; dryRun: boolean; revisionId?: string },
): FunctionVersion {
  const result = ctx.repos.transaction(() => {
    const meta = requireFunction(ctx.repos, scope, name);
    const latest = requireLatest(ctx, scope, name);
    ensureSettled(scope, latest);
    checkRevision(opts.revisionId, latest.revisionId);
    const layers = resolveLayers(ctx.repos, scope, latest.layers.map((l) => l.arn), latest.runtime, latest.architectures[0]!);
    checkCombinedSize(code.unzippedSize, layers, MAX_UNZIPPED_BYTES);
    if (opts.dryRun) return { version: latest, changed: false };
    const next: FunctionVersion = {
      ...latest,
      codeSha256: code.sha256Base64,
      codeSize: code.size,
      codeKey: code.key,
      unzippedSize: code.unzippedSize,
      lastModified: ctx.clock.now(),
      revisionId: randomUUID(),
      ...transition(latest, { type: 'update-started' }),
    };
    ctx.repos.versions.put(scope, versionKey(name, '$LATEST'), next);
    if (!opts.publish) return { version: next, changed: true };
    return { version: publishFrom(ctx, scope, meta, next, ''), changed: true };
  });
  if (result.changed) {
    ctx.lifecycle.settle(scope, name, '$LATEST');
    if (result.version.version !== '$LATEST') ctx.lifecycle.settle(scope, name, result.version.version);
  }
  return result.version;
}

export function updateFunctionConfiguration(
  ctx: ApiContext, scope: Scope, name: string, s: FunctionSettings, revisionId: string | undefined,
): FunctionVersion {
  const next = ctx.repos.transaction(() => {
    requireFunction(ctx.repos, scope, name);
    const latest = requireLatest(ctx, scope, name);
    ensureSettled(scope, latest);
    checkRevision(revisionId, latest.revisionId);
    const runtime = s.runtime ?? latest.runtime;
    const arch = s.architectures ?? latest.architectures;
    const layers = resolveLayers(ctx.repos, scope, s.layerArns ?? latest.layers.map((l) => l.arn), runtime, arch[0]!);
    checkCombinedSize(latest.unzippedSize, layers, MAX_UNZIPPED_BYTES);
    const { layerArns, ...fields } = s;
    void layerArns;
    const updated: FunctionVersion = {
      ...latest,
      ...fields,
      layers: layers.map((l) => ({ arn: l.arn, codeSize: l.codeSize })),
      lastModified: ctx.clock.now(),
      revisionId: randomUUID(),
      ...transition(latest, { type: 'update-started' }),
    };
    ctx.repos.versions.put(scope, versionKey(name, '$LATEST'), updated);
    return updated;
  });
  ctx.lifecycle.settle(scope, name, '$LATEST');
  return next;
}

/** DeleteFunction: the whole function with everything attached to it, or one published version. */
export function deleteFunction(ctx: ApiContext, scope: Scope, name: string, qualifier: string | undefined): void {
  ctx.repos.transaction(() => {
    requireFunction(ctx.repos, scope, name);
    if (qualifier === undefined) {
      const prefix = `${name}/`;
      removeUrlConfigs(ctx.repos, scope, name); // with their global url-id index entries
      ctx.repos.functions.delete(scope, name);
      for (const c of [ctx.repos.versions, ctx.repos.aliases, ctx.repos.policies, ctx.repos.urlConfigs, ctx.repos.eventInvokeConfigs, ctx.repos.provisionedConcurrency]) {
        c.deletePrefix(scope, prefix);
      }
      // A function-level (unqualified) entry uses the bare name as its key.
      for (const c of [ctx.repos.policies, ctx.repos.urlConfigs, ctx.repos.eventInvokeConfigs]) c.delete(scope, name);
      return;
    }
    if (qualifier === '$LATEST') {
      throw new InvalidParameterValueException('$LATEST version cannot be deleted without deleting the function.');
    }
    if (!/^[0-9]+$/.test(qualifier)) {
      throw new InvalidParameterValueException('Deletion of aliases is not currently supported.');
    }
    if (!ctx.repos.versions.get(scope, versionKey(name, qualifier))) {
      throw new ResourceNotFoundException(`Function not found: ${functionArn(scope, name, qualifier)}`);
    }
    const users = ctx.repos.aliases
      .list(scope, { prefix: `${name}/` })
      .filter((a) => a.doc.functionVersion === qualifier || a.doc.additionalVersionWeights?.[qualifier] !== undefined)
      .map((a) => a.doc.name);
    if (users.length > 0) {
      throw new ResourceConflictException(`Unable to delete version because the following aliases reference it: [${users.join(', ')}]`);
    }
    ctx.repos.versions.delete(scope, versionKey(name, qualifier));
    for (const c of [ctx.repos.policies, ctx.repos.urlConfigs, ctx.repos.eventInvokeConfigs, ctx.repos.provisionedConcurrency]) {
      c.delete(scope, childKey(name, qualifier));
    }
  });
  ctx.lifecycle.notifyChanged(scope, name, qualifier ?? '*');
}
