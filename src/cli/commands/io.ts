/** What a client command talks to: its output lines, the environment, and (for long-running ones) a stop signal. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Raw bytes to standard output (an invocation's payload). */
  write(data: Buffer | string): void;
  env: Record<string, string | undefined>;
  /** Settles when the user asks a long-running command to stop (Ctrl-C, SIGTERM). */
  stopped: Promise<void>;
}
