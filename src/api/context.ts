import type { Config } from '../config/index.js';
import type { Clock } from '../domain/scope.js';
import type { Logger } from '../observability/index.js';
import type { LogStore } from '../observability/log-store.js';
import type { Invoker } from '../invoke/index.js';
import type { CodeStore, Repositories } from '../store/index.js';
import type { FunctionLifecycle } from './services/function-lifecycle.js';
import type { UrlSigner } from './services/url-signer.js';

/** What route handlers are given; built once by the composition root. */
export interface ApiContext {
  readonly config: Config;
  readonly repos: Repositories;
  readonly code: CodeStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lifecycle: FunctionLifecycle;
  readonly urlSigner: UrlSigner;
  /** Runs functions (the Invoke API, and later every trigger). */
  readonly invoker: Invoker;
  /** Function logs (log groups / streams). */
  readonly logs: LogStore;
}
