/**
 * The runtime table. `RUNTIME_ENUM` is what AWS's validation message lists (order as recorded in
 * lambda-oracle/error-invalid-parameter-value.json); `DEPRECATED` are ids AWS refuses for create/update.
 */
export const RUNTIME_ENUM = [
  'nodejs20.x', 'python3.14', 'provided.al2023', 'python3.12', 'python3.13', 'nodejs24.x', 'nodejs22.x', 'java25',
  'python3.10', 'python3.11', 'java21', 'ruby3.3', 'ruby3.4', 'ruby3.2', 'python3.8', 'python3.9', 'java17',
  'nodejs16.x', 'dotnet10', 'dotnet8', 'java11', 'dotnet6', 'nodejs18.x', 'provided.al2', 'java8.al2',
] as const;

/** Deprecated ids and the runtime AWS recommends instead. */
const DEPRECATED: Record<string, string> = {
  nodejs: 'nodejs22.x', 'nodejs4.3': 'nodejs22.x', 'nodejs4.3-edge': 'nodejs22.x', 'nodejs6.10': 'nodejs22.x',
  'nodejs8.10': 'nodejs22.x', 'nodejs10.x': 'nodejs22.x', 'nodejs12.x': 'nodejs22.x', 'nodejs14.x': 'nodejs22.x',
  'nodejs16.x': 'nodejs22.x', 'nodejs18.x': 'nodejs22.x',
  'python2.7': 'python3.13', 'python3.6': 'python3.13', 'python3.7': 'python3.13', 'python3.8': 'python3.13',
  java8: 'java21', 'dotnetcore1.0': 'dotnet8', 'dotnetcore2.0': 'dotnet8', 'dotnetcore2.1': 'dotnet8',
  'dotnetcore3.1': 'dotnet8', dotnet6: 'dotnet8', 'go1.x': 'provided.al2023', 'ruby2.5': 'ruby3.3', 'ruby2.7': 'ruby3.3',
  provided: 'provided.al2023',
};

export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

/** Families this platform can execute; other (valid AWS) ids are refused honestly at configuration time. */
export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  if (/^nodejs\d+\.x$/.test(runtime)) return 'nodejs';
  if (/^python3\.\d+$/.test(runtime)) return 'python';
  if (runtime === 'provided.al2' || runtime === 'provided.al2023') return 'provided';
  return undefined;
}

export type RuntimeCheck =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'deprecated' | 'unsupported'; recommended?: string };

export function checkRuntime(runtime: string): RuntimeCheck {
  const recommended = DEPRECATED[runtime];
  if (recommended !== undefined) return { ok: false, reason: 'deprecated', recommended };
  if (!(RUNTIME_ENUM as readonly string[]).includes(runtime)) return { ok: false, reason: 'unknown' };
  if (runtimeFamily(runtime) === undefined) return { ok: false, reason: 'unsupported' };
  return { ok: true };
}

export const SUPPORTED_RUNTIMES = RUNTIME_ENUM.filter((r) => checkRuntime(r).ok);
