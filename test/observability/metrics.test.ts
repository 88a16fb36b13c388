import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetProvisionedConcurrencyConfigCommand, InvokeCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { startTestServer, TEST_ACCOUNTS, type TestServer } from '../helpers/server.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import { until } from './helpers.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Prometheus text format → samples (comments skipped). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample with this name whose labels include these (0 when there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(hits.length <= 1, `${name} ${JSON.stringify(labels)} matches ${hits.length} series`);
  return hits[0]?.value ?? 0;
}

async function scrape(t: TestServer, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(`${t.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}
const samples = async (t: TestServer) => parse((await scrape(t)).body);

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const fnLabels = (name: string, extra: Record<string, string> = {}) => ({ account: '111111111111', region: 'us-east-1', function_name: name, ...extra });

test('invocations, errors, duration and cold starts: exact counts after a known sequence', async () => {
  await createFunction(t.lambda, 'obs-m', 'obs-node');
  const before = await samples(t);
  assert.equal(value(before, 'sluice_lambda_invocations_total', fnLabels('obs-m')), 0);

  for (let i = 0; i < 3; i++) await invoke(t.lambda, 'obs-m', { action: 'ok' });
  for (let i = 0; i < 2; i++) assert.equal((await invoke(t.lambda, 'obs-m', { action: 'throw' })).out.FunctionError, 'Unhandled');
  await invoke(t.lambda, 'obs-m', { action: 'ok' }, { Qualifier: '$LATEST' });

  const s = await samples(t);
  const unqualified = fnLabels('obs-m', { qualifier: '', executed_version: '$LATEST' });
  assert.equal(value(s, 'sluice_lambda_invocations_total', unqualified), 5);
  assert.equal(value(s, 'sluice_lambda_errors_total', unqualified), 2);
  assert.equal(value(s, 'sluice_lambda_duration_seconds_count', unqualified), 5);
  assert.ok(value(s, 'sluice_lambda_duration_seconds_sum', unqualified) > 0);
  assert.equal(value(s, 'sluice_lambda_duration_seconds_bucket', { ...unqualified, le: '+Inf' }), 5);
  assert.equal(value(s, 'sluice_lambda_invocations_total', fnLabels('obs-m', { qualifier: '$LATEST' })), 1);
  assert.equal(value(s, 'sluice_lambda_throttles_total', unqualified), 0);
  // One environment served them all, one after the other.
  assert.equal(value(s, 'sluice_lambda_cold_starts_total', fnLabels('obs-m')), 1);
  assert.ok(value(s, 'sluice_cold_start_duration_seconds_count', { runtime: 'nodejs22.x', initialization_type: 'on-demand' }) >= 1);
  assert.ok(value(s, 'sluice_environments', { state: 'idle' }) >= 1);
  assert.equal(value(s, 'sluice_lambda_concurrent_executions', fnLabels('obs-m')), 0);
});

test('throttles are counted, and are not invocations', async () => {
  await createFunction(t.lambda, 'obs-m-throttled', 'obs-node');
  await t.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'obs-m-throttled', ReservedConcurrentExecutions: 0 }));
  for (let i = 0; i < 3; i++) {
    await assert.rejects(t.lambda.send(new InvokeCommand({ FunctionName: 'obs-m-throttled', Payload: Buffer.from('{}') })), { name: 'TooManyRequestsException' });
  }
  const s = await samples(t);
  const labels = fnLabels('obs-m-throttled', { qualifier: '', executed_version: '$LATEST' });
  assert.equal(value(s, 'sluice_lambda_throttles_total', labels), 3);
  assert.equal(value(s, 'sluice_lambda_invocations_total', labels), 0);
});

test('concurrent executions and busy environments while an invocation runs', async () => {
  await createFunction(t.lambda, 'obs-m-slow', 'obs-node', { Timeout: 30 });
  await invoke(t.lambda, 'obs-m-slow', { action: 'ok' }); // warm: the next one is only busy
  const running = invoke(t.lambda, 'obs-m-slow', { action: 'sleep', ms: 1500 });
  const during = await until('the invocation to be running', async () => {
    const s = await samples(t);
    return value(s, 'sluice_lambda_concurrent_executions', fnLabels('obs-m-slow')) === 1 ? s : undefined;
  });
  assert.ok(value(during, 'sluice_environments', { state: 'busy' }) >= 1);
  assert.ok(value(during, 'sluice_lambda_unreserved_concurrent_executions', { account: '111111111111', region: 'us-east-1' }) >= 1);
  assert.ok(value(during, 'sluice_lambda_account_concurrent_executions', { account: '111111111111', region: 'us-east-1' }) >= 1);
  await running;
  assert.equal(value(await samples(t), 'sluice_lambda_concurrent_executions', fnLabels('obs-m-slow')), 0);
});

test('provisioned concurrency utilization of a version', async () => {
  await createFunction(t.lambda, 'obs-m-pc', 'obs-node', { Timeout: 30 });
  await t.lambda.send(new PublishVersionCommand({ FunctionName: 'obs-m-pc' }));
  await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'obs-m-pc', Qualifier: '1', ProvisionedConcurrentExecutions: 1 }));
  await until('provisioned concurrency to be READY', async () =>
    (await t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'obs-m-pc', Qualifier: '1' }))).Status === 'READY' ? true : undefined);
  const labels = fnLabels('obs-m-pc', { executed_version: '1' });
  assert.equal(value(await samples(t), 'sluice_lambda_provisioned_concurrency_utilization', labels), 0);
  const running = invoke(t.lambda, 'obs-m-pc', { action: 'sleep', ms: 1500 }, { Qualifier: '1' });
  const during = await until('the provisioned environment to be busy', async () => {
    const s = await samples(t);
    return value(s, 'sluice_lambda_provisioned_concurrency_utilization', labels) === 1 ? s : undefined;
  });
  assert.equal(value(during, 'sluice_lambda_provisioned_concurrent_executions', labels), 1);
  await running;
  assert.equal(value(await samples(t), 'sluice_lambda_provisioned_concurrency_utilization', labels), 0);
});

test('asynchronous invocations: events received and their age', async () => {
  await createFunction(t.lambda, 'obs-m-async', 'obs-node');
  const out = await t.lambda.send(new InvokeCommand({ FunctionName: 'obs-m-async', InvocationType: 'Event', Payload: Buffer.from('{}') }));
  assert.equal(out.StatusCode, 202);
  const labels = fnLabels('obs-m-async', { qualifier: '' });
  assert.equal(value(await samples(t), 'sluice_lambda_async_events_received_total', labels), 1);
  await until('the event to have been attempted', async () =>
    value(await samples(t), 'sluice_lambda_async_event_age_seconds_count', labels) >= 1 ? true : undefined);
  await until('the event to have run', async () =>
    value(await samples(t), 'sluice_lambda_invocations_total', labels) === 1 ? true : undefined);
});

test('the exposition is Prometheus text with HELP and TYPE for the whole metric set', async () => {
  const r = await scrape(t);
  assert.equal(r.status, 200);
  assert.match(r.type ?? '', /^text\/plain; version=0\.0\.4/);
  for (const [name, type] of [
    ['sluice_lambda_invocations_total', 'counter'], ['sluice_lambda_errors_total', 'counter'], ['sluice_lambda_throttles_total', 'counter'],
    ['sluice_lambda_duration_seconds', 'histogram'], ['sluice_lambda_concurrent_executions', 'gauge'],
    ['sluice_lambda_unreserved_concurrent_executions', 'gauge'], ['sluice_lambda_provisioned_concurrency_utilization', 'gauge'],
    ['sluice_lambda_async_events_received_total', 'counter'], ['sluice_lambda_async_event_age_seconds', 'histogram'],
    ['sluice_lambda_async_events_dropped_total', 'counter'], ['sluice_lambda_destination_delivery_failures_total', 'counter'],
    ['sluice_environments', 'gauge'], ['sluice_lambda_cold_starts_total', 'counter'], ['sluice_cold_start_duration_seconds', 'histogram'],
    ['sluice_sandbox_start_failures_total', 'counter'], ['sluice_queue_depth', 'gauge'],
  ]) {
    assert.ok(r.body.includes(`# TYPE ${name} ${type}\n`), `${name} ${type}`);
    assert.ok(r.body.includes(`# HELP ${name} `), name);
  }
});

