import { layerArn, parseLayerName } from '../../domain/arn.js';
import { layerVersionKey, type LayerVersionRecord } from '../../domain/function-model.js';
import { isAllowed } from '../../domain/policy.js';
import { checkRuntime, RUNTIME_ENUM } from '../../domain/runtimes.js';
import type { Scope } from '../../domain/scope.js';
import {
  AccessDeniedException, InvalidParameterValueException, ResourceNotFoundException, ValidationException,
} from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import type { AcceptedCode } from './code-upload.js';

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
const MAX_RUNTIMES = 15;
const MAX_ARCHITECTURES = 2;

/** Layers take every runtime id AWS knows, deprecated ones included (old layers stay publishable). */
function isLayerRuntime(r: string): boolean {
  if ((RUNTIME_ENUM as readonly string[]).includes(r)) return true;
  const check = checkRuntime(r);
  return !check.ok && check.reason === 'deprecated';
}

const runtimeEnumText = `[${RUNTIME_ENUM.join(', ')}]`;
const archEnumText = `[${ARCHITECTURES.join(', ')}]`;

/** AWS reports every model violation of one request together: `N validation errors detected: a; b`. */
export function validationErrors(errors: string[], separator = '; '): ValidationException | undefined {
  if (errors.length === 0) return undefined;
  return new ValidationException(`${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join(separator)}`);
}

/** PublishLayerVersion's CompatibleRuntimes / CompatibleArchitectures. */
export function checkCompatibility(runtimes: string[] | undefined, architectures: string[] | undefined): void {
  const errors: string[] = [];
  if (runtimes !== undefined) {
    const shown = `[${runtimes.join(', ')}]`;
    if (runtimes.length > MAX_RUNTIMES) {
      errors.push(`Value '${shown}' at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RUNTIMES}`);
    }
    if (!runtimes.every(isLayerRuntime)) {
      errors.push(`Value '${shown}' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: ${runtimeEnumText}`);
    }
  }
  if (architectures !== undefined) {
    const shown = `[${architectures.join(', ')}]`;
    if (architectures.length > MAX_ARCHITECTURES) {
      errors.push(`Value '${shown}' at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ARCHITECTURES}`);
    }
    if (!architectures.every((a) => (ARCHITECTURES as readonly string[]).includes(a))) {
      errors.push(`Value '${shown}' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: ${archEnumText}]`);
    }
  }
  const err = validationErrors(errors);
  if (err) throw err;
}

export interface CompatibilityFilter {
  runtime?: string;
  architecture?: string;
}

/** ListLayers / ListLayerVersions query filters. */
export function parseCompatibilityFilter(query: URLSearchParams): CompatibilityFilter {
  const runtime = query.get('CompatibleRuntime') ?? undefined;
  const architecture = query.get('CompatibleArchitecture') ?? undefined;
  const errors: string[] = [];
  if (runtime !== undefined && !isLayerRuntime(runtime)) {
    errors.push(`Value '${runtime}' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set: ${runtimeEnumText}`);
  }
  if (architecture !== undefined && !(ARCHITECTURES as readonly string[]).includes(architecture)) {
    errors.push(`Value '${architecture}' at 'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum value set: ${archEnumText}`);
  }
  const err = validationErrors(errors, ';');
  if (err) throw err;
  const out: CompatibilityFilter = {};
  if (runtime !== undefined) out.runtime = runtime;
  if (architecture !== undefined) out.architecture = architecture;
  return out;
}

/** A version matches a filter only when it declares that runtime / architecture. */
export function matchesFilter(lv: LayerVersionRecord, f: CompatibilityFilter): boolean {
  if (f.runtime !== undefined && !(lv.compatibleRuntimes ?? []).includes(f.runtime)) return false;
  if (f.architecture !== undefined && !(lv.compatibleArchitectures ?? []).includes(f.architecture)) return false;
  return true;
}

