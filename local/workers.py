"""Warm worker processes per function: a Lambda-like execution environment pool.

Each function gets a pool of worker processes (``local/worker_main.py``). A worker imports the
handler once and then serves invocations over a socketpair (length-prefixed JSON). The pool
starts ``min_workers`` eagerly, grows on demand up to ``max_workers`` (concurrent invocations
really run in parallel), replaces workers that die, and kills a worker whose invocation exceeds
the function's timeout (as Lambda does).
"""

from __future__ import annotations

import collections
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from .cfn import Function

_HEADER = struct.Struct("!I")
WORKER_MAIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker_main.py")


class WorkerStartError(Exception):
    pass


@dataclass
class InvokeResult:
    ok: bool
    payload: Any = None
    error: dict | None = None
    duration_ms: float = 0.0

    @property
    def error_message(self) -> str:
        return (self.error or {}).get("errorMessage", "")

    @property
    def error_type(self) -> str:
        return (self.error or {}).get("errorType", "")


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError("worker closed the connection")
        buf += chunk
    return bytes(buf)


def _recv_frame(sock: socket.socket) -> Any:
    (length,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    return json.loads(_recv_exact(sock, length))


class Worker:
    def __init__(self, pool: FunctionPool, index: int):
        self.pool = pool
        self.index = index
        parent, child = socket.socketpair()
        self.sock = parent
        fn = pool.function
        config = {
            "handler": fn.handler,
            "paths": [fn.code_dir, *fn.layer_dirs],
            "function_name": fn.name,
            "function_arn": fn.arn,
            "memory": fn.memory,
        }
        env = dict(pool.env)
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = (
            time.strftime("%Y/%m/%d") + f"/[$LATEST]{uuid.uuid4().hex}"
        )
        try:
            self.proc = subprocess.Popen(
                [pool.python, WORKER_MAIN, str(child.fileno()), json.dumps(config)],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=pool.cwd,
            )
        finally:
            child.close()
        self.alive = True
        self.generation = 0
        self.init_ms: float | None = None
        self._reader = threading.Thread(
            target=self._read_output, name=f"log-{fn.logical_id}-{index}", daemon=True
        )
        self._reader.start()

    def _read_output(self) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            self.pool.log_line(raw.decode("utf-8", "replace").rstrip("\n"))
        self.proc.stdout.close()

    def wait_ready(self, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            msg = _recv_frame(self.sock)
        except (socket.timeout, TimeoutError):
            self.kill()
            raise WorkerStartError(f"did not finish importing within {timeout:.0f} s") from None
        except (EOFError, OSError):
            self.kill()
            raise WorkerStartError(f"exited during init (exit code {self.proc.wait()})") from None
        if msg.get("type") == "init_error":
            self.kill()
            err = msg["error"]
            raise WorkerStartError(f"{err['errorType']}: {err['errorMessage']}")
        self.init_ms = msg.get("init_ms")

    def invoke(self, event: Any, request_id: str, timeout: float) -> InvokeResult:
        started = time.perf_counter()
        deadline_ms = time.time() * 1000 + timeout * 1000
        frame = json.dumps(
            {"type": "invoke", "event": event, "request_id": request_id, "deadline_ms": deadline_ms},
            separators=(",", ":"),
        ).encode("utf-8")
        try:
            self.sock.settimeout(None)
            self.sock.sendall(_HEADER.pack(len(frame)) + frame)
            self.sock.settimeout(timeout + 0.25)
            msg = _recv_frame(self.sock)
        except (socket.timeout, TimeoutError):
            self.kill()
            secs = f"{timeout:.2f}"
            self.pool.log_line(f"[ERROR] RequestId: {request_id} Task timed out after {secs} seconds")
            return InvokeResult(
                False,
                error={
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"RequestId: {request_id} Error: Task timed out after {secs} seconds",
                },
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        except (EOFError, OSError, ValueError):
            code = self.kill()
            return InvokeResult(
                False,
                error={
                    "errorType": "Runtime.ExitError",
                    "errorMessage": (
                        f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}"
                    ),
                },
                duration_ms=(time.perf_counter() - started) * 1000,
            )
        duration = (time.perf_counter() - started) * 1000
        if msg.get("ok"):
            return InvokeResult(True, payload=msg.get("payload"), duration_ms=duration)
        return InvokeResult(False, error=msg.get("error") or {}, duration_ms=duration)

    def kill(self) -> int | None:
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            return self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, wait: bool = True) -> None:
        """Close the socket (the worker exits on EOF); kill it if it lingers."""
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        if wait:
            self.reap()

    def reap(self) -> None:
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class FunctionPool:
    def __init__(
        self,
        function: Function,
        env: dict[str, str],
        cwd: str,
        python: str = sys.executable,
        max_workers: int = 4,
        init_timeout: float = 60.0,
        log_sink: Callable[[str, str], None] | None = None,
    ):
        self.function = function
        self.env = env
        self.cwd = cwd
        self.python = python
        self.max_workers = max(1, max_workers)
        self.init_timeout = init_timeout
        self.log_sink = log_sink
        self.logs: collections.deque[str] = collections.deque(maxlen=500)
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._total = 0  # live + starting workers
        self._counter = 0
        self._closed = False
        self.last_start_error: str | None = None
        self._start_failures = 0
        self._generation = 0  # bumped by recycle(): older workers are retired
        self.invocations = 0

    # -- logging -----------------------------------------------------------------------------
    def log_line(self, line: str) -> None:
        self.logs.append(line)
        if self.log_sink is not None:
            self.log_sink(self.function.logical_id, line)

    def recent_logs(self, n: int = 40) -> str:
        return "\n".join(list(self.logs)[-n:])

    # -- lifecycle ---------------------------------------------------------------------------
    def _spawn(self) -> None:
        """Start one worker (caller already counted it in _total); runs in its own thread."""
        with self._cond:
            self._counter += 1
            index = self._counter
            generation = self._generation
        worker: Worker | None = None
        try:
            worker = Worker(self, index)
            worker.generation = generation
            worker.wait_ready(self.init_timeout)
        except Exception as exc:  # noqa: BLE001 - recorded, waiters see it
            msg = str(exc)
            with self._cond:
                self._total -= 1
                self.last_start_error = msg
                self._start_failures += 1
                self._cond.notify_all()
            return
        with self._cond:
            closed = self._closed
            stale = worker.generation != self._generation
            if not closed and not stale:
                self.last_start_error = None
                self._idle.append(worker)
                self._cond.notify_all()
                return
            if closed:
                self._total -= 1
        worker.stop()
        if not closed:  # the code changed while it was importing: start another
            self._spawn()

    def start(self, n: int = 1) -> None:
        for _ in range(n):
            with self._cond:
                if self._total >= self.max_workers:
                    return
                self._total += 1
            threading.Thread(
                target=self._spawn, name=f"spawn-{self.function.logical_id}", daemon=True
            ).start()

    def wait_ready(self, timeout: float) -> None:
        """Wait until at least one worker is idle; raise WorkerStartError if none can start."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._idle:
                if self._total == 0:
                    raise WorkerStartError(
                        f"{self.function.logical_id}: worker failed to start: {self.last_start_error}"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WorkerStartError(f"{self.function.logical_id}: not ready after {timeout} s")
                self._cond.wait(left)

    def _acquire(self) -> Worker | InvokeResult:
        with self._cond:
            failures_seen = self._start_failures
            while True:
                if self._closed:
                    return InvokeResult(False, error={"errorType": "Runtime.Stopped", "errorMessage": "runtime stopping"})
                if self._idle:
                    return self._idle.pop()
                if self._start_failures > failures_seen and self._total == 0:
                    return InvokeResult(
                        False,
                        error={
                            "errorType": "Runtime.InitError",
                            "errorMessage": f"init failed: {self.last_start_error}",
                        },
                    )
                if self._total < self.max_workers:
                    self._total += 1
                    threading.Thread(
                        target=self._spawn, name=f"spawn-{self.function.logical_id}", daemon=True
                    ).start()
                self._cond.wait(0.5)

    def _release(self, worker: Worker) -> None:
        retire = False
        with self._cond:
            if worker.alive and not self._closed and worker.generation == self._generation:
                self._idle.append(worker)
            elif worker.alive and not self._closed:
                retire = True  # code changed since it started: stop it, a fresh one is warm
                self._total -= 1
            else:
                self._total -= 1
                if not self._closed and self._total == 0:
                    # keep one warm environment: replace the dead worker in the background
                    self._total += 1
                    threading.Thread(target=self._spawn, daemon=True).start()
            self._cond.notify_all()
        if (self._closed or retire) and worker.alive:
            worker.stop()

    def recycle(self) -> None:
        """Replace every worker (the code changed): idle ones now, busy ones when they finish."""
        with self._cond:
            if self._closed:
                return
            self._generation += 1
            old, self._idle = self._idle, []
            self._total -= len(old)
        for w in old:
            w.stop()
        self.start(1)

    def invoke(self, event: Any, request_id: str | None = None) -> InvokeResult:
        request_id = request_id or str(uuid.uuid4())
        got = self._acquire()
        if isinstance(got, InvokeResult):
            return got
        self.invocations += 1
        try:
            return got.invoke(event, request_id, self.function.timeout)
        finally:
            self._release(got)

    @property
    def size(self) -> int:
        with self._cond:
            return self._total

    @property
    def busy(self) -> int:
        """Workers running an invocation or still starting (0: the function is idle)."""
        with self._cond:
            return self._total - len(self._idle)

    def stop(self, wait: bool = True) -> list[Worker]:
        """Stop the idle workers (busy ones stop when they finish); return them unreaped if not wait."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for w in idle:
            w.stop(wait=False)
        if wait:
            for w in idle:
                w.reap()
        return idle
