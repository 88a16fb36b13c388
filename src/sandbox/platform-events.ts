import type { InitializationType } from './environment-variables.js';
import {
  billedDurationMs, endLine, initReportLine, initStartLine, reportLine, startLine, type InitReportInput, type ReportInput, type ReportStatus,
} from './platform-log.js';

/**
 * A line Lambda itself writes, in both of its forms: the Text line (platform-log.ts) and, for LogFormat JSON, the
 * `{"time","type","record"}` object with the level SystemLogLevel filters on (AWS's event-to-level mapping:
 * initStart/initReport/start/report are INFO, runtimeDone is DEBUG).
 */
export interface PlatformEvent {
  text: string;
  type: string;
  level: 'DEBUG' | 'INFO' | 'WARN';
  record: Record<string, unknown>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function tracing(trace: string | undefined): Record<string, unknown> {
  return trace && /;Sampled=1/.test(trace) ? { tracing: { type: 'X-Amzn-Trace-Id', value: trace } } : {};
}

function status(s: ReportStatus | undefined): Record<string, unknown> {
  if (!s) return { status: 'success' };
  return s.kind === 'timeout' ? { status: 'timeout' } : { status: 'error', errorType: s.errorType };
}

export interface InitStartInput {
  runtimeVersion: string;
  runtimeVersionArn: string;
  warning?: string;
  initializationType: InitializationType;
  functionName: string;
  functionVersion: string;
  memorySizeMb: number;
}

export function initStartEvent(i: InitStartInput): PlatformEvent {
  return {
    text: initStartLine(i.runtimeVersion, i.runtimeVersionArn, i.warning),
    type: 'platform.initStart',
    level: 'INFO',
    record: {
      initializationType: i.initializationType, phase: 'init', runtimeVersion: i.runtimeVersion, runtimeVersionArn: i.runtimeVersionArn,
      functionName: i.functionName, functionVersion: i.functionVersion, instanceMaxMemory: i.memorySizeMb,
    },
  };
}

export function initReportEvent(initializationType: InitializationType, r: InitReportInput): PlatformEvent {
  return {
    text: initReportLine(r),
    type: 'platform.initReport',
    level: 'INFO',
    record: { initializationType, phase: 'init', ...status(r.status), metrics: { durationMs: round2(r.initDurationMs) } },
  };
}

export function startEvent(requestId: string, version: string, trace?: string): PlatformEvent {
  return { text: startLine(requestId, version), type: 'platform.start', level: 'INFO', record: { requestId, version, ...tracing(trace) } };
}

export function endEvent(requestId: string, s: ReportStatus | undefined, durationMs: number): PlatformEvent {
  return {
    text: endLine(requestId),
    type: 'platform.runtimeDone',
    level: 'DEBUG',
    record: { requestId, ...status(s), metrics: { durationMs: round2(durationMs) } },
  };
}

export function reportEvent(r: ReportInput): PlatformEvent {
  const metrics: Record<string, number> = {
    durationMs: round2(r.durationMs),
    billedDurationMs: billedDurationMs(r.durationMs + (r.billInit ? r.initDurationMs ?? 0 : 0)),
    memorySizeMB: r.memorySizeMb,
    maxMemoryUsedMB: r.maxMemoryUsedMb,
  };
  if (r.initDurationMs !== undefined) metrics.initDurationMs = round2(r.initDurationMs);
  return { text: reportLine(r), type: 'platform.report', level: 'INFO', record: { requestId: r.requestId, metrics, ...status(r.status), ...tracing(r.trace) } };
}
