export { SignedClient, SluiceApiError, type SignedClientOptions, type SignedResponse } from './signed-client.js';
export { functionLogs, parseSince, formatLogEvent, type FunctionLogEvent, type FunctionLogPage } from './logs.js';
