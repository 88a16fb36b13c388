// HTTP client for the Runtime API over one keep-alive connection (TCP host:port, or a unix socket when given).
import { Agent, request } from 'node:http';

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';

export class RapidClient {
  constructor(hostPort, socketPath) {
    const colon = hostPort.lastIndexOf(':');
    this.target = socketPath
      ? { socketPath }
      : { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) };
    // Free keep-alive sockets are unref'ed by the agent, so an idle connection never holds the event loop open
    // (callbackWaitsForEmptyEventLoop relies on the loop draining).
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** GET /invocation/next: resolves {body: Buffer, headers} (lower-case header names). */
  next() {
    return new Promise((resolve, reject) => {
      const req = request({ ...this.target, agent: this.agent, method: 'GET', path: `${BASE}/invocation/next` }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`Runtime API /next answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
            return;
          }
          resolve({ body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), headers: res.headers });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  postResponse(id, body, contentType = 'application/json') {
    return this.post(`${BASE}/invocation/${encodeURIComponent(id)}/response`, body, { 'Content-Type': contentType });
  }

  /** Invoke errors carry no error-type header (as the AWS client): the platform takes the type from the body. */
  postError(id, errorResponse) {
    return this.post(`${BASE}/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(errorResponse), {
      'Content-Type': 'application/json',
    });
  }

  postInitError(errorResponse) {
    return this.post(`${BASE}/init/error`, JSON.stringify(errorResponse), {
      'Content-Type': 'application/json',
      [ERROR_TYPE]: String(errorResponse.errorType),
    });
  }

  post(path, body, headers) {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    headers['Content-Length'] = buf.length;
    return new Promise((resolve, reject) => {
      const req = request({ ...this.target, agent: this.agent, method: 'POST', path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(buf);
    });
  }

  /** A chunked POST /response in streaming mode; errors travel in trailers. */
  streamResponse(id, contentType) {
    return request({
      ...this.target,
      agent: this.agent,
      method: 'POST',
      path: `${BASE}/invocation/${encodeURIComponent(id)}/response`,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        'Content-Type': contentType,
        'Transfer-Encoding': 'chunked',
      },
    });
  }
}
