// Sluice's Node.js runtime client: `node bootstrap.mjs` with cwd = LAMBDA_TASK_ROOT. Talks to the Runtime API at
// AWS_LAMBDA_RUNTIME_API (or the unix socket in _SLUICE_RUNTIME_API_SOCKET), loads _HANDLER and serves events.
import { RapidClient } from './rapid-client.mjs';
import { patchConsole } from './log-patch.mjs';
import { UnhandledPromiseRejection, toRapidResponse } from './errors.mjs';
import { installGlobal, isStreaming } from './streaming.mjs';
import { loadHandler } from './handler-loader.mjs';
import { Runtime } from './runtime.mjs';
import { awaitAssignment } from './assignment.mjs';

const env = process.env;
const socketPath = env._SLUICE_RUNTIME_API_SOCKET;
delete env._SLUICE_RUNTIME_API_SOCKET;
const client = new RapidClient(env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001', socketPath);
// A pre-started runtime (the platform's pool) got this far without a function. Its environment, which names the
// handler, arrives on assignment; from here on everything runs as in a fresh start.
if (env._SLUICE_STANDBY === '1') await awaitAssignment(client);
const logError = patchConsole(env);

// Until the first event, failures are init errors; the Runtime swaps these for per-invocation ones.
const errorCallbacks = {
  uncaughtException: (error) => { client.postInitError(toRapidResponse(error)).finally(() => process.exit(129)); },
  unhandledRejection: (error) => { client.postInitError(toRapidResponse(error)).finally(() => process.exit(128)); },
};
process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  errorCallbacks.uncaughtException(error);
});
process.on('unhandledRejection', (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', error);
  errorCallbacks.unhandledRejection(error);
});

installGlobal(env);
const taskRoot = env.LAMBDA_TASK_ROOT ?? process.cwd();
const handler = await loadHandler(taskRoot, env._HANDLER ?? '');
if (isStreaming(handler)) await client.enableStreaming();
new Runtime(client, handler, logError, errorCallbacks, {
  functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
  functionName: env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
}).scheduleIteration();
