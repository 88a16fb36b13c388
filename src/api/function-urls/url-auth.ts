import { functionArn } from '../../domain/arn.js';
import { evaluatePolicy, type RequestPrincipal } from '../../domain/policy.js';
import type { Scope } from '../../domain/scope.js';
import { AwsError } from '../../errors/index.js';
import type { Repositories } from '../../store/index.js';
import { verifySigV4, type SecretLookup, type SignedRequest } from '../auth/sigv4.js';
import { urlConfigKey, type FunctionUrlConfigRecord } from '../services/function-url.js';
import type { IamIdentity } from './url-event.js';

/**
 * Function URL authorization (reference §9.2). NONE: the resource policy must let anyone
 * `lambda:InvokeFunctionUrl` (condition `lambda:FunctionUrlAuthType` = NONE) and, as newly created URLs require,
 * `lambda:InvokeFunction` too (a statement conditioned on `lambda:InvokedViaFunctionUrl` qualifies). AWS_IAM: a
 * valid SigV4 signature (service `lambda`, the URL's region) from a known key; callers of the owner's account are
 * allowed by their identity (Sluice keys are account roots), other accounts need the same two resource-policy
 * grants for their account. An explicit Deny in the resource policy always wins.
 */

export type UrlAuthorization = { ok: true; iam?: IamIdentity } | { ok: false; reason: string };

export interface UrlAuthInput {
  repos: Repositories;
  /** The function owner's scope. */
  scope: Scope;
  config: FunctionUrlConfigRecord;
  request: SignedRequest;
  lookupSecret: SecretLookup;
  nowMs: number;
}

const INVOKE_URL = 'lambda:InvokeFunctionUrl';
const INVOKE = 'lambda:InvokeFunction';

export function authorizeUrlRequest(input: UrlAuthInput): UrlAuthorization {
  const { repos, scope, config } = input;
  const policy = repos.policies.get(scope, urlConfigKey(config.functionName, config.qualifier))?.statements;
  const resource = functionArn(scope, config.functionName, config.qualifier);
  const context = { 'lambda:FunctionUrlAuthType': config.authType, 'lambda:InvokedViaFunctionUrl': 'true' };
  const decide = (principal: RequestPrincipal, sameAccount: boolean): UrlAuthorization => {
    for (const action of [INVOKE_URL, INVOKE]) {
      const decision = evaluatePolicy(policy, { action, principal, resource, context });
      if (decision === 'explicit-deny') return { ok: false, reason: `${action} explicitly denied` };
      if (decision !== 'allow' && !sameAccount) return { ok: false, reason: `the resource policy does not allow ${action}` };
    }
    return { ok: true };
  };

  if (config.authType === 'NONE') return decide({ kind: 'anonymous' }, false);

  let caller;
  try {
    caller = verifySigV4(input.request, input.lookupSecret, ['lambda'], input.nowMs);
  } catch (err) {
    if (err instanceof AwsError) return { ok: false, reason: `${err.code}: ${err.message}` };
    throw err;
  }
  if (caller.region !== scope.region) return { ok: false, reason: `signed for region ${caller.region}, the URL is in ${scope.region}` };
  const userArn = `arn:aws:iam::${caller.accountId}:root`;
  const decision = decide({ kind: 'account', account: caller.accountId, arn: userArn }, caller.accountId === scope.account);
  if (!decision.ok) return decision;
  return {
    ok: true,
    iam: {
      accessKey: caller.accessKeyId,
      accountId: caller.accountId,
      callerId: caller.accountId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn,
      userId: caller.accountId,
    },
  };
}
