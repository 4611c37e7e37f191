"""EventBridge locally: the template's buses and rules on moto's events service, and a tap that
shows where each event goes.

Every bus of the template is created, with its rules (SQS targets are delivered by moto; other
target kinds are listed but not invoked). A tap rule per bus sends a copy of every event to a
local queue (`accord-local-bus-tap`); the runtime reads it and prints one line per event — its
type, its summary, and the rules of the template that match it (what would receive it on AWS) —
and keeps the recent ones in `events` (for tests and `make dev` users alike).
"""

from __future__ import annotations

import collections
import json
import threading
from typing import Any, Callable

from .cfn import ACCOUNT_ID, REGION, Model

TAP_QUEUE = "accord-local-bus-tap"
TAP_RULE = "accord-local-tap"


def tap_queue_url(moto_url: str) -> str:
    return f"{moto_url}/{ACCOUNT_ID}/{TAP_QUEUE}"


def create_buses(model: Model, events: Any, sqs: Any) -> None:
    """The template's buses and rules, plus the tap (a queue and a catch-all rule per bus)."""
    if not model.buses:
        return
    sqs.create_queue(QueueName=TAP_QUEUE)
    tap_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{TAP_QUEUE}"
    for bus in model.buses.values():
        events.create_event_bus(Name=bus.name)
        events.put_rule(Name=TAP_RULE, EventBusName=bus.name, EventPattern=json.dumps({"account": [ACCOUNT_ID]}))
        events.put_targets(Rule=TAP_RULE, EventBusName=bus.name, Targets=[{"Id": "tap", "Arn": tap_arn}])
    for rule in model.rules.values():
        bus = next((b.name for b in model.buses.values() if rule.bus in (b.name, b.logical_id)), rule.bus)
        events.put_rule(Name=rule.name, EventBusName=bus, EventPattern=json.dumps(rule.pattern or {}))
        sqs_targets = [t for t in rule.targets if ":sqs:" in str(t.get("Arn"))]
        if sqs_targets:
            events.put_targets(Rule=rule.name, EventBusName=bus,
                               Targets=[{"Id": str(t.get("Id") or n), "Arn": str(t["Arn"])} for n, t in enumerate(sqs_targets)])


class BusTap:
    """Reads the tap queue: prints where each event went, keeps the last `keep` of them."""

    def __init__(self, model: Model, moto_url: str, sqs: Any, events: Any, log: Callable[[str], None] | None,
                 keep: int = 1000):
        self.model, self.url, self.sqs, self.events_client, self.log = model, tap_queue_url(moto_url), sqs, events, log
        self.events: collections.deque = collections.deque(maxlen=keep)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bus-tap", daemon=True)

    def start(self) -> None:
        if self.model.buses:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                out = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                messages = out.get("Messages") or []
                for m in messages:
                    self._show(json.loads(m["Body"]))
                if messages:
                    self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                        {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)])
            except Exception:  # noqa: BLE001 - a tap must never stop the runtime
                self._stop.wait(1.0)

    def routes(self, envelope: dict) -> list[str]:
        """The template's rules (on the event's bus) whose pattern matches the event."""
        out = []
        for rule in self.model.rules.values():
            try:
                hit = self.events_client.test_event_pattern(EventPattern=json.dumps(rule.pattern or {}),
                                                            Event=json.dumps(envelope))["Result"]
            except Exception:  # noqa: BLE001
                hit = False
            if hit:
                targets = ", ".join(str(t.get("Arn")).rsplit(":", 1)[-1] for t in rule.targets) or "no target"
                out.append(f"{rule.name} -> {targets}")
        return out

    def _show(self, envelope: dict) -> None:
        detail = envelope.get("detail") or {}
        data = detail.get("data") or {}
        routes = self.routes(envelope)
        self.events.append({"detail-type": envelope.get("detail-type"), "source": envelope.get("source"),
                            "detail": detail, "rules": routes})
        if self.log:
            where = "; ".join(routes) if routes else "no rule routes it (add an AWS::Events::Rule)"
            self.log(f"[bus] {envelope.get('detail-type')} ({detail.get('source')}): {data.get('summary', '')} "
                     f"-> {where}")
