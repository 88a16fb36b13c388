/**
 * The lines Lambda itself writes into a function's log stream, in AWS's exact format
 * (reference §6.4): INIT_START, START, END, REPORT, INIT_REPORT and the timeout / crash notices.
 */
export type ReportStatus =
  | { kind: 'timeout' }
  | { kind: 'error'; errorType: string };

export interface ReportInput {
  requestId: string;
  durationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only on the first invocation of an environment (a cold start). */
  initDurationMs?: number;
  /** Custom runtimes are billed for their init phase too (§6.4). */
  billInit?: boolean;
  status?: ReportStatus;
  /** The invocation's X-Ray header: a sampled one adds AWS's `XRAY TraceId: … SegmentId: … Sampled: true` line. */
  trace?: string;
}

const ms2 = (n: number): string => `${n.toFixed(2)} ms`;

export function initStartLine(runtimeVersion: string, runtimeVersionArn: string, warning?: string): string {
  const base = `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: ${runtimeVersionArn}`;
  return warning ? `${base}\tWarning: ${warning}` : base;
}

export const startLine = (requestId: string, version: string): string => `START RequestId: ${requestId} Version: ${version}`;

export const endLine = (requestId: string): string => `END RequestId: ${requestId}`;

/** Billed Duration is the duration rounded up to the next millisecond (as RIE's math.Ceil). */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function reportLine(r: ReportInput): string {
  let line = `REPORT RequestId: ${r.requestId}\tDuration: ${ms2(r.durationMs)}\tBilled Duration: ${billedDurationMs(r.durationMs + (r.billInit ? r.initDurationMs ?? 0 : 0))} ms\t` +
    `Memory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) line += `Init Duration: ${ms2(r.initDurationMs)}\t`;
  if (r.status?.kind === 'timeout') line += 'Status: timeout';
  else if (r.status?.kind === 'error') line += `Status: error\tError Type: ${r.status.errorType}`;
  const xray = r.trace ? /^Root=([^;]+);Parent=([0-9a-f]{16});Sampled=1/.exec(r.trace) : null;
  if (xray) line += `\nXRAY TraceId: ${xray[1]}\tSegmentId: ${xray[2]}\tSampled: true`;
  return line;
}

export interface InitReportInput {
  initDurationMs: number;
  status: ReportStatus;
}

/** Written when the init phase fails or times out. */
export function initReportLine(r: InitReportInput): string {
  const status = r.status.kind === 'timeout' ? 'Status: timeout' : `Status: error\tError Type: ${r.status.errorType}`;
  return `INIT_REPORT Init Duration: ${ms2(r.initDurationMs)}\tPhase: init\t${status}`;
}

export function timeoutSeconds(seconds: number): string {
  return seconds.toFixed(2);
}

/** `<ISO time> <id> Task timed out after 3.00 seconds` */
export function timedOutLine(now: number, requestId: string, seconds: number): string {
  return `${new Date(now).toISOString()} ${requestId} Task timed out after ${timeoutSeconds(seconds)} seconds`;
}

const SIGNAL_TEXT: Record<string, string> = {
  SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGINT: 'interrupt',
  SIGBUS: 'bus error', SIGFPE: 'floating point exception', SIGILL: 'illegal instruction', SIGPIPE: 'broken pipe',
  SIGHUP: 'hangup', SIGQUIT: 'quit', SIGTRAP: 'trace/breakpoint trap', SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2', SIGALRM: 'alarm clock', SIGXCPU: 'CPU time limit exceeded', SIGXFSZ: 'file size limit exceeded',
  SIGSYS: 'bad system call',
};

/** How Go (and so Lambda) prints a process's end: `exit status 1`, `signal: killed`. */
export function exitText(exit: { code: number } | { signal: string }): string {
  if ('code' in exit) return `exit status ${exit.code}`;
  return `signal: ${SIGNAL_TEXT[exit.signal] ?? exit.signal}`;
}
