"""Runtime API client: HTTP/1.1 over one keep-alive socket (TCP host:port, or a unix socket).

Written on the socket module rather than http.client: importing http.client (and the email package it pulls in)
costs more than ten milliseconds of every cold start.
"""
import socket

_BASE = "/2018-06-01/runtime"


class RapidError(Exception):
    pass


class RapidClient(object):
    def __init__(self, host_port, socket_path=None):
        self.host_port = host_port
        self.socket_path = socket_path
        self.sock = None
        self.rfile = None

    def _connect(self):
        if self.socket_path:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(self.socket_path)
        else:
            host, _, port = self.host_port.rpartition(":")
            s = socket.create_connection((host, int(port)))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.rfile = s.makefile("rb")

    def _close(self):
        try:
            if self.rfile is not None:
                self.rfile.close()
            if self.sock is not None:
                self.sock.close()
        finally:
            self.sock = None
            self.rfile = None

    def request(self, method, path, body=None, headers=()):
        lines = ["%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, self.host_port)]
        for name, value in headers:
            lines.append("%s: %s\r\n" % (name, value))
        if body is not None:
            lines.append("Content-Length: %d\r\n" % len(body))
        lines.append("\r\n")
        data = "".join(lines).encode("utf-8")
        if body:
            data += body
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            try:
                self.sock.sendall(data)
                return self._read_response()
            except (ConnectionError, RapidError):
                # A kept-alive connection that went away between requests: reconnect once.
                self._close()
                if attempt == 1:
                    raise

    def _read_response(self):
        rfile = self.rfile
        status_line = rfile.readline(65537)
        if not status_line:
            raise RapidError("connection closed by the Runtime API")
        parts = status_line.split(None, 2)
        status = int(parts[1])
        headers = {}
        while True:
            line = rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        elif "content-length" in headers:
            body = rfile.read(int(headers["content-length"]))
        else:
            body = rfile.read()
            self._close()
            return status, headers, body
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _read_chunked(self):
        rfile = self.rfile
        chunks = []
        while True:
            size = int(rfile.readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(rfile.read(size))
            rfile.readline()

    def next(self):
        status, headers, body = self.request("GET", _BASE + "/invocation/next")
        if status != 200:
            raise RapidError("Runtime API /next answered %d: %r" % (status, body))
        return headers, body

    def post_response(self, request_id, body, content_type):
        return self.request("POST", "%s/invocation/%s/response" % (_BASE, request_id), body,
                            (("Content-Type", content_type),))[0]

    def post_error(self, request_id, error_json):
        # No error-type header on invoke errors, like AWS's client: the platform takes the type from the body.
        return self.request("POST", "%s/invocation/%s/error" % (_BASE, request_id), error_json.encode("utf-8"),
                            (("Content-Type", "application/json"),))[0]

    def post_init_error(self, error_json, error_type):
        return self.request("POST", _BASE + "/init/error", error_json.encode("utf-8"),
                            (("Content-Type", "application/json"),
                             ("Lambda-Runtime-Function-Error-Type", error_type)))[0]
