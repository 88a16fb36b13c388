// A minimal HTTP/1.1 client on one kept-alive socket, for the Runtime API hot path (GET /next, POST /response,
// /error): about half the per-request cost of node:http. Requests are serialized. The socket is unref'ed while
// no request is in flight, so an idle connection never keeps the event loop alive (callbackWaitsForEmptyEventLoop).
import { connect } from 'node:net';

const CRLF2 = Buffer.from('\r\n\r\n');

export class Connection {
  constructor(target) {
    this.target = target; // {host, port} or {path}
    this.socket = undefined;
    this.queue = Promise.resolve();
    this.pending = undefined; // {resolve, reject}
    this.buf = undefined;
    this.response = undefined;
  }

  /** Resolves {status, headers, body}; headers have lower-case names. */
  request(method, path, headers, body) {
    const run = () => new Promise((resolve, reject) => {
      const sock = this.socket ?? this.open();
      this.pending = { resolve, reject };
      sock.ref();
      let head = `${method} ${path} HTTP/1.1\r\nHost: runtime\r\n${headers}`;
      if (body !== undefined) head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
      head += '\r\n';
      if (body === undefined) sock.write(head, 'latin1');
      else if (typeof body === 'string') sock.write(head + body);
      else {
        sock.cork();
        sock.write(head, 'latin1');
        sock.write(body);
        sock.uncork();
      }
    });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }

  open() {
    const sock = this.target.path ? connect(this.target.path) : connect(this.target.port, this.target.host);
    sock.setNoDelay(true);
    sock.on('data', (chunk) => this.onData(chunk));
    sock.on('error', (err) => this.fail(err));
    sock.on('close', () => this.fail(new Error('Runtime API connection closed')));
    this.socket = sock;
    this.buf = undefined;
    this.response = undefined;
    return sock;
  }

  fail(err) {
    if (this.socket) this.socket.destroy();
    this.socket = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p) p.reject(err);
  }

  onData(chunk) {
    this.buf = this.buf === undefined ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.response === undefined) {
        const end = this.buf.indexOf(CRLF2);
        if (end < 0) return;
        this.response = parseHead(this.buf.toString('latin1', 0, end));
        this.buf = this.buf.subarray(end + 4);
      }
      const r = this.response;
      let body;
      if (r.length >= 0) {
        if (this.buf.length < r.length) return;
        body = this.buf.subarray(0, r.length);
        this.buf = this.buf.subarray(r.length);
      } else {
        const decoded = decodeChunked(this.buf);
        if (decoded === undefined) return;
        body = decoded.body;
        this.buf = this.buf.subarray(decoded.used);
      }
      this.response = undefined;
      if (this.buf.length === 0) this.buf = undefined;
      const p = this.pending;
      this.pending = undefined;
      if (this.socket) this.socket.unref();
      if (r.close && this.socket) {
        this.socket.removeAllListeners('close');
        this.socket.destroy();
        this.socket = undefined;
      }
      if (p) p.resolve({ status: r.status, headers: r.headers, body });
      if (this.buf === undefined) return;
    }
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const status = Number(lines[0].split(' ', 2)[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const te = headers['transfer-encoding'];
  const length = te !== undefined && te.toLowerCase() === 'chunked' ? -1 : Number(headers['content-length'] ?? 0);
  return { status, headers, length, close: (headers.connection ?? '').toLowerCase() === 'close' };
}

/** {body, used} once the whole chunked body (and its trailer section) is in `buf`. */
function decodeChunked(buf) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, eol).split(';')[0], 16);
    if (size === 0) {
      const end = buf.indexOf(CRLF2, eol);
      if (buf.length >= eol + 4 && buf[eol + 2] === 13 && buf[eol + 3] === 10) return { body: Buffer.concat(parts), used: eol + 4 };
      if (end < 0) return undefined;
      return { body: Buffer.concat(parts), used: end + 4 };
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
