import { Collection, type DocumentStore } from './document-store.js';
import type {
  AliasRecord, FunctionMeta, FunctionVersion, LayerVersionRecord, PolicyRecord, ProvisionedConcurrencyRecord,
} from '../domain/function-model.js';
import type { EventBusRecord, RuleRecord, ScheduleGroupRecord, ScheduleRecord, TickRecord } from '../domain/event-records.js';

/** A function URL's owner, found by its url-id (the host label of the URL). */
export interface UrlIdEntry {
  account: string;
  region: string;
  functionName: string;
  /** Alias name; absent for the unqualified function. */
  qualifier?: string;
}

/** Per-layer counter: layer version numbers are never reused, even after deletion. */
export interface LayerRecord {
  layerName: string;
  lastVersion: number;
}

/** Typed collections over the document store, one per resource. */
export class Repositories {
  readonly functions: Collection<FunctionMeta>;
  readonly versions: Collection<FunctionVersion>;
  readonly aliases: Collection<AliasRecord>;
  readonly layers: Collection<LayerRecord>;
  readonly layerVersions: Collection<LayerVersionRecord>;
  readonly layerPolicies: Collection<PolicyRecord>;
  readonly policies: Collection<PolicyRecord>;
  readonly urlConfigs: Collection<Record<string, unknown>>;
  readonly eventInvokeConfigs: Collection<Record<string, unknown>>;
  /** Global (scope URL_ID_SCOPE in api/services/function-url.ts), keyed by url-id. */
  readonly urlIds: Collection<UrlIdEntry>;
  readonly provisionedConcurrency: Collection<ProvisionedConcurrencyRecord>;
  readonly eventBuses: Collection<EventBusRecord>;
  /** Keyed `bus|rule`. */
  readonly eventRules: Collection<RuleRecord>;
  readonly scheduleGroups: Collection<ScheduleGroupRecord>;
  /** Keyed `group|schedule`. */
  readonly schedules: Collection<ScheduleRecord>;
  readonly scheduleTicks: Collection<TickRecord>;

  constructor(readonly store: DocumentStore) {
    this.functions = new Collection(store, 'function');
    this.versions = new Collection(store, 'version');
    this.aliases = new Collection(store, 'alias');
    this.layers = new Collection(store, 'layer');
    this.layerVersions = new Collection(store, 'layer-version');
    this.layerPolicies = new Collection(store, 'layer-policy');
    this.policies = new Collection(store, 'policy');
    this.urlConfigs = new Collection(store, 'url-config');
    this.eventInvokeConfigs = new Collection(store, 'event-invoke-config');
    this.urlIds = new Collection(store, 'url-id');
    this.provisionedConcurrency = new Collection(store, 'provisioned-concurrency');
    this.eventBuses = new Collection(store, 'event-bus');
    this.eventRules = new Collection(store, 'event-rule');
    this.scheduleGroups = new Collection(store, 'schedule-group');
    this.schedules = new Collection(store, 'schedule');
    this.scheduleTicks = new Collection(store, 'schedule-tick');
  }

  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }
}
