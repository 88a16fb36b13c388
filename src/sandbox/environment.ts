import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../domain/scope.js';
import type { Logger } from '../observability/index.js';
import type { LogStore } from '../observability/log-store.js';
import type {
  InvocationOutcome, InvocationRequest, RuntimeEndpointApi, RuntimeEndpointOptions, StreamedResponse,
} from '../runtime-api/types.js';
import type { Sandbox, SandboxBackend, SandboxExit } from './backend.js';
import type { EnvironmentSpec } from './environment-spec.js';
import { transition, type EnvironmentEvent, type EnvironmentState } from './environment-state.js';
import { environmentVariables, logStreamName, type InitializationType } from './environment-variables.js';
import { LineSplitter } from './line-splitter.js';
import { TailBuffer } from './tail-buffer.js';
import { exitText, timedOutLine, type ReportStatus } from './platform-log.js';
import { endEvent, initReportEvent, initStartEvent, reportEvent, startEvent, type PlatformEvent } from './platform-events.js';
import { LogFormatter } from './log-format.js';
import type { Timers } from '../domain/timers.js';
import type { Standby } from './standby-pool.js';
import { debugAwareTimeout, type EnvironmentDebugSession } from './debug-session.js';

export type { EnvironmentDebugSession } from './debug-session.js';

/** What the runtime table gives for a runtime id (src/sandbox/runtime-table.ts implements it). */
export interface RuntimeLaunchPlan {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Set when the exact interpreter is missing and a near one is used instead. */
  warning?: string;
}
export type RuntimeLaunchResult = RuntimeLaunchPlan | { error: string; message: string };
export interface RuntimeLauncher {
  launch(
    runtime: string,
    roots: { taskRoot: string; optRoot: string; runtimeRoot: string; hostTaskRoot?: string; hostOptRoot?: string },
    options: { memorySizeMb?: number },
  ): RuntimeLaunchResult | Promise<RuntimeLaunchResult>;
}

export interface EnvironmentDeps {
  backend: SandboxBackend;
  launcher: RuntimeLauncher;
  createEndpoint(options: RuntimeEndpointOptions): RuntimeEndpointApi;
  logs: Pick<LogStore, 'append'>;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Host path of our runtime clients (`runtimes/`). */
  runtimeDir: string;
  /** The init phase's limit (10 s on AWS for on-demand environments). */
  initTimeoutMs: number;
}

export interface EnvironmentOptions {
  spec: EnvironmentSpec;
  codeDir: string;
  optDir: string;
  initializationType: InitializationType;
  /** The function's debugger session: the runtime starts with its debugger, relayed to the session's port. */
  debug?: EnvironmentDebugSession;
  /** Code served live from a directory (hot reload): nothing may be cached beside it (Python bytecode). */
  live?: boolean;
  /** A pre-started environment to give this function (the pool); init falls back to a fresh start if that fails. */
  standby?: Standby;
}

export type { StreamedResponse };

/** One event for an environment; the deadline is set when it is handed out. */
export type EnvironmentInvocation = Omit<InvocationRequest, 'deadlineMs' | 'streaming'> & {
  /**
   * Set by callers that pass a streamed response through (InvokeWithResponseStream, streaming URLs): called as
   * soon as the runtime starts streaming; the invocation's report then follows when the stream has ended.
   */
  onStream?: (stream: StreamedResponse) => void;
};

export type EnvironmentResult =
  /** `streamed`: the bytes already went to onStream (payload is empty). */
  | { kind: 'response'; payload: Buffer; contentType?: string; streamed?: true }
  /** The runtime's error, or one the platform generated (timeout, crash, out of memory, ...). */
  | { kind: 'function-error'; errorType: string; payload: Buffer }
  /** The environment could not be created at all (no interpreter for the runtime, sandbox failure). */
  | { kind: 'unavailable'; message: string };

export interface InvocationReport {
  result: EnvironmentResult;
  /** This invocation's last log lines, at least the last 4 KB (init output on a cold start, START … REPORT). */
  logLines: string[];
  durationMs: number;
  coldStart: boolean;
  /** The init phase's duration, on a cold start. */
  initDurationMs?: number;
}

