import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { GetFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { STACK_LINE, cliEnv, makeProject, runCli } from './helpers.js';

let t: TestServer;
let env: Record<string, string>;
before(async () => {
  t = await startTestServer();
  env = cliEnv(t);
});
after(async () => { await t.close(); });

/** Entry names of the zip that GetFunction's Code.Location serves for a function. */
async function deployedEntries(name: string): Promise<string[]> {
  const got = await t.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  const zip = Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer());
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => {
      if (err || !z) return reject(err);
      const names: string[] = [];
      z.on('entry', (e: yauzl.Entry) => { names.push(e.fileName); z.readEntry(); });
      z.on('end', () => resolve(names.sort()));
      z.on('error', reject);
      z.readEntry();
    });
  });
}

const HELLO = `export const handler = async (event) => {
  console.log('got', JSON.stringify(event));
  if (event.fail) throw new Error('boom: ' + event.fail);
  return { hello: event.name ?? 'world', greeting: process.env.GREETING ?? null };
};
`;

test('deploy packages a folder without what .gitignore/.sluiceignore leave out, creates the function and waits until Active', async () => {
  const dir = makeProject({
    'index.mjs': HELLO,
    'lib/util.js': 'module.exports = 1;\n',
    '.gitignore': 'node_modules/\n*.log\n/build\n',
    '.sluiceignore': 'secret.txt\n!keep.log\n',
    'node_modules/dep/index.js': 'x',
    'debug.log': 'x',
    'keep.log': 'kept',
    'build/out.js': 'x',
    'lib/build/ok.js': 'x',
    'secret.txt': 'x',
    'sub/.gitignore': 'local.json\n',
    'sub/local.json': '{}',
    'sub/shared.json': '{}',
  });
  const r = await runCli(['deploy', dir, '--name', 'hello', '--env', 'GREETING=hi'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Using --runtime nodejs22\.x --handler index\.handler \(from index\.mjs\)/);
  assert.match(r.stdout, /hello: State Active, LastUpdateStatus Successful/);
  assert.match(r.stdout, /Deployed hello: arn:aws:lambda:us-east-1:111111111111:function:hello/);
  assert.deepEqual(await deployedEntries('hello'), [
    '.gitignore', '.sluiceignore', 'index.mjs', 'keep.log', 'lib/build/ok.js', 'lib/util.js', 'sub/.gitignore', 'sub/shared.json',
  ]);
  const c = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'hello' }));
  assert.equal(c.State, 'Active');
  assert.deepEqual(c.Environment?.Variables, { GREETING: 'hi' });
});

test('deploying again updates code and configuration; the same files give the same CodeSha256', async () => {
  const dir = makeProject({ 'index.mjs': HELLO });
  assert.equal((await runCli(['deploy', dir, '--name', 'again'], env)).code, 0);
  const first = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'again' }));
  const r = await runCli(['deploy', dir, '--name', 'again', '--memory', '256', '--timeout', '7'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Updating code of again/);
  assert.match(r.stdout, /Updating configuration of again \(MemorySize, Timeout\)/);
  const second = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'again' }));
  assert.equal(second.MemorySize, 256);
  assert.equal(second.Timeout, 7);
  assert.equal(second.CodeSha256, first.CodeSha256);
});

test('deploy takes a zip file as it is, and needs --runtime/--handler to create from one', async () => {
  const dir = makeProject({ 'index.mjs': HELLO });
  assert.equal((await runCli(['deploy', dir, '--name', 'zipped'], env)).code, 0);
  const got = await t.lambda.send(new GetFunctionCommand({ FunctionName: 'zipped' }));
  const zipPath = join(dir, 'fn.zip');
  writeFileSync(zipPath, Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer()));
  const missing = await runCli(['deploy', zipPath, '--name', 'fromzip'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /creating fromzip needs --runtime and --handler/);
  const ok = await runCli(['deploy', zipPath, '--name', 'fromzip', '--runtime', 'nodejs22.x', '--handler', 'index.handler'], env);
  assert.equal(ok.code, 0, ok.stderr);
  const c = await t.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fromzip' }));
  assert.equal(c.CodeSha256, got.Configuration!.CodeSha256);
});

