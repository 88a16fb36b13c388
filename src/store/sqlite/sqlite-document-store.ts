import Database from 'better-sqlite3';
import { chmodSync } from 'node:fs';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { Scope } from '../../domain/scope.js';
import type { DocumentStore, Entry, Kind, ListOptions } from '../document-store.js';
import { migrate } from './migrations.js';

/** Keys are ASCII, so every key under a prefix sorts below prefix + DEL. */
const PREFIX_END = '\x7f';

export class SqliteDocumentStore implements DocumentStore {
  private readonly db: Db;
  private readonly stmts: {
    get: Statement; put: Statement; insert: Statement; del: Statement; delPrefix: Statement;
    list: Statement; count: Statement; scan: Statement;
  };
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    // Platform state: readable by the platform alone (the data dir itself is traversable by sandboxes).
    if (file !== ':memory:') chmodSync(file, 0o600);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; FULL also survives power loss.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.stmts = {
      get: this.db.prepare('SELECT doc FROM documents WHERE account=? AND region=? AND kind=? AND key=?'),
      put: this.db.prepare('INSERT OR REPLACE INTO documents (account, region, kind, key, doc) VALUES (?,?,?,?,?)'),
      insert: this.db.prepare('INSERT OR IGNORE INTO documents (account, region, kind, key, doc) VALUES (?,?,?,?,?)'),
      del: this.db.prepare('DELETE FROM documents WHERE account=? AND region=? AND kind=? AND key=?'),
      delPrefix: this.db.prepare('DELETE FROM documents WHERE account=? AND region=? AND kind=? AND key>=? AND key<?'),
      list: this.db.prepare(
        'SELECT key, doc FROM documents WHERE account=? AND region=? AND kind=? AND key>=? AND key<? AND key>? ORDER BY key LIMIT ?',
      ),
      count: this.db.prepare('SELECT count(*) AS n FROM documents WHERE account=? AND region=? AND kind=? AND key>=? AND key<?'),
      scan: this.db.prepare('SELECT account, region, key, doc FROM documents WHERE kind=? ORDER BY account, region, key'),
    };
  }

  get<T>(kind: Kind, scope: Scope, key: string): T | undefined {
    const row = this.stmts.get.get(scope.account, scope.region, kind, key) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  put<T>(kind: Kind, scope: Scope, key: string, doc: T): void {
    this.stmts.put.run(scope.account, scope.region, kind, key, JSON.stringify(doc));
  }

  insert<T>(kind: Kind, scope: Scope, key: string, doc: T): boolean {
    return this.stmts.insert.run(scope.account, scope.region, kind, key, JSON.stringify(doc)).changes === 1;
  }

  delete(kind: Kind, scope: Scope, key: string): boolean {
    return this.stmts.del.run(scope.account, scope.region, kind, key).changes === 1;
  }

  deletePrefix(kind: Kind, scope: Scope, prefix: string): number {
    return this.stmts.delPrefix.run(scope.account, scope.region, kind, prefix, prefix + PREFIX_END).changes;
  }

  list<T>(kind: Kind, scope: Scope, options: ListOptions = {}): Entry<T>[] {
    const prefix = options.prefix ?? '';
    const rows = this.stmts.list.all(
      scope.account, scope.region, kind, prefix, prefix + PREFIX_END, options.after ?? '', options.limit ?? -1,
    ) as { key: string; doc: string }[];
    return rows.map((r) => ({ key: r.key, doc: JSON.parse(r.doc) as T }));
  }

  count(kind: Kind, scope: Scope, prefix = ''): number {
    return (this.stmts.count.get(scope.account, scope.region, kind, prefix, prefix + PREFIX_END) as { n: number }).n;
  }

  scan<T>(kind: Kind): (Entry<T> & { scope: Scope })[] {
    const rows = this.stmts.scan.all(kind) as { account: string; region: string; key: string; doc: string }[];
    return rows.map((r) => ({ scope: { account: r.account, region: r.region }, key: r.key, doc: JSON.parse(r.doc) as T }));
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
