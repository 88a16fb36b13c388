import { InvalidParameterValueException, ValidationException } from '../../errors/index.js';
import { checkRuntime, RUNTIME_ENUM, SUPPORTED_RUNTIMES } from '../../domain/runtimes.js';
import type { FunctionVersion, LoggingConfig } from '../../domain/function-model.js';
import {
  constraint, optBool, optEnum, optInt, optObject, optString, optStringList, optStringMap,
} from './input.js';

/** The settable configuration of a function version (everything UpdateFunctionConfiguration may change). */
export type FunctionSettings = Partial<Pick<FunctionVersion,
  | 'runtime' | 'role' | 'handler' | 'description' | 'timeout' | 'memorySize' | 'environment' | 'architectures'
  | 'ephemeralStorageSize' | 'loggingConfig' | 'tracingMode' | 'deadLetterTargetArn' | 'kmsKeyArn' | 'vpcConfig'
  | 'fileSystemConfigs' | 'snapStartApplyOn'>> & { layerArns?: string[] };

export const RESERVED_ENV_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

const ROLE_RE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const HANDLER_RE = /^[^\s]+$/;
const ENV_KEY_RE = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const ENV_LIMIT_BYTES = 4096;

export function validateRuntime(runtime: string): void {
  const check = checkRuntime(runtime);
  if (check.ok) return;
  if (check.reason === 'deprecated') {
    throw new InvalidParameterValueException(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${check.recommended}) while creating or updating functions.`,
    );
  }
  if (check.reason === 'unknown') {
    throw new InvalidParameterValueException(
      `Value ${runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${RUNTIME_ENUM.join(', ')}] or be a valid ARN`,
    );
  }
  throw new InvalidParameterValueException(
    `The runtime ${runtime} is valid on AWS Lambda but this Sluice server cannot run it. Supported runtimes: ${SUPPORTED_RUNTIMES.join(', ')}.`,
  );
}

function parseEnvironment(body: Record<string, unknown>): Record<string, string> | undefined {
  const env = optObject(body, 'Environment');
  if (env === undefined) return undefined;
  const vars = optStringMap(env, 'Variables') ?? {};
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENV_KEYS.includes(k));
  if (reserved.length > 0) {
    throw new InvalidParameterValueException(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  for (const key of Object.keys(vars)) {
    if (!ENV_KEY_RE.test(key)) {
      // The variables are a sensitive member: AWS leaves the value out of the message.
      throw new ValidationException(
        `1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]`,
      );
    }
  }
  const measured = JSON.stringify(vars);
  if (Buffer.byteLength(measured) > ENV_LIMIT_BYTES) {
    throw new InvalidParameterValueException(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
  return vars;
}

function parseLogging(body: Record<string, unknown>, functionName: string): LoggingConfig | undefined {
  const lc = optObject(body, 'LoggingConfig');
  if (lc === undefined) return undefined;
  const format = optEnum(lc, 'LogFormat', ['JSON', 'Text'] as const) ?? 'Text';
  const app = optEnum(lc, 'ApplicationLogLevel', ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const);
  const sys = optEnum(lc, 'SystemLogLevel', ['DEBUG', 'INFO', 'WARN'] as const);
  const group = optString(lc, 'LogGroup', { min: 1, max: 512, pattern: /^[\.\-_/#A-Za-z0-9]+$/ }) ?? `/aws/lambda/${functionName}`;
  if (format === 'Text' && (app || sys)) {
    throw new InvalidParameterValueException('LogLevel is not supported when LogFormat is set to "Text". Remove ApplicationLogLevel and SystemLogLevel from your request or change the LogFormat to "JSON" and try again.');
  }
  const out: LoggingConfig = { LogFormat: format, LogGroup: group };
  if (format === 'JSON') {
    out.ApplicationLogLevel = app ?? 'INFO';
    out.SystemLogLevel = sys ?? 'INFO';
  }
  return out;
}

/** Reads every settable member present in a Create/UpdateFunctionConfiguration body. */
export function parseFunctionSettings(body: Record<string, unknown>, functionName: string): FunctionSettings {
  const s: FunctionSettings = {};
  const runtime = optString(body, 'Runtime');
  if (runtime !== undefined) {
    validateRuntime(runtime);
    s.runtime = runtime;
  }
  const role = optString(body, 'Role', { pattern: ROLE_RE, patternText: 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+' });
  if (role !== undefined) s.role = role;
  const handler = optString(body, 'Handler', { max: 128, pattern: HANDLER_RE, patternText: '[^\\s]+' });
  if (handler !== undefined) s.handler = handler;
  const description = optString(body, 'Description', { max: 256 });
  if (description !== undefined) s.description = description;
  const timeout = optInt(body, 'Timeout', 1, 900);
  if (timeout !== undefined) s.timeout = timeout;
  const memory = optInt(body, 'MemorySize', 128, 10240);
  if (memory !== undefined) s.memorySize = memory;
  const env = parseEnvironment(body);
  if (env !== undefined) s.environment = env;
  const layers = optStringList(body, 'Layers');
  if (layers !== undefined) s.layerArns = layers;
  const arch = optStringList(body, 'Architectures');
  if (arch !== undefined) {
    if (arch.length !== 1) throw constraint('Architectures', arch, 'Member must have length less than or equal to 1');
    if (arch[0] !== 'x86_64' && arch[0] !== 'arm64') {
      throw constraint('Architectures', arch, 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]');
    }
    if (arch[0] !== process.arch.replace('x64', 'x86_64')) {
      throw new InvalidParameterValueException(`Architecture ${arch[0]} is not available on this Sluice server (it runs ${process.arch === 'x64' ? 'x86_64' : process.arch}).`);
    }
    s.architectures = arch;
  }
  const eph = optObject(body, 'EphemeralStorage');
  if (eph !== undefined) {
    const size = optInt(eph, 'Size');
    if (size === undefined) throw constraint('EphemeralStorage.Size', null, 'Member must not be null');
    // Checked here rather than by optInt so the message names the nested member (`ephemeralStorage.size`).
    if (size < 512) throw constraint('EphemeralStorage.Size', size, 'Member must have value greater than or equal to 512');
    if (size > 10240) throw constraint('EphemeralStorage.Size', size, 'Member must have value less than or equal to 10240');
    s.ephemeralStorageSize = size;
  }
  const logging = parseLogging(body, functionName);
  if (logging !== undefined) s.loggingConfig = logging;
  const tracing = optObject(body, 'TracingConfig');
  if (tracing !== undefined) s.tracingMode = optEnum(tracing, 'Mode', ['Active', 'PassThrough'] as const) ?? 'PassThrough';
  const dlq = optObject(body, 'DeadLetterConfig');
  if (dlq !== undefined) {
    const target = optString(dlq, 'TargetArn');
    if (target) {
      throw new InvalidParameterValueException(
        `The provided target ARN ${target} is not supported by this Sluice server: dead-letter queues and topics are not available yet. Use an OnFailure destination to another function instead.`,
      );
    }
    s.deadLetterTargetArn = '';
  }
  const kms = optString(body, 'KMSKeyArn');
  if (kms !== undefined) {
    if (kms !== '') throw new InvalidParameterValueException('KMSKeyArn is not supported by this Sluice server: environment variables are stored in its own data directory.');
    s.kmsKeyArn = '';
  }
  const vpc = optObject(body, 'VpcConfig');
  if (vpc !== undefined) {
    const subnets = optStringList(vpc, 'SubnetIds', 16) ?? [];
    const groups = optStringList(vpc, 'SecurityGroupIds', 5) ?? [];
    if (subnets.length > 0 || groups.length > 0) {
      throw new InvalidParameterValueException('VpcConfig is not supported by this Sluice server: functions use the network mode the operator configured.');
    }
    s.vpcConfig = { SubnetIds: [], SecurityGroupIds: [] };
  }
  const fs = body.FileSystemConfigs;
  if (Array.isArray(fs) && fs.length > 0) {
    throw new InvalidParameterValueException('FileSystemConfigs (EFS) are not supported by this Sluice server.');
  }
  const snap = optObject(body, 'SnapStart');
  if (snap !== undefined) {
    const applyOn = optEnum(snap, 'ApplyOn', ['PublishedVersions', 'None'] as const) ?? 'None';
    if (applyOn !== 'None') throw new InvalidParameterValueException('SnapStart is not supported by this Sluice server.');
    s.snapStartApplyOn = applyOn;
  }
  if (optString(body, 'PackageType') === 'Image') {
    throw new InvalidParameterValueException('PackageType Image is not supported by this Sluice server yet: upload a .zip package (Code.ZipFile) instead.');
  }
  optBool(body, 'Publish');
  return s;
}
