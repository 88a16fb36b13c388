import { functionArn } from '../domain/arn.js';
import {
  childKey, layerVersionKey, versionKey, type FunctionMeta, type FunctionVersion,
} from '../domain/function-model.js';
import type { Scope } from '../domain/scope.js';
import { ResourceConflictException, ResourceNotFoundException } from '../errors/index.js';
import type { Repositories } from '../store/index.js';
import { specFingerprint, type EnvironmentSpec } from '../sandbox/environment-spec.js';
import { pickVersion } from './routing.js';

export interface InvocationTarget {
  meta: FunctionMeta;
  /** The version that runs (aliases resolved, weights applied). */
  version: FunctionVersion;
  /** The ARN the caller used: qualified if the caller qualified. */
  invokedArn: string;
}

const notFound = (scope: Scope, name: string, qualifier?: string) =>
  new ResourceNotFoundException(`Function not found: ${functionArn(scope, name, qualifier)}`);

/** `$LATEST`, a version number or an alias (picking between its versions by weight) to the version that runs. */
export function resolveTarget(
  repos: Repositories, scope: Scope, name: string, qualifier: string | undefined, random: () => number = Math.random,
): InvocationTarget {
  const meta = repos.functions.get(scope, name);
  if (!meta) throw notFound(scope, name);
  let versionId: string;
  if (qualifier === undefined || qualifier === '$LATEST' || /^[0-9]+$/.test(qualifier)) {
    versionId = qualifier ?? '$LATEST';
  } else {
    const alias = repos.aliases.get(scope, childKey(name, qualifier));
    if (!alias) throw notFound(scope, name, qualifier);
    versionId = pickVersion(alias.functionVersion, alias.additionalVersionWeights, random);
  }
  const version = repos.versions.get(scope, versionKey(name, versionId));
  if (!version) throw notFound(scope, name, qualifier);
  return { meta, version, invokedArn: functionArn(scope, name, qualifier) };
}

/** Only Active functions run; Pending (still unpacking) and Failed ones answer 409 as AWS does. */
export function requireInvocable(version: FunctionVersion): void {
  if (version.state === 'Pending' || version.state === 'Failed') {
    throw new ResourceConflictException(
      `The operation cannot be performed at this time. The function is currently in the following state: ${version.state}`,
    );
  }
}

/** The code-store keys of a version's layers, in order (layers may live in other accounts of this server). */
export function layerCodeKeys(repos: Repositories, version: FunctionVersion): string[] {
  const keys: string[] = [];
  for (const layer of version.layers) {
    const m = /^arn:[^:]+:lambda:([^:]+):(\d{12}):layer:([^:]+):(\d+)$/.exec(layer.arn);
    if (!m) continue;
    const lv = repos.layerVersions.get({ region: m[1]!, account: m[2]! }, layerVersionKey(m[3]!, Number(m[4])));
    if (lv) keys.push(lv.codeKey);
  }
  return keys;
}

export function environmentSpec(scope: Scope, version: FunctionVersion, layerKeys: string[]): EnvironmentSpec {
  const base: Omit<EnvironmentSpec, 'fingerprint'> = {
    scope,
    functionName: version.functionName,
    version: version.version,
    runtime: version.runtime,
    handler: version.handler,
    memorySizeMb: version.memorySize,
    timeoutSeconds: version.timeout,
    ephemeralStorageMb: version.ephemeralStorageSize,
    environment: version.environment,
    logGroup: version.loggingConfig.LogGroup || `/aws/lambda/${version.functionName}`,
    logFormat: version.loggingConfig.LogFormat,
    codeKey: version.codeKey,
    layerCodeKeys: layerKeys,
  };
  if (version.loggingConfig.ApplicationLogLevel) base.applicationLogLevel = version.loggingConfig.ApplicationLogLevel;
  if (version.loggingConfig.SystemLogLevel) base.systemLogLevel = version.loggingConfig.SystemLogLevel;
  return { ...base, fingerprint: specFingerprint(base) };
}