test('access: credentials mode wants an account key pair and shows only that account; off is 404', async () => {
  const secured = await startTestServer({ metrics: 'credentials' });
  try {
    await createFunction(secured.lambda, 'obs-m-one', 'obs-node');
    await invoke(secured.lambda, 'obs-m-one', {});
    const basic = (a: { accessKeyId: string }, secret: string) => ({ authorization: `Basic ${Buffer.from(`${a.accessKeyId}:${secret}`).toString('base64')}` });
    const [one, two] = [TEST_ACCOUNTS[0]!, TEST_ACCOUNTS[1]!];
    const anonymous = await scrape(secured);
    assert.equal(anonymous.status, 401);
    assert.equal((await scrape(secured, basic(one, 'wrong-secret'))).status, 401);
    const mine = await scrape(secured, basic(one, one.secretAccessKey));
    assert.equal(mine.status, 200);
    assert.equal(value(parse(mine.body), 'sluice_lambda_invocations_total', fnLabels('obs-m-one')), 1);
    const theirs = await scrape(secured, basic(two, two.secretAccessKey));
    assert.equal(theirs.status, 200);
    assert.ok(!theirs.body.includes('account="111111111111"'));
    assert.ok(theirs.body.includes('# TYPE sluice_lambda_invocations_total counter'));
  } finally {
    await secured.close();
  }
  const off = await startTestServer({ metrics: 'off' });
  try {
    assert.equal((await scrape(off)).status, 404);
  } finally {
    await off.close();
  }
});
