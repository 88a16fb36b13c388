export { AsyncInvoker, type AsyncInvokerOptions, type AsyncInvokeRequest, type AsyncOutcome, type AsyncTarget } from './async-invoker.js';
export { AsyncMetrics, type AsyncMetricName, type AsyncMetricSample, type AsyncMetricTotals } from './async-metrics.js';
export { ASYNC_PAYLOAD_MAX_BYTES, INVOKE_ASYNC_MAX_BYTES } from './limits.js';
export { invocationRecord, type RecordCondition } from './invocation-record.js';
