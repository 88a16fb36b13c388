// The invoke loop: wait for an event, call the handler (async, promise or callback style, or streaming), report
// the result, repeat. Mirrors the semantics of AWS's Node.js runtime, including callbackWaitsForEmptyEventLoop.
import { NodeJsExit, toRapidResponse } from './errors.mjs';
import { setCurrentRequest } from './log-patch.mjs';
import { createResponseStream, isStreaming } from './streaming.mjs';

/** One replaceable 'beforeExit' action: the loop drained, so a waiting callback result can now be sent. */
let beforeExit = () => {};
const resetBeforeExit = () => { beforeExit = () => {}; };
process.on('beforeExit', () => beforeExit());

const isPromise = (v) => v !== null && v !== undefined && typeof v.then === 'function';
const isAsyncFunction = (f) => f?.constructor?.name === 'AsyncFunction';

export class Runtime {
  /**
   * @param client RapidClient
   * @param handler the user's function
   * @param logError (label, err) => void, from the console patch
   * @param errorCallbacks mutable {uncaughtException, unhandledRejection} used by the process-level hooks
   * @param staticContext the context members that come from the environment
   */
  constructor(client, handler, logError, errorCallbacks, staticContext) {
    this.client = client;
    this.handler = handler;
    this.logError = logError;
    this.errorCallbacks = errorCallbacks;
    this.staticContext = staticContext;
    this.isAsync = isAsyncFunction(handler);
    this.streaming = isStreaming(handler);
    this.scheduleNext = () => this.scheduleIteration();
  }

  scheduleIteration() {
    setImmediate(() => {
      const once = this.streaming ? this.handleOnceStreaming() : this.handleOnceNonStreaming();
      once.catch((err) => {
        console.log(`Unexpected Top Level Error: ${err}`);
        this.errorCallbacks.uncaughtException(err);
      });
    });
  }

  async handleOnceNonStreaming() {
    const { body, headers } = await this.client.next();
    const id = headers['lambda-runtime-aws-request-id'];
    setCurrentRequest(id, headers['lambda-runtime-aws-tenant-id']);
    const [callback, callbackContext, markCompleted] = this.callbackContext(id);
    try {
      this.setErrorCallbacks(id);
      this.setDefaultExitListener(id, markCompleted);
      const result = this.handler(JSON.parse(body), this.attachContext(callbackContext, headers), callback);
      if (isPromise(result)) result.then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
    } catch (err) {
      callback(err);
    }
  }

  async handleOnceStreaming() {
    const { body, headers } = await this.client.next();
    const id = headers['lambda-runtime-aws-request-id'];
    setCurrentRequest(id, headers['lambda-runtime-aws-tenant-id']);
    let waitForEmptyLoop = true;
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyLoop; },
      set callbackWaitsForEmptyEventLoop(v) { waitForEmptyLoop = v; },
    };
    const scheduleNext = () => {
      resetBeforeExit();
      if (!waitForEmptyLoop) this.scheduleIteration();
      else beforeExit = () => setImmediate(() => this.scheduleIteration());
    };
    const { stream, done, fail } = createResponseStream(
      this.client.streamResponse(id, 'application/octet-stream'));
    const failWith = (err) => {
      this.logError('Invoke Error', err);
      fail(err).then(scheduleNext, scheduleNext);
    };
    try {
      this.setErrorCallbacks(id);
      beforeExit = () => this.scheduleIteration();
      const result = this.handler(JSON.parse(body), stream, this.attachContext(context, headers));
      if (!isPromise(result)) return failWith('Streaming does not support non-async handlers.');
      const value = await result;
      if (value !== undefined) console.warn('Streaming handlers ignore return values.');
      // Ending the stream is the handler's job; waiting on an unfinished one would hang until the timeout.
      if (!stream.writableEnded) return failWith('Response stream is not finished.');
      await done;
      scheduleNext();
    } catch (err) {
      failWith(err);
    }
  }

  attachContext(target, headers) {
    const trace = headers['lambda-runtime-trace-id'];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    const deadline = Number(headers['lambda-runtime-deadline-ms']);
    return Object.assign(target, this.staticContext, {
      clientContext: parseJson(headers['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseJson(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: headers['lambda-runtime-aws-request-id'],
      tenantId: headers['lambda-runtime-aws-tenant-id'],
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
  }

  setErrorCallbacks(id) {
    this.errorCallbacks.uncaughtException = (error) => {
      this.client.postError(id, toRapidResponse(error)).finally(() => process.exit(129));
    };
    this.errorCallbacks.unhandledRejection = (error) => {
      this.client.postError(id, toRapidResponse(error)).finally(() => process.exit(128));
    };
  }

  /** Used when the loop drains before the handler reported anything. */
  setDefaultExitListener(id, markCompleted) {
    beforeExit = () => {
      markCompleted();
      if (this.isAsync) {
        const error = new NodeJsExit();
        this.logError('Invoke Error', error);
        this.client.postError(id, toRapidResponse(error)).then(this.scheduleNext, this.scheduleNext);
      } else {
        // A synchronous handler that never called back: AWS answers null.
        this.client.postResponse(id, 'null').then(this.scheduleNext, this.scheduleNext);
      }
    };
  }

  /** callback(err, result) and context.succeed/fail/done; only the first call of any of them counts. */
  callbackContext(id) {
    const client = this.client;
    const scheduleNext = this.scheduleNext;
    const postError = (err, next) => {
      this.logError('Invoke Error', err);
      client.postError(id, toRapidResponse(err)).then(next, next);
    };
    let completed = false;
    const complete = (result, next) => {
      if (completed) {
        console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
        return;
      }
      completed = true;
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch {
        return postError(new Error('Unable to stringify response body'), next);
      }
      client.postResponse(id, body).then(next, next);
    };
    let waitForEmptyLoop = true;
    const callback = (err, result) => {
      resetBeforeExit();
      if (err !== undefined && err !== null) postError(err, scheduleNext);
      else if (!waitForEmptyLoop) complete(result, scheduleNext);
      else beforeExit = () => setImmediate(() => complete(result, scheduleNext));
    };
    const done = (err, result) => {
      resetBeforeExit();
      if (err !== undefined && err !== null) postError(err, scheduleNext);
      else complete(result, scheduleNext);
    };
    let finished = false;
    const once = (fn) => (...args) => {
      if (finished) return;
      fn(...args);
      finished = true;
    };
    const context = {
      get callbackWaitsForEmptyEventLoop() { return waitForEmptyLoop; },
      set callbackWaitsForEmptyEventLoop(v) { waitForEmptyLoop = v; },
      succeed: once((result) => done(null, result)),
      fail: once((err) => (err === undefined || err === null ? done('handled') : done(err, null))),
      done: once(done),
    };
    return [once(callback), context, () => { completed = true; }];
  }
}

function parseJson(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}
