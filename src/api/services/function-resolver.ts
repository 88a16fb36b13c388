import type { Scope } from '../../domain/scope.js';
import { functionArn, parseFunctionRef } from '../../domain/arn.js';
import { childKey, versionKey, type FunctionMeta, type FunctionVersion, type AliasRecord } from '../../domain/function-model.js';
import { InvalidParameterValueException, ResourceNotFoundException } from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';

export interface FunctionTarget {
  name: string;
  /** Qualifier from the name/ARN or the `Qualifier` query; undefined = unqualified. */
  qualifier: string | undefined;
}

/** Combines `{FunctionName}` (which may carry `:qualifier`) with a `Qualifier` query parameter. */
export function functionTarget(rawName: string, scope: Scope, queryQualifier?: string | null): FunctionTarget {
  const ref = parseFunctionRef(rawName, scope);
  const q = queryQualifier ?? undefined;
  if (q !== undefined && !/^(\$LATEST|[a-zA-Z0-9-_]+)$/.test(q)) {
    throw new InvalidParameterValueException(`1 validation error detected: Value '${q}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`);
  }
  if (ref.qualifier !== undefined && q !== undefined && ref.qualifier !== q) {
    throw new InvalidParameterValueException('The derived qualifier from the function name does not match the specified qualifier.');
  }
  return { name: ref.name, qualifier: ref.qualifier ?? q };
}

export function notFound(scope: Scope, name: string, qualifier?: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`Function not found: ${functionArn(scope, name, qualifier)}`);
}

export function requireFunction(repos: Repositories, scope: Scope, name: string): FunctionMeta {
  const meta = repos.functions.get(scope, name);
  if (!meta) throw notFound(scope, name);
  return meta;
}

export const isVersionNumber = (q: string): boolean => /^[0-9]+$/.test(q);

export interface ResolvedVersion {
  version: FunctionVersion;
  /** Set when the qualifier named an alias. */
  alias?: AliasRecord;
}

/** `$LATEST`, a version number or an alias, to the version configuration it denotes. */
export function resolveVersion(repos: Repositories, scope: Scope, target: FunctionTarget): ResolvedVersion {
  const { name, qualifier } = target;
  if (qualifier === undefined || qualifier === '$LATEST' || isVersionNumber(qualifier)) {
    const v = repos.versions.get(scope, versionKey(name, qualifier ?? '$LATEST'));
    if (!v) throw notFound(scope, name, qualifier);
    return { version: v };
  }
  const alias = repos.aliases.get(scope, childKey(name, qualifier));
  if (!alias) throw notFound(scope, name, qualifier);
  const v = repos.versions.get(scope, versionKey(name, alias.functionVersion));
  if (!v) throw notFound(scope, name, qualifier);
  return { version: v, alias };
}
