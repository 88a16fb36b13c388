import { randomUUID } from 'node:crypto';
import type { PolicyRecord, PolicyStatement } from '../../domain/function-model.js';
import { MAX_POLICY_BYTES, policySize } from '../../domain/policy.js';
import { PolicyLengthExceededException, ResourceConflictException, ResourceNotFoundException } from '../../errors/index.js';

/** Function and layer-version policies share these rules: unique Sid, 20 KB bound, new RevisionId per change. */
export function withStatement(existing: PolicyRecord | undefined, stmt: PolicyStatement): PolicyRecord {
  const statements = existing?.statements ?? [];
  if (statements.some((s) => s.Sid === stmt.Sid)) {
    throw new ResourceConflictException(
      `The statement id (${stmt.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
    );
  }
  const next = [...statements, stmt];
  const size = policySize(next);
  if (size > MAX_POLICY_BYTES) {
    throw new PolicyLengthExceededException(`The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`);
  }
  return { statements: next, revisionId: randomUUID() };
}

/** The policy without statement `sid`; undefined when nothing is left (the policy is then deleted). */
export function withoutStatement(existing: PolicyRecord | undefined, sid: string): PolicyRecord | undefined {
  const statements = existing?.statements ?? [];
  if (!statements.some((s) => s.Sid === sid)) {
    throw new ResourceNotFoundException(`Statement ${sid} is not found in resource policy.`);
  }
  const next = statements.filter((s) => s.Sid !== sid);
  return next.length === 0 ? undefined : { statements: next, revisionId: randomUUID() };
}

export const STATEMENT_ID_RULE = { min: 1, max: 100, pattern: /^[a-zA-Z0-9-_]+$/, patternText: '([a-zA-Z0-9-_]+)' };
