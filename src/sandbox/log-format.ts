import type { PlatformEvent } from './platform-events.js';

/** Application levels, most verbose first (LoggingConfig ApplicationLogLevel); SystemLogLevel uses DEBUG/INFO/WARN. */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
/** Python's names for two of them. */
const ALIASES: Record<string, string> = { WARNING: 'WARN', CRITICAL: 'FATAL' };
const rank = (level: string | undefined): number => {
  const name = (level ?? '').toUpperCase();
  const i = LEVELS.indexOf((ALIASES[name] ?? name) as (typeof LEVELS)[number]);
  return i < 0 ? -1 : i;
};
const INFO = rank('INFO');

export interface LoggingSettings {
  logFormat: 'Text' | 'JSON';
  applicationLogLevel?: string;
  systemLogLevel?: string;
}

/**
 * A function's LoggingConfig applied to what lands in its log stream. Text: everything as written, platform lines
 * as text. JSON: platform lines as `{"time","type","record"}` objects filtered by SystemLogLevel, and application
 * lines filtered by ApplicationLogLevel — on the `level` of lines that are JSON objects (what the runtime clients
 * and structured loggers write), INFO for any other line (as AWS treats lines it cannot read a level from).
 */
export class LogFormatter {
  private readonly json: boolean;
  private readonly minApp: number;
  private readonly minSystem: number;

  constructor(settings: LoggingSettings) {
    this.json = settings.logFormat === 'JSON';
    this.minApp = this.json ? Math.max(0, rank(settings.applicationLogLevel)) : 0;
    this.minSystem = this.json ? Math.max(0, rank(settings.systemLogLevel ?? 'INFO')) : 0;
  }

  /** The line to write for a platform event (or plain platform message), or undefined when filtered out. */
  platform(event: string | PlatformEvent, now: number): string | undefined {
    if (typeof event === 'string') return event;
    if (!this.json) return event.text;
    if (rank(event.level) < this.minSystem) return undefined;
    return JSON.stringify({ time: new Date(now).toISOString(), type: event.type, record: event.record });
  }

  /** Whether an application line passes the application log level. */
  keep(line: string): boolean {
    if (this.minApp <= 0) return true;
    return lineLevel(line) >= this.minApp;
  }
}

function lineLevel(line: string): number {
  if (!line.startsWith('{')) return INFO;
  try {
    const v = JSON.parse(line) as { level?: unknown };
    const r = typeof v?.level === 'string' ? rank(v.level) : -1;
    return r < 0 ? INFO : r;
  } catch {
    return INFO;
  }
}
