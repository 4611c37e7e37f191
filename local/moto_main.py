"""The AWS emulator process: moto in server mode (DynamoDB, SQS, S3) on an inherited listening socket.

Usage: python local/moto_main.py <listening fd> [--no-nodelay] [--state-dir DIR]

moto keeps its state in module-level backends, so each LocalRuntime runs its own moto process
(two runtimes in one test session never share tables). With --state-dir the process keeps the
state durable itself (local/durable.py: a journal of every acknowledged write, plus snapshots).
Besides moto's API this serves private endpoints for the runtime:

  GET  /_accord/stats        {"writes": <state-changing requests so far>, "queues": {name: count}}
  POST /_accord/restore      load the state dir into the tables and queues just created, start
                             journaling; answers what was restored and any warnings
  POST /_accord/compact      write a snapshot now
  POST /_accord/stream-ack?table=T&seq=N   a stream consumer's checkpoint: records up to N are
                             consumed (dropped from memory; journaled, so a restart keeps them consumed)

It stops when its stdin (a pipe from the runtime) closes: it refuses new requests, compacts the
state and prints one line ``stopped {json}`` before exiting (status 0; 3 if the final compaction
failed -- the journal still holds every acknowledged write). SIGINT, SIGTERM and SIGHUP are
ignored: a signal to the whole process group must not stop the emulator before the runtime has
finished the requests in flight.
"""

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
    # DynamoDB Streams and EventBridge reads: the stream pollers ask 4x a second
    "DescribeStream",
    "GetShardIterator",
    "GetRecords",
    "ListStreams",
    "DescribeEventBus",
    "ListRules",
    "DescribeRule",
    "ListTargetsByRule",
}


class AccordApp:
    """moto behind one lock per service.

    moto's backends are not thread-safe: two concurrent conditional writes can both pass their
    condition (DynamoDB guarantees one fails), and a TransactWriteItems deep-copying a table
    while another thread writes dies with "dictionary changed size during iteration". So every
    DynamoDB request runs under one lock, every SQS request under another: each API call is
    atomic, as on AWS. SQS long polls are emulated outside the lock (repeated short receives),
    so a waiting ReceiveMessage never blocks a SendMessage. A waiting long poll receives again
    when an SQS or EventBridge write lands (it may have made a message visible), else every
    RECHECK_SECONDS (delays and visibility timeouts run out on their own, so a delayed message is
    seen at most that late). Receiving every 50 ms, 17 idle poller threads kept the emulator ~20% busy.
    """

    RECHECK_SECONDS = 1.0

    def __init__(self, moto_app, state_dir=None):
        self.moto_app = moto_app
        self.writes = 0
        self.lock = threading.Lock()
        sqs_lock = threading.Lock()
        # EventBridge delivers to SQS targets inside its request: it shares the SQS lock
        self.service_locks = {"dynamodb": threading.Lock(), "sqs": sqs_lock, "events": sqs_lock, "s3": threading.Lock()}
        self.state_dir = state_dir
        self.durable = None  # a DurableState once /_accord/restore ran
        self.closing = False
        self.sqs_changed = threading.Condition()
        self.sqs_version = 0

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_accord/"):
            return self.private(path, start_response, environ)
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
        journal = service == "dynamodb" and op in DDB_WRITES
        response = self.call(environ, start_response, body, self.service_locks.get(service),
                             journal_target=op if journal else None)
        if service in ("sqs", "events") and (op not in READ_TARGETS or op.startswith("ChangeMessageVisibility")):
            with self.sqs_changed:
                self.sqs_version += 1
                self.sqs_changed.notify_all()
        return response

    def call(self, environ, start_response, body, lock, journal_target=None):
        """Run moto on a buffered request, materialising the response inside the lock.

        An accepted DynamoDB write is journaled inside the lock (so the journal's order is the
        order moto applied them) and before the response is sent (so what a client saw
        acknowledged is on its way to disk)."""
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
                if self.closing:
                    return unavailable(start_response)
                streams = stream_lengths() if journal_target and self.durable is not None else None
                result = self.moto_app(env, capture)
                data = b"".join(result)
                if journal_target and self.durable is not None and captured["status"].startswith("200"):
                    self.durable.record_ddb(journal_target, body)
                    self.durable.record_stream(streams)
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
            seen = self.sqs_version
            out = {}

            def keep(status, headers, exc_info=None):
                out["status"], out["headers"] = status, headers
                return lambda data: None

            data = b"".join(self.call(environ, keep, short, lock))
            got = not out["status"].startswith("200") or has_messages(data, form is None)
            if got or time.monotonic() >= deadline:
                start_response(out["status"], out["headers"])
                return [data]
            with self.sqs_changed:
                self.sqs_changed.wait_for(lambda: self.sqs_version != seen,
                                          timeout=min(self.RECHECK_SECONDS, max(0.0, deadline - time.monotonic())))

    def private(self, path, start_response, environ=None):
        status = "200 OK"
        if path == "/_accord/stats":
            with self.service_locks["sqs"]:
                body = {"writes": self.writes, "queues": queue_counts(),
                        "journal": self.durable.journal_info() if self.durable else None}
        elif path == "/_accord/restore" and self.state_dir:
            if self.durable is not None:
                status, body = "409 Conflict", {"error": "already restored"}
            else:
                durable = DurableState(self.state_dir, [self.service_locks["dynamodb"],
                                                        self.service_locks["sqs"]],
                                       wsgi_dispatcher(self.moto_app))
                install_queue_hooks(durable)
                body = durable.restore()
                self.durable = durable
        elif path == "/_accord/compact" and self.durable is not None:
            body = self.durable.compact()
        elif path == "/_accord/stream-ack":
            query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            with self.service_locks["dynamodb"]:
                body = {"trimmed": ack_stream(self.durable, query.get("table", ""), int(query.get("seq", "-1")))}
        else:
            status, body = "404 Not Found", {}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def shutdown_state(self):
        """Refuse further requests, then write the final snapshot. Returns what to report."""
        self.closing = True
        if self.durable is None:
            return {"persisted": False}
        try:
            return {"persisted": True, **self.durable.close()}
        except Exception as exc:  # noqa: BLE001 - the journal still has every acknowledged write
            return {"persisted": True, "error": f"{type(exc).__name__}: {exc}"}


