"""LocalRuntime: template.yaml served locally without Docker.

    from local.runtime import LocalRuntime
    with LocalRuntime(repo_root=".", port=0, state_dir="/tmp/x") as rt:
        requests.get(rt.url + "/health")

See local/README.md for what is emulated and how.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Mapping

from .cfn import Model, load_model, split_path
from .emulator import CREDENTIALS, MotoEmulator
from .eventbus import BusTap, create_buses
from .gateway import Gateway
from .schedules import Scheduler, schedule_scale as _schedule_scale
from .server import HttpFront
from .sqs import SqsPoller
from .streams import StreamPoller
from .state import StateDir
from .workers import FunctionPool, InvokeResult, WorkerStartError

REGION = "us-east-1"
LOCAL_KNOBS = ("ACCORD_WEBHOOK_RETRY_SCALE",)


def default_aws_port(api_port: int, environ: Mapping[str, str] = os.environ) -> int:
    """Where the AWS emulator listens: ACCORD_LOCAL_AWS_PORT, else the API port + 1; 0 (any free
    port) when the API port is 0. Predictable, so events/env.json and `python -m local.invoke`
    find a running `make dev`."""
    if not api_port:
        return 0
    configured = environ.get("ACCORD_LOCAL_AWS_PORT")
    if configured:
        return int(configured)
    return api_port + 1 if api_port < 65535 else 0


def _tree_fingerprint(root: str) -> tuple[int, int, int]:
    """(files, newest mtime, total size) of a source tree, caches and hidden dirs left out."""
    count = newest = size = 0
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif not entry.name.endswith((".pyc", ".pyo")):
                try:
                    st = entry.stat()
                except OSError:
                    continue
                count += 1
                newest = max(newest, st.st_mtime_ns)
                size += st.st_size
    return count, newest, size


class FunctionError(Exception):
    """rt.invoke(): the function failed (error is Lambda's error payload)."""

    def __init__(self, error: dict):
        super().__init__(f"{error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error


class LocalRuntime:
    def __init__(
        self,
        repo_root: str = ".",
        port: int = 0,
        state_dir: str | None = None,
        admin_key: str | None = None,
        parameter_overrides: dict[str, Any] | None = None,
        quiet: bool = True,
        env: dict[str, str] | None = None,
        template: str = "template.yaml",
        concurrency: int | None = None,
        sqs_retry_delay: int | None = None,
        host: str = "127.0.0.1",
        persist: bool = True,
        reload: bool = False,
        aws_port: int | None = None,
        schedule_scale: float | None = None,
    ):
        self.repo_root = os.path.abspath(repo_root)
        self.template_path = os.path.join(self.repo_root, template)
        self.host = host
        self.port = port
        self.aws_port = default_aws_port(port) if aws_port is None else aws_port
        self.state = StateDir(state_dir or os.path.join(self.repo_root, ".accord-local"))
        self._admin_key_arg = admin_key
        self.parameter_overrides = dict(parameter_overrides or {})
        self.quiet = quiet
        self.extra_env = dict(env or {})
        self.concurrency = concurrency or int(os.environ.get("ACCORD_LOCAL_CONCURRENCY", "4"))
        self.sqs_retry_delay = (
            sqs_retry_delay
            if sqs_retry_delay is not None
            else int(os.environ.get("ACCORD_LOCAL_SQS_RETRY_DELAY", "1"))
        )
        self.persist = persist
        self.reload = reload
        self.schedule_scale = schedule_scale if schedule_scale is not None else _schedule_scale()

        self.admin_key: str = ""
        self.url: str = ""
        self.moto_url: str = ""
        self.queue_urls: dict[str, str] = {}
        self.table_names: dict[str, str] = {}
        self.model: Model | None = None
        self.pools: dict[str, FunctionPool] = {}
        self.pollers: list[SqsPoller] = []
        self.stream_pollers: list[StreamPoller] = []
        self.schedulers: list[Scheduler] = []
        self.bus: BusTap | None = None
        self.startup_seconds: float | None = None
        self.warnings: list[str] = []
        self.restored: dict | None = None  # what the emulator restored from the state dir
        self.stop_outcome: dict | None = None  # the emulator's report of its final snapshot
        self._moto: MotoEmulator | None = None
        self._front: HttpFront | None = None
        self._gateway: Gateway | None = None
        self._stop_event = threading.Event()
        self._print_lock = threading.Lock()
        self._started = False
        self._stopped = False
        self._ddb: Any = None
        self._sqs: Any = None
        self._events: Any = None

    # -- logging -----------------------------------------------------------------------------
    def log(self, message: str) -> None:
        if not self.quiet:
            with self._print_lock:
                sys.stderr.write(message + "\n")
                sys.stderr.flush()

    def _worker_log(self, function_id: str, line: str) -> None:
        if not self.quiet:
            with self._print_lock:
                sys.stderr.write(f"[{function_id}] {line}\n")
                sys.stderr.flush()

    def function_logs(self, function_id: str, n: int = 200) -> str:
        """The last lines a function's workers printed (also kept when quiet)."""
        return self.pools[function_id].recent_logs(n)

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> LocalRuntime:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self, ready_timeout: float = 60.0) -> LocalRuntime:
        if self._started:
            raise RuntimeError("already started")
        self._started = True
        t0 = time.perf_counter()
        try:
            self._start(ready_timeout, t0)
        except BaseException:
            self.stop(snapshot=False)
            raise
        self.startup_seconds = time.perf_counter() - t0
        return self

    def _start(self, ready_timeout: float, t0: float) -> None:
        if not os.path.exists(self.template_path):
            raise FileNotFoundError(f"no template at {self.template_path}")
        self.admin_key = self.state.admin_key(self._admin_key_arg or os.environ.get("ACCORD_ADMIN_KEY"))

        # 1. moto: bind its port now (URLs known), import/start it in its own process; with
        #    persistence it keeps the state dir itself (journal + snapshots: local/durable.py)
        if self.persist:
            self.state.ensure()
        try:
            self._moto = MotoEmulator(self.host, self.aws_port,
                                      state_dir=self.state.path if self.persist else None)
        except OSError as exc:
            raise RuntimeError(
                f"AWS emulator port {self.aws_port}: {exc.strerror or exc} "
                "(set ACCORD_LOCAL_AWS_PORT to a free port, 0 = any)"
            ) from None
        self.moto_url = self._moto.url
        self._moto.start()

        # 2. the template, with the bootstrap key's hash as a parameter
        overrides = dict(self.parameter_overrides)
        from .cfn import load_yaml

        declared = (load_yaml(self.template_path).get("Parameters") or {}).keys()
        if "BootstrapAdminKeySha256" in declared and "BootstrapAdminKeySha256" not in overrides:
            overrides["BootstrapAdminKeySha256"] = hashlib.sha256(self.admin_key.encode()).hexdigest()
        if "PublicUrl" in declared and "PublicUrl" not in overrides and self.port:
            overrides["PublicUrl"] = f"http://{self.host}:{self.port}"  # links in events and webhook messages
        self.model = model = load_model(self.template_path, overrides, moto_url=self.moto_url)
        self.warnings.extend(model.warnings)
        for w in model.warnings:
            self.log(f"warning: {w}")
        self.table_names = {lid: t.name for lid, t in model.tables.items()}
        self.queue_urls = {lid: f"{self.moto_url}/123456789012/{q.name}" for lid, q in model.queues.items()}

        # 3. warm workers for every function, all in parallel with moto's start
        for lid, fn in model.functions.items():
            pool = FunctionPool(
                fn,
                self._function_env(fn),
                cwd=self.repo_root,
                max_workers=self.concurrency,
                log_sink=self._worker_log,
            )
            self.pools[lid] = pool
            pool.start(1)

        # 4. tables and queues, then the saved state (boto3 clients built while moto imports)
        self._ddb = self._moto.client("dynamodb")
        self._sqs = self._moto.client("sqs")
        self._moto.wait_ready()
        created = self._moto.create_resources(model, self._ddb, self._sqs)
        for lid, url in created.items():
            if url != self.queue_urls[lid]:
                raise RuntimeError(f"queue {lid}: moto says {url}, expected {self.queue_urls[lid]}")
        self._events = self._moto.client("events") if model.buses else None
        if self._events is not None:
            create_buses(model, self._events, self._sqs)  # before restore: the tap queue has state too
        if self.persist:
            self.restored = self._moto.restore()
            for w in self.restored.get("warnings", []):
                self.warnings.append(w)
                self.log(f"warning: {w}")

        # 5. the HTTP front and the SQS pollers
        self._gateway = Gateway(model, self._invoke)
        self._front = HttpFront(
            self._gateway, self.host, self.port, log=None if self.quiet else self.log
        )
        self.port = self._front.port
        self.url = self._front.url
        self._front.start()
        sqs = self._sqs
        for lid, fn in model.functions.items():
            for source in fn.sqs_events:
                if not source.enabled:
                    continue
                queue = model.queues[source.queue_id]
                poller = SqsPoller(
                    fn,
                    source,
                    queue,
                    self.queue_urls[source.queue_id],
                    sqs,
                    self._invoke,
                    retry_delay=self.sqs_retry_delay,
                    log=self.log,
                )
                self.pollers.append(poller)

        streams = self._moto.client("dynamodbstreams") if any(f.stream_events for f in model.functions.values()) \
            else None
        for lid, fn in model.functions.items():
            for source in fn.stream_events:
                if source.enabled:
                    self.stream_pollers.append(StreamPoller(
                        fn, source, model.tables[source.table_id], self._ddb, streams, self.moto_url, self._invoke,
                        retry_delay=self.sqs_retry_delay, log=self.log))
            for sched in fn.schedule_events:
                if sched.enabled and sched.seconds:
                    self.schedulers.append(Scheduler(fn, sched, self._invoke, self.schedule_scale, log=self.log))
        if self._events is not None:
            self.bus = BusTap(model, self.moto_url, self._sqs, self._events, log=self.log)

        # 6. every function warm, then /health
        deadline = time.monotonic() + ready_timeout
        errors = []
        for lid, pool in self.pools.items():
            try:
                pool.wait_ready(max(0.1, deadline - time.monotonic()))
            except WorkerStartError as exc:
                errors.append(f"{exc}\n--- {lid} output ---\n{pool.recent_logs(60)}")
        if errors:
            raise RuntimeError("function(s) failed to start:\n" + "\n".join(errors))
        for poller in [*self.pollers, *self.stream_pollers, *self.schedulers]:
            poller.start()
        if self.bus is not None:
            self.bus.start()
        self._wait_health(deadline)
        if self.reload:
            threading.Thread(target=self._reload_loop, name="reload", daemon=True).start()

    def _reload_loop(self) -> None:
        """Code changed under a function's CodeUri or one of its layers -> fresh workers."""
        dirs_of = {lid: [p.function.code_dir, *p.function.layer_dirs] for lid, p in self.pools.items()}
        all_dirs = sorted({d for ds in dirs_of.values() for d in ds})
        seen = {d: _tree_fingerprint(d) for d in all_dirs}
        while not self._stop_event.wait(1.0):
            now = {d: _tree_fingerprint(d) for d in all_dirs}
            changed = {d for d in all_dirs if now[d] != seen[d]}
            seen = now
            if not changed:
                continue
            for lid, dirs in dirs_of.items():
                if changed.intersection(dirs):
                    self.log(f"code changed: reloading {lid}")
                    self.pools[lid].recycle()

    def _function_env(self, fn: Any) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_SAM_LOCAL": "true",
            "AWS_EXECUTION_ENV": "AWS_Lambda_" + fn.runtime,
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(fn.timeout)),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": fn.code_dir,
            "_HANDLER": fn.handler,
        }
        env.update(fn.environment)
        env.update(
            {
                "AWS_ENDPOINT_URL": self.moto_url,
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            }
        )
        for name in LOCAL_KNOBS:  # local/test settings the functions read (README "make dev")
            if os.environ.get(name):
                env[name] = os.environ[name]
        env.update(self.extra_env)
        return env

    def _wait_health(self, deadline: float) -> None:
        assert self._gateway is not None
        has_health = False
        selected = self._gateway.select_api(list(split_path("/health")), [])
        if selected is not None:
            has_health = self._gateway.match(selected[0], selected[1], "GET").route is not None
        if not has_health:
            return
        last = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=10) as resp:
                    if resp.status == 200:
                        return
                    last = f"HTTP {resp.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read()[:500]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.1)
        logs = "\n".join(f"--- {lid} ---\n{p.recent_logs(30)}" for lid, p in self.pools.items())
        raise RuntimeError(f"GET /health did not answer 200: {last}\n{logs}")

    def _invoke(self, function_id: str, event: Any, request_id: str | None = None) -> InvokeResult:
        return self.pools[function_id].invoke(event, request_id)

    def invoke(self, function_id: str, event: Any) -> Any:
        """Invoke a function directly (like `sam local invoke`); raise FunctionError on failure."""
        result = self._invoke(function_id, event)
        if not result.ok:
            raise FunctionError(result.error or {})
        return result.payload

    # -- state -------------------------------------------------------------------------------
    def snapshot(self) -> dict | None:
        """Compact the state dir now (every acknowledged write is already in its journal)."""
        if self._moto is None or not self.persist:
            return None
        return self._moto.compact()

    def stop(self, snapshot: bool = True, drain_seconds: float = 10.0) -> dict | None:
        """Stop gracefully: no new requests, the ones in flight finish (up to `drain_seconds`),
        pollers finish their batch, workers exit, then the emulator writes its final snapshot.

        Returns the emulator's report (also kept as `stop_outcome`). `snapshot` is accepted for
        callers that do not care about the state (the journal keeps it either way)."""
        if self._stopped:
            return self.stop_outcome
        self._stopped = True
        self._stop_event.set()
        for poller in [*self.pollers, *self.stream_pollers, *self.schedulers]:
            poller.stop()
        if self.bus is not None:
            self.bus.stop()
        if self._front is not None:
            self._front.stop(drain_seconds)
        for poller in [*self.pollers, *self.stream_pollers, *self.schedulers]:
            poller.join()
        stopping = [w for pool in self.pools.values() for w in pool.stop(wait=False)]
        for worker in stopping:
            worker.reap()
        if self._moto is not None:
            self.stop_outcome = self._moto.stop()
        return self.stop_outcome
