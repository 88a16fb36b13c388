import { chmodSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { Scope } from '../domain/scope.js';
import type { Clock } from '../domain/scope.js';
import type {
  EventPosition, FilterEventsQuery, LogEvent, LogGroupInfo, LogQuery, LogStore, LogStreamInfo, StoredLogEvent,
  StreamEventsQuery, StreamListQuery,
} from './log-store.js';

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
  // Log groups as resources (retention, tags), and indexes for reading in timestamp order.
  `CREATE TABLE log_groups (
     account   TEXT NOT NULL,
     region    TEXT NOT NULL,
     grp       TEXT NOT NULL,
     created   INTEGER NOT NULL,
     retention_days INTEGER,
     tags      TEXT NOT NULL DEFAULT '{}',
     PRIMARY KEY (account, region, grp)
   ) WITHOUT ROWID;
   INSERT OR IGNORE INTO log_groups (account, region, grp, created)
     SELECT account, region, grp, min(created) FROM log_streams GROUP BY account, region, grp;
   DROP INDEX log_events_by_stream;
   CREATE INDEX log_events_by_stream_ts ON log_events (account, region, grp, stream, ts, id);
   CREATE INDEX log_events_by_group_ts ON log_events (account, region, grp, ts, id);`,
];

/** A stream row with no events yet: min()/max() in the upsert replace these on the first write. */
const NO_FIRST = 8_640_000_000_000_000;
const NO_LAST = -1;
/** AWS counts each event as its UTF-8 message plus 26 bytes. */
const EVENT_OVERHEAD = 26;
const DAY_MS = 86_400_000;
/** A timer-driven write takes at most this many lines per turn of the event loop, so invocations never wait long. */
const SLICE_EVENTS = 128;

interface Pending {
  scope: Scope;
  group: string;
  stream: string;
  events: readonly LogEvent[];
}

interface EventRow { id: number; stream: string; ts: number; ingested: number; message: string }
interface StreamRow { stream: string; created: number; first_ts: number; last_ts: number; last_ingested: number; bytes: number }
interface GroupRow { grp: string; created: number; retention_days: number | null; tags: string; bytes: number | null }

export interface SqliteLogStoreOptions {
  clock: Clock;
  /** How long appended events may wait in memory before they are written. */
  flushDelayMs?: number;
  /** Start writing (in slices) as soon as this many events are buffered; at 25 times this, append writes at once. */
  maxBufferedEvents?: number;
  /** Global cap on stored bytes: beyond it the oldest events are evicted first (0 = no cap). */
  maxStoredBytes?: number;
  /** How often retention policies are applied (0 = only when expire() is called). */
  retentionSweepMs?: number;
  /** How often a worker thread checkpoints the write-ahead log (0 = SQLite checkpoints inline, on the writer). */
  checkpointMs?: number;
}

const toEvent = (r: EventRow): StoredLogEvent => ({ id: r.id, logStreamName: r.stream, timestamp: r.ts, ingestionTime: r.ingested, message: r.message });

function toStream(r: StreamRow): LogStreamInfo {
  const out: LogStreamInfo = { logStreamName: r.stream, creationTime: r.created, storedBytes: r.bytes };
  if (r.last_ts !== NO_LAST) {
    out.firstEventTimestamp = r.first_ts;
    out.lastEventTimestamp = r.last_ts;
    out.lastIngestionTime = r.last_ingested;
  }
  return out;
}

function toGroup(r: GroupRow): LogGroupInfo {
  const out: LogGroupInfo = { logGroupName: r.grp, creationTime: r.created, storedBytes: r.bytes ?? 0, tags: JSON.parse(r.tags) as Record<string, string> };
  if (r.retention_days !== null) out.retentionInDays = r.retention_days;
  return out;
}

