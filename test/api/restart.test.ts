import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, type GetFunctionCommandOutput, ListFunctionsCommand,
  ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { startTestServer, ROLE, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { Repositories, SqliteDocumentStore } from '../../src/store/index.js';
import { versionKey, type FunctionVersion } from '../../src/domain/function-model.js';

/** Nothing acknowledged is lost when the server stops and a new one starts on the same data directory. */

const scope = { account: '111111111111', region: 'us-east-1' };
const code = (n: number) => zipFiles({ 'index.js': `exports.handler = async () => ${n};` });
const waitActive = (t: TestServer, FunctionName: string) =>
  waitUntilFunctionActiveV2({ client: t.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName });
/** Background settling (Pending → Active, InProgress → Successful) has finished. */
const settled = (t: TestServer) => t.sluice.context.lifecycle.idle();

test('functions, versions, tags and code survive a restart', async () => {
  const first = await startTestServer();
  const dataDir = first.dataDir;
  let second: TestServer | undefined;
  try {
    const created = [];
    for (const [i, name] of ['keep-a', 'keep-b', 'keep-c'].entries()) {
      created.push(await first.lambda.send(new CreateFunctionCommand({
        FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code(i) },
        Tags: { index: String(i) }, Environment: { Variables: { NAME: name } }, MemorySize: 128 + 64 * i,
      })));
    }
    await settled(first);
    await first.lambda.send(new PublishVersionCommand({ FunctionName: 'keep-a', Description: 'v1' }));
    await first.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'keep-a', Timeout: 20 }));
    await settled(first);
    await first.lambda.send(new PublishVersionCommand({ FunctionName: 'keep-a', Description: 'v2' }));
    await first.lambda.send(new DeleteFunctionCommand({ FunctionName: 'keep-a', Qualifier: '2' }));
    const before = await first.lambda.send(new GetFunctionCommand({ FunctionName: 'keep-b' }));
    const latestBefore = await first.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'keep-a' }));
    await first.stop();

    second = await startTestServer({}, dataDir);
    assert.notEqual(second.url, first.url, 'a new server on a new port');
    const list = await second.lambda.send(new ListFunctionsCommand({}));
    assert.deepEqual(list.Functions?.map((f) => f.FunctionName), ['keep-a', 'keep-b', 'keep-c']);
    for (const [i, name] of ['keep-a', 'keep-b', 'keep-c'].entries()) {
      const got: GetFunctionCommandOutput = await second.lambda.send(new GetFunctionCommand({ FunctionName: name }));
      assert.equal(got.Configuration?.State, 'Active');
      assert.equal(got.Configuration?.LastUpdateStatus, 'Successful');
      assert.deepEqual(got.Tags, { index: String(i) });
      assert.deepEqual(got.Configuration?.Environment?.Variables, { NAME: name });
      assert.equal(got.Configuration?.CodeSha256, created[i]!.CodeSha256);
      const zip = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
      assert.deepEqual(zip, Buffer.from(code(i)));
    }
    // Configuration is byte-for-byte what it was, including RevisionId and LastModified.
    const latestAfter = await second.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'keep-a' }));
    assert.equal(latestAfter.RevisionId, latestBefore.RevisionId);
    assert.equal(latestAfter.LastModified, latestBefore.LastModified);
    assert.equal(latestAfter.Timeout, 20);
    // The download-URL secret lives in the data directory: a link handed out before the restart still works.
    const oldPath = new URL(before.Code!.Location!).pathname;
    assert.equal((await fetch(`${second.url}${oldPath}`)).status, 200);

    const versions = await second.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'keep-a' }));
    assert.deepEqual(versions.Versions?.map((v) => [v.Version, v.Description, v.Timeout]), [['$LATEST', '', 20], ['1', 'v1', 3]]);
    // Version numbers are never reused, across restarts too.
    await second.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'keep-a', Timeout: 21 }));
    await waitUntilFunctionUpdatedV2({ client: second.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'keep-a' });
    const v3 = await second.lambda.send(new PublishVersionCommand({ FunctionName: 'keep-a' }));
    assert.equal(v3.Version, '3');
  } finally {
    if (second) await second.close();
    else await first.close();
  }
});

test('a function stopped right after CreateFunction is Active after the restart', async () => {
  const first = await startTestServer();
  let second: TestServer | undefined;
  try {
    const out = await first.lambda.send(new CreateFunctionCommand({
      FunctionName: 'quick-stop', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code(7) },
    }));
    assert.equal(out.State, 'Pending');
    await first.stop();
    second = await startTestServer({}, first.dataDir);
    await waitActive(second, 'quick-stop');
    const cfg = await second.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'quick-stop' }));
    assert.equal(cfg.State, 'Active');
    assert.equal(cfg.CodeSha256, out.CodeSha256);
  } finally {
    if (second) await second.close();
    else await first.close();
  }
});

test('a version a crash left Pending (code not yet unpacked) is settled on the next start', async () => {
  const first = await startTestServer();
  let second: TestServer | undefined;
  try {
    await first.lambda.send(new CreateFunctionCommand({
      FunctionName: 'crashed', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: code(8) },
    }));
    await settled(first);
    await first.stop();

    // Put the data directory into the state a crash between CreateFunction and unpacking leaves behind:
    // the version is stored as Pending and its extracted tree does not exist.
    const store = new SqliteDocumentStore(join(first.dataDir, 'sluice.db'));
    const repos = new Repositories(store);
    const key = versionKey('crashed', '$LATEST');
    const v = repos.versions.get(scope, key)!;
    const pending: FunctionVersion = { ...v, state: 'Pending', stateReason: 'The function is being created.', stateReasonCode: 'Creating' };
    repos.versions.put(scope, key, pending);
    store.close();
    const extracted = join(first.dataDir, 'code', v.codeKey);
    rmSync(extracted, { recursive: true, force: true });
    assert.equal(existsSync(extracted), false);

    second = await startTestServer({}, first.dataDir);
    await settled(second);
    const cfg = await second.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'crashed' }));
    assert.equal(cfg.State, 'Active');
    assert.equal(cfg.StateReasonCode, undefined);
    assert.notEqual(cfg.RevisionId, v.revisionId, 'settling is a new revision');
    assert.equal(second.sluice.context.code.isExtracted(v.codeKey), true, 'the code was unpacked again');
  } finally {
    if (second) await second.close();
    else await first.close();
  }
});
