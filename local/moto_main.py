"""The AWS emulator process: moto in server mode on an inherited listening socket.

Usage: python local/moto_main.py <listening fd> [--no-nodelay]

moto keeps its state in module-level backends, so each LocalRuntime runs its own moto process
(two runtimes in one test session never share tables). Besides moto's API this serves two
private endpoints for the runtime:

  GET /_accord/stats         {"writes": <state-changing requests so far>, "queues": {name: count}}
  GET /_accord/queues        every queue's messages (in-flight ones included), for the state file
"""

import base64
import io
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from urllib.parse import parse_qsl, urlencode

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

# Requests that do not change state; everything else counts as a write.
READ_TARGETS = {
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "DescribeTable",
    "ListTables",
    "DescribeTimeToLive",
    "DescribeContinuousBackups",
    "ListTagsOfResource",
    "DescribeEndpoints",
    "TransactGetItems",
    "GetQueueUrl",
    "GetQueueAttributes",
    "ListQueues",
    "ListQueueTags",
    "ListDeadLetterSourceQueues",
    # ReceiveMessage changes no message body; a redrive it causes shows in the queue counts.
    "ReceiveMessage",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
}


class AccordApp:
    """moto behind one lock per service.

    moto's backends are not thread-safe: two concurrent conditional writes can both pass their
    condition (DynamoDB guarantees one fails), and a TransactWriteItems deep-copying a table
    while another thread writes dies with "dictionary changed size during iteration". So every
    DynamoDB request runs under one lock, every SQS request under another: each API call is
    atomic, as on AWS. SQS long polls are emulated outside the lock (repeated short receives),
    so a waiting ReceiveMessage never blocks a SendMessage.
    """

    POLL_INTERVAL = 0.05

    def __init__(self, moto_app):
        self.moto_app = moto_app
        self.writes = 0
        self.lock = threading.Lock()
        self.service_locks = {"dynamodb": threading.Lock(), "sqs": threading.Lock()}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_accord/"):
            return self.private(path, start_response)
        service = service_of(environ)
        body = b""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > 0:
                body = environ["wsgi.input"].read(length)
            elif environ.get("wsgi.input_terminated"):  # chunked request body
                body = environ["wsgi.input"].read()
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        form = None
        if target:
            op = target.rsplit(".", 1)[-1]
        else:
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            op = form.get("Action", "")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") and op not in READ_TARGETS:
            with self.lock:
                self.writes += 1
        if service == "sqs" and op == "ReceiveMessage":
            return self.receive(environ, start_response, body, form)
        return self.call(environ, start_response, body, self.service_locks.get(service))

    def call(self, environ, start_response, body, lock):
        """Run moto on a buffered request, materialising the response inside the lock."""
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        if lock is None:
            result = self.moto_app(env, capture)
            data = b"".join(result)
        else:
            with lock:
                result = self.moto_app(env, capture)
                data = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(data))))
        start_response(captured["status"], headers)
        return [data]

    def receive(self, environ, start_response, body, form):
        if form is None:
            params = json.loads(body or b"{}")
            wait = params.get("WaitTimeSeconds")
        else:
            params = form
            wait = form.get("WaitTimeSeconds")
        if wait is None:
            wait = queue_default_wait(params.get("QueueUrl", ""))
        wait = max(0, int(wait))
        params["WaitTimeSeconds"] = 0
        short = json.dumps(params).encode() if form is None else urlencode(params).encode()
        deadline = time.monotonic() + wait
        lock = self.service_locks["sqs"]
        while True:
            out = {}

            def keep(status, headers, exc_info=None):
                out["status"], out["headers"] = status, headers
                return lambda data: None

            data = b"".join(self.call(environ, keep, short, lock))
            got = not out["status"].startswith("200") or has_messages(data, form is None)
            if got or time.monotonic() >= deadline:
                start_response(out["status"], out["headers"])
                return [data]
            time.sleep(self.POLL_INTERVAL)

    def private(self, path, start_response):
        if path == "/_accord/stats":
            with self.service_locks["sqs"]:
                body = {"writes": self.writes, "queues": queue_counts()}
        elif path == "/_accord/queues":
            with self.service_locks["sqs"]:
                body = {"queues": snapshot_queues()}
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]
        data = json.dumps(body).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]


def service_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    for service in ("dynamodb", "sqs"):
        if f"/{service}/aws4_request" in auth:
            return service
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB"):
        return "dynamodb"
    if target.startswith("AmazonSQS"):
        return "sqs"
    return None


def has_messages(data, is_json):
    if is_json:
        try:
            return bool(json.loads(data or b"{}").get("Messages"))
        except ValueError:
            return True
    return b"<Message>" in data


def queue_default_wait(queue_url):
    from moto.sqs.models import sqs_backends

    name = queue_url.rstrip("/").rsplit("/", 1)[-1]
    try:
        queue = sqs_backends[ACCOUNT_ID][REGION].queues[name]
        return int(queue.receive_message_wait_time_seconds or 0)
    except (KeyError, AttributeError, TypeError, ValueError):
        return 0


def queue_counts():
    from moto.sqs.models import sqs_backends

    if ACCOUNT_ID not in sqs_backends or REGION not in sqs_backends[ACCOUNT_ID]:
        return {}
    backend = sqs_backends[ACCOUNT_ID][REGION]
    return {name: len(q._messages) for name, q in list(backend.queues.items())}


def snapshot_queues():
    from moto.sqs.models import sqs_backends

    out = {}
    if ACCOUNT_ID not in sqs_backends or REGION not in sqs_backends[ACCOUNT_ID]:
        return out
    backend = sqs_backends[ACCOUNT_ID][REGION]
    for name, queue in list(backend.queues.items()):
        msgs = []
        for m in list(queue._messages):
            attrs = {}
            for aname, value in (m.message_attributes or {}).items():
                v = {"DataType": value.get("DataType", "String")}
                if value.get("StringValue") is not None:
                    v["StringValue"] = value["StringValue"]
                if value.get("BinaryValue") is not None:
                    b = value["BinaryValue"]
                    v["BinaryValueB64"] = b if isinstance(b, str) else base64.b64encode(b).decode()
                attrs[aname] = v
            msgs.append(
                {
                    "body": m.body,
                    "attributes": attrs,
                    "group_id": m.group_id,
                    "deduplication_id": m.deduplication_id,
                    "receive_count": m.approximate_receive_count,
                }
            )
        out[name] = msgs
    return out


def main():
    fd = int(sys.argv[1])
    nodelay = "--no-nodelay" not in sys.argv[2:]
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from local import moto_patches
    moto_patches.apply()

    class Handler(MotoRequestHandler):
        def setup(self):
            super().setup()
            if nodelay:
                try:
                    self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError:
                    pass

        def log_request(self, *args, **kwargs):
            pass

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = AccordApp(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Handler, fd=fd)
    server.daemon_threads = True
    os.close(fd)  # make_server dup()ed it

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)

    def watch_parent():
        # stdin is a pipe from the runtime: EOF means the runtime is gone, so go too.
        try:
            sys.stdin.buffer.read()
        finally:
            os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runtime decides when moto stops
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
