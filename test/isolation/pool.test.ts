// The pre-started pool: cold starts take a generic environment, attach the function (code, layers, memory limit,
// environment, handler) and answer correctly; code stays private to its environment; the pool refills; size 0 and
// the process backend disable it; closing leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateFunctionCommand, waitUntilFunctionActiveV2, type CreateFunctionCommandInput } from '@aws-sdk/client-lambda';
import { ROLE, startTestServer, type TestServer } from '../helpers/server.js';
import { zipFiles } from '../helpers/zip.js';
import { createFunction, invoke } from '../invoke/helpers.js';
import type { StandbyPool } from '../../src/sandbox/standby-pool.js';
import { cgroupParentFor, isolationSkip } from './helpers.js';

const skip = isolationSkip();
const NODE = 'nodejs22.x';
const PYTHON = 'python3.12';

const NODE_APP = `
const fs = require('fs');
exports.main = async (event, context) => {
  if (event.read) {
    try { return { read: fs.readFileSync(event.read, 'utf8') }; } catch (e) { return { error: e.code }; }
  }
  let writeTask;
  try { fs.writeFileSync('/var/task/x', '1'); writeTask = 'written'; } catch (e) { writeTask = e.code; }
  return {
    greeting: process.env.GREETING ?? null, handler: process.env._HANDLER, cwd: process.cwd(),
    data: fs.readFileSync('data.txt', 'utf8'), files: fs.readdirSync('/var/task').sort(), opt: fs.readdirSync('/opt').sort(),
    memory: context.memoryLimitInMB, standby: process.env._SLUICE_STANDBY ?? null, writeTask,
    mountinfo: fs.readFileSync('/proc/self/mountinfo', 'utf8'),
  };
};
`;

const PYTHON_APP = `
import os
import helper

def main(event, context):
    if event.get("mb"):
        return len(b"x" * (event["mb"] * 1024 * 1024))
    return {"greeting": os.environ.get("GREETING"), "cwd": os.getcwd(), "data": open("data.txt").read(),
            "helper": helper.VALUE, "memory": context.memory_limit_in_mb}
`;

const HELLO = "exports.handler = async () => 'fresh';\n";
const nodeCode = (data: string) => zipFiles({ 'src/app.js': NODE_APP, 'data.txt': data });
const pythonCode = zipFiles({ 'app.py': PYTHON_APP, 'helper.py': 'VALUE = 42\n', 'data.txt': 'payload-python' });

let t: TestServer;
let pool: StandbyPool;

before(async () => {
  if (skip) return;
  t = await startTestServer({ sandbox: 'isolated', environmentPoolSize: 2 });
  pool = t.sluice.environments.standby!;
});
after(async () => { await t?.close(); });

async function create(server: TestServer, name: string, input: Partial<CreateFunctionCommandInput>): Promise<void> {
  await server.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Timeout: 30, ...input } as CreateFunctionCommandInput));
  await waitUntilFunctionActiveV2({ client: server.lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: name });
}

/** Resolves once `n` pre-started environments of the runtime are ready (event-driven, no polling). */
function ready(p: StandbyPool, runtime: string, n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (p.counts(runtime).ready < n) return;
      off();
      resolve();
    };
    const off = p.onEvent(check);
    check();
  });
}

/** Counts the pre-started environments `fn` takes from the pool. */
async function takes<T>(p: StandbyPool, fn: () => Promise<T>): Promise<{ result: T; taken: number }> {
  let taken = 0;
  const off = p.onEvent((e) => { if (e.type === 'taken') taken++; });
  try {
    return { result: await fn(), taken };
  } finally {
    off();
  }
}

/** The host directory mounted last at `path` in a mountinfo dump (what the sandbox sees there). */
function mountedAt(mountinfo: string, path: string): string {
  const roots = mountinfo.split('\n').map((l) => l.split(' ')).filter((f) => f[4] === path).map((f) => f[3]!);
  assert.ok(roots.length > 0, `nothing mounted at ${path}`);
  return roots[roots.length - 1]!;
}

