"""A threaded HTTP/1.1 server with keep-alive for the simulator's WSGI app.

Real providers keep connections open, and a sender reuses them. werkzeug's development server closes
every connection after one response (and then waits 10 ms draining the socket), so a benchmark
against it measured TCP set-up and a new server thread per request rather than the sender. This
server keeps each connection on one thread for as long as the client keeps it open (idle ones close
after IDLE_SECONDS), reads each request body in full by its Content-Length before calling the app,
and always answers with a Content-Length, so requests never bleed into each other.
"""
from __future__ import annotations

import io
import socket
import socketserver
import sys
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

IDLE_SECONDS = 75
MAX_BODY_BYTES = 10 * 1024 * 1024


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS  # an idle keep-alive connection gives its thread back after this
    server: KeepAliveServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; with Nagle's algorithm the second would wait for the
        # client's delayed ACK (40 ms) on every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._run_app()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server signature
        pass  # one log line per request would cost more than the request at benchmark rates

    def _run_app(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._plain(411, b"Content-Length required")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self._plain(400, b"bad Content-Length")
            return
        body = self.rfile.read(length) if length else b""
        status_line: list[str] = []
        response_headers: list[tuple[str, str]] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            status_line[:] = [status]
            response_headers[:] = headers
            return lambda data: None  # the legacy write() callable; Flask never uses it

        result = self.server.app(self._environ(body), start_response)
        try:
            payload = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        code, _, reason = status_line[0].partition(" ")
        self.send_response(int(code), reason)
        for name, value in response_headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _plain(self, code: int, message: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(message)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(message)
        self.close_connection = True

    def _environ(self, body: bytes) -> dict[str, Any]:
        url = urlsplit(self.path)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(url.path, "latin-1"),
            "QUERY_STRING": url.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": self.server.server_name,
            "SERVER_PORT": str(self.server.server_port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key in {"HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"}:
                continue
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ


class KeepAliveServer(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open dozens of connections at once; the default backlog of 5 would refuse some.
    request_queue_size = 256

    def __init__(self, host: str, port: int, app: WsgiApp):
        self.app = app
        super().__init__((host, port), KeepAliveHandler)

    def server_bind(self) -> None:
        # HTTPServer looks the host's FQDN up here; a slow resolver would delay start-up for nothing.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