test('invoke prints the response on stdout and the log tail on stderr; a function error exits 1 with its type and message', async () => {
  const dir = makeProject({ 'index.mjs': HELLO, 'event.json': '{"name":"file"}' });
  assert.equal((await runCli(['deploy', dir, '--name', 'inv'], env)).code, 0);

  const ok = await runCli(['invoke', 'inv', '--payload', '{"name":"sluice"}'], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { hello: 'sluice', greeting: null });
  assert.match(ok.stderr, /START RequestId: /);
  assert.match(ok.stderr, /got \{"name":"sluice"\}/);
  assert.match(ok.stderr, /REPORT RequestId: /);

  const fromFile = await runCli(['invoke', 'inv', '--payload', `@${join(dir, 'event.json')}`, '--quiet'], env);
  assert.equal(fromFile.code, 0);
  assert.deepEqual(JSON.parse(fromFile.stdout), { hello: 'file', greeting: null });
  assert.equal(fromFile.stderr, '');

  const failed = await runCli(['invoke', 'inv', '--payload', '{"fail":"on purpose"}'], env);
  assert.equal(failed.code, 1);
  assert.equal(JSON.parse(failed.stdout).errorType, 'Error');
  assert.match(failed.stderr, /^sluice: inv failed \(Unhandled\): Error: boom: on purpose$/m);

  const async = await runCli(['invoke', 'inv', '--async'], env);
  assert.equal(async.code, 0, async.stderr);
  assert.match(async.stdout, /^Accepted \(202\): request [0-9a-f-]{36} runs in the background/);
});

test('errors are one line with the AWS error type and message, never a stack', async () => {
  const missing = await runCli(['invoke', 'no-such-function'], env);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'sluice: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:111111111111:function:no-such-function\n');

  const dir = makeProject({ 'index.mjs': HELLO });
  assert.equal((await runCli(['deploy', dir, '--name', 'errs'], env)).code, 0);
  const badJson = await runCli(['invoke', 'errs', '--payload', '{not json'], env);
  assert.equal(badJson.code, 1);
  assert.match(badJson.stderr, /^sluice: InvalidRequestContentException: Could not parse request body into json/);
  assert.equal(badJson.stderr.trim().split('\n').length, 1);

  const unreachable = await runCli(['ls'], { ...env, SLUICE_ENDPOINT: 'http://127.0.0.1:9' });
  assert.equal(unreachable.code, 1);
  assert.equal(unreachable.stderr.trim(), 'sluice: cannot reach Sluice at http://127.0.0.1:9 (connection refused): is `sluice serve` running? (choose another server with --endpoint or SLUICE_ENDPOINT)');

  const badKey = await runCli(['ls'], { PATH: env.PATH!, SLUICE_ENDPOINT: t.url, SLUICE_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000', SLUICE_SECRET_ACCESS_KEY: 'not-the-secret-000000000' });
  assert.equal(badKey.code, 1);
  assert.match(badKey.stderr, /^sluice: UnrecognizedClientException: /);

  const usage = await runCli(['deploy', dir, '--memroy', '256'], env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^sluice deploy: unknown option --memroy\nusage: sluice deploy/);

  for (const r of [missing, badJson, unreachable, badKey, usage]) assert.doesNotMatch(r.stderr, STACK_LINE);
});

test('--endpoint on the command line wins over SLUICE_ENDPOINT; AWS_* keys work when nothing else is configured', async () => {
  const viaFlag = await runCli(['ls', '--endpoint', t.url], { ...env, SLUICE_ENDPOINT: 'http://127.0.0.1:9' });
  assert.equal(viaFlag.code, 0, viaFlag.stderr);
  const viaAws = await runCli(['ls', '--json'], {
    PATH: env.PATH!, SLUICE_ENDPOINT: t.url, SLUICE_DATA_DIR: join(t.dataDir, 'nowhere'),
    AWS_ACCESS_KEY_ID: t.account.accessKeyId, AWS_SECRET_ACCESS_KEY: t.account.secretAccessKey,
  });
  assert.equal(viaAws.code, 0, viaAws.stderr);
  assert.ok(Array.isArray(JSON.parse(viaAws.stdout)));
});

test('ls lists functions; rm deletes them; removing a missing one fails in one line', async () => {
  const dir = makeProject({ 'index.mjs': HELLO });
  assert.equal((await runCli(['deploy', dir, '--name', 'listed'], env)).code, 0);
  const ls = await runCli(['ls'], env);
  assert.equal(ls.code, 0);
  assert.match(ls.stdout, /^NAME\s+RUNTIME\s+MEMORY\s+TIMEOUT\s+STATE\s+CODE\s+LAST MODIFIED$/m);
  assert.match(ls.stdout, /^listed\s+nodejs22\.x\s+128 MB\s+3 s\s+Active\s+\d+ B\s+\d{4}-/m);

  const rm = await runCli(['rm', 'listed'], env);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(rm.stdout, 'Deleted function listed\n');
  assert.doesNotMatch((await runCli(['ls'], env)).stdout, /^listed /m);

  const again = await runCli(['rm', 'listed'], env);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'sluice: ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:111111111111:function:listed\n');
});
