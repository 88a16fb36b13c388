export { Invoker, type InvokerOptions, type InvokeRequest, type InvokeResponse, type InvokeResult, type EnvironmentRunner } from './invoker.js';
export type { StreamedResponse } from '../sandbox/index.js';
export { ConcurrencyLimiter, type Lease } from './concurrency.js';
export { ProvisionedConcurrency, type ProvisionedConcurrencyOptions, type ProvisionedStatusUpdate } from './provisioned.js';
export { logTail, LOG_TAIL_BYTES } from './log-tail.js';
export { pickVersion } from './routing.js';
export * from './async/index.js';
