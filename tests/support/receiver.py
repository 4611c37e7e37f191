"""A webhook receiver on loopback for the notification tests: records every request (headers,
body, arrival time) and answers with a scripted status (or hangs)."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """`script(n)` → (status, delay seconds) for the n-th request (0-based); default 200 at once."""

    def __init__(self, script=None):
        self.requests: list[dict] = []
        self.script = script or (lambda n: (200, 0))
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    n = len(outer.requests)
                    outer.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": body, "at": time.time()})
                    outer._arrived.notify_all()
                status, delay = outer.script(n)
                if delay:
                    time.sleep(delay)
                payload = b'{"ok": true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the sender gave up (timeout)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        with self._lock:
            return [json.loads(r["body"]) for r in self.requests]

    def wait_for(self, predicate, timeout: float = 30.0) -> list[dict]:
        """Block until predicate(requests) is true; returns the requests (AssertionError on timeout)."""
        deadline = time.time() + timeout
        with self._lock:
            while not predicate(self.requests):
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"receiver: condition not met in {timeout} s; got "
                                         f"{[json.loads(r['body']).get('type') for r in self.requests]}")
                self._arrived.wait(min(left, 0.5))
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
