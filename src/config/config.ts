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
  /**
   * Time scale of asynchronous invocation: multiplies retry delays (1 min, 2 min), throttle back-off (1 s … 5 min)
   * and MaximumEventAgeInSeconds. 1 = AWS's timings; tests use e.g. 0.01 so minutes pass in seconds.
   */
  readonly asyncTimeScale: number;
  /** Pre-started environments kept ready per runtime in use (isolated backend; 0 = every cold start starts fresh). */
  readonly environmentPoolSize: number;
  /**
   * Public base of function URLs, e.g. `https://fn.example.com` → `https://<url-id>.lambda-url.<region>.fn.example.com/`
   * (a wildcard DNS name pointing at Sluice). Empty: `http://<url-id>.lambda-url.<region>.localhost:<API port>/`.
   */
  readonly functionUrlBase: string;
  /** Store what functions write (off: discarded — for hosts that ship logs elsewhere, or to measure the cost). */
  readonly functionLogs: 'on' | 'off';
  /** Global cap on stored function logs; beyond it the oldest events are evicted first. */
  readonly logStoreMaxBytes: number;
  /** How often log groups' retention policies delete expired events. */
  readonly logRetentionSweepMs: number;
  /** `GET /metrics`: `off`, `loopback` (open to callers on this host) or `credentials` (HTTP Basic: access key id / secret). */
  readonly metrics: 'off' | 'loopback' | 'credentials';
  /** OTLP/HTTP (JSON) traces endpoint, e.g. http://127.0.0.1:4318/v1/traces; empty = no export. */
  readonly otlpTracesEndpoint: string;
  /** Where hot-reload code (`S3Bucket: "hot-reload"`, `S3Key: <absolute dir>`) may live; colon-separated, empty = disabled. */
  readonly localCodePaths: string;
  /** Quiet time after the last file change before a hot-reload directory is reloaded (a burst of saves = one reload). */
  readonly hotReloadDebounceMs: number;
  /** Default network of functions (isolated backend): `none` = loopback only, `egress` = NAT to the outside. */
  readonly sandboxNetwork: 'none' | 'egress';
  /** IPv4 range `egress` environments take their /30s from (must not overlap the host's networks). */
  readonly sandboxEgressSubnet: string;
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

const networkMode = (v: string): Config['sandboxNetwork'] => {
  if (v !== 'none' && v !== 'egress') throw new Error(`expected none or egress, got "${v}"`);
  return v;
};

const onOff = (v: string): 'on' | 'off' => {
  if (v !== 'on' && v !== 'off') throw new Error(`expected on or off, got "${v}"`);
  return v;
};
const metricsMode = (v: string): Config['metrics'] => {
  if (v !== 'off' && v !== 'loopback' && v !== 'credentials') throw new Error(`expected off, loopback or credentials, got "${v}"`);
  return v;
};

/** An http(s) origin without a path: the host that function URL names go under. */
const urlBase = (v: string): string => {
  if (v === '') return '';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`expected a URL such as https://fn.example.com, got "${v}"`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || (u.pathname !== '/' && u.pathname !== '') || u.search || u.username) {
    throw new Error(`expected an http(s) origin such as https://fn.example.com, got "${v}"`);
  }
  return u.origin;
};

const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got "${v}"`);
  return n;
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
  logLevel: { env: 'SLUICE_LOG_LEVEL', flag: 'log-level', parse: level, default: 'info' },
  accountConcurrencyLimit: { env: 'SLUICE_ACCOUNT_CONCURRENCY_LIMIT', flag: 'account-concurrency-limit', parse: int, default: 1000 },
  runtimeInterpreters: { env: 'SLUICE_RUNTIME_INTERPRETERS', flag: 'runtime-interpreters', parse: (v) => pairs(v), default: {} },
  runtimeSearchPath: { env: 'SLUICE_RUNTIME_SEARCH_PATH', flag: 'runtime-search-path', parse: str, default: '' },
  sandbox: { env: 'SLUICE_SANDBOX', flag: 'sandbox', parse: sandboxMode, default: 'auto' },
  sandboxUid: { env: 'SLUICE_SANDBOX_UID', flag: 'sandbox-uid', parse: int, default: 1051 },
  environmentIdleTimeoutMs: { env: 'SLUICE_ENVIRONMENT_IDLE_TIMEOUT_MS', flag: 'environment-idle-timeout-ms', parse: int, default: 300_000 },
  environmentInitTimeoutMs: { env: 'SLUICE_ENVIRONMENT_INIT_TIMEOUT_MS', flag: 'environment-init-timeout-ms', parse: int, default: 10_000 },
  asyncTimeScale: { env: 'SLUICE_ASYNC_TIME_SCALE', flag: 'async-time-scale', parse: positive, default: 1 },
  environmentPoolSize: { env: 'SLUICE_ENVIRONMENT_POOL_SIZE', flag: 'environment-pool-size', parse: int, default: 2 },
  functionUrlBase: { env: 'SLUICE_FUNCTION_URL_BASE', flag: 'function-url-base', parse: urlBase, default: '' },
  functionLogs: { env: 'SLUICE_FUNCTION_LOGS', flag: 'function-logs', parse: onOff, default: 'on' },
  logStoreMaxBytes: { env: 'SLUICE_LOG_STORE_MAX_BYTES', flag: 'log-store-max-bytes', parse: int, default: 1_073_741_824 },
  logRetentionSweepMs: { env: 'SLUICE_LOG_RETENTION_SWEEP_MS', flag: 'log-retention-sweep-ms', parse: int, default: 60_000 },
  metrics: { env: 'SLUICE_METRICS', flag: 'metrics', parse: metricsMode, default: 'loopback' },
  otlpTracesEndpoint: { env: 'SLUICE_OTLP_TRACES_ENDPOINT', flag: 'otlp-traces-endpoint', parse: str, default: '' },
  localCodePaths: { env: 'SLUICE_LOCAL_CODE_PATHS', flag: 'local-code-paths', parse: str, default: '/' },
  hotReloadDebounceMs: { env: 'SLUICE_HOT_RELOAD_DEBOUNCE_MS', flag: 'hot-reload-debounce-ms', parse: int, default: 150 },
  sandboxNetwork: { env: 'SLUICE_SANDBOX_NETWORK', flag: 'sandbox-network', parse: networkMode, default: 'none' },
  sandboxEgressSubnet: { env: 'SLUICE_SANDBOX_EGRESS_SUBNET', flag: 'sandbox-egress-subnet', parse: str, default: '10.213.0.0/16' },
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
