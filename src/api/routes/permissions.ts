import { functionArn } from '../../domain/arn.js';
import { childKey, versionKey } from '../../domain/function-model.js';
import { permissionStatement, policyDocument, principalElement } from '../../domain/policy.js';
import type { Scope } from '../../domain/scope.js';
import { InvalidParameterValueException, ResourceNotFoundException } from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { empty, json, type Route } from '../types.js';
import { optBool, optEnum, optString, reqString } from '../wire/input.js';
import { functionTarget, isVersionNumber, notFound, requireFunction, type FunctionTarget } from '../services/function-resolver.js';
import { checkRevision } from '../services/functions.js';
import { STATEMENT_ID_RULE, withStatement, withoutStatement } from '../services/resource-policy.js';

const POLICY = '/2015-03-31/functions/{FunctionName}/policy';

const ACTION_RULE = { pattern: /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/, patternText: '(lambda:[*]|lambda:[a-zA-Z]+|[*])' };
const PRINCIPAL_RULE = { pattern: /^[^\s]+$/, patternText: '[^\\s]+' };
const SOURCE_ARN_RULE = {
  pattern: /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/,
  patternText: 'arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)',
};
const SOURCE_ACCOUNT_RULE = { max: 12, pattern: /^\d{12}$/, patternText: '\\d{12}' };
const EVENT_SOURCE_TOKEN_RULE = { max: 256, pattern: /^[a-zA-Z0-9._-]+$/, patternText: '[a-zA-Z0-9._\\-]+' };
const ORG_ID_RULE = { min: 12, max: 34, pattern: /^o-[a-z0-9]{10,32}$/, patternText: 'o-[a-z0-9]{10,32}' };

/** The function's policy documents: one for the unqualified function, one per version or alias. */
const policyKey = (t: FunctionTarget): string =>
  t.qualifier === undefined || t.qualifier === '$LATEST' ? t.name : childKey(t.name, t.qualifier);

/**
 * A qualified permission needs the version or alias to exist; returns the revision a RevisionId is
 * compared with before the resource has a policy of its own.
 */
function targetRevision(repos: Repositories, scope: Scope, t: FunctionTarget): string {
  const q = t.qualifier;
  if (q === undefined || q === '$LATEST') {
    const latest = repos.versions.get(scope, versionKey(t.name, '$LATEST'));
    if (!latest) throw notFound(scope, t.name);
    return latest.revisionId;
  }
  if (isVersionNumber(q)) {
    const v = repos.versions.get(scope, versionKey(t.name, q));
    if (!v) throw notFound(scope, t.name, q);
    return v.revisionId;
  }
  const alias = repos.aliases.get(scope, childKey(t.name, q));
  if (!alias) throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(scope, t.name, q)}`);
  return alias.revisionId;
}

export function permissionRoutes(ctx: ApiContext): Route[] {
  const { repos } = ctx;
  return [
    {
      method: 'POST', path: POLICY, operation: 'AddPermission',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        const body = req.json();
        const sid = reqString(body, 'StatementId', STATEMENT_ID_RULE);
        const action = reqString(body, 'Action', ACTION_RULE);
        const principal = reqString(body, 'Principal', PRINCIPAL_RULE);
        const sourceArn = optString(body, 'SourceArn', SOURCE_ARN_RULE);
        const sourceAccount = optString(body, 'SourceAccount', SOURCE_ACCOUNT_RULE);
        const eventSourceToken = optString(body, 'EventSourceToken', EVENT_SOURCE_TOKEN_RULE);
        const revisionId = optString(body, 'RevisionId');
        const principalOrgId = optString(body, 'PrincipalOrgID', ORG_ID_RULE);
        const functionUrlAuthType = optEnum(body, 'FunctionUrlAuthType', ['NONE', 'AWS_IAM'] as const);
        const invokedViaFunctionUrl = optBool(body, 'InvokedViaFunctionUrl');
        if (target.qualifier === '$LATEST') {
          throw new InvalidParameterValueException('We currently do not support adding policies for $LATEST.');
        }
        if (principalElement(principal) === undefined) {
          throw new InvalidParameterValueException('The provided principal was invalid. Please check the principal and try again.');
        }
        const stmt = repos.transaction(() => {
          requireFunction(repos, req.scope, target.name);
          const fallbackRevision = targetRevision(repos, req.scope, target);
          const key = policyKey(target);
          const existing = repos.policies.get(req.scope, key);
          checkRevision(revisionId, existing?.revisionId ?? fallbackRevision);
          const statement = permissionStatement({
            sid, action, principal, resource: functionArn(req.scope, target.name, target.qualifier),
            sourceArn, sourceAccount, principalOrgId, eventSourceToken, functionUrlAuthType, invokedViaFunctionUrl,
          });
          repos.policies.put(req.scope, key, withStatement(existing, statement));
          return statement;
        });
        return json(201, { Statement: JSON.stringify(stmt) });
      },
    },
    {
      method: 'GET', path: POLICY, operation: 'GetPolicy',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        requireFunction(repos, req.scope, target.name);
        const policy = repos.policies.get(req.scope, policyKey(target));
        if (!policy || policy.statements.length === 0) throw new ResourceNotFoundException('The resource you requested does not exist.');
        return json(200, { Policy: JSON.stringify(policyDocument(policy.statements)), RevisionId: policy.revisionId });
      },
    },
    {
      method: 'DELETE', path: `${POLICY}/{StatementId}`, operation: 'RemovePermission',
      handler: (req) => {
        const target = functionTarget(req.params.FunctionName!, req.scope, req.query.get('Qualifier'));
        const sid = reqString({ StatementId: req.params.StatementId }, 'StatementId', STATEMENT_ID_RULE);
        const revisionId = req.query.get('RevisionId') ?? undefined;
        repos.transaction(() => {
          if (!repos.functions.get(req.scope, target.name)) {
            throw new ResourceNotFoundException(`No policy found for: ${functionArn(req.scope, target.name)}`);
          }
          targetRevision(repos, req.scope, target);
          const key = policyKey(target);
          const existing = repos.policies.get(req.scope, key);
          if (!existing || existing.statements.length === 0) throw new ResourceNotFoundException('No policy is associated with the given resource.');
          const next = withoutStatement(existing, sid);
          checkRevision(revisionId, existing.revisionId);
          if (next) repos.policies.put(req.scope, key, next);
          else repos.policies.delete(req.scope, key);
        });
        return empty(204);
      },
    },
  ];
}
