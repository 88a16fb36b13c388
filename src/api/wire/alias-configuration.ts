import type { Scope } from '../../domain/scope.js';
import type { AliasRecord } from '../../domain/function-model.js';
import { functionArn } from '../../domain/arn.js';

/** The AliasConfiguration shape; RoutingConfig only when the alias splits traffic. */
export function aliasConfiguration(a: AliasRecord, scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AliasArn: functionArn(scope, a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
  };
  if (a.additionalVersionWeights && Object.keys(a.additionalVersionWeights).length > 0) {
    out.RoutingConfig = { AdditionalVersionWeights: { ...a.additionalVersionWeights } };
  }
  out.RevisionId = a.revisionId;
  return out;
}
