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
