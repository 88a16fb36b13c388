export { SignedClient, SluiceApiError, type SignedClientOptions, type SignedResponse } from './signed-client.js';
export { functionLogs, parseSince, formatLogEvent, type FunctionLogEvent, type FunctionLogPage } from './logs.js';
export { throwIfError } from './signed-client.js';
export { LambdaApi, type FunctionConfiguration, type CodeSource, type FunctionSettingsInput, type InvokeOptions, type InvokeResult } from './lambda-api.js';
export { packageFolder, IGNORE_FILES, type PackagedFolder } from './package-folder.js';
export { IgnoreRules } from './ignore-rules.js';
export { functionEvents, formatEvents, type FunctionEvent, type FunctionEventPage } from './events.js';
export { listSchedules, formatSchedules, type ScheduleEntry } from './schedules.js';
