import type { Scope } from './scope.js';
import { AccessDeniedException, InvalidParameterValueException, ResourceNotFoundException, ValidationException } from '../errors/index.js';

export function functionArn(scope: Scope, name: string, qualifier?: string): string {
  const base = `arn:aws:lambda:${scope.region}:${scope.account}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

export function layerArn(scope: Scope, name: string, version?: number): string {
  const base = `arn:aws:lambda:${scope.region}:${scope.account}:layer:${name}`;
  return version === undefined ? base : `${base}:${version}`;
}

export interface FunctionRef {
  readonly name: string;
  /** Qualifier given inside the name/ARN (`name:alias`, `arn...:function:name:3`). */
  readonly qualifier?: string;
}

const NAME_RE = /^[a-zA-Z0-9-_]+$/;
const QUALIFIER_RE = /^(\$LATEST|[a-zA-Z0-9-_]+)$/;
const FULL_ARN_RE = /^arn:(aws[a-zA-Z-]*):lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([^:]+))?$/;
const PARTIAL_ARN_RE = /^(\d{12}):function:([a-zA-Z0-9-_]+)(?::([^:]+))?$/;

/**
 * Parses a `{FunctionName}` value: a name, `name:qualifier`, a partial ARN `123456789012:function:name[:q]`
 * or a full ARN. An ARN naming another account or region is rejected: this caller cannot see it.
 */
export function parseFunctionRef(raw: string, scope: Scope, member = 'functionName'): FunctionRef {
  let name: string | undefined;
  let qualifier: string | undefined;
  let m = FULL_ARN_RE.exec(raw);
  if (m) {
    if (m[2] !== scope.region) {
      throw new ResourceNotFoundException(`Functions from '${m[2]}' are not reachable in this region ('${scope.region}')`);
    }
    if (m[3] !== scope.account) throw new AccessDeniedForeign(raw, scope.account);
    name = m[4];
    qualifier = m[5];
  } else if ((m = PARTIAL_ARN_RE.exec(raw))) {
    if (m[1] !== scope.account) throw new AccessDeniedForeign(raw, scope.account);
    name = m[2];
    qualifier = m[3];
  } else {
    const parts = raw.split(':');
    if (parts.length <= 2 && parts[0] && NAME_RE.test(parts[0])) {
      name = parts[0];
      qualifier = parts[1];
    }
  }
  if (name === undefined || raw.length > 256 || (qualifier !== undefined && !QUALIFIER_RE.test(qualifier))) {
    throw new ValidationException(
      `1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  if (name.length > 64) {
    // AWS reports this one as a parameter error, naming the function name alone.
    throw new InvalidParameterValueException(
      `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** IAM actions whose names differ from the API operation's. */
const IAM_ACTIONS: Record<string, string> = {
  Invoke: 'InvokeFunction', InvokeWithResponseStream: 'InvokeFunction', GetLayerVersionByArn: 'GetLayerVersion',
};
export const iamAction = (operation: string): string => IAM_ACTIONS[operation] ?? operation;

/**
 * Another account's resource: without a resource-based policy granting it, AWS answers with an authorization
 * failure (never revealing whether the resource exists). The action is filled in by the server, which knows
 * the operation being served (`forOperation`).
 */
export class AccessDeniedForeign extends AccessDeniedException {
  constructor(readonly resource: string, readonly callerAccount: string, action = '*') {
    super(
      `User: arn:aws:iam::${callerAccount}:root is not authorized to perform: lambda:${action} on resource: ${resource} because no resource-based policy allows the lambda:${action} action`,
    );
  }

  forOperation(operation: string): AccessDeniedForeign {
    return new AccessDeniedForeign(this.resource, this.callerAccount, iamAction(operation));
  }
}

export interface LayerVersionRef {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly version: number;
}

const LAYER_VERSION_ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;

export function parseLayerVersionArn(arn: string): LayerVersionRef | undefined {
  const m = LAYER_VERSION_ARN_RE.exec(arn);
  if (!m || arn.length > 140) return undefined;
  return { region: m[1]!, account: m[2]!, name: m[3]!, version: Number(m[4]) };
}

const LAYER_ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):layer:([a-zA-Z0-9-_]+)$/;

/** `{LayerName}` may be a name or a layer ARN (unversioned). */
export function parseLayerName(raw: string, scope: Scope): string {
  const m = LAYER_ARN_RE.exec(raw);
  if (m) {
    if (m[1] !== scope.region || m[2] !== scope.account) throw new AccessDeniedForeign(raw, scope.account);
    return m[3]!;
  }
  if (!/^[a-zA-Z0-9-_]+$/.test(raw) || raw.length > 140) {
    throw new ValidationException(
      `1 validation error detected: Value '${raw}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`,
    );
  }
  return raw;
}
