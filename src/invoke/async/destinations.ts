import { randomUUID } from 'node:crypto';
import { parseFunctionRef } from '../../domain/arn.js';
import { ResourceConflictException } from '../../errors/index.js';
import type { LastResponse, NewQueuedEvent, QueuedEvent, Repositories } from '../../store/index.js';
import type { AsyncTarget } from './async-invoker.js';
import { invocationRecord, type RecordCondition } from './invocation-record.js';
import { ASYNC_PAYLOAD_MAX_BYTES } from './limits.js';
import { expiryOf } from './retry-policy.js';
import { asyncSettings } from './settings.js';

export interface DestinationDeps {
  repos: Repositories;
  invoker: Pick<AsyncTarget, 'check'>;
  timeScale: number;
}

/**
 * The invocation record of `e` as a new asynchronous event of the destination function `arn` (AWS invokes
 * destination functions asynchronously); throws, saying why, when it cannot be delivered: the destination is gone,
 * or the record is larger than an asynchronous invocation takes.
 */
export function destinationEvent(
  deps: DestinationDeps, e: QueuedEvent, arn: string, condition: RecordCondition, attempts: number,
  response: LastResponse | undefined, now: number,
): NewQueuedEvent {
  const ref = parseFunctionRef(arn, e.scope);
  try {
    deps.invoker.check(e.scope, ref.name, ref.qualifier);
  } catch (err) {
    // Not Active yet is fine: the record waits in the queue like any event. Gone is not.
    if (!(err instanceof ResourceConflictException)) throw err;
  }
  const record = invocationRecord({
    requestId: e.id, scope: e.scope, functionName: e.functionName, qualifier: e.qualifier, condition,
    approximateInvokeCount: attempts, requestPayload: e.payload, response, timestamp: now,
  });
  const payload = Buffer.from(JSON.stringify(record));
  if (payload.length > ASYNC_PAYLOAD_MAX_BYTES) {
    throw new Error(`the invocation record is ${payload.length} bytes; an asynchronous invocation takes at most ${ASYNC_PAYLOAD_MAX_BYTES}`);
  }
  const settings = asyncSettings(deps.repos, e.scope, ref.name, ref.qualifier);
  const out: NewQueuedEvent = {
    id: randomUUID(), scope: e.scope, functionName: ref.name, payload, enqueuedAt: now,
    expiresAt: expiryOf(now, settings.maximumEventAgeInSeconds, deps.timeScale),
  };
  if (ref.qualifier !== undefined) out.qualifier = ref.qualifier;
  return out;
}