const cursor = {
  encode: (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url'),
  decode: (s: string): unknown => {
    try {
      return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  },
};

/**
 * Logs in their own SQLite database (logs.db), separate from the control-plane state so heavy logging never
 * contends with API writes. Appends go to an in-memory buffer written in one transaction per batch; the store is
 * bounded by per-group retention and a global size cap (oldest events evicted first).
 */
export class SqliteLogStore implements LogStore {
  private readonly db: Db;
  private readonly insertEvent: Statement;
  private readonly upsertStream: Statement;
  private readonly ensureGroup: Statement;
  private buffer: Pending[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private slicing = false;
  private checkpointer: Worker | undefined;
  private closed = false;
  private totalBytes: number;
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
    this.ensureGroup = this.db.prepare(`INSERT OR IGNORE INTO log_groups (account, region, grp, created) VALUES (?,?,?,?)`);
    this.totalBytes = (this.db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM log_streams').get() as { n: number }).n;
    const checkpointMs = options.checkpointMs ?? 1000;
    if (file !== ':memory:' && checkpointMs > 0) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new Worker(new URL('./wal-checkpointer.js', import.meta.url), { workerData: { file, intervalMs: checkpointMs } });
      this.checkpointer.unref();
      this.checkpointer.on('error', () => {
        // Without the worker SQLite checkpoints inline again: slower appends, nothing lost.
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      });
    }
    const sweep = options.retentionSweepMs ?? 0;
    if (sweep > 0) {
      this.sweeper = setInterval(() => this.expire(), sweep);
      this.sweeper.unref();
    }
  }

  append(scope: Scope, logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void {
    if (this.closed || events.length === 0) return;
    this.buffer.push({ scope, group: logGroupName, stream: logStreamName, events });
    this.buffered += events.length;
    if (this.buffered >= this.maxBuffered * 25) {
      // Lines arrive faster than background writing keeps up: write them now rather than grow without bound.
      this.flush();
      return;
    }
    if (this.slicing) return;
    if (this.buffered >= this.maxBuffered) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.slicing = true;
      setImmediate(() => this.writeSlices());
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.writeSlices(), this.flushDelayMs);
      this.timer.unref();
    }
  }

  /** Background writing: a slice per turn of the event loop until the buffer is empty. */
  private writeSlices(): void {
    this.timer = undefined;
    if (this.closed) return;
    this.write(SLICE_EVENTS);
    this.slicing = this.buffer.length > 0;
    if (this.slicing) setImmediate(() => this.writeSlices());
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.write(Infinity);
  }

  /** Writes up to `maxEvents` buffered lines (whole appends) in one transaction. */
  private write(maxEvents: number): void {
    if (this.buffer.length === 0 || !this.db.open) return;
    let n = 0;
    let take = 0;
    while (take < this.buffer.length && (take === 0 || n + this.buffer[take]!.events.length <= maxEvents)) n += this.buffer[take++]!.events.length;
    const batch = this.buffer.slice(0, take);
    this.buffer = this.buffer.slice(take);
    this.buffered -= n;
    const ingested = this.options.clock.now();
    let added = 0;
    // One stream row update per stream per batch (not per line): lines arrive one append at a time.
    const touched = new Map<string, { scope: Scope; group: string; stream: string; first: number; last: number; bytes: number }>();
    this.db.transaction(() => {
      for (const p of batch) {
        const key = `${p.scope.account}\n${p.scope.region}\n${p.group}\n${p.stream}`;
        let t = touched.get(key);
        if (!t) {
          t = { scope: p.scope, group: p.group, stream: p.stream, first: Infinity, last: -Infinity, bytes: 0 };
          touched.set(key, t);
        }
        for (const e of p.events) {
          this.insertEvent.run(p.scope.account, p.scope.region, p.group, p.stream, e.timestamp, ingested, e.message);
          if (e.timestamp < t.first) t.first = e.timestamp;
          if (e.timestamp > t.last) t.last = e.timestamp;
          t.bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD;
        }
      }
      for (const t of touched.values()) {
        this.ensureGroup.run(t.scope.account, t.scope.region, t.group, ingested);
        this.upsertStream.run({ account: t.scope.account, region: t.scope.region, grp: t.group, stream: t.stream, ingested, first: t.first, last: t.last, bytes: t.bytes });
        added += t.bytes;
      }
    })();
    this.totalBytes += added;
    const cap = this.options.maxStoredBytes ?? 0;
    // Evict down to 90% of the cap so a full store does not evict on every batch.
    if (cap > 0 && this.totalBytes > cap) this.evict(this.totalBytes - Math.floor(cap * 0.9));
  }

  query(scope: Scope, q: LogQuery): StoredLogEvent[] {
    this.flush();
    const where = ['account = ?', 'region = ?', 'grp = ?'];
    const args: unknown[] = [scope.account, scope.region, q.logGroupName];
    if (q.afterId !== undefined) { where.push('id > ?'); args.push(q.afterId); }
    const start = Math.max(q.startTime ?? -Infinity, this.cutoff(scope, q.logGroupName));
    if (start > -Infinity) { where.push('ts >= ?'); args.push(start); }
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
      .all(...args) as EventRow[];
    return rows.map(toEvent);
  }

  streams(scope: Scope, logGroupName: string, options: { prefix?: string; limit?: number } = {}): LogStreamInfo[] {
    this.flush();
    const prefix = options.prefix ?? '';
    const rows = this.db
      .prepare(
        `SELECT stream, created, first_ts, last_ts, last_ingested, bytes FROM log_streams
         WHERE account = ? AND region = ? AND grp = ? AND substr(stream, 1, ?) = ? ORDER BY last_ts DESC LIMIT ?`,
      )
      .all(scope.account, scope.region, logGroupName, prefix.length, prefix, options.limit ?? 50) as StreamRow[];
    return rows.map(toStream);
  }

  groups(scope: Scope, options: { prefix?: string } = {}): string[] {
    return this.listGroups(scope, { ...options, limit: 1_000_000 }).map((g) => g.logGroupName);
  }

  createGroup(scope: Scope, logGroupName: string, tags: Record<string, string> = {}): boolean {
    this.flush();
    const r = this.db
      .prepare('INSERT OR IGNORE INTO log_groups (account, region, grp, created, tags) VALUES (?,?,?,?,?)')
      .run(scope.account, scope.region, logGroupName, this.options.clock.now(), JSON.stringify(tags));
    return r.changes > 0;
  }

  deleteGroup(scope: Scope, logGroupName: string): boolean {
    this.flush();
    const key = [scope.account, scope.region, logGroupName];
    return this.db.transaction(() => {
      const gone = this.db.prepare('DELETE FROM log_groups WHERE account = ? AND region = ? AND grp = ?').run(...key).changes > 0;
      const bytes = (this.db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM log_streams WHERE account = ? AND region = ? AND grp = ?').get(...key) as { n: number }).n;
      this.db.prepare('DELETE FROM log_streams WHERE account = ? AND region = ? AND grp = ?').run(...key);
      this.db.prepare('DELETE FROM log_events WHERE account = ? AND region = ? AND grp = ?').run(...key);
      this.totalBytes -= bytes;
      return gone;
    })();
  }

  group(scope: Scope, logGroupName: string): LogGroupInfo | undefined {
    this.flush();
    const row = this.db.prepare(
      `SELECT g.grp, g.created, g.retention_days, g.tags,
         (SELECT sum(bytes) FROM log_streams s WHERE s.account = g.account AND s.region = g.region AND s.grp = g.grp) AS bytes
       FROM log_groups g WHERE g.account = ? AND g.region = ? AND g.grp = ?`,
    ).get(scope.account, scope.region, logGroupName) as GroupRow | undefined;
    return row ? toGroup(row) : undefined;
  }

  listGroups(scope: Scope, o: { prefix?: string; pattern?: string; after?: string; limit: number }): LogGroupInfo[] {
    this.flush();
    const where = ['g.account = ?', 'g.region = ?'];
    const args: unknown[] = [scope.account, scope.region];
    if (o.prefix) { where.push('substr(g.grp, 1, ?) = ?'); args.push(o.prefix.length, o.prefix); }
    if (o.pattern) { where.push('instr(lower(g.grp), lower(?)) > 0'); args.push(o.pattern); }
    if (o.after !== undefined) { where.push('g.grp > ?'); args.push(o.after); }
    args.push(o.limit);
    const rows = this.db.prepare(
      `SELECT g.grp, g.created, g.retention_days, g.tags,
         (SELECT sum(bytes) FROM log_streams s WHERE s.account = g.account AND s.region = g.region AND s.grp = g.grp) AS bytes
       FROM log_groups g WHERE ${where.join(' AND ')} ORDER BY g.grp LIMIT ?`,
    ).all(...args) as GroupRow[];
    return rows.map(toGroup);
  }

  setRetention(scope: Scope, logGroupName: string, days: number | undefined): boolean {
    this.flush();
    const ok = this.db.prepare('UPDATE log_groups SET retention_days = ? WHERE account = ? AND region = ? AND grp = ?')
      .run(days ?? null, scope.account, scope.region, logGroupName).changes > 0;
    // A new policy applies at once to what is already stored.
    if (ok && days !== undefined) this.expireGroup(scope, logGroupName, days);
    return ok;
  }

  setTags(scope: Scope, logGroupName: string, update: (tags: Record<string, string>) => Record<string, string>): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT tags FROM log_groups WHERE account = ? AND region = ? AND grp = ?')
        .get(scope.account, scope.region, logGroupName) as { tags: string } | undefined;
      if (!row) return false;
      const next = update(JSON.parse(row.tags) as Record<string, string>);
      this.db.prepare('UPDATE log_groups SET tags = ? WHERE account = ? AND region = ? AND grp = ?')
        .run(JSON.stringify(next), scope.account, scope.region, logGroupName);
      return true;
    })();
  }

  createStream(scope: Scope, logGroupName: string, logStreamName: string): 'created' | 'exists' | 'no-group' {
    this.flush();
    if (!this.group(scope, logGroupName)) return 'no-group';
    const r = this.db.prepare(
      `INSERT OR IGNORE INTO log_streams (account, region, grp, stream, created, first_ts, last_ts, last_ingested, bytes)
       VALUES (?,?,?,?,?,?,?,0,0)`,
    ).run(scope.account, scope.region, logGroupName, logStreamName, this.options.clock.now(), NO_FIRST, NO_LAST);
    return r.changes > 0 ? 'created' : 'exists';
  }

  deleteStream(scope: Scope, logGroupName: string, logStreamName: string): boolean {
    this.flush();
    const key = [scope.account, scope.region, logGroupName, logStreamName];
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT bytes FROM log_streams WHERE account = ? AND region = ? AND grp = ? AND stream = ?').get(...key) as { bytes: number } | undefined;
      if (!row) return false;
      this.db.prepare('DELETE FROM log_streams WHERE account = ? AND region = ? AND grp = ? AND stream = ?').run(...key);
      this.db.prepare('DELETE FROM log_events WHERE account = ? AND region = ? AND grp = ? AND stream = ?').run(...key);
      this.totalBytes -= row.bytes;
      return true;
    })();
  }

  stream(scope: Scope, logGroupName: string, logStreamName: string): LogStreamInfo | undefined {
    this.flush();
    const row = this.db.prepare(
      'SELECT stream, created, first_ts, last_ts, last_ingested, bytes FROM log_streams WHERE account = ? AND region = ? AND grp = ? AND stream = ?',
    ).get(scope.account, scope.region, logGroupName, logStreamName) as StreamRow | undefined;
    return row ? toStream(row) : undefined;
  }

  listStreams(scope: Scope, logGroupName: string, q: StreamListQuery): { streams: LogStreamInfo[]; next?: string } {
    this.flush();
    const where = ['account = ?', 'region = ?', 'grp = ?'];
    const args: unknown[] = [scope.account, scope.region, logGroupName];
    if (q.prefix) { where.push('substr(stream, 1, ?) = ?'); args.push(q.prefix.length, q.prefix); }
    const dir = q.descending ? 'DESC' : 'ASC';
    const cmp = q.descending ? '<' : '>';
    const after = q.after === undefined ? undefined : cursor.decode(q.after) as [number, string] | string | undefined;
    let order: string;
    if (q.orderBy === 'LogStreamName') {
      if (typeof after === 'string') { where.push(`stream ${cmp} ?`); args.push(after); }
      order = `stream ${dir}`;
    } else {
      if (Array.isArray(after)) { where.push(`(last_ts, stream) ${cmp} (?, ?)`); args.push(after[0], after[1]); }
      order = `last_ts ${dir}, stream ${dir}`;
    }
    args.push(q.limit + 1);
    const rows = this.db.prepare(
      `SELECT stream, created, first_ts, last_ts, last_ingested, bytes FROM log_streams WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`,
    ).all(...args) as StreamRow[];
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const out: { streams: LogStreamInfo[]; next?: string } = { streams: page.map(toStream) };
    if (rows.length > q.limit && last) out.next = cursor.encode(q.orderBy === 'LogStreamName' ? last.stream : [last.last_ts, last.stream]);
    return out;
  }

  streamEvents(scope: Scope, q: StreamEventsQuery): StoredLogEvent[] {
    this.flush();
    const where = ['account = ?', 'region = ?', 'grp = ?', 'stream = ?'];
    const args: unknown[] = [scope.account, scope.region, q.logGroupName, q.logStreamName];
    const start = Math.max(q.startTime ?? -Infinity, this.cutoff(scope, q.logGroupName));
    if (start > -Infinity) { where.push('ts >= ?'); args.push(start); }
    if (q.endTime !== undefined) { where.push('ts < ?'); args.push(q.endTime); }
    let newestFirst = !q.fromHead;
    if (q.after) { where.push('(ts, id) > (?, ?)'); args.push(q.after.ts, q.after.id); newestFirst = false; }
    if (q.before) { where.push('(ts, id) < (?, ?)'); args.push(q.before.ts, q.before.id); newestFirst = true; }
    const dir = newestFirst ? 'DESC' : 'ASC';
    const stmt = this.db.prepare(`SELECT id, stream, ts, ingested, message FROM log_events WHERE ${where.join(' AND ')} ORDER BY ts ${dir}, id ${dir} LIMIT ?`);
    const out: StoredLogEvent[] = [];
    let bytes = 0;
    for (const r of stmt.iterate(...args, q.limit) as IterableIterator<EventRow>) {
      bytes += Buffer.byteLength(r.message) + EVENT_OVERHEAD;
      if (q.maxBytes !== undefined && bytes > q.maxBytes && out.length > 0) break;
      out.push(toEvent(r));
    }
    return newestFirst ? out.reverse() : out;
  }

  filterEvents(scope: Scope, q: FilterEventsQuery): { events: StoredLogEvent[]; next?: EventPosition } {
    this.flush();
    const where = ['account = ?', 'region = ?', 'grp = ?'];
    const args: unknown[] = [scope.account, scope.region, q.logGroupName];
    const start = Math.max(q.startTime ?? -Infinity, this.cutoff(scope, q.logGroupName));
    if (start > -Infinity) { where.push('ts >= ?'); args.push(start); }
    if (q.endTime !== undefined) { where.push('ts <= ?'); args.push(q.endTime); }
    if (q.after) { where.push('(ts, id) > (?, ?)'); args.push(q.after.ts, q.after.id); }
    if (q.logStreamNames && q.logStreamNames.length > 0) {
      where.push(`stream IN (${q.logStreamNames.map(() => '?').join(',')})`);
      args.push(...q.logStreamNames);
    }
    if (q.logStreamNamePrefix) { where.push('substr(stream, 1, ?) = ?'); args.push(q.logStreamNamePrefix.length, q.logStreamNamePrefix); }
    const stmt = this.db.prepare(`SELECT id, stream, ts, ingested, message FROM log_events WHERE ${where.join(' AND ')} ORDER BY ts, id`);
    const events: StoredLogEvent[] = [];
    let scanned = 0;
    let bytes = 0;
    let last: EventRow | undefined;
    for (const r of stmt.iterate(...args) as IterableIterator<EventRow>) {
      if (events.length >= q.limit || scanned >= q.scanLimit || (q.maxBytes !== undefined && bytes >= q.maxBytes)) {
        // More remain: continue after the last event examined.
        return last ? { events, next: { ts: last.ts, id: last.id } } : { events };
      }
      scanned++;
      last = r;
      if (q.match(r.message)) {
        events.push(toEvent(r));
        bytes += Buffer.byteLength(r.message) + EVENT_OVERHEAD;
      }
    }
    return { events };
  }

  expire(): number {
    if (!this.db.open) return 0;
    this.flush();
    const rows = this.db.prepare('SELECT account, region, grp, retention_days FROM log_groups WHERE retention_days IS NOT NULL').all() as
      { account: string; region: string; grp: string; retention_days: number }[];
    let n = 0;
    for (const r of rows) n += this.expireGroup({ account: r.account, region: r.region }, r.grp, r.retention_days);
    return n;
  }

  storedBytes(): number {
    return this.totalBytes;
  }

  /** Flushes and closes; resolves once the checkpoint worker has closed its connection too (no file is touched after). */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.flush();
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.db.close();
    const worker = this.checkpointer;
    this.closing = worker
      ? new Promise<void>((resolve) => {
          // Its last checkpoint runs after the writer is gone; then it is ended.
          worker.once('message', () => { void worker.terminate().then(() => resolve()); });
          worker.once('exit', () => resolve());
          worker.postMessage('close');
        })
      : Promise.resolve();
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  /** Events before this time are past their group's retention (hidden even before they are deleted). */
  private cutoff(scope: Scope, logGroupName: string): number {
    const row = this.db.prepare('SELECT retention_days FROM log_groups WHERE account = ? AND region = ? AND grp = ?')
      .get(scope.account, scope.region, logGroupName) as { retention_days: number | null } | undefined;
    return row?.retention_days ? this.options.clock.now() - row.retention_days * DAY_MS : -Infinity;
  }

  private expireGroup(scope: Scope, logGroupName: string, days: number): number {
    const cutoff = this.options.clock.now() - days * DAY_MS;
    const where = 'account = ? AND region = ? AND grp = ? AND ts < ?';
    const args = [scope.account, scope.region, logGroupName, cutoff];
    return this.db.transaction(() => {
      const perStream = this.db.prepare(
        `SELECT account, region, grp, stream, count(*) AS n, sum(length(CAST(message AS BLOB)) + ${EVENT_OVERHEAD}) AS bytes
         FROM log_events WHERE ${where} GROUP BY stream`,
      ).all(...args) as RemovedRow[];
      if (perStream.length === 0) return 0;
      this.db.prepare(`DELETE FROM log_events WHERE ${where}`).run(...args);
      return this.afterRemoval(perStream);
    })();
  }

  /** Frees at least `bytes` by deleting the oldest events of the whole store. */
  private evict(bytes: number): void {
    const pick = this.db.prepare(
      `SELECT id, account, region, grp, stream, length(CAST(message AS BLOB)) + ${EVENT_OVERHEAD} AS size FROM log_events WHERE id > ? ORDER BY id LIMIT 2000`,
    );
    this.db.transaction(() => {
      let freed = 0;
      let lastId = 0;
      const perStream = new Map<string, RemovedRow>();
      while (freed < bytes) {
        const rows = pick.all(lastId) as { id: number; account: string; region: string; grp: string; stream: string; size: number }[];
        if (rows.length === 0) break;
        for (const r of rows) {
          if (freed >= bytes) break;
          freed += r.size;
          lastId = r.id;
          const k = JSON.stringify([r.account, r.region, r.grp, r.stream]);
          const agg = perStream.get(k) ?? { account: r.account, region: r.region, grp: r.grp, stream: r.stream, n: 0, bytes: 0 };
          agg.n++;
          agg.bytes += r.size;
          perStream.set(k, agg);
        }
      }
      if (lastId === 0) return;
      this.db.prepare('DELETE FROM log_events WHERE id <= ?').run(lastId);
      this.afterRemoval([...perStream.values()]);
    })();
  }

  /** Stream bookkeeping after events were deleted: sizes, first timestamps, and streams left empty go. */
  private afterRemoval(removed: RemovedRow[]): number {
    const first = this.db.prepare('SELECT min(ts) AS ts FROM log_events WHERE account = ? AND region = ? AND grp = ? AND stream = ?');
    const update = this.db.prepare('UPDATE log_streams SET bytes = max(0, bytes - ?), first_ts = ? WHERE account = ? AND region = ? AND grp = ? AND stream = ?');
    const drop = this.db.prepare('DELETE FROM log_streams WHERE account = ? AND region = ? AND grp = ? AND stream = ?');
    let n = 0;
    for (const r of removed) {
      n += r.n;
      this.totalBytes -= r.bytes;
      const key = [r.account, r.region, r.grp, r.stream];
      const ts = (first.get(...key) as { ts: number | null }).ts;
      if (ts === null) drop.run(...key);
      else update.run(r.bytes, ts, ...key);
    }
    return n;
  }
}

interface RemovedRow { account: string; region: string; grp: string; stream: string; n: number; bytes: number }
