import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { Scope } from '../domain/scope.js';
import type { Clock } from '../domain/scope.js';
import type { LogEvent, LogQuery, LogStore, LogStreamInfo, StoredLogEvent } from './log-store.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE log_events (
     id        INTEGER PRIMARY KEY AUTOINCREMENT,
     account   TEXT NOT NULL,
     region    TEXT NOT NULL,
     grp       TEXT NOT NULL,
     stream    TEXT NOT NULL,
     ts        INTEGER NOT NULL,
     ingested  INTEGER NOT NULL,
     message   TEXT NOT NULL
   );
   CREATE INDEX log_events_by_group ON log_events (account, region, grp, id);
   CREATE INDEX log_events_by_stream ON log_events (account, region, grp, stream, id);
   CREATE TABLE log_streams (
     account   TEXT NOT NULL,
     region    TEXT NOT NULL,
     grp       TEXT NOT NULL,
     stream    TEXT NOT NULL,
     created   INTEGER NOT NULL,
     first_ts  INTEGER NOT NULL,
     last_ts   INTEGER NOT NULL,
     last_ingested INTEGER NOT NULL,
     bytes     INTEGER NOT NULL,
     PRIMARY KEY (account, region, grp, stream)
   ) WITHOUT ROWID;`,
];

interface Pending {
  scope: Scope;
  group: string;
  stream: string;
  events: readonly LogEvent[];
}

export interface SqliteLogStoreOptions {
  clock: Clock;
  /** How long appended events may wait in memory before they are written. */
  flushDelayMs?: number;
  /** Write as soon as this many events are buffered. */
  maxBufferedEvents?: number;
}

/**
 * Logs in their own SQLite database (logs.db), separate from the control-plane state so heavy logging never
 * contends with API writes. Appends go to an in-memory buffer written in one transaction per batch.
 */
export class SqliteLogStore implements LogStore {
  private readonly db: Db;
  private readonly insertEvent: Statement;
  private readonly upsertStream: Statement;
  private buffer: Pending[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly flushDelayMs: number;
  private readonly maxBuffered: number;

  constructor(file: string, private readonly options: SqliteLogStoreOptions) {
    this.flushDelayMs = options.flushDelayMs ?? 50;
    this.maxBuffered = options.maxBufferedEvents ?? 2000;
    this.db = new Database(file);
    if (file !== ':memory:') chmodSync(file, 0o600); // function logs may hold secrets: platform only
    this.db.pragma('journal_mode = WAL');
    // Logs may lose the last moments on power loss, never on a process crash (WAL).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let i = current; i < MIGRATIONS.length; i++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[i]!);
        this.db.pragma(`user_version = ${i + 1}`);
      })();
    }
    this.insertEvent = this.db.prepare('INSERT INTO log_events (account, region, grp, stream, ts, ingested, message) VALUES (?,?,?,?,?,?,?)');
    this.upsertStream = this.db.prepare(
      `INSERT INTO log_streams (account, region, grp, stream, created, first_ts, last_ts, last_ingested, bytes)
       VALUES (@account, @region, @grp, @stream, @ingested, @first, @last, @ingested, @bytes)
       ON CONFLICT (account, region, grp, stream) DO UPDATE SET
         first_ts = min(first_ts, @first), last_ts = max(last_ts, @last), last_ingested = @ingested, bytes = bytes + @bytes`,
    );
  }

  append(scope: Scope, logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.buffer.push({ scope, group: logGroupName, stream: logStreamName, events });
    this.buffered += events.length;
    if (this.buffered >= this.maxBuffered) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushDelayMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0 || !this.db.open) return;
    const batch = this.buffer;
    this.buffer = [];
    this.buffered = 0;
    const ingested = this.options.clock.now();
    this.db.transaction(() => {
      for (const p of batch) {
        let first = Infinity;
        let last = -Infinity;
        let bytes = 0;
        for (const e of p.events) {
          this.insertEvent.run(p.scope.account, p.scope.region, p.group, p.stream, e.timestamp, ingested, e.message);
          if (e.timestamp < first) first = e.timestamp;
          if (e.timestamp > last) last = e.timestamp;
          bytes += Buffer.byteLength(e.message) + 26;
        }
        this.upsertStream.run({ account: p.scope.account, region: p.scope.region, grp: p.group, stream: p.stream, ingested, first, last, bytes });
      }
    })();
  }

  query(scope: Scope, q: LogQuery): StoredLogEvent[] {
    this.flush();
    const where = ['account = ?', 'region = ?', 'grp = ?'];
    const args: unknown[] = [scope.account, scope.region, q.logGroupName];
    if (q.afterId !== undefined) { where.push('id > ?'); args.push(q.afterId); }
    if (q.startTime !== undefined) { where.push('ts >= ?'); args.push(q.startTime); }
    if (q.endTime !== undefined) { where.push('ts < ?'); args.push(q.endTime); }
    if (q.logStreamNames && q.logStreamNames.length > 0) {
      where.push(`stream IN (${q.logStreamNames.map(() => '?').join(',')})`);
      args.push(...q.logStreamNames);
    }
    if (q.logStreamNamePrefix !== undefined) { where.push('substr(stream, 1, ?) = ?'); args.push(q.logStreamNamePrefix.length, q.logStreamNamePrefix); }
    if (q.contains !== undefined) { where.push('instr(message, ?) > 0'); args.push(q.contains); }
    args.push(Math.max(1, Math.min(q.limit ?? 10_000, 10_000)));
    const rows = this.db
      .prepare(`SELECT id, stream, ts, ingested, message FROM log_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
      .all(...args) as { id: number; stream: string; ts: number; ingested: number; message: string }[];
    return rows.map((r) => ({ id: r.id, logStreamName: r.stream, timestamp: r.ts, ingestionTime: r.ingested, message: r.message }));
  }

  streams(scope: Scope, logGroupName: string, options: { prefix?: string; limit?: number } = {}): LogStreamInfo[] {
    this.flush();
    const prefix = options.prefix ?? '';
    const rows = this.db
      .prepare(
        `SELECT stream, created, first_ts, last_ts, last_ingested, bytes FROM log_streams
         WHERE account = ? AND region = ? AND grp = ? AND substr(stream, 1, ?) = ? ORDER BY last_ts DESC LIMIT ?`,
      )
      .all(scope.account, scope.region, logGroupName, prefix.length, prefix, options.limit ?? 50) as {
      stream: string; created: number; first_ts: number; last_ts: number; last_ingested: number; bytes: number;
    }[];
    return rows.map((r) => ({
      logStreamName: r.stream, creationTime: r.created, firstEventTimestamp: r.first_ts, lastEventTimestamp: r.last_ts,
      lastIngestionTime: r.last_ingested, storedBytes: r.bytes,
    }));
  }

  groups(scope: Scope, options: { prefix?: string } = {}): string[] {
    this.flush();
    const prefix = options.prefix ?? '';
    const rows = this.db
      .prepare('SELECT DISTINCT grp FROM log_streams WHERE account = ? AND region = ? AND substr(grp, 1, ?) = ? ORDER BY grp')
      .all(scope.account, scope.region, prefix.length, prefix) as { grp: string }[];
    return rows.map((r) => r.grp);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
