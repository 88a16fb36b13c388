import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, DeleteProvisionedConcurrencyConfigCommand, GetProvisionedConcurrencyConfigCommand, PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { PoolEvent } from '../../src/sandbox/index.js';
import { createFunction, invoke } from './helpers.js';

const SCOPE = { account: '111111111111', region: 'us-east-1' };
let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

async function waitStatus(name: string, qualifier: string, status: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await t.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
    if (out.Status === status) return out as unknown as Record<string, unknown>;
    if (Date.now() > deadline) assert.fail(`status stayed ${out.Status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('provisioned concurrency keeps N initialised environments and reports READY', async () => {
  await createFunction(t.lambda, 'inv-pc', 'inv-node');
  const v = await t.lambda.send(new PublishVersionCommand({ FunctionName: 'inv-pc' }));
  await t.lambda.send(new CreateAliasCommand({ FunctionName: 'inv-pc', Name: 'prod', FunctionVersion: v.Version! }));
  const put = await t.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'inv-pc', Qualifier: 'prod', ProvisionedConcurrentExecutions: 2 }));
  assert.equal(put.Status, 'IN_PROGRESS');
  const ready = await waitStatus('inv-pc', 'prod', 'READY');
  assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
  assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
  const counts = t.sluice.environments.counts(SCOPE, 'inv-pc', v.Version!);
  assert.equal(counts.provisioned, 2);
  assert.equal(counts.idle, 2);

  const r = await invoke(t.lambda, 'inv-pc', {}, { Qualifier: 'prod', LogType: 'Tail' });
  assert.equal(r.out.ExecutedVersion, v.Version);
  assert.equal(r.body.env.AWS_LAMBDA_INITIALIZATION_TYPE, 'provisioned-concurrency');
  assert.equal(r.body.counter, 1);
  // Initialised ahead of time: no cold start in the invocation's report.
  assert.ok(!r.log.includes('Init Duration'), r.log);
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-pc', v.Version!).total, 2);

  const gone: PoolEvent[] = [];
  const twoClosed = new Promise<void>((resolve) => {
    const off = t.sluice.environments.onEvent((e) => {
      if (e.type === 'closed' && e.environment.spec.functionName === 'inv-pc') {
        gone.push(e);
        if (gone.length === 2) { off(); resolve(); }
      }
    });
  });
  await t.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'inv-pc', Qualifier: 'prod' }));
  await twoClosed;
  assert.equal(t.sluice.environments.counts(SCOPE, 'inv-pc').provisioned, 0);
});
