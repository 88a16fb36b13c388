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
  firstEventTimestamp: number;
  lastEventTimestamp: number;
  lastIngestionTime: number;
  storedBytes: number;
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

/**
 * Durable function logs, namespaced by (account, region) → log group → log stream, as CloudWatch Logs
 * models them. `append` never blocks the caller on I/O: implementations buffer and write in batches.
 * The CloudWatch Logs API (DescribeLogStreams, GetLogEvents, FilterLogEvents) sits on top of this.
 */
export interface LogStore {
  append(scope: Scope, logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void;
  /** Writes everything buffered so far. */
  flush(): void;
  /** Events of a group in append order (ascending id). */
  query(scope: Scope, query: LogQuery): StoredLogEvent[];
  /** Streams of a group, most recently written first. */
  streams(scope: Scope, logGroupName: string, options?: { prefix?: string; limit?: number }): LogStreamInfo[];
  /** Log groups that have at least one stream, by name. */
  groups(scope: Scope, options?: { prefix?: string }): string[];
  close(): void;
}
