import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import type {
  ClaimRequest, ClaimResult, EventQueue, FunctionKey, LastResponse, NewQueuedEvent, QueueCounts, QueueListOptions, QueuedEvent,
  QueuedEventStatus, QueuedEventWait, Settlement,
} from '../event-queue.js';
import { functionKey } from '../event-queue.js';
import { migrate } from './migrations.js';

interface Row {
  seq: number;
  id: string;
  fkey: string;
  account: string;
  region: string;
  function_name: string;
  qualifier: string | null;
  payload: Buffer;
  trace_header: string | null;
  enqueued_at: number;
  expires_at: number;
  available_at: number;
  status: QueuedEventStatus;
  wait: QueuedEventWait | null;
  lease_owner: string | null;
  attempts: number;
  failures: number;
  throttles: number;
  last_error: string | null;
  last_response: string | null;
  condition: string | null;
  delivered_to: string | null;
  finished_at: number | null;
}

interface PendingWrite {
  apply(): void;
  /** Must be on disk before it is acknowledged (an enqueue): the transaction commits with synchronous=FULL. */
  durable: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The event queue in Sluice's SQLite database (table `async_events`), on its own connection, in WAL mode. An
 * enqueue commits with synchronous=FULL: it is on disk (not just in the OS cache) before its caller is told.
 * Outcomes and leases commit with synchronous=NORMAL (see commit()).
 *
 * Writes are group-committed: every enqueue and settlement issued during one turn of the event loop lands in
 * one transaction (at most one fsync), and each caller's promise resolves once that transaction has committed. A
 * claim commits whatever is waiting together with its own leases.
 */
export class SqliteEventQueue implements EventQueue {
  private readonly db: Db;
  private readonly stmts: Record<
    'insert' | 'functions' | 'ready' | 'expired' | 'take' | 'defer' | 'release' | 'delete' | 'drop' | 'renew' | 'expireForeign'
    | 'wake' | 'next' | 'nextExpiry' | 'pending' | 'dropped' | 'pendingCount' | 'prune' | 'counts',
    Statement
  >;
  private pending: PendingWrite[] = [];
  private syncFull = true;
  private flushScheduled = false;
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.stmts = {
      insert: this.db.prepare(
        `INSERT INTO async_events (id, fkey, account, region, function_name, qualifier, payload, trace_header, enqueued_at,
           expires_at, available_at, status, lease_owner, attempts)
         VALUES (@id, @fkey, @account, @region, @functionName, @qualifier, @payload, @traceHeader, @enqueuedAt,
           @expiresAt, @availableAt, @status, @leaseOwner, @attempts)`,
      ),
      // Every function with unfinished events and its earliest availability: a loose index scan (one seek per
      // function), so a function with a long backlog costs no more than one with a single event.
      functions: this.db.prepare(
        `WITH RECURSIVE fns(k) AS (
           SELECT (SELECT fkey FROM async_events INDEXED BY async_events_function_ready WHERE status <> 'dropped' ORDER BY fkey LIMIT 1)
           UNION ALL
           SELECT (SELECT fkey FROM async_events INDEXED BY async_events_function_ready WHERE status <> 'dropped' AND fkey > fns.k ORDER BY fkey LIMIT 1)
             FROM fns WHERE fns.k IS NOT NULL
         )
         SELECT k AS fkey,
                (SELECT available_at FROM async_events INDEXED BY async_events_function_ready
                  WHERE status <> 'dropped' AND fkey = fns.k ORDER BY available_at LIMIT 1) AS next
           FROM fns WHERE k IS NOT NULL`,
      ),
      ready: this.db.prepare(
        `SELECT seq FROM async_events INDEXED BY async_events_function_ready
          WHERE status <> 'dropped' AND fkey = ? AND available_at <= ? ORDER BY available_at LIMIT ?`,
      ),
      expired: this.db.prepare(
        `SELECT seq FROM async_events INDEXED BY async_events_expiry
          WHERE status = 'queued' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      ),
      take: this.db.prepare(
        `UPDATE async_events SET status = 'leased', lease_owner = ?, available_at = ?, attempts = attempts + 1, wait = NULL
          WHERE seq = ? RETURNING *`,
      ),
      defer: this.db.prepare(
        `UPDATE async_events SET status = 'queued', lease_owner = NULL, available_at = max(min(@until, expires_at), @now + 1), wait = 'throttle'
          WHERE fkey = @key AND status <> 'dropped' AND available_at <= @now`,
      ),
      release: this.db.prepare(
        `UPDATE async_events SET status = 'queued', lease_owner = NULL, available_at = @availableAt, wait = @wait,
           attempts = @attempts, failures = @failures, throttles = @throttles, last_error = @lastError,
           last_response = coalesce(@lastResponse, last_response)
          WHERE id = @id`,
      ),
      delete: this.db.prepare('DELETE FROM async_events WHERE id = ?'),
      drop: this.db.prepare(
        `UPDATE async_events SET status = 'dropped', lease_owner = NULL, wait = NULL, finished_at = @finishedAt,
           attempts = @attempts, failures = @failures, throttles = @throttles, condition = @condition,
           delivered_to = @deliveredTo, last_error = coalesce(@lastError, last_error)
          WHERE id = @id`,
      ),
      renew: this.db.prepare(`UPDATE async_events SET available_at = ? WHERE status = 'leased' AND lease_owner = ?`),
      expireForeign: this.db.prepare(
        `UPDATE async_events SET available_at = min(available_at, ?) WHERE status = 'leased' AND lease_owner IS NOT ?`,
      ),
      wake: this.db.prepare(
        `UPDATE async_events SET available_at = ? WHERE fkey = ? AND status = 'queued' AND wait = 'throttle' AND available_at > ?`,
      ),
      next: this.db.prepare(
        `SELECT available_at FROM async_events INDEXED BY async_events_ready
          WHERE status <> 'dropped' AND available_at > ? AND (status = 'queued' OR lease_owner IS NOT ?)
          ORDER BY available_at LIMIT 1`,
      ),
      nextExpiry: this.db.prepare(
        `SELECT expires_at FROM async_events INDEXED BY async_events_expiry
          WHERE status = 'queued' AND expires_at > ? ORDER BY expires_at LIMIT 1`,
      ),
      pending: this.db.prepare(
        `SELECT * FROM async_events INDEXED BY async_events_function_ready
          WHERE fkey = ? AND status <> 'dropped' ORDER BY seq LIMIT ?`,
      ),
      dropped: this.db.prepare(
        `SELECT * FROM async_events INDEXED BY async_events_dropped
          WHERE fkey = ? AND status = 'dropped' ORDER BY finished_at DESC, seq DESC LIMIT ?`,
      ),
      counts: this.db.prepare(
        `SELECT coalesce(sum(NOT (status = 'leased' AND available_at > @now) AND attempts = 0 AND throttles = 0), 0) AS queued,
                coalesce(sum(status = 'leased' AND available_at > @now), 0) AS inFlight,
                coalesce(sum(NOT (status = 'leased' AND available_at > @now) AND (attempts > 0 OR throttles > 0)), 0) AS retrying,
                (SELECT count(*) FROM async_events INDEXED BY async_events_dropped WHERE fkey = @key AND status = 'dropped') AS dropped
           FROM async_events INDEXED BY async_events_function_ready WHERE fkey = @key AND status <> 'dropped'`,
      ),
      pendingCount: this.db.prepare(`SELECT count(*) AS n FROM async_events WHERE status <> 'dropped'`),
      prune: this.db.prepare(`DELETE FROM async_events WHERE status = 'dropped' AND finished_at < ?`),
    };
  }

  enqueue(event: NewQueuedEvent, lease?: { owner: string; until: number }): Promise<void> {
    return this.write(() => this.insert(event, lease), true);
  }

  settle(s: Settlement): Promise<void> {
    return this.write(() => {
      switch (s.kind) {
        case 'delete':
          this.stmts.delete.run(s.id);
          break;
        case 'release':
          this.stmts.release.run({
            id: s.id, availableAt: s.availableAt, wait: s.wait ?? null, attempts: s.attempts, failures: s.failures,
            throttles: s.throttles, lastError: s.lastError ?? null,
            lastResponse: s.lastResponse ? encodeResponse(s.lastResponse) : null,
          });
          break;
        case 'drop':
          this.stmts.drop.run({
            id: s.id, finishedAt: s.finishedAt, attempts: s.attempts, failures: s.failures, throttles: s.throttles,
            condition: s.condition ?? null, deliveredTo: s.deliveredTo ?? null, lastError: s.lastError ?? null,
          });
          break;
      }
      if (s.kind !== 'release') for (const next of s.then ?? []) this.insert(next);
    }, false);
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    this.requireOpen();
    const writes = this.takePending();
    let out: ClaimResult;
    try {
      out = this.commit(writes, (): ClaimResult => {
        for (const w of writes) w.apply();
        const events: QueuedEvent[] = [];
        const take = (seq: number) => {
          const row = this.stmts.take.get(req.owner, req.leaseUntil, seq) as Row | undefined;
          if (row) events.push(toEvent(row));
        };
        if (req.limit <= 0) return { events, more: false };
        // Too old to run: taken first, whatever their function's state, so they are reported on time.
        for (const r of this.stmts.expired.all(req.now, req.limit) as { seq: number }[]) take(r.seq);
        const ready = (this.stmts.functions.all() as { fkey: string; next: number }[])
          .filter((f) => f.next <= req.now)
          .sort((a, b) => a.next - b.next);
        for (const f of ready) {
          const left = req.limit - events.length;
          if (left <= 0) break;
          const room = req.room(f.fkey, left);
          if (typeof room !== 'number') {
            this.stmts.defer.run({ until: room.deferUntil, now: req.now, key: f.fkey });
            continue;
          }
          if (room <= 0) continue;
          for (const r of this.stmts.ready.all(f.fkey, req.now, Math.min(room, left)) as { seq: number }[]) take(r.seq);
        }
        // The limit was reached: there may be more.
        return { events, more: events.length >= req.limit };
      });
    } catch (err) {
      // The waiting writes did not land: let each try on its own so one bad write cannot sink the others.
      for (const w of writes) this.applyAlone(w);
      throw err;
    }
    for (const w of writes) w.resolve();
    return out;
  }

  async expireForeignLeases(owner: string, now: number): Promise<number> {
    this.requireOpen();
    return this.stmts.expireForeign.run(now, owner).changes;
  }

  async renewLeases(owner: string, until: number): Promise<number> {
    this.requireOpen();
    return this.stmts.renew.run(until, owner).changes;
  }

  async wake(key: FunctionKey, now: number): Promise<number> {
    this.requireOpen();
    return this.stmts.wake.run(now, key, now).changes;
  }

  async nextAvailableAt(now: number, owner: string): Promise<number | undefined> {
    this.requireOpen();
    const row = this.stmts.next.get(now, owner) as { available_at: number } | undefined;
    // A queued event that cannot run (its function is at its concurrency) still has to be reported when it expires.
    const expiry = this.stmts.nextExpiry.get(now) as { expires_at: number } | undefined;
    if (row === undefined) return expiry?.expires_at;
    return expiry === undefined ? row.available_at : Math.min(row.available_at, expiry.expires_at);
  }

  async list(key: FunctionKey, options: QueueListOptions = {}): Promise<QueuedEvent[]> {
    this.requireOpen();
    const limit = options.limit ?? 1000;
    const rows = this.stmts.pending.all(key, limit) as Row[];
    if (options.dropped && rows.length < limit) rows.push(...(this.stmts.dropped.all(key, limit - rows.length) as Row[]));
    return rows.map(toEvent);
  }

  async counts(key: FunctionKey, now: number): Promise<QueueCounts> {
    this.requireOpen();
    return this.stmts.counts.get({ key, now }) as QueueCounts;
  }

  async pendingCount(): Promise<number> {
    this.requireOpen();
    return (this.stmts.pendingCount.get() as { n: number }).n;
  }

  async pruneDropped(before: number): Promise<number> {
    this.requireOpen();
    return this.stmts.prune.run(before).changes;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private insert(event: NewQueuedEvent, lease?: { owner: string; until: number }): void {
    this.stmts.insert.run({
      id: event.id,
      fkey: functionKey(event.scope, event.functionName),
      account: event.scope.account,
      region: event.scope.region,
      functionName: event.functionName,
      qualifier: event.qualifier ?? null,
      payload: event.payload,
      traceHeader: event.traceHeader ?? null,
      enqueuedAt: event.enqueuedAt,
      expiresAt: event.expiresAt,
      availableAt: lease ? lease.until : event.enqueuedAt,
      status: lease ? 'leased' : 'queued',
      leaseOwner: lease ? lease.owner : null,
      attempts: lease ? 1 : 0,
    });
  }

  private write(apply: () => void, durable: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('event queue is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ apply, durable, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private takePending(): PendingWrite[] {
    const writes = this.pending;
    this.pending = [];
    return writes;
  }

  private flush(): void {
    this.flushScheduled = false;
    const writes = this.takePending();
    if (writes.length === 0 || this.closed) return;
    try {
      this.commit(writes, () => { for (const w of writes) w.apply(); });
    } catch {
      for (const w of writes) this.applyAlone(w);
      return;
    }
    for (const w of writes) w.resolve();
  }

  /**
   * Runs a transaction with the durability its writes need. Enqueues are acknowledged to callers: synchronous=FULL,
   * an fsync before the commit returns. Outcomes and leases only need to survive the process (SIGKILL included),
   * which synchronous=NORMAL gives in WAL mode; an OS crash or power loss may undo the last of them (those events
   * run again). A FULL commit also makes every earlier NORMAL one durable.
   */
  private commit<T>(writes: readonly PendingWrite[], fn: () => T): T {
    const full = writes.some((w) => w.durable);
    if (full !== this.syncFull) {
      this.db.pragma(`synchronous = ${full ? 'FULL' : 'NORMAL'}`);
      this.syncFull = full;
    }
    return this.db.transaction(fn)();
  }

  private applyAlone(w: PendingWrite): void {
    try {
      this.commit([w], () => w.apply());
      w.resolve();
    } catch (err) {
      w.reject(err);
    }
  }

  private requireOpen(): void {
    if (this.closed) throw new Error('event queue is closed');
  }
}

function encodeResponse(r: LastResponse): string {
  const { payload, ...rest } = r;
  return JSON.stringify(payload === undefined ? rest : { ...rest, payload: payload.toString('base64') });
}

function decodeResponse(text: string): LastResponse {
  const { payload, ...rest } = JSON.parse(text) as Omit<LastResponse, 'payload'> & { payload?: string };
  return payload === undefined ? rest : { ...rest, payload: Buffer.from(payload, 'base64') };
}

function toEvent(r: Row): QueuedEvent {
  const e: QueuedEvent = {
    id: r.id,
    scope: { account: r.account, region: r.region },
    functionName: r.function_name,
    payload: r.payload,
    enqueuedAt: r.enqueued_at,
    expiresAt: r.expires_at,
    status: r.status,
    availableAt: r.available_at,
    attempts: r.attempts,
    failures: r.failures,
    throttles: r.throttles,
  };
  if (r.qualifier !== null) e.qualifier = r.qualifier;
  if (r.trace_header !== null) e.traceHeader = r.trace_header;
  if (r.wait !== null) e.wait = r.wait;
  if (r.lease_owner !== null) e.leaseOwner = r.lease_owner;
  if (r.last_error !== null) e.lastError = r.last_error;
  if (r.last_response !== null) e.lastResponse = decodeResponse(r.last_response);
  if (r.condition !== null) e.condition = r.condition;
  if (r.delivered_to !== null) e.deliveredTo = r.delivered_to;
  if (r.finished_at !== null) e.finishedAt = r.finished_at;
  return e;
}
