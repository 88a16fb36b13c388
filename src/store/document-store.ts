import type { Scope } from '../domain/scope.js';

/** The kinds of document Sluice keeps; each is a collection keyed by a string within (account, region). */
export type Kind =
  | 'function'
  | 'version'
  | 'alias'
  | 'layer'
  | 'layer-version'
  | 'layer-policy'
  | 'policy'
  | 'url-config'
  | 'event-invoke-config'
  | 'provisioned-concurrency'
  /** Reverse index of function URLs: url-id → (account, region, function, qualifier); one global scope. */
  | 'url-id'
  /** EventBridge and EventBridge Scheduler (src/events/model.ts). */
  | 'event-bus'
  | 'event-rule'
  | 'schedule-group'
  | 'schedule'
  /** The last tick each rule / schedule fired (survives restarts: no double fire). */
  | 'schedule-tick';

export interface ListOptions {
  /** Only keys starting with this prefix. */
  prefix?: string;
  /** Only keys strictly greater than this (pagination marker). */
  after?: string;
  limit?: number;
}

export interface Entry<T> {
  key: string;
  doc: T;
}

/**
 * The storage seam. Synchronous because the embedded SQLite implementation is, and synchronous
 * transactions make "a crash never leaves a half-created function" trivial; a networked
 * implementation (PostgreSQL, cluster mode) will sit behind an async facade of the same shape.
 */
export interface DocumentStore {
  get<T>(kind: Kind, scope: Scope, key: string): T | undefined;
  /** Insert or replace. */
  put<T>(kind: Kind, scope: Scope, key: string, doc: T): void;
  /** Insert only; false when the key exists. */
  insert<T>(kind: Kind, scope: Scope, key: string, doc: T): boolean;
  delete(kind: Kind, scope: Scope, key: string): boolean;
  deletePrefix(kind: Kind, scope: Scope, prefix: string): number;
  list<T>(kind: Kind, scope: Scope, options?: ListOptions): Entry<T>[];
  count(kind: Kind, scope: Scope, prefix?: string): number;
  /** Every document of a kind across all scopes (startup recovery). */
  scan<T>(kind: Kind): (Entry<T> & { scope: Scope })[];
  /** Runs fn atomically: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** A typed view of one kind. */
export class Collection<T> {
  constructor(private readonly store: DocumentStore, readonly kind: Kind) {}
  get(scope: Scope, key: string): T | undefined { return this.store.get<T>(this.kind, scope, key); }
  put(scope: Scope, key: string, doc: T): void { this.store.put(this.kind, scope, key, doc); }
  insert(scope: Scope, key: string, doc: T): boolean { return this.store.insert(this.kind, scope, key, doc); }
  delete(scope: Scope, key: string): boolean { return this.store.delete(this.kind, scope, key); }
  deletePrefix(scope: Scope, prefix: string): number { return this.store.deletePrefix(this.kind, scope, prefix); }
  list(scope: Scope, options?: ListOptions): Entry<T>[] { return this.store.list<T>(this.kind, scope, options); }
  count(scope: Scope, prefix?: string): number { return this.store.count(this.kind, scope, prefix); }
  scan(): (Entry<T> & { scope: Scope })[] { return this.store.scan<T>(this.kind); }
}