type InitFailure =
  | { kind: 'init-error'; errorType: string; payload: Buffer }
  /** The platform could not start the runtime (e.g. no bootstrap); rendered with the request id. */
  | { kind: 'platform'; errorType: string; message: string }
  | { kind: 'exit'; exit: SandboxExit }
  | { kind: 'timeout' }
  | { kind: 'unavailable'; message: string };

export const platformError = (errorType: string, errorMessage: string): Buffer =>
  Buffer.from(JSON.stringify({ errorType, errorMessage }));

/**
 * One execution environment: one sandbox with one runtime process and its own Runtime API endpoint, serving one
 * function version, one invocation at a time. Failures of the function are results, never exceptions.
 */
export class Environment {
  readonly id = randomUUID();
  readonly spec: EnvironmentSpec;
  readonly logStreamName: string;
  readonly initializationType: InitializationType;
  private stateValue: EnvironmentState = 'starting';
  private sandbox: Sandbox | undefined;
  private endpoint: RuntimeEndpointApi | undefined;
  private initFailure: InitFailure | undefined;
  private initDurationMs: number | undefined;
  /** LoggingConfig: JSON or Text, and the levels that pass. */
  private readonly format: LogFormatter;
  private invocations = 0;
  private initLines = new TailBuffer();
  private current: TailBuffer | undefined;
  private readonly splitters = {
    stdout: new LineSplitter((l) => this.appLine(l)),
    stderr: new LineSplitter((l) => this.appLine(l)),
  };
  private started: Promise<void> | undefined;
  /** How the sandbox ended, once it has. */
  private exit: SandboxExit | undefined;
  /** The running invocation's exit hook. */
  private onExit: ((e: SandboxExit) => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly discardListeners = new Set<(env: Environment) => void>();

  constructor(private readonly deps: EnvironmentDeps, private readonly options: EnvironmentOptions) {
    this.spec = options.spec;
    this.initializationType = options.initializationType;
    this.logStreamName = logStreamName(deps.clock.now(), options.spec.version);
    this.format = new LogFormatter(options.spec);
    // Owned from now on: close() destroys them, started or not.
    this.sandbox = options.standby?.sandbox;
    this.endpoint = options.standby?.endpoint;
  }

  get state(): EnvironmentState {
    return this.stateValue;
  }

  /** Called once when the environment becomes unusable (failure, unexpected exit, close). */
  onDiscard(listener: (env: Environment) => void): void {
    this.discardListeners.add(listener);
  }

  /** Runs the init phase; settles (never rejects) when the runtime is ready or init has failed. Idempotent. */
  start(): Promise<void> {
    this.started ??= this.init().then(() => {
      // Closed during init: what invoke() reports.
      if (this.stateValue === 'discarded' && !this.initFailure && this.initDurationMs === undefined) {
        this.initFailure = { kind: 'unavailable', message: 'Sandbox.Failure: the environment was shut down during init' };
      }
    }, (err: unknown) => {
      this.deps.logger.error('environment init crashed', { environment: this.id, error: String((err as Error)?.stack ?? err) });
      this.initFailure ??= { kind: 'unavailable', message: `Sandbox.Failure: ${(err as Error)?.message ?? String(err)}` };
      if (this.stateValue === 'starting') this.move('init-failed');
    });
    return this.started;
  }

  /** Its init phase succeeded (it may have failed since). */
  get initialized(): boolean {
    return this.initDurationMs !== undefined;
  }

  /** How long the init phase took, once it succeeded. */
  get initDuration(): number | undefined {
    return this.initDurationMs;
  }

  /** Why init failed (`unavailable` = the sandbox or runtime could not be started at all), once it has. */
  get initFailureKind(): string | undefined {
    return this.initFailure?.kind;
  }

  /** Ready and initialised successfully. */
  get usable(): boolean {
    return this.stateValue === 'ready';
  }

  async invoke(inv: EnvironmentInvocation): Promise<InvocationReport> {
    await this.start();
    // Provisioned environments were initialised ahead of time: their first invocation is not a cold start.
    const coldStart = this.invocations++ === 0 && this.initializationType === 'on-demand';
    const lines = coldStart ? this.initLines : new TailBuffer();
    this.initLines = new TailBuffer();
    this.current = lines;
    const began = performance.now();
    this.platformLine(startEvent(inv.requestId, this.spec.version, inv.traceId));
    try {
      if (this.initFailure) return await this.reportInitFailure(inv, lines, began);
      this.move('invoke-started');
      return await this.run(inv, lines, began, coldStart);
    } finally {
      this.current = undefined;
    }
  }

  /** Shuts the environment down (idle expiry, retirement, platform shutdown). Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.stateValue !== 'discarded') this.move('discard');
      this.endpoint?.abort('environment shut down');
      await this.sandbox?.destroy();
      this.splitters.stdout.end();
      this.splitters.stderr.end();
      await this.endpoint?.close();
    })();
    return this.closing;
  }

  private async init(): Promise<void> {
    if (this.options.standby) {
      const assigned = await this.assignStandby(this.options.standby);
      if (assigned === 'abandoned') return;
      if (assigned) return this.awaitInit(assigned.sandbox, assigned.endpoint, assigned.initStarted);
    }
    const { spec } = this;
    const sandbox = await this.deps.backend.create({
      id: this.id,
      runtime: spec.runtime,
      codeDir: this.options.codeDir,
      optDir: this.options.optDir,
      runtimeDir: this.deps.runtimeDir,
      memoryMb: spec.memorySizeMb,
      ephemeralStorageMb: spec.ephemeralStorageMb,
      ...(this.options.debug ? { debug: true } : {}),
    });
    this.sandbox = sandbox;
    // close() may run while init awaits: whatever init creates after that, init removes itself.
    if (this.abandoned()) {
      await sandbox.destroy();
      return;
    }
    const endpoint = this.deps.createEndpoint(sandbox.endpointOptions);
    this.endpoint = endpoint;
    const address = await endpoint.listen();
    let plan = await this.deps.launcher.launch(spec.runtime, {
      taskRoot: sandbox.paths.taskRoot, optRoot: sandbox.paths.optRoot, runtimeRoot: sandbox.paths.runtimeRoot,
      hostTaskRoot: this.options.codeDir, hostOptRoot: this.options.optDir,
    }, { memorySizeMb: spec.memorySizeMb });
    if (this.abandoned()) {
      await endpoint.close();
      await sandbox.destroy();
      return;
    }
    if ('error' in plan) {
      // A custom runtime without a usable bootstrap is the function's failure (as on AWS); a runtime this
      // server has no interpreter for is the platform's.
      if (plan.error === 'Runtime.InvalidEntrypoint') {
        this.platformLine(initReportEvent(this.initializationType, { initDurationMs: 0, status: { kind: 'error', errorType: plan.error } }));
        this.failInit({ kind: 'platform', errorType: plan.error, message: plan.message });
      } else {
        this.failInit({ kind: 'unavailable', message: plan.message });
      }
      return;
    }
    // A .pyc written beside a live source could outlive an edit made within the same second.
    if (this.options.live) plan = { ...plan, env: { ...plan.env, PYTHONDONTWRITEBYTECODE: '1' } };
    const debug = this.options.debug;
    if (debug && sandbox.debug) {
      const instrumented = debug.instrument(spec.runtime, plan, sandbox.debug.listen);
      plan = instrumented.plan;
      debug.target(sandbox.debug.target);
      this.platformLine(instrumented.note);
    }
    const env = environmentVariables({
      spec, paths: sandbox.paths, runtimeApi: sandbox.runtimeApi(address), logStreamName: this.logStreamName,
      initializationType: this.initializationType, runtimeEnv: plan.env,
    });
    this.platformLine(initStartEvent({
      runtimeVersion: runtimeVersion(spec.runtime), runtimeVersionArn: runtimeVersionArn(spec.scope.region, plan), ...(plan.warning ? { warning: plan.warning } : {}),
      initializationType: this.initializationType, functionName: spec.functionName, functionVersion: spec.version, memorySizeMb: spec.memorySizeMb,
    }));
    const initStarted = performance.now();
    sandbox.start({ command: plan.command, args: plan.args, env, cwd: sandbox.paths.taskRoot }, (stream, chunk) => this.splitters[stream].push(chunk));
    await this.awaitInit(sandbox, endpoint, initStarted);
  }

  /**
   * Gives a pre-started environment this function: its code and layers appear, its memory limit applies, and the
   * waiting runtime receives the function's environment (which names the handler). As on AWS, Init Duration is
   * what remains to be done: loading the handler, from the assignment to the first GET /next.
   * Undefined when the code could not be attached (the pre-started environment is gone; start fresh).
   */
  private async assignStandby(standby: Standby): Promise<{ sandbox: Sandbox; endpoint: RuntimeEndpointApi; initStarted: number } | 'abandoned' | undefined> {
    const { spec } = this;
    const { sandbox, endpoint, plan } = standby;
    try {
      await sandbox.attach({ codeDir: this.options.codeDir, optDir: this.options.optDir, memoryMb: spec.memorySizeMb });
    } catch (err) {
      if (this.abandoned()) return 'abandoned';
      this.deps.logger.warn('could not attach a function to a pre-started environment; starting a fresh one', {
        environment: this.id, error: String((err as Error)?.message ?? err),
      });
      return this.dropStandby(standby);
    }
    if (this.abandoned()) return 'abandoned';
    // Its runtime died while pooled: the platform's problem, never this function's init failure.
    if (!standby.alive()) return this.dropStandby(standby);
    const env = environmentVariables({
      spec, paths: sandbox.paths, runtimeApi: standby.runtimeApi, logStreamName: this.logStreamName,
      initializationType: this.initializationType, runtimeEnv: plan.env,
    });
    this.platformLine(initStartEvent({
      runtimeVersion: runtimeVersion(spec.runtime), runtimeVersionArn: runtimeVersionArn(spec.scope.region, plan), ...(plan.warning ? { warning: plan.warning } : {}),
      initializationType: this.initializationType, functionName: spec.functionName, functionVersion: spec.version, memorySizeMb: spec.memorySizeMb,
    }));
    standby.routeOutput((stream, chunk) => this.splitters[stream].push(chunk));
    const initStarted = performance.now();
    endpoint.assign({ env });
    return { sandbox, endpoint, initStarted };
  }

  /** Discards a pre-started environment that cannot be used; the caller starts a fresh one. */
  private async dropStandby(standby: Standby): Promise<'abandoned' | undefined> {
    standby.endpoint.abort('pre-started environment dropped');
    await standby.sandbox.destroy();
    await standby.endpoint.close();
    this.sandbox = undefined;
    this.endpoint = undefined;
    return this.abandoned() ? 'abandoned' : undefined;
  }

  /** The end of the init phase, however it started. */
  private async awaitInit(sandbox: Sandbox, endpoint: RuntimeEndpointApi, initStarted: number): Promise<void> {
    let timer: { cancel(): void } | undefined;
    const outcome = await Promise.race([
      endpoint.waitForInit().then((o) => ({ k: 'init' as const, o }), (err: unknown) => ({ k: 'endpoint' as const, err })),
      sandbox.exited.then((e) => ({ k: 'exit' as const, e })),
      new Promise<{ k: 'timeout' }>((resolve) => {
        timer = debugAwareTimeout(this.deps.timers, this.deps.initTimeoutMs, this.options.debug, () => resolve({ k: 'timeout' }), (l) => this.platformLine(l));
      }),
    ]);
    timer?.cancel();
    const initMs = performance.now() - initStarted;
    if (this.abandoned()) {
      await sandbox.destroy();
      return;
    }
    if (outcome.k === 'init' && outcome.o.kind === 'ready') {
      this.initDurationMs = initMs;
      this.move('init-succeeded');
      sandbox.initialized?.();
      // One listener for the sandbox's whole life (not one per invocation): a runtime that dies while idle
      // takes its environment with it; one that dies while busy ends the invocation.
      void sandbox.exited.then((e) => {
        this.exit = e;
        if (this.onExit) this.onExit(e);
        else if (this.stateValue === 'ready') void this.close();
      });
      return;
    }
    let failure: InitFailure;
    let status: ReportStatus;
    if (outcome.k === 'init' && outcome.o.kind === 'init-error') {
      failure = { kind: 'init-error', errorType: outcome.o.errorType, payload: outcome.o.payload };
      status = { kind: 'error', errorType: outcome.o.errorType };
    } else if (outcome.k === 'exit') {
      failure = { kind: 'exit', exit: outcome.e };
      status = { kind: 'error', errorType: outcome.e.kind === 'out-of-memory' ? 'Runtime.OutOfMemory' : 'Runtime.ExitError' };
    } else if (outcome.k === 'timeout') {
      failure = { kind: 'timeout' };
      status = { kind: 'timeout' };
    } else {
      failure = { kind: 'unavailable', message: `Sandbox.Failure: ${String((outcome as { err: unknown }).err)}` };
      status = { kind: 'error', errorType: 'Sandbox.Failure' };
    }
    await sandbox.kill();
    await drainOutput();
    this.platformLine(initReportEvent(this.initializationType, { initDurationMs: initMs, status }));
    this.failInit(failure);
  }

  /** Closed while init was awaiting something. */
  private abandoned(): boolean {
    return this.stateValue === 'discarded';
  }

  private failInit(failure: InitFailure): void {
    this.initFailure = failure;
    if (this.stateValue === 'starting') this.move('init-failed');
  }

  private async reportInitFailure(inv: EnvironmentInvocation, lines: TailBuffer, began: number): Promise<InvocationReport> {
    const f = this.initFailure!;
    let result: EnvironmentResult;
    if (f.kind === 'unavailable') {
      result = { kind: 'unavailable', message: f.message };
    } else if (f.kind === 'init-error') {
      result = { kind: 'function-error', errorType: f.errorType, payload: f.payload };
    } else if (f.kind === 'platform') {
      result = { kind: 'function-error', errorType: f.errorType, payload: platformError(f.errorType, `RequestId: ${inv.requestId} Error: ${f.message}`) };
    } else if (f.kind === 'timeout') {
      const seconds = this.deps.initTimeoutMs / 1000;
      result = { kind: 'function-error', errorType: 'Sandbox.Timedout', payload: platformError('Sandbox.Timedout', `RequestId: ${inv.requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds`) };
    } else {
      result = this.exitResult(inv.requestId, f.exit);
    }
    const durationMs = performance.now() - began;
    if (result.kind === 'function-error' && f.kind !== 'init-error') {
      const message = (JSON.parse(result.payload.toString()) as { errorMessage: string }).errorMessage;
      this.platformLine(message);
      this.platformLine(result.errorType);
    }
    const errorType = result.kind === 'function-error' ? result.errorType : 'Sandbox.Failure';
    const failedStatus: ReportStatus = f.kind === 'timeout' ? { kind: 'timeout' } : { kind: 'error', errorType };
    this.platformLine(endEvent(inv.requestId, failedStatus, durationMs));
    this.platformLine(reportEvent({
      requestId: inv.requestId, durationMs, memorySizeMb: this.spec.memorySizeMb, maxMemoryUsedMb: this.maxMemory(),
      status: failedStatus, ...(inv.traceId ? { trace: inv.traceId } : {}),
    }));
    void this.close();
    return { result, logLines: lines.lines(), durationMs, coldStart: true };
  }

  private async run(inv: EnvironmentInvocation, lines: TailBuffer, began: number, coldStart: boolean): Promise<InvocationReport> {
    const sandbox = this.sandbox!;
    const endpoint = this.endpoint!;
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const { onStream, ...event } = inv;
    const request: InvocationRequest = { ...event, deadlineMs: this.deps.clock.now() + timeoutMs };
    if (onStream) request.streaming = true;
    let timer: { cancel(): void } | undefined;
    const exited = new Promise<{ k: 'exit'; e: SandboxExit }>((resolve) => {
      if (this.exit) resolve({ k: 'exit', e: this.exit });
      else this.onExit = (e) => resolve({ k: 'exit', e });
    });
    const timedOut = new Promise<{ k: 'timeout' }>((resolve) => {
      timer = debugAwareTimeout(this.deps.timers, timeoutMs, this.options.debug, () => resolve({ k: 'timeout' }), (l) => this.platformLine(l));
    });
    let raced = await Promise.race([
      endpoint.invoke(request).then((o) => ({ k: 'outcome' as const, o }), (err: unknown) => ({ k: 'endpoint' as const, err })),
      exited,
      timedOut,
    ]);
    let streamed: { contentType: string } | undefined;
    if (raced.k === 'outcome' && raced.o.kind === 'stream') {
      // The caller reads the stream while the invocation goes on; it ends with the stream (or the timeout/exit).
      const { stream, end } = raced.o;
      streamed = { contentType: stream.contentType };
      onStream?.(stream);
      raced = await Promise.race([
        end.then((e): { k: 'outcome'; o: InvocationOutcome } => ({
          k: 'outcome', o: e.kind === 'complete' ? { kind: 'response', payload: Buffer.alloc(0), contentType: stream.contentType } : e,
        })),
        exited,
        timedOut,
      ]);
    }
    timer?.cancel();
    this.onExit = undefined;
    const durationMs = performance.now() - began;
    let result: EnvironmentResult;
    let status: ReportStatus | undefined;
    let failed = false;
    if (raced.k === 'outcome') {
      ({ result, status, failed } = this.outcomeResult(raced.o));
      if (streamed && result.kind === 'response') result.streamed = true;
      await drainOutput();
    } else if (raced.k === 'timeout') {
      failed = true;
      endpoint.abort('task timed out');
      await sandbox.kill();
      result = {
        kind: 'function-error', errorType: 'Sandbox.Timedout',
        payload: platformError('Sandbox.Timedout', `RequestId: ${inv.requestId} Error: Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`),
      };
      status = { kind: 'timeout' };
      this.platformLine(timedOutLine(this.deps.clock.now(), inv.requestId, this.spec.timeoutSeconds));
    } else {
      failed = true;
      endpoint.abort('runtime exited');
      await sandbox.kill();
      result = raced.k === 'exit'
        ? this.exitResult(inv.requestId, raced.e)
        : { kind: 'function-error', errorType: 'Sandbox.Failure', payload: platformError('Sandbox.Failure', `RequestId: ${inv.requestId} Error: ${String(raced.err)}`) };
      const errorType = (result as { errorType: string }).errorType;
      status = { kind: 'error', errorType };
      this.platformLine((JSON.parse((result as { payload: Buffer }).payload.toString()) as { errorMessage: string }).errorMessage);
      this.platformLine(errorType);
    }
    // runtimeDone reports an error the runtime returned too (REPORT only reports the platform's).
    const runtimeStatus = status ?? (result.kind === 'function-error' ? { kind: 'error' as const, errorType: result.errorType } : undefined);
    this.platformLine(endEvent(inv.requestId, runtimeStatus, durationMs));
    this.platformLine(reportEvent({
      requestId: inv.requestId, durationMs, memorySizeMb: this.spec.memorySizeMb, maxMemoryUsedMb: this.maxMemory(),
      initDurationMs: coldStart ? this.initDurationMs : undefined, billInit: this.spec.runtime.startsWith('provided'), status,
      ...(inv.traceId ? { trace: inv.traceId } : {}),
    }));
    // The runtime may also have died just after answering: then the environment goes, the answer stands.
    if (failed || this.exit) {
      if (this.stateValue === 'busy') this.move('invoke-failed');
      void this.close();
    } else if (this.stateValue === 'busy') {
      this.move('invoke-finished');
    }
    const report: InvocationReport = { result, logLines: lines.lines(), durationMs, coldStart };
    if (coldStart && this.initDurationMs !== undefined) report.initDurationMs = this.initDurationMs;
    return report;
  }

  private outcomeResult(o: InvocationOutcome): { result: EnvironmentResult; status?: ReportStatus; failed: boolean } {
    switch (o.kind) {
      case 'response':
        return { result: o.contentType === undefined ? { kind: 'response', payload: o.payload } : { kind: 'response', payload: o.payload, contentType: o.contentType }, failed: false };
      case 'function-error':
        return { result: { kind: 'function-error', errorType: o.errorType, payload: o.payload }, failed: false };
      case 'stream': // only ever the first outcome: run() waits for its end
        return { result: { kind: 'response', payload: Buffer.alloc(0), contentType: o.stream.contentType, streamed: true }, failed: false };
      case 'response-too-large': {
        const errorType = 'Function.ResponseSizeTooLarge';
        return {
          result: { kind: 'function-error', errorType, payload: platformError(errorType, 'Response payload size exceeded maximum allowed payload size (6291556 bytes).') },
          status: { kind: 'error', errorType },
          failed: true,
        };
      }
    }
  }

  private exitResult(requestId: string, exit: SandboxExit): EnvironmentResult {
    if (exit.kind === 'out-of-memory') {
      return { kind: 'function-error', errorType: 'Runtime.OutOfMemory', payload: platformError('Runtime.OutOfMemory', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`) };
    }
    const how = exit.kind === 'exited' ? exitText({ code: exit.code }) : exitText({ signal: exit.signal });
    const message = exit.kind === 'exited' && exit.code === 0
      ? `RequestId: ${requestId} Error: Runtime exited without providing a reason`
      : `RequestId: ${requestId} Error: Runtime exited with error: ${how}`;
    return { kind: 'function-error', errorType: 'Runtime.ExitError', payload: platformError('Runtime.ExitError', message) };
  }

  private maxMemory(): number {
    return this.sandbox?.stats().maxMemoryUsedMb ?? 0;
  }

  private move(event: EnvironmentEvent): void {
    this.stateValue = transition(this.stateValue, event);
    if (this.stateValue === 'discarded') {
      const listeners = [...this.discardListeners];
      this.discardListeners.clear();
      for (const l of listeners) l(this);
    }
  }

  /** A line Lambda writes (START, REPORT, ...): as text or JSON, per the function's LoggingConfig. */
  private platformLine(message: string | PlatformEvent): void {
    const line = this.format.platform(message, this.deps.clock.now());
    if (line !== undefined) this.line(line);
  }

  /** A line the function wrote: dropped when below its application log level. */
  private appLine(message: string): void {
    if (this.format.keep(message)) this.line(message);
  }

  /** One log line of this environment: to its log stream, and to the current invocation's tail. */
  private line(message: string): void {
    const { spec } = this;
    this.deps.logs.append(spec.scope, spec.logGroup, this.logStreamName, [{ timestamp: this.deps.clock.now(), message }]);
    if (this.current) this.current.push(message);
    else if (this.stateValue === 'starting') this.initLines.push(message);
  }
}

/**
 * Output the runtime wrote before it answered is readable no later than the answer: letting the current batch of
 * I/O events finish (setImmediate runs after it) delivers it before END and REPORT are written.
 */
function drainOutput(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `nodejs22.x` → `nodejs:22.v1`, `python3.12` → `python:3.12.v1`, `provided.al2023` → `provided:al2023.v1`. */
export function runtimeVersion(runtime: string): string {
  const m = /^([a-z]+)(\d[\d.]*?)(?:\.x)?$/.exec(runtime);
  if (m) return `${m[1]}:${m[2]}.v1`;
  const [family, rest] = runtime.split('.', 2);
  return `${family}:${rest ?? ''}.v1`;
}

function runtimeVersionArn(region: string, plan: RuntimeLaunchPlan): string {
  const hash = createHash('sha256').update(plan.command).update('\0').update(plan.args.join('\0')).digest('hex');
  return `arn:aws:lambda:${region}::runtime:${hash}`;
}
