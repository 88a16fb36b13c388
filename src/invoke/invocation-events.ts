// The invoker's events live with their observers (metrics, traces); re-exported for the invoke layer.
export * from '../observability/invocation-events.js';
