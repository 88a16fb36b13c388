// Console patching in the format of AWS's Node.js runtime: text lines `time\trequestId\tLEVEL\tmessage` (newlines
// become \r so one call stays one log event) or one JSON object per line when AWS_LAMBDA_LOG_FORMAT=JSON.
import { format } from 'node:util';
import { intoError, toFormatted } from './errors.mjs';

const LEVELS = {
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
};

// Shared with other code in the process the way AWS's runtime does (a global symbol).
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID = Symbol.for('aws.lambda.runtime.tenantId');

export function setCurrentRequest(requestId, tenantId) {
  globalThis[REQUEST_ID] = requestId;
  globalThis[TENANT_ID] = tenantId;
}

const NEWLINES = /\n/g;

function writeLine(line) {
  process.stdout.write(line.replace(NEWLINES, '\r') + '\n');
}

function textLog(level, message, params) {
  writeLine(`${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level.name}\t${format(message, ...params)}`);
}

function errorFields(value) {
  return {
    errorType: value?.constructor?.name ?? 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
  };
}

function jsonReplacer(_key, value) {
  return value instanceof Error ? Object.assign(errorFields(value), value) : value;
}

function jsonLog(level, message, params) {
  const record = { timestamp: new Date().toISOString(), level: level.name, requestId: globalThis[REQUEST_ID] };
  const tenantId = globalThis[TENANT_ID];
  if (tenantId !== undefined) record.tenantId = tenantId;
  if (params.length === 0) {
    record.message = message;
    let line;
    try {
      line = JSON.stringify(record, jsonReplacer);
    } catch {
      record.message = format(message);
      line = JSON.stringify(record);
    }
    return writeLine(line);
  }
  record.message = format(message, ...params);
  for (const p of [message, ...params]) {
    if (p instanceof Error) {
      Object.assign(record, errorFields(p));
      if (!Array.isArray(record.stackTrace)) record.stackTrace = [];
      break;
    }
  }
  writeLine(JSON.stringify(record));
}

const noop = () => {};

/** Replaces console methods; returns logError(label, err) used for runtime-reported errors. */
export function patchConsole(env) {
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const log = json ? jsonLog : textLog;
  const min = LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()] ?? LEVELS.TRACE;
  const at = (level) => (level.priority >= min.priority
    ? (message, ...params) => log(level, message, params)
    : noop);
  console.trace = at(LEVELS.TRACE);
  console.debug = at(LEVELS.DEBUG);
  console.info = at(LEVELS.INFO);
  console.log = console.info;
  console.warn = at(LEVELS.WARN);
  console.error = at(LEVELS.ERROR);
  console.fatal = (message, ...params) => log(LEVELS.FATAL, message, params);
  return json
    ? (_label, err) => console.error(intoError(err))
    : (label, err) => console.error(label, toFormatted(intoError(err)));
}