/** `{VersionNumber}` path member (a long). */
export function parseVersionNumber(raw: string, requirePositive = false): number {
  if (!/^-?\d{1,18}$/.test(raw)) {
    throw new ValidationException(`1 validation error detected: Value '${raw}' at 'versionNumber' failed to satisfy constraint: Member must be a number`);
  }
  const n = Number(raw);
  if (requirePositive && n < 1) throw new InvalidParameterValueException('Layer Version Cannot be less than 1');
  return n;
}

export interface PublishInput {
  description: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  code: AcceptedCode;
}

/** Stores version N+1 of the layer; numbers come from a per-layer counter, so they are never reused. */
export function publishLayerVersion(ctx: ApiContext, scope: Scope, layerName: string, input: PublishInput): LayerVersionRecord {
  return ctx.repos.transaction(() => {
    const version = (ctx.repos.layers.get(scope, layerName)?.lastVersion ?? 0) + 1;
    const record: LayerVersionRecord = {
      layerName,
      version,
      description: input.description,
      createdDate: ctx.clock.now(),
      codeKey: input.code.key,
      codeSha256: input.code.sha256Base64,
      codeSize: input.code.size,
      unzippedSize: input.code.unzippedSize,
    };
    if (input.compatibleRuntimes !== undefined) record.compatibleRuntimes = input.compatibleRuntimes;
    if (input.compatibleArchitectures !== undefined) record.compatibleArchitectures = input.compatibleArchitectures;
    if (input.licenseInfo !== undefined) record.licenseInfo = input.licenseInfo;
    ctx.repos.layers.put(scope, layerName, { layerName, lastVersion: version });
    ctx.repos.layerVersions.put(scope, layerVersionKey(layerName, version), record);
    return record;
  });
}

/** For the operations on the caller's own layer versions (permissions): AWS names the ARN. */
export function requireOwnLayerVersion(repos: Repositories, scope: Scope, layerName: string, version: number): LayerVersionRecord {
  const lv = repos.layerVersions.get(scope, layerVersionKey(layerName, version));
  if (!lv) throw new ResourceNotFoundException(`Layer version ${layerArn(scope, layerName, version)} does not exist.`);
  return lv;
}

export const layerNotFound = (): ResourceNotFoundException => new ResourceNotFoundException('The resource you requested does not exist.');

export interface LayerRef {
  owner: Scope;
  name: string;
}

const FOREIGN_LAYER_ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):layer:([a-zA-Z0-9-_]+)$/;

/** `{LayerName}` for reads: another account's layer ARN (same region) is allowed, subject to its policy. */
export function readableLayer(raw: string, scope: Scope): LayerRef {
  const m = FOREIGN_LAYER_ARN_RE.exec(raw);
  if (m && m[1] === scope.region && m[2] !== scope.account && raw.length <= 140) {
    return { owner: { account: m[2]!, region: m[1]! }, name: m[3]! };
  }
  return { owner: scope, name: parseLayerName(raw, scope) };
}

/**
 * Reads of another account's layer version need a statement granting lambda:GetLayerVersion to the
 * caller's account. Refused the same way whether or not the version exists, so nothing leaks.
 */
export function checkLayerReadable(repos: Repositories, scope: Scope, ref: LayerRef, version: number): void {
  if (ref.owner.account === scope.account) return;
  const policy = repos.layerPolicies.get(ref.owner, layerVersionKey(ref.name, version));
  const allowed = isAllowed(policy?.statements, {
    action: 'lambda:GetLayerVersion',
    principal: { kind: 'account', account: scope.account, arn: `arn:aws:iam::${scope.account}:root` },
  });
  if (!allowed) {
    throw new AccessDeniedException(
      `User: arn:aws:iam::${scope.account}:root is not authorized to perform: lambda:GetLayerVersion on resource: ${layerArn(ref.owner, ref.name, version)}`,
    );
  }
}