def ack_stream(durable, table_name, seq):
    """Trim a table's stream up to `seq` (journaled when the state is durable)."""
    if durable is not None:
        return durable.ack_stream(table_name, seq)
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[ACCOUNT_ID][REGION].tables.get(table_name)
    shard = getattr(table, "stream_shard", None)
    return shard.trim(seq) if shard is not None else 0


def stream_lengths():
    from moto.dynamodb.models import dynamodb_backends

    tables = dynamodb_backends[ACCOUNT_ID][REGION].tables
    return {name: len(t.stream_shard.items) for name, t in list(tables.items())
            if getattr(t, "stream_shard", None) is not None}


def unavailable(start_response):
    data = b'{"__type":"com.amazonaws.dynamodb#ServiceUnavailable","message":"the emulator is stopping"}'
    start_response("503 Service Unavailable",
                   [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))])
    return [data]


def service_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    for service in ("dynamodb", "sqs", "s3", "events"):
        if f"/{service}/aws4_request" in auth:
            return service
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("DynamoDB"):
        return "dynamodb"
    if target.startswith("AmazonSQS"):
        return "sqs"
    if "%2Fs3%2Faws4_request" in environ.get("QUERY_STRING", ""):
        return "s3"  # a presigned URL: the credential scope is in the query string
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


def main():
    fd = int(sys.argv[1])
    flags = sys.argv[2:]
    nodelay = "--no-nodelay" not in flags
    state_dir = flags[flags.index("--state-dir") + 1] if "--state-dir" in flags else None
    from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from local import moto_patches
    moto_patches.apply()
    global DurableState, install_queue_hooks, wsgi_dispatcher, DDB_WRITES
    from local.durable import DDB_WRITES, DurableState, install_queue_hooks, wsgi_dispatcher

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
    app = AccordApp(DomainDispatcherApplication(create_backend_app), state_dir)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Handler, fd=fd)
    server.daemon_threads = True
    os.close(fd)  # make_server dup()ed it

    def watch_parent():
        # stdin is a pipe from the runtime: EOF means the runtime stopped us (or is gone).
        try:
            sys.stdin.buffer.read()
        finally:
            server.shutdown()

    threading.Thread(target=watch_parent, daemon=True).start()
    # The runtime decides when the emulator stops (by closing stdin), so that a signal to the
    # whole process group (Ctrl-C, `kill -- -PGID`, a closed terminal) reaches the runtime's
    # graceful stop instead of killing the state before the last requests are written.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    server.serve_forever()
    outcome = app.shutdown_state()
    sys.stdout.write("stopped " + json.dumps(outcome) + "\n")
    sys.stdout.flush()
    return 3 if "error" in outcome else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)  # the state is written and the journal closed: skip the slow teardown
