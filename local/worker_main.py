"""One warm Lambda execution environment (run as a separate process by local.workers).

Usage: python local/worker_main.py <fd> <json config>

The config holds ``handler`` ("module.function"), ``paths`` (CodeUri dir first, then layer dirs),
``function_name``, ``memory``, ``timeout``. The handler is imported once; invocations then arrive
over the socket ``fd`` as length-prefixed JSON frames and their results go back the same way.
Only the standard library is imported here, so a worker's cold start is the handler's own.
"""

import json
import os
import socket
import struct
import sys
import time
import traceback

_HEADER = struct.Struct("!I")
MAX_RESPONSE = 6 * 1024 * 1024  # Lambda's synchronous response payload limit


def _recv_exact(sock, n):
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _send(sock, obj):
    data = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv(sock):
    (length,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    return json.loads(_recv_exact(sock, length))


class LambdaContext:
    """The attributes and method of the Python Lambda runtime's context object."""

    def __init__(self, config, request_id, deadline_ms):
        name = config["function_name"]
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = config["function_arn"]
        self.memory_limit_in_mb = int(config["memory"])
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return f"LambdaContext(function_name={self.function_name!r}, aws_request_id={self.aws_request_id!r})"


def _error(exc, error_type=None):
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_exception(exc)[1:],
    }


def _load_handler(spec):
    import importlib

    module_name, _, func_name = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{spec}': expected module.function")
    module = importlib.import_module(module_name.replace("/", "."))
    handler = getattr(module, func_name, None)
    if handler is None:
        raise AttributeError(f"Handler '{func_name}' missing on module '{module_name}'")
    return handler


def main():
    import signal

    # Ctrl-C, `kill -- -PGID` or a closed terminal reach the whole process group: the runtime
    # decides when we stop (it closes our socket once the requests in flight are answered).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    fd = int(sys.argv[1])
    config = json.loads(sys.argv[2])
    sock = socket.socket(fileno=fd)
    # Lambda's import path: the function code first, then each layer; no runtime directory.
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if p and os.path.abspath(p) != here]
    sys.path[:] = list(config["paths"]) + rest

    started = time.perf_counter()
    try:
        handler = _load_handler(config["handler"])
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as an init error
        err = _error(exc, "Runtime.ImportModuleError" if isinstance(exc, ImportError) else None)
        sys.stderr.write(
            f"[ERROR] Init failed: {err['errorType']}: {err['errorMessage']}\n"
            + "".join(traceback.format_exception(exc))
        )
        sys.stderr.flush()
        _send(sock, {"type": "init_error", "error": err})
        return 1
    _send(sock, {"type": "ready", "init_ms": round((time.perf_counter() - started) * 1000, 1)})

    while True:
        try:
            msg = _recv(sock)
        except (EOFError, OSError):
            return 0
        if msg.get("type") != "invoke":
            continue
        request_id = msg["request_id"]
        context = LambdaContext(config, request_id, msg["deadline_ms"])
        try:
            result = handler(msg["event"], context)
            try:
                reply = {"type": "result", "ok": True, "payload": result}
                data = json.dumps(reply, separators=(",", ":")).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise _MarshalError(f"Unable to marshal response: {exc}") from None
            if len(data) > MAX_RESPONSE:
                raise _TooLarge(
                    f"Response payload size ({len(data)} bytes) exceeded maximum allowed payload size "
                    f"({MAX_RESPONSE} bytes)."
                )
        except BaseException as exc:  # noqa: BLE001 - a handler failure, reported like Lambda
            if isinstance(exc, SystemExit):
                sys.stdout.flush()
                sys.stderr.flush()
                raise
            err = _error(
                exc,
                "Runtime.MarshalError" if isinstance(exc, _MarshalError)
                else "Function.ResponseSizeTooLarge" if isinstance(exc, _TooLarge) else None,
            )
            err["requestId"] = request_id
            sys.stderr.write(
                f"[ERROR] {err['errorType']}: {err['errorMessage']} (RequestId: {request_id})\n"
                + "".join(traceback.format_exception(exc))
            )
            sys.stdout.flush()
            sys.stderr.flush()
            _send(sock, {"type": "result", "ok": False, "error": err})
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        sock.sendall(_HEADER.pack(len(data)) + data)


class _MarshalError(Exception):
    pass


class _TooLarge(Exception):
    pass


if __name__ == "__main__":
    code = main()
    # Nothing is left to clean up: skip the interpreter's teardown (seconds for a handler that
    # imported a lot, on a busy machine), so a stop of the runtime is quick.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
