import { Collection, type DocumentStore } from './document-store.js';
import type {
  AliasRecord, FunctionMeta, FunctionVersion, LayerVersionRecord, PolicyRecord,
} from '../domain/function-model.js';

/** Typed collections over the document store, one per resource. */
export class Repositories {
  readonly functions: Collection<FunctionMeta>;
  readonly versions: Collection<FunctionVersion>;
  readonly aliases: Collection<AliasRecord>;
  readonly layerVersions: Collection<LayerVersionRecord>;
  readonly layerPolicies: Collection<PolicyRecord>;
  readonly policies: Collection<PolicyRecord>;
  readonly urlConfigs: Collection<Record<string, unknown>>;
  readonly eventInvokeConfigs: Collection<Record<string, unknown>>;
  readonly provisionedConcurrency: Collection<Record<string, unknown>>;

  constructor(readonly store: DocumentStore) {
    this.functions = new Collection(store, 'function');
    this.versions = new Collection(store, 'version');
    this.aliases = new Collection(store, 'alias');
    this.layerVersions = new Collection(store, 'layer-version');
    this.layerPolicies = new Collection(store, 'layer-policy');
    this.policies = new Collection(store, 'policy');
    this.urlConfigs = new Collection(store, 'url-config');
    this.eventInvokeConfigs = new Collection(store, 'event-invoke-config');
    this.provisionedConcurrency = new Collection(store, 'provisioned-concurrency');
  }

  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }
}
