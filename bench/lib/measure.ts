import { summarize, type LatencySummary } from './stats.js';

/** Runs a request function in a closed loop and records per-request latency. */
export interface PhaseResult {
  concurrency: number;
  requests: number;
  seconds: number;
  /** Completed requests per second over the measured window. */
  throughput: number;
  latency: LatencySummary;
}

export type Operation = (i: number) => Promise<unknown>;

/** One request at a time: latency without queueing. */
export async function sequential(op: Operation, opts: { warmup: number; requests: number }): Promise<PhaseResult> {
  for (let i = 0; i < opts.warmup; i++) await op(i);
  const samples = new Float64Array(opts.requests);
  const start = performance.now();
  for (let i = 0; i < opts.requests; i++) {
    const t0 = performance.now();
    await op(i);
    samples[i] = performance.now() - t0;
  }
  const seconds = (performance.now() - start) / 1000;
  return { concurrency: 1, requests: opts.requests, seconds, throughput: opts.requests / seconds, latency: summarize(samples) };
}

/** `concurrency` closed-loop workers for a fixed time after a warm-up: throughput and latency under load. */
export async function concurrent(op: Operation, opts: { concurrency: number; warmupMs: number; durationMs: number }): Promise<PhaseResult> {
  const samples: number[] = [];
  let counter = 0;
  let recording = false;
  let stopAt = performance.now() + opts.warmupMs + opts.durationMs;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      await op(counter++);
      if (recording) samples.push(performance.now() - t0);
    }
  };
  const workers = Array.from({ length: opts.concurrency }, worker);
  await new Promise<void>((resolve) => setTimeout(resolve, opts.warmupMs));
  recording = true;
  const start = performance.now();
  stopAt = start + opts.durationMs;
  await Promise.all(workers);
  const seconds = (performance.now() - start) / 1000;
  return { concurrency: opts.concurrency, requests: samples.length, seconds, throughput: samples.length / seconds, latency: summarize(samples) };
}
