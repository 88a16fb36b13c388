export * from './types.js';
export { RuntimeEndpoint, MAX_RUNTIME_RESPONSE_BYTES, SANDBOX_RUNTIME_API } from './runtime-endpoint.js';
export { validErrorType } from './error-type.js';
export { MAX_STREAMED_RESPONSE_BYTES } from './stream-relay.js';
