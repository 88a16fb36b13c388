import type { Scope } from './scope.js';
import { InvalidParameterValueException, ValidationException } from '../errors/index.js';

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
      throw new InvalidParameterValueException(`Region '${m[2]}' in ARN does not match the region of the request '${scope.region}'.`);
    }
    if (m[3] !== scope.account) throw new AccessDeniedForeign(raw);
    name = m[4];
    qualifier = m[5];
  } else if ((m = PARTIAL_ARN_RE.exec(raw))) {
    if (m[1] !== scope.account) throw new AccessDeniedForeign(raw);
    name = m[2];
    qualifier = m[3];
  } else {
    const parts = raw.split(':');
    if (parts.length <= 2 && parts[0] && NAME_RE.test(parts[0])) {
      name = parts[0];
      qualifier = parts[1];
    }
  }
  if (name === undefined || name.length > 64 || raw.length > 256 || (qualifier !== undefined && !QUALIFIER_RE.test(qualifier))) {
    throw new ValidationException(
      `1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** Another account's ARN: AWS answers as an authorization failure, never revealing whether it exists. */
export class AccessDeniedForeign extends ValidationException {
  constructor(raw: string) {
    super(`The resource ${raw} belongs to another account; cross-account access is not supported by this endpoint.`);
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
    if (m[1] !== scope.region || m[2] !== scope.account) throw new AccessDeniedForeign(raw);
    return m[3]!;
  }
  if (!/^[a-zA-Z0-9-_]+$/.test(raw) || raw.length > 140) {
    throw new ValidationException(
      `1 validation error detected: Value '${raw}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`,
    );
  }
  return raw;
}
