import { liveDirectories } from '../domain/local-code.js';
import { versionKey, type FunctionVersion } from '../domain/function-model.js';
import type { Scope } from '../domain/scope.js';
import type { HotReload } from './hot-reload.js';

export interface VersionSource {
  get(scope: Scope, key: string): FunctionVersion | undefined;
  scan(): { scope: Scope; doc: FunctionVersion }[];
}

const keyOf = (scope: Scope, name: string, version: string) => `${scope.account}/${scope.region}/${name}/${version}`;

/**
 * Keeps the hot-reload directories of every function version watched for as long as the version serves them, not
 * only while environments run: a save is noticed (and logged in the function's log, which `deploy --watch` shows)
 * even before the first invocation, and an invocation right after a save waits for it to settle.
 */
export class FunctionDirectories {
  private readonly held = new Map<string, { dirs: string; detach: () => void }>();

  constructor(
    private readonly hotReload: HotReload,
    private readonly versions: VersionSource,
    /** The code-store keys of a version's layers (hot-reload layers are `local:` keys too). */
    private readonly layerKeys: (scope: Scope, version: FunctionVersion) => string[],
  ) {}

  /** Watches what every stored version serves (at start-up). */
  recover(): void {
    for (const e of this.versions.scan()) this.track(e.scope, e.doc.functionName, e.doc.version);
  }

  /** A version changed (`*`: any version of the function, or its deletion). */
  changed(scope: Scope, functionName: string, version: string): void {
    if (version !== '*') return this.track(scope, functionName, version);
    const prefix = `${scope.account}/${scope.region}/${functionName}/`;
    for (const k of [...this.held.keys()]) if (k.startsWith(prefix)) this.track(scope, functionName, k.slice(prefix.length));
    this.track(scope, functionName, '$LATEST');
  }

  close(): void {
    for (const h of this.held.values()) h.detach();
    this.held.clear();
  }

  private track(scope: Scope, functionName: string, version: string): void {
    const key = keyOf(scope, functionName, version);
    const v = this.versions.get(scope, versionKey(functionName, version));
    const dirs = v ? liveDirectories([v.codeKey, ...this.layerKeys(scope, v)]) : [];
    const held = this.held.get(key);
    if (held?.dirs === dirs.join('\n')) return;
    held?.detach();
    this.held.delete(key);
    if (dirs.length === 0 || !v) return;
    const logGroup = v.loggingConfig.LogGroup || `/aws/lambda/${functionName}`;
    this.held.set(key, { dirs: dirs.join('\n'), detach: this.hotReload.hold(dirs, { scope, functionName, logGroup }) });
  }
}
