import { randomBytes } from 'node:crypto';
import type { SandboxPaths } from './backend.js';
import type { EnvironmentSpec } from './environment-spec.js';

export type InitializationType = 'on-demand' | 'provisioned-concurrency';

/** `YYYY/MM/DD/[version]<32 hex>`: one stream per execution environment (date in UTC). */
export function logStreamName(now: number, version: string, hex = randomBytes(16).toString('hex')): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[${version}]${hex}`;
}

export interface EnvironmentVariablesInput {
  spec: EnvironmentSpec;
  paths: SandboxPaths;
  /** The AWS_LAMBDA_RUNTIME_API value (host:port). */
  runtimeApi: string;
  logStreamName: string;
  initializationType: InitializationType;
  /** What the runtime table needs for the interpreter (PATH, NODE_PATH, PYTHONPATH, ...). */
  runtimeEnv: Readonly<Record<string, string>>;
}

/**
 * The runtime process's complete environment, built from scratch (§6.1): the runtime table's variables, then the
 * customer's (who may override unreserved ones such as PATH), then the reserved ones, which always win.
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN are not set: Sluice has no IAM, so there are no
 * execution-role credentials to hand out. TMPDIR points at the environment's own writable directory.
 */
export function environmentVariables(input: EnvironmentVariablesInput): Record<string, string> {
  const { spec, paths } = input;
  const reserved: Record<string, string> = {
    _HANDLER: spec.handler,
    AWS_REGION: spec.scope.region,
    AWS_DEFAULT_REGION: spec.scope.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: input.initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: input.logStreamName,
    AWS_LAMBDA_RUNTIME_API: input.runtimeApi,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    // The runtime table names the runtime client's own directory; the root of all of them otherwise.
    LAMBDA_RUNTIME_DIR: input.runtimeEnv.LAMBDA_RUNTIME_DIR ?? paths.runtimeRoot,
    TZ: ':UTC',
  };
  if (!spec.runtime.startsWith('provided')) reserved.AWS_EXECUTION_ENV = `AWS_Lambda_${spec.runtime}`;
  const defaults: Record<string, string> = {
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    AWS_LAMBDA_LOG_FORMAT: spec.logFormat,
    TMPDIR: paths.tmpDir,
  };
  if (spec.applicationLogLevel) defaults.AWS_LAMBDA_LOG_LEVEL = spec.applicationLogLevel;
  return { ...defaults, ...input.runtimeEnv, ...spec.environment, ...reserved };
}