test('a cold start takes a pre-started environment and runs with its own handler, environment, code and memory size', { skip }, async () => {
  await create(t, 'pool-prime-node', { Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('prime') } });
  // The first cold start of a runtime starts fresh and makes the pool keep environments of its kind.
  const first = await takes(pool, () => invoke(t.lambda, 'pool-prime-node'));
  assert.equal(first.taken, 0);
  assert.equal(first.result.body.data, 'prime');
  await ready(pool, NODE, 2);

  await create(t, 'pool-node', {
    Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('payload-node') },
    Environment: { Variables: { GREETING: 'hello from the pool' } },
  });
  const { result: r, taken } = await takes(pool, () => invoke(t.lambda, 'pool-node', {}, { LogType: 'Tail' }));
  assert.equal(taken, 1, 'the cold start used a pre-started environment');
  assert.equal(r.out.FunctionError, undefined, r.text);
  assert.equal(r.body.greeting, 'hello from the pool');
  assert.equal(r.body.handler, 'src/app.main');
  assert.equal(r.body.cwd, '/var/task');
  assert.equal(r.body.data, 'payload-node', 'relative paths resolve in the attached code');
  assert.deepEqual(r.body.files, ['data.txt', 'src']);
  assert.deepEqual(r.body.opt, []);
  assert.equal(r.body.memory, '256');
  assert.equal(r.body.standby, null, 'no trace of the pool in the function environment');
  assert.equal(r.body.writeTask, 'EROFS', 'the attached code is read-only');
  // AWS semantics: INIT_START, and an Init Duration that is the handler's load on assignment.
  assert.match(r.log, /^INIT_START Runtime Version: nodejs:22\.v1\t/m);
  const init = /Init Duration: ([\d.]+) ms/.exec(r.log);
  assert.ok(init, r.log);
  assert.ok(Number(init[1]) < 1000, r.log);

  // Warm reuse as before: the next invoke takes nothing from the pool.
  const warm = await takes(pool, () => invoke(t.lambda, 'pool-node', {}, { LogType: 'Tail' }));
  assert.equal(warm.taken, 0);
  assert.doesNotMatch(warm.result.log, /Init Duration/);
});

test('the pool refills in the background after a cold start takes from it', { skip }, async () => {
  await ready(pool, NODE, 2);
  let refilled = 0;
  const off = pool.onEvent((e) => { if (e.type === 'ready' && e.runtime === NODE) refilled++; });
  try {
    await create(t, 'pool-refill', { Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('refill') } });
    const { taken } = await takes(pool, () => invoke(t.lambda, 'pool-refill'));
    assert.equal(taken, 1);
    await ready(pool, NODE, 2);
    assert.equal(refilled, 1, 'exactly the slot taken was started again');
    assert.equal(pool.counts(NODE).ready, 2);
  } finally {
    off();
  }
});

test('the memory limit applies after assignment: an overrun is Runtime.OutOfMemory, and the next invoke works', { skip }, async () => {
  // Python's launch does not depend on MemorySize: environments pre-started for a 1024 MB function serve 128 MB ones.
  await create(t, 'pool-py-big', { Runtime: PYTHON, Handler: 'app.main', MemorySize: 1024, Code: { ZipFile: pythonCode } });
  assert.equal((await invoke(t.lambda, 'pool-py-big', { mb: 300 })).body, 300 * 1024 * 1024);
  await ready(pool, PYTHON, 2);

  await create(t, 'pool-py-small', {
    Runtime: PYTHON, Handler: 'app.main', MemorySize: 128, Code: { ZipFile: pythonCode }, Environment: { Variables: { GREETING: 'hi' } },
  });
  const cold = await takes(pool, () => invoke(t.lambda, 'pool-py-small'));
  assert.equal(cold.taken, 1);
  assert.deepEqual(cold.result.body, { greeting: 'hi', cwd: '/var/task', data: 'payload-python', helper: 42, memory: '128' });
  const oom = await invoke(t.lambda, 'pool-py-small', { mb: 300 }, { LogType: 'Tail' });
  assert.equal(oom.out.FunctionError, 'Unhandled');
  assert.equal(oom.body.errorType, 'Runtime.OutOfMemory', oom.text);
  assert.match(oom.log, /Memory Size: 128 MB\tMax Memory Used: 128 MB\t/);
  assert.equal((await invoke(t.lambda, 'pool-py-small')).body.greeting, 'hi');
});

test("a function's code is visible only to its own environment", { skip }, async () => {
  await ready(pool, NODE, 2);
  await create(t, 'pool-secret-a', { Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('secret-a') } });
  await create(t, 'pool-secret-b', { Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('secret-b') } });
  const { result: [a, b], taken } = await takes(pool, () => Promise.all([invoke(t.lambda, 'pool-secret-a'), invoke(t.lambda, 'pool-secret-b')]));
  assert.equal(taken, 2, 'both came from the pool, and both are alive now');
  assert.equal(a.body.data, 'secret-a');
  assert.equal(b.body.data, 'secret-b');
  const codeA = mountedAt(a.body.mountinfo, '/var/task');
  const codeB = mountedAt(b.body.mountinfo, '/var/task');
  assert.notEqual(codeA, codeB);
  assert.ok(readFileSync(join(codeB, 'data.txt'), 'utf8') === 'secret-b', 'that is where B\'s code is on the host');
  assert.ok(!a.body.mountinfo.includes(codeB), "B's code is not mounted anywhere in A's sandbox");
  assert.ok(!b.body.mountinfo.includes(codeA), "A's code is not mounted anywhere in B's sandbox");
  const fromA = await invoke(t.lambda, 'pool-secret-a', { read: join(codeB, 'data.txt') });
  assert.equal(fromA.body.error, 'ENOENT');
  const viaSlots = await invoke(t.lambda, 'pool-secret-a', { read: join(t.dataDir, 'sandboxes', 'pool') });
  assert.equal(viaSlots.body.error, 'ENOENT', 'the pool directory does not exist inside a sandbox');
});

