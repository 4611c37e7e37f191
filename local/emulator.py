"""The AWS emulator: moto in server mode, plus the template's tables and queues.

moto runs in its own process (``local/moto_main.py``): its backends are module-level globals, so
an in-process moto would be shared by every runtime of a test session, and its request handling
would compete for the GIL with the HTTP front and the SQS pollers. The runtime binds the
listening socket itself and hands it over, so the port -- and therefore every queue URL and the
workers' ``AWS_ENDPOINT_URL`` -- is known before moto has finished importing, and the function
workers start in parallel with it. TCP_NODELAY is set on moto's accepted connections and
werkzeug's per-request log is silenced.
"""

from __future__ import annotations

import collections
import json
import os
import socket
import subprocess
import sys
import urllib.request
from typing import Any

from .cfn import REGION, Model

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
MOTO_MAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "moto_main.py")


def bind_local_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


class MotoEmulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, nodelay: bool = True,
                 python: str = sys.executable, state_dir: str | None = None):
        self._sock = bind_local_socket(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.nodelay = nodelay
        self.python = python
        self.state_dir = state_dir
        self.proc: subprocess.Popen | None = None
        self._out: collections.deque[str] = collections.deque(maxlen=50)
        self._err: collections.deque[str] = collections.deque(maxlen=50)
        self._drains: list[Any] = []

    def start(self) -> None:
        """Start the moto process (returns at once; see wait_ready)."""
        args = [self.python, MOTO_MAIN, str(self._sock.fileno())]
        if not self.nodelay:
            args.append("--no-nodelay")
        if self.state_dir:
            args += ["--state-dir", self.state_dir]
        env = dict(os.environ)
        env.pop("AWS_ENDPOINT_URL", None)
        self.proc = subprocess.Popen(
            args,
            pass_fds=(self._sock.fileno(),),
            stdin=subprocess.PIPE,  # closed by stop() or by our death: moto exits on EOF
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self._sock.close()  # the child owns it now

    def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        import select

        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            self.proc.kill()
            err = self.proc.stderr.read().decode("utf-8", "replace") if self.proc.stderr else ""
            raise RuntimeError(f"moto server did not start: {err[-2000:]}")
        # drain its output so it never blocks on a full pipe (the last lines are kept)
        import threading

        def drain(stream: Any, keep: collections.deque) -> None:
            for raw in iter(stream.readline, b""):
                keep.append(raw.decode("utf-8", "replace").rstrip("\n"))

        for stream, keep in ((self.proc.stdout, self._out), (self.proc.stderr, self._err)):
            t = threading.Thread(target=drain, args=(stream, keep), daemon=True)
            t.start()
            self._drains.append(t)

    def stop(self, timeout: float = 120.0) -> dict | None:
        """Stop the emulator: it refuses new requests, writes its final snapshot and exits.

        Returns its report (``{"persisted": bool, "items", "messages", ...}``, with ``error`` if
        the final snapshot failed), or None if it was not running or never reported."""
        outcome = None
        if self.proc is not None and self.proc.poll() is not None:
            outcome = {"persisted": bool(self.state_dir),
                       "error": f"the emulator had already exited (status {self.proc.returncode})"}
        elif self.proc is not None:
            try:
                self.proc.stdin.close()  # the emulator stops on EOF
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for t in self._drains:
                t.join(timeout=2)
            for line in reversed(self._out):
                if line.startswith("stopped "):
                    try:
                        outcome = json.loads(line[len("stopped "):])
                    except ValueError:
                        pass
                    break
            if outcome is None:
                tail = "\n".join(list(self._err)[-10:])
                outcome = {"persisted": bool(self.state_dir),
                           "error": f"the emulator exited with status {self.proc.returncode} "
                                    f"without its final snapshot{': ' + tail if tail else ''}"}
        try:
            self._sock.close()
        except OSError:
            pass
        return outcome

    def _private(self, path: str, method: str = "GET") -> Any:
        req = urllib.request.Request(f"{self.url}/_accord/{path}", method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=300) as resp:
            return json.loads(resp.read())

    def stats(self) -> dict:
        """{"writes": n, "queues": {name: message count}} -- changes whenever state changed."""
        return self._private("stats")

    # -- clients ----------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=20,
                          s3={"addressing_style": "path"}),
            **CREDENTIALS,
        )

    # -- resources --------------------------------------------------------------------------
    def create_resources(self, model: Model, ddb: Any = None, sqs: Any = None, s3: Any = None) -> dict[str, str]:
        """Create every table, queue and bucket of the template; return queue logical id -> URL."""
        return create_resources(model, ddb or self.client("dynamodb"), sqs or self.client("sqs"),
                                s3 or (self.client("s3") if model.buckets else None))

    # -- persistence (kept by the emulator process itself: local/durable.py) -------------------
    def restore(self) -> dict:
        """Load the state dir into the resources just created and start journaling."""
        return self._private("restore", method="POST")

    def compact(self) -> dict:
        """Write a snapshot now (the journal already holds every acknowledged write)."""
        return self._private("compact", method="POST")


def create_resources(model: Model, ddb: Any, sqs: Any, s3: Any = None) -> dict[str, str]:
    """Create every table (with TTL), queue (DLQs first) and bucket of `model` through the given
    clients. Shared by the server-mode emulator and the in-process (mock_aws) integration tests.
    """
    for bucket in model.buckets.values():
        s3.create_bucket(Bucket=bucket.name)
    for table in model.tables.values():
        ddb.create_table(**table.create_args)
        if table.ttl_attribute:
            ddb.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
    urls: dict[str, str] = {}
    for queue in model.queues_in_creation_order():
        urls[queue.logical_id] = sqs.create_queue(
            QueueName=queue.name, Attributes=dict(queue.attributes)
        )["QueueUrl"]
    return urls
