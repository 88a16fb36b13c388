import type { Database } from 'better-sqlite3';

/** Ordered schema migrations; `user_version` records how many have run. Append only. */
const MIGRATIONS: string[] = [
  `CREATE TABLE documents (
     account TEXT NOT NULL,
     region  TEXT NOT NULL,
     kind    TEXT NOT NULL,
     key     TEXT NOT NULL,
     doc     TEXT NOT NULL,
     PRIMARY KEY (account, region, kind, key)
   ) WITHOUT ROWID;
   CREATE INDEX documents_by_kind ON documents (kind);`,
  // The asynchronous-invocation queue (store/event-queue.ts): one row per event until it has run.
  `CREATE TABLE async_events (
     seq           INTEGER PRIMARY KEY,
     id            TEXT NOT NULL UNIQUE,
     fkey          TEXT NOT NULL,
     account       TEXT NOT NULL,
     region        TEXT NOT NULL,
     function_name TEXT NOT NULL,
     qualifier     TEXT,
     payload       BLOB NOT NULL,
     trace_header  TEXT,
     enqueued_at   INTEGER NOT NULL,
     expires_at    INTEGER NOT NULL,
     available_at  INTEGER NOT NULL,
     status        TEXT NOT NULL,
     wait          TEXT,
     lease_owner   TEXT,
     attempts      INTEGER NOT NULL DEFAULT 0,
     failures      INTEGER NOT NULL DEFAULT 0,
     throttles     INTEGER NOT NULL DEFAULT 0,
     last_error    TEXT,
     last_response TEXT,
     condition     TEXT,
     delivered_to  TEXT,
     finished_at   INTEGER
   );
   CREATE INDEX async_events_ready ON async_events (available_at) WHERE status <> 'dropped';
   CREATE INDEX async_events_function_ready ON async_events (fkey, available_at, status, attempts, throttles) WHERE status <> 'dropped';
   CREATE INDEX async_events_dropped ON async_events (fkey, finished_at) WHERE status = 'dropped';
   CREATE INDEX async_events_expiry ON async_events (expires_at) WHERE status = 'queued';`,
];

export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}
