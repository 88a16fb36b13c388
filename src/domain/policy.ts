import type { PolicyStatement } from './function-model.js';

/**
 * Resource-based policies (function and layer-version policies): building statements exactly as
 * AddPermission / AddLayerVersionPermission do, and evaluating a document for one request.
 */
export interface PolicyDocument {
  Version: string;
  Id: string;
  Statement: PolicyStatement[];
}

/** AWS's bound on one resource policy, counted over the serialized document. */
export const MAX_POLICY_BYTES = 20 * 1024;

export function policyDocument(statements: readonly PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Id: 'default', Statement: [...statements] };
}

export function policySize(statements: readonly PolicyStatement[]): number {
  return Buffer.byteLength(JSON.stringify(policyDocument(statements)));
}

/**
 * AddPermission's `Principal` to a statement's Principal element: `*`, an account id (→ its root),
 * an IAM ARN, or a service principal. Undefined when it is none of these.
 */
export function principalElement(principal: string): PolicyStatement['Principal'] | undefined {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:\S+$/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9][a-z0-9.-]*\.[a-z0-9.-]*[a-z0-9]$/.test(principal)) return { Service: principal };
  return undefined;
}

export interface PermissionInput {
  sid: string;
  action: string;
  principal: string;
  /** The function ARN, qualified when the permission is for a version or alias. */
  resource: string;
  sourceArn?: string;
  sourceAccount?: string;
  principalOrgId?: string;
  eventSourceToken?: string;
  functionUrlAuthType?: string;
  invokedViaFunctionUrl?: boolean;
}

/** The statement AddPermission stores (key order as AWS prints it). Principal must be valid. */
export function permissionStatement(input: PermissionInput): PolicyStatement {
  const stmt: PolicyStatement = {
    Sid: input.sid,
    Effect: 'Allow',
    Principal: principalElement(input.principal) ?? input.principal,
    Action: input.action,
    Resource: input.resource,
  };
  const stringEquals: Record<string, string> = {};
  if (input.sourceAccount !== undefined) stringEquals['AWS:SourceAccount'] = input.sourceAccount;
  if (input.principalOrgId !== undefined) stringEquals['aws:PrincipalOrgID'] = input.principalOrgId;
  if (input.eventSourceToken !== undefined) stringEquals['lambda:EventSourceToken'] = input.eventSourceToken;
  if (input.functionUrlAuthType !== undefined) stringEquals['lambda:FunctionUrlAuthType'] = input.functionUrlAuthType;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(stringEquals).length > 0) condition.StringEquals = stringEquals;
  if (input.sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.sourceArn };
  if (input.invokedViaFunctionUrl === true) condition.Bool = { 'lambda:InvokedViaFunctionUrl': 'true' };
  if (Object.keys(condition).length > 0) stmt.Condition = condition;
  return stmt;
}

export interface LayerPermissionInput {
  sid: string;
  action: string;
  /** An account id, `*`, or an account's root ARN. */
  principal: string;
  /** The layer version ARN. */
  resource: string;
  organizationId?: string;
}

