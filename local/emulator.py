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

import base64
import json
import os
import socket
import subprocess
import sys
import urllib.request
from typing import Any

from .cfn import ACCOUNT_ID, REGION, Model

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
                 python: str = sys.executable):
        self._sock = bind_local_socket(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.nodelay = nodelay
        self.python = python
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the moto process (returns at once; see wait_ready)."""
        args = [self.python, MOTO_MAIN, str(self._sock.fileno())]
        if not self.nodelay:
            args.append("--no-nodelay")
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
        # drain its output so it never blocks on a full pipe
        import threading

        def drain(stream: Any) -> None:
            for _ in iter(stream.readline, b""):
                pass

        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=drain, args=(stream,), daemon=True).start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            self._sock.close()
        except OSError:
            pass

    def _private(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.url}/_accord/{path}", timeout=30) as resp:
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
            config=Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=20),
            **CREDENTIALS,
        )

    # -- resources --------------------------------------------------------------------------
    def create_resources(self, model: Model, ddb: Any = None, sqs: Any = None) -> dict[str, str]:
        """Create every table and queue of the template; return queue logical id -> URL."""
        return create_resources(model, ddb or self.client("dynamodb"), sqs or self.client("sqs"))

    # -- persistence ------------------------------------------------------------------------
    def snapshot(self, model: Model) -> dict:
        ddb = self.client("dynamodb")
        tables: dict[str, list] = {}
        for table in model.tables.values():
            items: list = []
            kwargs: dict[str, Any] = {"TableName": table.name}
            while True:
                page = ddb.scan(**kwargs)
                items.extend(page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            tables[table.name] = items
        names = {q.name for q in model.queues.values()}
        queues = {k: v for k, v in self._private("queues")["queues"].items() if k in names}
        return {"version": 1, "tables": tables, "queues": queues}

    def restore(self, model: Model, state: dict) -> list[str]:
        """Load a snapshot into the freshly created resources; return warnings."""
        warnings: list[str] = []
        ddb = self.client("dynamodb")
        known_tables = {t.name for t in model.tables.values()}
        for name, items in (state.get("tables") or {}).items():
            if name not in known_tables:
                warnings.append(f"state: table {name} is no longer in the template; skipped")
                continue
            for i in range(0, len(items), 25):
                batch = [{"PutRequest": {"Item": it}} for it in items[i : i + 25]]
                try:
                    resp = ddb.batch_write_item(RequestItems={name: batch})
                    while resp.get("UnprocessedItems"):
                        resp = ddb.batch_write_item(RequestItems=resp["UnprocessedItems"])
                except Exception as exc:  # noqa: BLE001 - schema may have changed
                    warnings.append(f"state: table {name}: {exc}")
                    break
        sqs = self.client("sqs")
        urls = {q.name: f"{self.url}/{ACCOUNT_ID}/{q.name}" for q in model.queues.values()}
        for name, msgs in (state.get("queues") or {}).items():
            if name not in urls:
                warnings.append(f"state: queue {name} is no longer in the template; skipped")
                continue
            for m in msgs:
                kwargs: dict[str, Any] = {"QueueUrl": urls[name], "MessageBody": m["body"]}
                if m.get("attributes"):
                    kwargs["MessageAttributes"] = _decode_attrs(m["attributes"])
                if m.get("group_id"):
                    kwargs["MessageGroupId"] = m["group_id"]
                if m.get("deduplication_id"):
                    kwargs["MessageDeduplicationId"] = m["deduplication_id"]
                try:
                    sqs.send_message(**kwargs)
                except Exception as exc:  # noqa: BLE001
                    warnings.append(f"state: queue {name}: {exc}")
        return warnings


def _decode_attrs(attrs: dict) -> dict:
    out = {}
    for name, value in attrs.items():
        v = {"DataType": value["DataType"]}
        if "StringValue" in value:
            v["StringValue"] = value["StringValue"]
        if "BinaryValueB64" in value:
            v["BinaryValue"] = base64.b64decode(value["BinaryValueB64"])
        out[name] = v
    return out


def create_resources(model: Model, ddb: Any, sqs: Any) -> dict[str, str]:
    """Create every table (with TTL) and queue (DLQs first) of `model` through the given clients.

    Shared by the server-mode emulator and the in-process (mock_aws) integration tests.
    """
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
