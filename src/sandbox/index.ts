export * from './backend.js';
export * from './environment.js';
export * from './environment-pool.js';
export * from './environment-spec.js';
export * from './environment-state.js';
export * from './environment-variables.js';
export { OptMerger } from './opt-merge.js';
export { ProcessBackend, type ProcessBackendOptions } from './process-backend.js';
export * from '../domain/timers.js';
