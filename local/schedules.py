"""Scheduled functions (Schedule / ScheduleV2 events with a rate() expression): each is invoked on
its template schedule, with an EventBridge Scheduler-like event. `ACCORD_SCHEDULE_SCALE` (tests
only) multiplies the period: 0.05 runs a `rate(1 minute)` function every 3 seconds."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

from .cfn import ACCOUNT_ID, REGION, Function, ScheduleEvent
from .workers import InvokeResult


def schedule_scale(environ=os.environ) -> float:
    try:
        value = float(environ.get("ACCORD_SCHEDULE_SCALE") or 1)
    except ValueError:
        return 1.0
    return value if value > 0 else 1.0


class Scheduler:
    def __init__(self, function: Function, source: ScheduleEvent, invoke: Callable[[str, Any, str], InvokeResult],
                 scale: float = 1.0, log: Callable[[str], None] | None = None):
        self.function, self.source, self.invoke, self.log = function, source, invoke, log
        self.period = max(0.2, float(source.seconds or 60) * scale)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"schedule-{function.logical_id}", daemon=True)
        self.runs = 0
        self.failures = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 10.0) -> None:
        self._thread.join(timeout)

    def event(self) -> dict:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                "source": "aws.scheduler", "account": ACCOUNT_ID, "time": now, "region": REGION,
                "resources": [f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/"
                              f"{self.function.logical_id}{self.source.name}"], "detail": {}}

    def run_once(self) -> InvokeResult:
        result = self.invoke(self.function.logical_id, self.event(), str(uuid.uuid4()))
        self.runs += 1
        if not result.ok:
            self.failures += 1
            if self.log:
                self.log(f"schedule {self.function.logical_id}.{self.source.name} failed: "
                         f"{result.error_type}: {(result.error_message or '')[:200]}")
        return result

    def _run(self) -> None:
        # like EventBridge Scheduler: the first run one period after the start
        while not self._stop.wait(self.period):
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - keep the schedule going
                self.failures += 1
                if self.log:
                    self.log(f"schedule {self.function.logical_id}: {type(exc).__name__}: {exc}")
