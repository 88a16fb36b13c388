// Our runtime clients in standby mode (the pre-started pool): started without a function, they wait on the
// assignment request; code appearing later under their task root and /opt, the function's environment and
// handler take effect on assignment, and the AWS protocol follows. Plain processes: no isolation needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeEndpoint } from '../../src/runtime-api/index.js';
import { RuntimeTable } from '../../src/sandbox/runtime-table.js';
import { RUNTIME_ROOT } from './harness.js';

const table = new RuntimeTable({ dataDir: mkdtempSync(join(tmpdir(), 'sluice-standby-data-')), searchPath: process.env.PATH });

interface Case {
  runtime: string;
  handler: string;
  /** Files written into the task root and /opt after the runtime is waiting (as the platform's mounts appear). */
  task: Record<string, string>;
  opt: Record<string, string>;
}

const CASES: Case[] = [
  {
    runtime: 'nodejs22.x',
    handler: 'app.handler',
    task: {
      'app.js': "const fs = require('fs'); const layer = require('layermod');\n" +
        "exports.handler = async () => ({ data: fs.readFileSync('data.txt', 'utf8'), layer, greeting: process.env.GREETING, cwd: process.cwd(), standby: process.env._SLUICE_STANDBY ?? null });\n",
      'data.txt': 'node data',
    },
    opt: { 'nodejs/node_modules/layermod/index.js': "module.exports = 'node layer';\n" },
  },
  {
    runtime: 'python3.12',
    handler: 'app.handler',
    task: {
      'app.py': 'import os\nimport layermod\n\ndef handler(event, context):\n' +
        '    return {"data": open("data.txt").read(), "layer": layermod.VALUE, "greeting": os.environ.get("GREETING"), "cwd": os.getcwd(), "standby": os.environ.get("_SLUICE_STANDBY")}\n',
      'data.txt': 'python data',
    },
    opt: { 'python/layermod.py': "VALUE = 'python layer'\n" },
  },
];

function write(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
}

for (const c of CASES) {
  test(`${c.runtime}: a standby runtime loads nothing until assigned, then runs the assigned function`, async () => {
    const base = mkdtempSync(join(tmpdir(), 'sluice-standby-'));
    const taskRoot = join(base, 'task');
    const optRoot = join(base, 'opt');
    mkdirSync(taskRoot);
    mkdirSync(optRoot);
    const plan = table.launch(c.runtime, { taskRoot, optRoot, runtimeRoot: RUNTIME_ROOT }, { memorySizeMb: 256 });
    if ('error' in plan) throw new Error(plan.message);
    const endpoint = new RuntimeEndpoint({ socketPath: join(base, 'rapi.sock'), standby: true });
    const address = await endpoint.listen();
    const env = { ...plan.env, AWS_LAMBDA_RUNTIME_API: address.hostPort };
    const child = spawn(plan.command, plan.args, {
      cwd: taskRoot, env: { ...env, _SLUICE_RUNTIME_API_SOCKET: address.socketPath!, _SLUICE_STANDBY: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => { output += d; });
    child.stderr!.on('data', (d: Buffer) => { output += d; });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await Promise.race([endpoint.waitForStandby(), exited.then(() => { throw new Error(`runtime exited: ${output}`); })]);
      // The code arrives after the runtime started, where it already looked for modules.
      write(taskRoot, c.task);
      write(optRoot, c.opt);
      endpoint.assign({
        env: {
          ...env, _HANDLER: c.handler, GREETING: 'assigned', AWS_LAMBDA_FUNCTION_NAME: 'standby', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/standby', AWS_LAMBDA_LOG_STREAM_NAME: 's', AWS_REGION: 'us-east-1',
        },
      });
      assert.deepEqual(await endpoint.waitForInit(), { kind: 'ready' }, output);
      const outcome = await endpoint.invoke({ requestId: 'r-1', payload: Buffer.from('{}'), deadlineMs: Date.now() + 10_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:standby' });
      assert.equal(outcome.kind, 'response', JSON.stringify(outcome) + output);
      const body = JSON.parse((outcome as { payload: Buffer }).payload.toString()) as Record<string, unknown>;
      assert.deepEqual(body, {
        data: c.task['data.txt'], layer: `${c.runtime.startsWith('node') ? 'node' : 'python'} layer`, greeting: 'assigned', cwd: taskRoot, standby: null,
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
      await endpoint.close();
      rmSync(base, { recursive: true, force: true });
    }
  });
}
