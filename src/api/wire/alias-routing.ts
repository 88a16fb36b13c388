import { InvalidParameterValueException, ValidationException } from '../../errors/index.js';
import { optObject } from './input.js';

/** The AdditionalVersionWeights map of a request: undefined = member absent, {} = routing cleared. */
export function parseRoutingConfig(body: Record<string, unknown>): Record<string, number> | undefined {
  const rc = optObject(body, 'RoutingConfig');
  if (rc === undefined) return undefined;
  const weights = optObject(rc, 'AdditionalVersionWeights') ?? {};
  for (const [k, v] of Object.entries(weights)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidParameterValueException(`Invalid type for parameter RoutingConfig.AdditionalVersionWeights.${k}, value type must be double`);
    }
  }
  return weights as Record<string, number>;
}

/** Java renders map entries as `{2=0.5}` and whole doubles with a `.0`; AWS echoes that form. */
function javaEntry(key: string, weight: number): string {
  return `{${key}=${Number.isInteger(weight) ? weight.toFixed(1) : String(weight)}}`;
}

export interface RoutingChecks {
  /** The alias's primary version. */
  functionVersion: string;
  /** Whether a published version exists (the caller resolves the not-found error). */
  requireVersion(version: string): void;
}

/** AWS's rules for weighted aliases, in AWS's order: one extra version, weight 0..1, published, not the primary. */
export function validateRouting(weights: Record<string, number>, checks: RoutingChecks): void {
  const entries = Object.entries(weights);
  if (entries.length > 1) {
    throw new InvalidParameterValueException('Number of items in AdditionalVersionWeights cannot be greater than 1');
  }
  for (const [version, weight] of entries) {
    if (weight < 0 || weight > 1) {
      throw new ValidationException(
        `1 validation error detected: Value '${javaEntry(version, weight)}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]`,
      );
    }
    if (version === checks.functionVersion) {
      throw new InvalidParameterValueException(
        `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`,
      );
    }
    if (checks.functionVersion === '$LATEST') {
      throw new InvalidParameterValueException('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    if (!/^[0-9]+$/.test(version) || version.length > 1024) {
      throw new ValidationException(
        `1 validation error detected: Value '${javaEntry(version, weight)}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, Member must not be null]`,
      );
    }
    checks.requireVersion(version);
  }
}
