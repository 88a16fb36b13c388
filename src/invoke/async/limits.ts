/** Asynchronous (Event) payloads: 1 MB in the current model (reference §4.1; formerly 256 KB). */
export const ASYNC_PAYLOAD_MAX_BYTES = 1_048_576;
/** The deprecated InvokeAsync operation keeps the old 256 KB limit (reference §4.3). */
export const INVOKE_ASYNC_MAX_BYTES = 262_144;
