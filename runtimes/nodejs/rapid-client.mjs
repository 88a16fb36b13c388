// Client for the Runtime API (TCP host:port, or a unix socket when given): the per-invoke calls go over one
// kept-alive raw connection; streamed responses use node:http (loaded only for streaming handlers: it costs
// milliseconds of every cold start) for chunked encoding and trailers.
import { Connection } from './connection.mjs';

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE = 'Lambda-Runtime-Function-Error-Type';

export class RapidClient {
  constructor(hostPort, socketPath) {
    const colon = hostPort.lastIndexOf(':');
    this.target = socketPath
      ? { socketPath }
      : { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) };
    this.connection = new Connection(socketPath ? { path: socketPath } : this.target);
    this.http = undefined;
  }

  /** Loads node:http for streamResponse(). */
  async enableStreaming() {
    const http = await import('node:http');
    // Free keep-alive sockets are unref'ed by the agent, so an idle connection never holds the event loop open
    // (callbackWaitsForEmptyEventLoop relies on the loop draining).
    this.http = { request: http.request, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  }

  /** Pre-started runtimes: waits for the function (Sluice's GET /sluice/v1/assignment); resolves {env}. */
  async assignment() {
    const res = await this.connection.request('GET', '/sluice/v1/assignment', '', undefined);
    if (res.status !== 200) throw new Error(`Runtime API assignment answered ${res.status}: ${res.body.toString()}`);
    return JSON.parse(res.body.toString());
  }

  /** GET /invocation/next: resolves {body: Buffer, headers} (lower-case header names). */
  async next() {
    const res = await this.connection.request('GET', `${BASE}/invocation/next`, '', undefined);
    if (res.status !== 200) throw new Error(`Runtime API /next answered ${res.status}: ${res.body.toString()}`);
    return res;
  }

  postResponse(id, body, contentType = 'application/json') {
    return this.post(`${BASE}/invocation/${encodeURIComponent(id)}/response`, body, `Content-Type: ${contentType}\r\n`);
  }

  /** Invoke errors carry no error-type header (as the AWS client): the platform takes the type from the body. */
  postError(id, errorResponse) {
    return this.post(`${BASE}/invocation/${encodeURIComponent(id)}/error`, JSON.stringify(errorResponse),
      'Content-Type: application/json\r\n');
  }

  postInitError(errorResponse) {
    const type = String(errorResponse.errorType).replace(/[\r\n]/g, ' ');
    return this.post(`${BASE}/init/error`, JSON.stringify(errorResponse),
      `Content-Type: application/json\r\n${ERROR_TYPE}: ${type}\r\n`);
  }

  async post(path, body, headers) {
    return (await this.connection.request('POST', path, headers, body)).status;
  }

  /** A chunked POST /response in streaming mode; errors travel in trailers. */
  streamResponse(id, contentType) {
    return this.http.request({
      ...this.target,
      agent: this.http.agent,
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
