import type { Scope } from '../domain/scope.js';

/** One line written to a log stream. */
export interface LogEvent {
  /** Epoch milliseconds when the line was produced. */
  timestamp: number;
  message: string;
}

export interface StoredLogEvent extends LogEvent {
  logStreamName: string;
  ingestionTime: number;
  /** Position in the store; strictly increasing in append order (the `after` cursor for follow). */
  id: number;
}

export interface LogStreamInfo {
  logStreamName: string;
  creationTime: number;
  /** Absent while the stream has no events (created by CreateLogStream, or emptied by retention). */
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
}

export interface LogGroupInfo {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  storedBytes: number;
  tags: Record<string, string>;
}

export interface LogQuery {
  logGroupName: string;
  /** Only these streams. */
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  /** Inclusive lower bound on event timestamps (epoch ms). */
  startTime?: number;
  /** Exclusive upper bound on event timestamps (epoch ms). */
  endTime?: number;
  /** Only events appended after this id (cursor). */
  afterId?: number;
  /** Substring filter on the message. */
  contains?: string;
  limit?: number;
}

/** A place in timestamp order: events sort by (timestamp, id). */
export interface EventPosition {
  ts: number;
  id: number;
}

export interface StreamEventsQuery {
  logGroupName: string;
  logStreamName: string;
  /** Inclusive. */
  startTime?: number;
  /** Exclusive (GetLogEvents). */
  endTime?: number;
  /** Events strictly after this position, oldest first. */
  after?: EventPosition;
  /** Events strictly before this position: the newest `limit` of them (returned oldest first). */
  before?: EventPosition;
  /** Without after/before: the oldest `limit` events (true) or the newest (false). */
  fromHead: boolean;
  limit: number;
  /** Stop adding events once their messages exceed this many bytes (at least one is returned). */
  maxBytes?: number;
}

export interface FilterEventsQuery {
  logGroupName: string;
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  /** Inclusive. */
  startTime?: number;
  /** Inclusive (FilterLogEvents). */
  endTime?: number;
  after?: EventPosition;
  match: (message: string) => boolean;
  limit: number;
  /** Stop after examining this many events and say where to continue (AWS's partial pages). */
  scanLimit: number;
  maxBytes?: number;
}

export interface StreamListQuery {
  prefix?: string;
  orderBy: 'LogStreamName' | 'LastEventTime';
  descending: boolean;
  /** Cursor from the previous page (opaque to callers). */
  after?: string;
  limit: number;
}

/**
 * Durable function logs, namespaced by (account, region) → log group → log stream, as CloudWatch Logs
 * models them. `append` never blocks the caller on I/O: implementations buffer and write in batches.
 * The CloudWatch Logs API (src/api/routes/logs.ts) sits on top of this.
 */
export interface LogStore {
  /** Appends to a stream, creating the group and the stream as needed (as Lambda's log delivery does). */
  append(scope: Scope, logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void;
  /** Writes everything buffered so far. */
  flush(): void;
  /** Events of a group in append order (ascending id). */
  query(scope: Scope, query: LogQuery): StoredLogEvent[];
  /** Streams of a group, most recently written first. */
  streams(scope: Scope, logGroupName: string, options?: { prefix?: string; limit?: number }): LogStreamInfo[];
  /** Log group names, sorted. */
  groups(scope: Scope, options?: { prefix?: string }): string[];

  createGroup(scope: Scope, logGroupName: string, tags?: Record<string, string>): boolean;
  deleteGroup(scope: Scope, logGroupName: string): boolean;
  group(scope: Scope, logGroupName: string): LogGroupInfo | undefined;
  /** Groups sorted by name, after `after` (exclusive); `pattern` is a case-insensitive substring. */
  listGroups(scope: Scope, options: { prefix?: string; pattern?: string; after?: string; limit: number }): LogGroupInfo[];
  /** undefined removes the policy. False when the group does not exist. */
  setRetention(scope: Scope, logGroupName: string, days: number | undefined): boolean;
  setTags(scope: Scope, logGroupName: string, update: (tags: Record<string, string>) => Record<string, string>): boolean;
  createStream(scope: Scope, logGroupName: string, logStreamName: string): 'created' | 'exists' | 'no-group';
  deleteStream(scope: Scope, logGroupName: string, logStreamName: string): boolean;
  stream(scope: Scope, logGroupName: string, logStreamName: string): LogStreamInfo | undefined;
  listStreams(scope: Scope, logGroupName: string, query: StreamListQuery): { streams: LogStreamInfo[]; next?: string };
  streamEvents(scope: Scope, query: StreamEventsQuery): StoredLogEvent[];
  filterEvents(scope: Scope, query: FilterEventsQuery): { events: StoredLogEvent[]; next?: EventPosition };
  /** Deletes events older than their group's retention; returns how many. */
  expire(): number;
  /** Bytes stored (AWS's measure: message bytes + 26 per event). */
  storedBytes(): number;
  close(): void | Promise<void>;
}
