import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Every option, declared once: name, type, default, environment variable and flag.
 * Precedence: defaults < config file (`<dataDir>/config.json` or --config) < SLUICE_* env < flags.
 */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly region: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly accountId: string | undefined;
  /** Lifetime of GetFunction's Code.Location download URL. */
  readonly codeUrlTtlSeconds: number;
  /** Largest request body accepted for JSON control-plane calls (code uploads are base64 in JSON). */
  readonly maxRequestBodyBytes: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Account-wide concurrent executions (AWS default 1,000). */
  readonly accountConcurrencyLimit: number;
  /** Runtime id → interpreter path, overriding the runtime table (e.g. "python3.12=/opt/py312/bin/python3"). */
  readonly runtimeInterpreters: Readonly<Record<string, string>>;
  /** Where interpreters are looked for (colon-separated); empty = the PATH Sluice was started with. */
  readonly runtimeSearchPath: string;
  /** Idle execution environments are shut down after this long (scale to zero). */
  readonly environmentIdleTimeoutMs: number;
  /** Sandbox backend: `auto` (isolated where the host can, else process with a warning), `isolated`, `process`. */
  readonly sandbox: 'auto' | 'isolated' | 'process';
  /** The unprivileged uid (and gid) functions run as under the isolated backend. */
  readonly sandboxUid: number;
  /** Limit of an environment's init phase (AWS: 10 s). */
  readonly environmentInitTimeoutMs: number;
}

type Spec = {
  [K in keyof Config]: { env: string; flag: string; parse: (v: string) => Config[K]; default: Config[K] };
};

const str = (v: string) => v;
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`expected an integer, got "${v}"`);
  return n;
};
const optStr = (v: string) => (v === '' ? undefined : v);
/** "a=1,b=2" → {a: "1", b: "2"} */
const pairs = (v: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const item of v.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`expected id=path pairs, got "${item}"`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
};
const level = (v: string): Config['logLevel'] => {
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(v)) throw new Error(`unknown log level "${v}"`);
  return v as Config['logLevel'];
};

const sandboxMode = (v: string): Config['sandbox'] => {
  if (v !== 'auto' && v !== 'isolated' && v !== 'process') throw new Error(`expected auto, isolated or process, got "${v}"`);
  return v;
};

export const CONFIG_SPEC: Spec = {
  host: { env: 'SLUICE_HOST', flag: 'host', parse: str, default: '127.0.0.1' },
  port: { env: 'SLUICE_PORT', flag: 'port', parse: int, default: 9070 },
  dataDir: { env: 'SLUICE_DATA_DIR', flag: 'data-dir', parse: (v) => resolve(v), default: resolve('.sluice') },
  region: { env: 'SLUICE_REGION', flag: 'region', parse: str, default: 'us-east-1' },
  accessKeyId: { env: 'SLUICE_ACCESS_KEY_ID', flag: 'access-key-id', parse: optStr, default: undefined },
  secretAccessKey: { env: 'SLUICE_SECRET_ACCESS_KEY', flag: 'secret-access-key', parse: optStr, default: undefined },
  accountId: { env: 'SLUICE_ACCOUNT_ID', flag: 'account-id', parse: optStr, default: undefined },
  codeUrlTtlSeconds: { env: 'SLUICE_CODE_URL_TTL_SECONDS', flag: 'code-url-ttl-seconds', parse: int, default: 600 },
  maxRequestBodyBytes: { env: 'SLUICE_MAX_REQUEST_BODY_BYTES', flag: 'max-request-body-bytes', parse: int, default: 70_167_211 },
  logLevel: { env: 'SLUICE_LOG_LEVEL', flag: 'log-level', parse: level, default: 'info' },
  accountConcurrencyLimit: { env: 'SLUICE_ACCOUNT_CONCURRENCY_LIMIT', flag: 'account-concurrency-limit', parse: int, default: 1000 },
  runtimeInterpreters: { env: 'SLUICE_RUNTIME_INTERPRETERS', flag: 'runtime-interpreters', parse: (v) => pairs(v), default: {} },
  runtimeSearchPath: { env: 'SLUICE_RUNTIME_SEARCH_PATH', flag: 'runtime-search-path', parse: str, default: '' },
  sandbox: { env: 'SLUICE_SANDBOX', flag: 'sandbox', parse: sandboxMode, default: 'auto' },
  sandboxUid: { env: 'SLUICE_SANDBOX_UID', flag: 'sandbox-uid', parse: int, default: 1051 },
  environmentIdleTimeoutMs: { env: 'SLUICE_ENVIRONMENT_IDLE_TIMEOUT_MS', flag: 'environment-idle-timeout-ms', parse: int, default: 300_000 },
  environmentInitTimeoutMs: { env: 'SLUICE_ENVIRONMENT_INIT_TIMEOUT_MS', flag: 'environment-init-timeout-ms', parse: int, default: 10_000 },
};

export interface ConfigSources {
  flags?: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** Explicit overrides (tests, embedding), applied last. */
  overrides?: Partial<Config>;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_SPEC)) out[key] = spec.default;

  const dataDir = flags['data-dir'] ?? env.SLUICE_DATA_DIR ?? sources.overrides?.dataDir;
  const fileOpt = flags.config ?? env.SLUICE_CONFIG;
  const file = fileOpt ? resolve(fileOpt) : resolve(dataDir ?? CONFIG_SPEC.dataDir.default, 'config.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(parsed)) {
      if (!(key in CONFIG_SPEC)) throw new Error(`${file}: unknown option "${key}"`);
      const spec = CONFIG_SPEC[key as keyof Config];
      out[key] = typeof value === 'string' ? spec.parse(value) : value;
    }
  }
  for (const [key, spec] of Object.entries(CONFIG_SPEC)) {
    const e = env[spec.env];
    if (e !== undefined) out[key] = wrap(spec.env, () => spec.parse(e));
  }
  for (const [key, spec] of Object.entries(CONFIG_SPEC)) {
    const f = flags[spec.flag];
    if (f !== undefined) out[key] = wrap(`--${spec.flag}`, () => spec.parse(f));
  }
  Object.assign(out, sources.overrides ?? {});
  if (out.runtimeSearchPath === '') out.runtimeSearchPath = env.PATH ?? '';
  return Object.freeze(out) as unknown as Config;
}

function wrap<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

/** Known flag names (for the CLI's argument parser). */
export const CONFIG_FLAGS = new Set(['config', ...Object.values(CONFIG_SPEC).map((s) => s.flag)]);
