"""The AWS emulator process: moto in server mode on an inherited listening socket.

Usage: python local/moto_main.py <listening fd> [--no-nodelay]

moto keeps its state in module-level backends, so each LocalRuntime runs its own moto process
(two runtimes in one test session never share tables). Besides moto's API this serves two
private endpoints for the runtime:

  GET /_accord/stats         {"writes": <state-changing requests so far>, "queues": {name: count}}
  GET /_accord/queues        every queue's messages (in-flight ones included), for the state file
"""

import base64
import json
import logging
import os
import signal
import socket
import sys
import threading

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
    def __init__(self, moto_app):
        self.moto_app = moto_app
        self.writes = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_accord/"):
            return self.private(path, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            op = environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1]
            if op not in READ_TARGETS:
                with self.lock:
                    self.writes += 1
        return self.moto_app(environ, start_response)

    def private(self, path, start_response):
        if path == "/_accord/stats":
            body = {"writes": self.writes, "queues": queue_counts()}
        elif path == "/_accord/queues":
            body = {"queues": snapshot_queues()}
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b"{}"]
        data = json.dumps(body).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]


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
