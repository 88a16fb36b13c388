import { AddPermissionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Clock } from '../../src/domain/scope.js';
import type { Timers } from '../../src/domain/timers.js';
import type { DeliveryEvent } from '../../src/events/index.js';
import { TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { send, smithySign, type RawResponse } from '../helpers/sign.js';
import type { AccountCredentials } from '../../src/api/index.js';

export const ACCOUNT = '111111111111';
export const fnArn = (name: string, qualifier?: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
export const ruleArnOf = (name: string, bus?: string) => `arn:aws:events:us-east-1:${ACCOUNT}:rule/${bus ? `${bus}/` : ''}${name}`;

/** Schedule time that only moves when a test says so. */
export class FakeClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

/** Timers that never fire: tests drive the schedule runner with tick(). */
export const stillTimers: Timers = { after: () => ({ cancel: () => undefined }) };

export interface JsonResult extends RawResponse {
  body: any;
}

function hostOf(url: string): string {
  return new URL(url).host;
}

/** A signed EventBridge call (JSON 1.1, `X-Amz-Target: AWSEvents.<op>`, service `events`) as the SDKs send it. */
export async function events(t: TestServer, op: string, body: unknown, account: AccountCredentials = TEST_ACCOUNTS[0]!): Promise<JsonResult> {
  const signed = await smithySign({
    method: 'POST', host: hostOf(t.url), path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${op}` },
    body: JSON.stringify(body),
  }, account, { service: 'events' });
  const res = await send(t.url, { method: 'POST', path: '/', headers: signed.headers, body: signed.body });
  return { ...res, body: res.text ? JSON.parse(res.text) : undefined };
}

/** Like events() but throws unless it answered 200. */
export async function eventsOk(t: TestServer, op: string, body: unknown): Promise<any> {
  const r = await events(t, op, body);
  if (r.status !== 200) throw new Error(`${op} answered ${r.status}: ${r.text}`);
  return r.body;
}

/** A signed EventBridge Scheduler call (REST-JSON, service `scheduler`). */
export async function scheduler(t: TestServer, method: string, path: string, body?: unknown, query?: Record<string, string | string[]>): Promise<JsonResult> {
  const spec = {
    method, host: hostOf(t.url), path,
    headers: (body === undefined ? {} : { 'content-type': 'application/json' }) as Record<string, string>,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(query ? { query } : {}),
  };
  const signed = await smithySign(spec, TEST_ACCOUNTS[0]!, { service: 'scheduler' });
  const res = await send(t.url, { method, path, rawQuery: signed.rawQuery, headers: signed.headers, body: signed.body });
  return { ...res, body: res.text ? JSON.parse(res.text) : undefined };
}

/** Lets EventBridge (rules) invoke the function, as `aws lambda add-permission --principal events.amazonaws.com`. */
export async function allowEvents(lambda: LambdaClient, functionName: string, sourceArn: string, sid = `events-${Math.random().toString(36).slice(2)}`): Promise<void> {
  await lambda.send(new AddPermissionCommand({
    FunctionName: functionName, StatementId: sid, Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: sourceArn,
  }));
}

/** Every delivery the server finishes from now on, and a way to await the next ones. */
export class Deliveries {
  readonly all: DeliveryEvent[] = [];
  private waiters: { n: number; match: (e: DeliveryEvent) => boolean; resolve: () => void }[] = [];
  private readonly off: () => void;

  constructor(t: TestServer) {
    this.off = t.sluice.context.eventBridge.delivery.onDelivery((e) => {
      this.all.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (this.all.filter(w.match).length < w.n) return true;
        w.resolve();
        return false;
      });
    });
  }

  /** Resolves once `n` deliveries (seen so far or to come) match. */
  wait(n: number, match: (e: DeliveryEvent) => boolean = () => true, timeoutMs = 20_000): Promise<DeliveryEvent[]> {
    const done = () => this.all.filter(match);
    if (done().length >= n) return Promise.resolve(done());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${done().length} of ${n} deliveries: ${JSON.stringify(this.all.map((e) => ({ s: e.source, o: e.outcome })))}`)), timeoutMs);
      this.waiters.push({ n, match, resolve: () => { clearTimeout(timer); resolve(done()); } });
    });
  }

  close(): void {
    this.off();
  }
}