export function layerPermissionStatement(input: LayerPermissionInput): PolicyStatement {
  const stmt: PolicyStatement = {
    Sid: input.sid,
    Effect: 'Allow',
    Principal: principalElement(input.principal) ?? input.principal,
    Action: input.action,
    Resource: input.resource,
  };
  if (input.organizationId !== undefined) stmt.Condition = { StringEquals: { 'aws:PrincipalOrgID': input.organizationId } };
  return stmt;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Who is asking. Account principals may carry their exact ARN (role, user, root). */
export type RequestPrincipal =
  | { kind: 'account'; account: string; arn?: string }
  | { kind: 'service'; service: string }
  | { kind: 'anonymous' };

export interface AccessRequest {
  action: string;
  principal: RequestPrincipal;
  /** Checked against statements' Resource only when given. */
  resource?: string;
  /** Condition keys (names are case-insensitive, as in IAM), e.g. `lambda:FunctionUrlAuthType`. */
  context?: Readonly<Record<string, string | readonly string[]>>;
}

/** `explicit-deny` beats any Allow; `implicit-deny` means no statement applied. */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

type PolicyInput = readonly PolicyStatement[] | PolicyDocument | undefined;

export function evaluatePolicy(policy: PolicyInput, req: AccessRequest): PolicyDecision {
  const statements = policy === undefined ? [] : 'Statement' in policy ? policy.Statement : policy;
  let allowed = false;
  for (const s of statements) {
    if (!statementApplies(s, req)) continue;
    if (s.Effect === 'Deny') return 'explicit-deny';
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

export function isAllowed(policy: PolicyInput, req: AccessRequest): boolean {
  return evaluatePolicy(policy, req) === 'allow';
}

function statementApplies(s: PolicyStatement, req: AccessRequest): boolean {
  if (!principalMatches(s.Principal, req.principal)) return false;
  if (s.Action !== undefined) {
    if (!list(s.Action).some((a) => glob(a, true).test(req.action))) return false;
  } else if (s.NotAction !== undefined) {
    if (list(s.NotAction).some((a) => glob(a, true).test(req.action))) return false;
  } else {
    return false;
  }
  if (req.resource !== undefined && s.Resource !== undefined) {
    if (!list(s.Resource).some((r) => glob(r, false).test(req.resource!))) return false;
  }
  return conditionsHold(s.Condition, req.context ?? {});
}

function principalMatches(element: unknown, who: RequestPrincipal): boolean {
  if (element === '*') return true;
  if (element === null || typeof element !== 'object') return false;
  const el = element as Record<string, unknown>;
  for (const p of list(el.AWS)) {
    if (p === '*') return true;
    if (who.kind !== 'account') continue;
    const account = /^\d{12}$/.test(p) ? p : /^arn:aws[a-zA-Z-]*:iam::(\d{12}):root$/.exec(p)?.[1];
    if (account !== undefined ? account === who.account : p === who.arn) return true;
  }
  for (const p of list(el.Service)) {
    if (p === '*' || (who.kind === 'service' && p === who.service)) return true;
  }
  return false;
}

function conditionsHold(condition: unknown, context: Readonly<Record<string, string | readonly string[]>>): boolean {
  if (condition === undefined) return true;
  if (condition === null || typeof condition !== 'object') return false;
  const lookup = new Map<string, string[]>();
  for (const [k, v] of Object.entries(context)) lookup.set(k.toLowerCase(), typeof v === 'string' ? [v] : [...v]);
  for (const [rawOp, block] of Object.entries(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== 'object') return false;
    const ifExists = rawOp.endsWith('IfExists');
    const op = ifExists ? rawOp.slice(0, -'IfExists'.length) : rawOp;
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      const actual = lookup.get(key.toLowerCase());
      if (!operatorHolds(op, list(expected), actual, ifExists)) return false;
    }
  }
  return true;
}

/** IAM semantics: positive operators need a present key; negated ones hold when the key is absent. */
function operatorHolds(op: string, expected: string[], actual: string[] | undefined, ifExists: boolean): boolean {
  if (op === 'Null') {
    const wantAbsent = expected.some((e) => e.toLowerCase() === 'true');
    return wantAbsent === (actual === undefined);
  }
  const match = matcher(op.replace(/^(String|Arn)Not/, '$1'));
  if (!match) return false; // an operator we do not know never grants
  const negated = /^(String|Arn)Not/.test(op);
  if (actual === undefined) return negated || ifExists;
  const any = actual.some((a) => expected.some((e) => match(e, a)));
  return negated ? !any : any;
}

function matcher(op: string): ((expected: string, actual: string) => boolean) | undefined {
  switch (op) {
    case 'StringEquals':
    case 'ArnEquals':
      return (e, a) => e === a;
    case 'StringEqualsIgnoreCase':
      return (e, a) => e.toLowerCase() === a.toLowerCase();
    case 'StringLike':
    case 'ArnLike':
      return (e, a) => glob(e, false).test(a);
    case 'Bool':
      return (e, a) => e.toLowerCase() === a.toLowerCase();
    default:
      return undefined;
  }
}

function list(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

function glob(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
}
