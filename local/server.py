"""The HTTP front: a threading HTTP/1.1 server (keep-alive, TCP_NODELAY) feeding the Gateway."""

from __future__ import annotations

import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from .gateway import MAX_BODY, Gateway, Request, Response


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, addr, handler, gateway: Gateway, log: Callable[[str], None] | None):
        self.gateway = gateway
        self.log = log
        self.closing = False
        self.in_flight = 0
        self.idle = threading.Condition()
        super().__init__(addr, handler)

    def handle_error(self, request, client_address):  # noqa: ANN001 - socketserver API
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # client went away
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "accord-local"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Without TCP_NODELAY a keep-alive client waits for the delayed ACK (~40 ms) whenever a
        # response goes out in more than one segment.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def _read_body(self) -> tuple[bytes, int | None]:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    self.close_connection = True
                    return b"", total
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks), None
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            # do not read it: answer 413 and close the connection
            self.close_connection = True
            return b"", length
        return (self.rfile.read(length) if length > 0 else b""), None

    def _handle(self) -> None:
        server = self.server
        with server.idle:
            if server.closing:  # a keep-alive connection after the stop began
                self.close_connection = True
                closing = True
            else:
                server.in_flight += 1
                closing = False
        if closing:
            self._write(Response(503, [("Content-Type", "application/json")],
                                 b'{"message": "the local runtime is stopping"}'))
            return
        try:
            self._serve()
        finally:
            with server.idle:
                server.in_flight -= 1
                server.idle.notify_all()

    def _serve(self) -> None:
        started = time.perf_counter()
        raw_path, _, query = self.path.partition("?")
        if raw_path.startswith("http://") or raw_path.startswith("https://"):
            raw_path = "/" + raw_path.split("/", 3)[-1] if raw_path.count("/") >= 3 else "/"
        try:
            body, too_large = self._read_body()
        except (ValueError, OSError):
            self.send_error(400, "Bad request body")
            return
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        req = Request(
            method=self.command,
            raw_path=raw_path or "/",
            query=query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            host=host,
            content_length=too_large,
        )
        try:
            resp = self.server.gateway.handle(req)
        except Exception as exc:  # noqa: BLE001 - never drop the connection silently
            import traceback

            traceback.print_exc()
            resp = Response(500, [("Content-Type", "application/json")], b'{"message": "local runtime error: %s"}' % str(exc).encode()[:200])
        self._write(resp)
        if self.server.log is not None:
            ms = (time.perf_counter() - started) * 1000
            self.server.log(f"{self.command} {self.path} {resp.status} {ms:.0f}ms")

    def _write(self, resp: Response) -> None:
        reason = self.responses.get(resp.status, ("",))[0]
        lines = [f"HTTP/1.1 {resp.status} {reason}"]
        for k, v in resp.headers:
            if k.lower() in ("content-length", "connection", "transfer-encoding"):
                continue
            lines.append(f"{k}: {v}")
        lines.append(f"Content-Length: {len(resp.body)}")
        lines.append("Date: " + self.date_time_string())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        payload = head if self.command == "HEAD" else head + resp.body
        self.wfile.write(payload)  # one write: headers and body leave together
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class HttpFront:
    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 0,
                 log: Callable[[str], None] | None = None):
        self.server = _Server((host, port), _Handler, gateway, log)
        self.host, self.port = self.server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="http-front", daemon=True)
        self._thread.start()

    def stop(self, drain_seconds: float = 10.0) -> None:
        """Stop accepting, then wait (up to `drain_seconds`) for the requests in flight."""
        server = self.server
        with server.idle:
            server.closing = True
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with server.idle:
            server.idle.wait_for(lambda: server.in_flight == 0, timeout=drain_seconds)
