import type { Logger } from '../logger.js';

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server. */
  kind: 1 | 2;
  /** Epoch milliseconds (fractional). */
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status: 0 unset, 2 error. */
  error?: string;
}

export interface OtlpExporterOptions {
  /** The collector's traces URL (OTLP/HTTP, JSON encoding), e.g. http://127.0.0.1:4318/v1/traces. */
  endpoint: string;
  logger: Logger;
  serviceName?: string;
  serviceVersion?: string;
  /** Batches go out this often, or as soon as maxBatch spans wait. */
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Spans beyond this many waiting are dropped (a slow collector never grows memory). */
  maxQueue?: number;
}

const nanos = (ms: number) => (BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * 1_000_000))).toString();

function attribute(key: string, value: string | number | boolean): Record<string, unknown> {
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
  return { key, value: { stringValue: value } };
}

/**
 * Sends spans to an OpenTelemetry collector over OTLP/HTTP with the JSON encoding (hex trace and span ids, times
 * in Unix nanoseconds as strings). Batched and best-effort: export never waits on, or fails, an invocation; a
 * failed batch is logged and dropped. close() sends what is left.
 */
export class OtlpExporter {
  private queue: Span[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inflight = new Set<Promise<void>>();
  private dropped = 0;

  constructor(private readonly options: OtlpExporterOptions) {}

  export(spans: Span[]): void {
    const room = (this.options.maxQueue ?? 10_000) - this.queue.length;
    if (spans.length > room) this.dropped += spans.length - Math.max(0, room);
    this.queue.push(...spans.slice(0, Math.max(0, room)));
    if (this.queue.length >= (this.options.maxBatch ?? 512)) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Sends everything queued so far; resolves when the collector has answered (or failed). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.dropped > 0) {
      this.options.logger.warn('trace spans dropped: the exporter queue is full', { dropped: this.dropped });
      this.dropped = 0;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) {
      const sending = this.send(batch);
      this.inflight.add(sending);
      void sending.finally(() => this.inflight.delete(sending));
    }
    await Promise.all([...this.inflight]);
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async send(spans: Span[]): Promise<void> {
    try {
      const res = await fetch(this.options.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(this.payload(spans)),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) this.options.logger.warn('trace export failed', { endpoint: this.options.endpoint, status: res.status, spans: spans.length });
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      this.options.logger.warn('trace export failed', { endpoint: this.options.endpoint, error: String((err as Error)?.message ?? err), spans: spans.length });
    }
  }

  private payload(spans: Span[]): unknown {
    return {
      resourceSpans: [{
        resource: {
          attributes: [
            attribute('service.name', this.options.serviceName ?? 'sluice'),
            attribute('service.version', this.options.serviceVersion ?? '0'),
            attribute('cloud.provider', 'aws'),
            attribute('cloud.platform', 'aws_lambda'),
          ],
        },
        scopeSpans: [{
          scope: { name: 'sluice', version: this.options.serviceVersion ?? '0' },
          spans: spans.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(Math.max(s.startMs, s.endMs)),
            attributes: Object.entries(s.attributes).map(([k, v]) => attribute(k, v)),
            status: s.error === undefined ? { code: 0 } : { code: 2, message: s.error },
          })),
        }],
      }],
    };
  }
}
