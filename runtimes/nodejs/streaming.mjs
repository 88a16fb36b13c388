// Response streaming: the `awslambda` global (streamifyResponse, HttpResponseStream) and the response stream a
// streaming handler writes to (a chunked POST /response; failures go out as trailers).
import { InvalidStreamingOperation, MalformedStreamingHandler, toRapidResponse } from './errors.mjs';

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

export class HttpResponseStream {
  /** Function URL responses: a JSON prelude {statusCode, headers, cookies} and 8 NUL bytes before the body. */
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION);
    const metadata = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

export function installGlobal(env) {
  const off = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === '1' || off === 'true') return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
      return handler;
    },
    HttpResponseStream,
  };
}

export function isStreaming(handler) {
  const mode = handler[HANDLER_STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandler('Only response streaming is supported.');
}

/** Wraps the chunked POST so handlers see a writable stream with setContentType() and the prelude hook. */
export function createResponseStream(req) {
  let started = false;
  let failed = false;
  const done = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
  done.catch(() => {});
  const write = req.write.bind(req);
  const end = req.end.bind(req);
  req.setContentType = (contentType) => {
    if (started) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    req.setHeader('Content-Type', contentType);
  };
  req.write = function (chunk, encoding, callback) {
    if (typeof chunk !== 'string' && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) chunk = JSON.stringify(chunk);
    if (!started) {
      started = true;
      if (typeof req._onBeforeFirstWrite === 'function') req._onBeforeFirstWrite((c) => write(c));
    }
    return write(chunk, encoding, callback);
  };
  req.end = function (chunk, encoding, callback) {
    if (typeof chunk === 'function') return end(chunk);
    if (chunk !== undefined && chunk !== null) req.write(chunk, typeof encoding === 'string' ? encoding : undefined);
    return end(typeof encoding === 'function' ? encoding : callback);
  };
  /** Reports an error through the trailers (only possible while the stream is open). */
  const fail = (err) => {
    if (failed || req.writableEnded) return done;
    failed = true;
    const error = toRapidResponse(err);
    req.addTrailers({
      'Lambda-Runtime-Function-Error-Type': error.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(error)).toString('base64'),
    });
    end();
    return done;
  };
  return { stream: req, done, fail };
}
