import type { Scope } from '../../domain/scope.js';
import { parseFunctionRef } from '../../domain/arn.js';
import { InvalidParameterValueException } from '../../errors/index.js';

/** `{FunctionName}` of an operation on the function as a whole (aliases, reserved concurrency): no qualifier. */
export function unqualifiedFunctionName(raw: string, scope: Scope): string {
  const ref = parseFunctionRef(raw, scope);
  if (ref.qualifier !== undefined) {
    throw new InvalidParameterValueException(
      'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
    );
  }
  return ref.name;
}
