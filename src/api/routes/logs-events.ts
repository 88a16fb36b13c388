import { InvalidParameterException } from '../../errors/index.js';
import { FilterPatternError, parseFilterPattern } from '../../observability/filter-pattern.js';
import type { EventPosition, StoredLogEvent } from '../../observability/log-store.js';
import type { ApiContext } from '../context.js';
import { optBool, optInt, optString, optStringList } from '../wire/input.js';
import {
  eventToken, groupName, groupNotFound, logsRoute, optStreamName, optTimestamp, opaqueToken, parseEventToken, parsePositionToken,
  plainGroupName, streamName, streamNotFound,
} from '../wire/logs-input.js';
import type { Route } from '../types.js';

/** A response carries at most 1 MB of events, as AWS's. */
const MAX_RESPONSE_BYTES = 1_048_576;
/** FilterLogEvents examines at most this many events per call, then answers with a nextToken (possibly no events). */
const FILTER_SCAN_LIMIT = 100_000;
const DAY_MS = 86_400_000;

const eventId = (e: StoredLogEvent) => String(e.id).padStart(56, '0');
const pos = (e: StoredLogEvent): EventPosition => ({ ts: e.timestamp, id: e.id });

/** Reading and writing log events: GetLogEvents (one stream, paged both ways), FilterLogEvents, PutLogEvents. */
export function logEventRoutes(ctx: ApiContext): Route[] {
  const { logs, clock } = ctx;
  return [
    logsRoute('GetLogEvents', (req, body) => {
      const group = groupName(body, req.scope);
      const stream = streamName(body);
      const startTime = optTimestamp(body, 'startTime');
      const endTime = optTimestamp(body, 'endTime');
      const limit = optInt(body, 'limit', 1, 10_000) ?? 10_000;
      const fromHead = optBool(body, 'startFromHead') ?? false;
      const raw = optString(body, 'nextToken', { min: 1 });
      const token = raw === undefined ? undefined : parseEventToken(raw);
      if (!logs.group(req.scope, group)) throw groupNotFound();
      if (!logs.stream(req.scope, group, stream)) throw streamNotFound();
      const events = logs.streamEvents(req.scope, {
        logGroupName: group, logStreamName: stream, fromHead, limit, maxBytes: MAX_RESPONSE_BYTES,
        ...(startTime === undefined ? {} : { startTime }), ...(endTime === undefined ? {} : { endTime }),
        ...(token?.direction === 'f' ? { after: token.pos } : {}), ...(token?.direction === 'b' ? { before: token.pos } : {}),
      });
      const first = events[0];
      const last = events[events.length - 1];
      let forward: string;
      let backward: string;
      if (first && last) {
        forward = eventToken('f', pos(last));
        backward = eventToken('b', pos(first));
      } else if (token?.direction === 'f') {
        // The end: the same forward token again (how clients know they are done), and a way back from here.
        forward = raw!;
        backward = eventToken('b', { ts: token.pos.ts, id: token.pos.id + 1 });
      } else if (token?.direction === 'b') {
        backward = raw!;
        forward = eventToken('f', { ts: token.pos.ts, id: Math.max(0, token.pos.id - 1) });
      } else {
        forward = eventToken('f', { ts: 0, id: 0 });
        backward = eventToken('b', { ts: 99_999_999_999_999, id: 99_999_999_999_999 });
      }
      return {
        events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: forward,
        nextBackwardToken: backward,
      };
    }),
    logsRoute('FilterLogEvents', (req, body) => {
      const group = groupName(body, req.scope);
      const names = optStringList(body, 'logStreamNames', 100);
      const prefix = optStreamName(body, 'logStreamNamePrefix');
      if (names !== undefined && prefix !== undefined) {
        throw new InvalidParameterException('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      }
      if (names !== undefined && names.length === 0) {
        throw new InvalidParameterException("1 validation error detected: Value '[]' at 'logStreamNames' failed to satisfy constraint: Member must have length greater than or equal to 1");
      }
      const startTime = optTimestamp(body, 'startTime');
      const endTime = optTimestamp(body, 'endTime');
      const limit = optInt(body, 'limit', 1, 10_000) ?? 10_000;
      optBool(body, 'interleaved'); // deprecated: results are always interleaved
      const pattern = optString(body, 'filterPattern', { max: 1024 }) ?? '';
      let match: (m: string) => boolean;
      try {
        match = parseFilterPattern(pattern);
      } catch (err) {
        if (err instanceof FilterPatternError) throw new InvalidParameterException(err.message);
        throw err;
      }
      const after = parsePositionToken(optString(body, 'nextToken', { min: 1 }));
      if (!logs.group(req.scope, group)) throw groupNotFound();
      const page = logs.filterEvents(req.scope, {
        logGroupName: group, match, limit, scanLimit: FILTER_SCAN_LIMIT, maxBytes: MAX_RESPONSE_BYTES,
        ...(names === undefined ? {} : { logStreamNames: names }), ...(prefix === undefined ? {} : { logStreamNamePrefix: prefix }),
        ...(startTime === undefined ? {} : { startTime }), ...(endTime === undefined ? {} : { endTime }), ...(after ? { after } : {}),
      });
      const out: Record<string, unknown> = {
        events: page.events.map((e) => ({
          logStreamName: e.logStreamName, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: eventId(e),
        })),
        // Deprecated by AWS (always empty since 2020).
        searchedLogStreams: [],
      };
      if (page.next) out.nextToken = opaqueToken(page.next);
      return out;
    }),
    logsRoute('PutLogEvents', (req, body) => {
      const group = plainGroupName(body);
      const stream = streamName(body);
      const raw = body.logEvents;
      if (!Array.isArray(raw) || raw.length === 0) {
        throw new InvalidParameterException("1 validation error detected: Value null at 'logEvents' failed to satisfy constraint: Member must not be null");
      }
      if (raw.length > 10_000) throw new InvalidParameterException(`1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000`);
      const events = raw.map((e: unknown, i: number) => {
        const item = (e ?? {}) as Record<string, unknown>;
        const timestamp = optTimestamp(item, 'timestamp');
        const message = optString(item, 'message', { min: 1 });
        if (timestamp === undefined || message === undefined) {
          throw new InvalidParameterException(`1 validation error detected: Value null at 'logEvents.${i + 1}.member.${timestamp === undefined ? 'timestamp' : 'message'}' failed to satisfy constraint: Member must not be null`);
        }
        return { timestamp, message };
      });
      for (let i = 1; i < events.length; i++) {
        if (events[i]!.timestamp < events[i - 1]!.timestamp) {
          throw new InvalidParameterException('Log events in a single PutLogEvents request must be in chronological order.');
        }
      }
      if (events[events.length - 1]!.timestamp - events[0]!.timestamp > DAY_MS) {
        throw new InvalidParameterException('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
      }
      const g = logs.group(req.scope, group);
      if (!g) throw groupNotFound();
      if (!logs.stream(req.scope, group, stream)) throw streamNotFound();
      // Too old (14 days, or past the group's retention) and too new (2 hours ahead) are rejected, not errors.
      const now = clock.now();
      const oldest = now - 14 * DAY_MS;
      const expired = g.retentionInDays === undefined ? -Infinity : now - g.retentionInDays * DAY_MS;
      let tooOldEnd = -1;
      let expiredEnd = -1;
      let tooNewStart = -1;
      events.forEach((e, i) => {
        if (e.timestamp < oldest) tooOldEnd = i;
        if (e.timestamp < expired) expiredEnd = i;
        if (tooNewStart < 0 && e.timestamp > now + 2 * 3_600_000) tooNewStart = i;
      });
      const accepted = events.filter((_, i) => i > tooOldEnd && i > expiredEnd && (tooNewStart < 0 || i < tooNewStart));
      logs.append(req.scope, group, stream, accepted);
      const out: Record<string, unknown> = { nextSequenceToken: String(now).padStart(56, '0') };
      const rejected: Record<string, number> = {};
      if (tooNewStart >= 0) rejected.tooNewLogEventStartIndex = tooNewStart;
      if (tooOldEnd >= 0) rejected.tooOldLogEventEndIndex = tooOldEnd;
      if (expiredEnd >= 0) rejected.expiredLogEventEndIndex = expiredEnd;
      if (Object.keys(rejected).length > 0) out.rejectedLogEventsInfo = rejected;
      return out;
    }),
  ];
}
