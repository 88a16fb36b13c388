import { childKey } from '../../domain/function-model.js';
import type { Scope } from '../../domain/scope.js';
import type { Repositories } from '../../store/index.js';
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from './retry-policy.js';

/** The FunctionEventInvokeConfig in force for one qualifier, with AWS's defaults filled in. */
export interface AsyncSettings {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onSuccess?: string;
  onFailure?: string;
}

/**
 * Reads what PutFunctionEventInvokeConfig stored (api/routes/event-invoke-configs.ts): one record per qualifier,
 * the unqualified function and `$LATEST` sharing the bare name's key. A version or alias without its own record
 * runs with the defaults (AWS does not fall back to the function's record either).
 */
export function asyncSettings(repos: Repositories, scope: Scope, functionName: string, qualifier: string | undefined): AsyncSettings {
  const key = qualifier === undefined || qualifier === '$LATEST' ? functionName : childKey(functionName, qualifier);
  const rec = repos.eventInvokeConfigs.get(scope, key) ?? {};
  const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  const out: AsyncSettings = {
    maximumRetryAttempts: num(rec.maximumRetryAttempts, DEFAULT_MAXIMUM_RETRY_ATTEMPTS),
    maximumEventAgeInSeconds: num(rec.maximumEventAgeInSeconds, DEFAULT_MAXIMUM_EVENT_AGE_SECONDS),
  };
  if (typeof rec.onSuccess === 'string') out.onSuccess = rec.onSuccess;
  if (typeof rec.onFailure === 'string') out.onFailure = rec.onFailure;
  return out;
}
