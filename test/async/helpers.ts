import { InvokeCommand, type InvokeCommandInput, type LambdaClient } from '@aws-sdk/client-lambda';
import type { AsyncOutcome } from '../../src/invoke/index.js';
import type { TestServer } from '../helpers/server.js';

export const SCOPE = { account: '111111111111', region: 'us-east-1' };
export const arnOf = (name: string, qualifier?: string) =>
  `arn:aws:lambda:us-east-1:111111111111:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;

/** InvocationType Event; returns the request id of the 202 (the function's awsRequestId). */
export async function sendEvent(lambda: LambdaClient, name: string, event: unknown, extra: Partial<InvokeCommandInput> = {}): Promise<string> {
  const out = await lambda.send(new InvokeCommand({
    FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)), ...extra,
  }));
  if (out.StatusCode !== 202) throw new Error(`expected 202, got ${out.StatusCode}`);
  return out.$metadata.requestId!;
}

/**
 * Every outcome the server's async pipeline records (durably) from now on, and a way to wait for the next one that
 * matches — an event to await, never a sleep.
 */
export class Outcomes {
  readonly all: AsyncOutcome[] = [];
  private waiters: { match: (o: AsyncOutcome) => boolean; resolve: (o: AsyncOutcome) => void }[] = [];
  private readonly off: () => void;

  constructor(t: TestServer) {
    this.off = t.sluice.context.asyncInvoker.onOutcome((o) => {
      this.all.push(o);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(o)) return true;
        w.resolve(o);
        return false;
      });
    });
  }

  /** The first outcome (already seen or still to come) that matches. */
  wait(match: (o: AsyncOutcome) => boolean, timeoutMs = 30_000): Promise<AsyncOutcome> {
    const seen = this.all.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching async outcome within ${timeoutMs} ms; saw ${JSON.stringify(this.all)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (o) => { clearTimeout(timer); resolve(o); } });
    });
  }

  /** The final outcome of an event: succeeded or dropped. */
  final(id: string, timeoutMs?: number): Promise<AsyncOutcome> {
    return this.wait((o) => o.id === id && (o.kind === 'succeeded' || o.kind === 'dropped'), timeoutMs);
  }

  of(id: string): AsyncOutcome[] {
    return this.all.filter((o) => o.id === id);
  }

  close(): void {
    this.off();
  }
}

/** Log lines of a function that contain `text`. */
export function logLines(t: TestServer, functionName: string, text: string): string[] {
  return t.sluice.context.logs.query(SCOPE, { logGroupName: `/aws/lambda/${functionName}`, contains: text }).map((e) => e.message);
}

/** The invocation record a destination function (fixture async-record) received in the invocation `requestId`. */
export function recordReceived(t: TestServer, destination: string, requestId: string): any {
  const line = logLines(t, destination, `RECORD ${requestId} `)[0];
  if (line === undefined) throw new Error(`${destination} logged no record for ${requestId}`);
  return JSON.parse(line.slice(line.indexOf(`RECORD ${requestId} `) + `RECORD ${requestId} `.length));
}
