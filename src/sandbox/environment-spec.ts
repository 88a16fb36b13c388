import { createHash } from 'node:crypto';
import type { Scope } from '../domain/scope.js';

/** Everything an execution environment needs to know about the function version it runs. Plain data. */
export interface EnvironmentSpec {
  scope: Scope;
  functionName: string;
  /** The executed version: `$LATEST` or `N` (aliases already resolved). */
  version: string;
  runtime: string;
  handler: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  /** The customer's Environment.Variables. */
  environment: Readonly<Record<string, string>>;
  logGroup: string;
  logFormat: 'Text' | 'JSON';
  applicationLogLevel?: string;
  systemLogLevel?: string;
  /** Code-store keys: the function's archive and its layers' archives in order. */
  codeKey: string;
  layerCodeKeys: readonly string[];
  /** Identifies the configuration: environments whose fingerprint differs from the current one are retired. */
  fingerprint: string;
}

/** A fingerprint over every field that shapes what runs inside the environment. */
export function specFingerprint(spec: Omit<EnvironmentSpec, 'fingerprint'>): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([
    spec.runtime, spec.handler, spec.memorySizeMb, spec.timeoutSeconds, spec.ephemeralStorageMb,
    Object.entries(spec.environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    spec.logGroup, spec.logFormat, spec.applicationLogLevel ?? null, spec.systemLogLevel ?? null, spec.codeKey, spec.layerCodeKeys,
  ]));
  return h.digest('hex').slice(0, 32);
}