test('custom runtimes and functions that set startup variables start fresh', { skip }, async () => {
  await createFunction(t.lambda, 'pool-custom', 'provided-bash', { Runtime: 'provided.al2023', Handler: 'function.handler' });
  const custom = await takes(pool, () => invoke(t.lambda, 'pool-custom', { x: 1 }));
  assert.equal(custom.taken, 0);
  assert.equal(custom.result.out.FunctionError, undefined, custom.result.text);

  await ready(pool, NODE, 2);
  await create(t, 'pool-node-options', {
    Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('opts') },
    Environment: { Variables: { NODE_OPTIONS: '--no-deprecation' } },
  });
  const opts = await takes(pool, () => invoke(t.lambda, 'pool-node-options'));
  assert.equal(opts.taken, 0, 'NODE_OPTIONS is read when node starts: a pre-started one cannot honour it');
  assert.equal(opts.result.body.data, 'opts');
});

test('environmentPoolSize 0 and the process backend disable the pool; cold starts still work', { skip }, async () => {
  for (const overrides of [{ sandbox: 'isolated' as const, environmentPoolSize: 0 }, { sandbox: 'process' as const, environmentPoolSize: 2 }]) {
    const s = await startTestServer(overrides);
    try {
      assert.equal(s.sluice.environments.standby, undefined, JSON.stringify(overrides));
      await create(s, 'no-pool', { Runtime: NODE, Handler: 'index.handler', MemorySize: 256, Code: { ZipFile: zipFiles({ 'index.js': HELLO }) } });
      assert.equal((await invoke(s.lambda, 'no-pool')).body, 'fresh');
      assert.equal((await invoke(s.lambda, 'no-pool')).body, 'fresh');
      assert.ok(!existsSync(join(s.dataDir, 'sandboxes', 'pool')), 'no pool directory');
    } finally {
      await s.close();
    }
  }
});

test('closing the server leaves no process, cgroup or mount of the pool behind', { skip }, async () => {
  const s = await startTestServer({ sandbox: 'isolated', environmentPoolSize: 2 });
  const parent = cgroupParentFor(s.dataDir);
  const p = s.sluice.environments.standby!;
  try {
    await create(s, 'close-node', { Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('close') } });
    await create(s, 'close-py', { Runtime: PYTHON, Handler: 'app.main', MemorySize: 256, Code: { ZipFile: pythonCode } });
    await invoke(s.lambda, 'close-node');
    await invoke(s.lambda, 'close-py');
    await Promise.all([ready(p, NODE, 2), ready(p, PYTHON, 2)]);
    // One more from the pool, so attached code mounts exist too.
    await create(s, 'close-node-2', { Runtime: NODE, Handler: 'src/app.main', MemorySize: 256, Code: { ZipFile: nodeCode('close-2') } });
    assert.equal((await takes(p, () => invoke(s.lambda, 'close-node-2'))).taken, 1);
    assert.ok(mountsUnder(s.dataDir).length >= 3, 'pool root, published code and a slot are mounted');
    assert.ok(processesOf(s.dataDir, parent).length >= 5, 'environments and the mount helper run');
  } finally {
    await s.stop();
  }
  assert.deepEqual(processesOf(s.dataDir, parent), []);
  assert.deepEqual(mountsUnder(s.dataDir), []);
  for (const controller of readdirSync('/sys/fs/cgroup')) {
    assert.ok(!existsSync(join('/sys/fs/cgroup', controller, parent)), `${controller}/${parent} removed`);
  }
  assert.ok(!existsSync(join(s.dataDir, 'sandboxes', 'pool')));
  await s.close();
});

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
}

/** Processes in the server's cgroups or naming its data dir (sandboxes, the mount helper). */
function processesOf(dataDir: string, parent: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/${parent}/`) || cmdline.includes(dataDir)) out.push(`${pid} ${cmdline}`);
    } catch { /* gone */ }
  }
  return out;
}
