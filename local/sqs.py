"""SQS event source mappings: poll a queue, invoke the function with real SQS events.

Like Lambda's poller: messages are received with the queue's visibility timeout and handed to
the function as one batch (``BatchSize``, at most 10 per receive). On success every message is
deleted; with ``ReportBatchItemFailures`` only the ones not listed in ``batchItemFailures`` are;
when the function fails, nothing is deleted. Messages that are not deleted are made visible
again after ``retry_delay`` seconds (instead of waiting out the whole visibility timeout, to keep
local feedback quick). Redrive to the DLQ is moto's: on receive, a message already received
``maxReceiveCount`` times moves to the queue's dead-letter queue. Lambda scales an SQS source's
pollers up; locally a source has one, or ``ScalingConfig.MaximumConcurrency`` of them (batches
handled at once: one slow batch — a webhook that hangs — does not hold up the others).
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Callable

from .cfn import ACCOUNT_ID, REGION, Function, Queue, SqsEvent
from .workers import InvokeResult


def to_lambda_record(msg: dict, queue: Queue) -> dict:
    attrs = msg.get("Attributes") or {}
    record_attrs = {
        k: attrs[k]
        for k in (
            "ApproximateReceiveCount",
            "SentTimestamp",
            "SenderId",
            "ApproximateFirstReceiveTimestamp",
            "SequenceNumber",
            "MessageGroupId",
            "MessageDeduplicationId",
            "AWSTraceHeader",
        )
        if k in attrs
    }
    message_attributes = {}
    for name, value in (msg.get("MessageAttributes") or {}).items():
        a: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
        if "StringValue" in value:
            a["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            import base64

            raw = value["BinaryValue"]
            a["binaryValue"] = base64.b64encode(raw).decode() if isinstance(raw, bytes) else raw
        message_attributes[name] = a
    return {
        "messageId": msg["MessageId"],
        "receiptHandle": msg["ReceiptHandle"],
        "body": msg["Body"],
        "attributes": record_attrs,
        "messageAttributes": message_attributes,
        "md5OfBody": msg.get("MD5OfBody"),
        **({"md5OfMessageAttributes": msg["MD5OfMessageAttributes"]} if msg.get("MD5OfMessageAttributes") else {}),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": REGION,
    }


class SqsPoller:
    def __init__(
        self,
        function: Function,
        source: SqsEvent,
        queue: Queue,
        queue_url: str,
        sqs_client: Any,
        invoke: Callable[[str, Any, str], InvokeResult],
        retry_delay: int = 1,
        on_activity: Callable[[], None] | None = None,
        log: Callable[[str], None] | None = None,
    ):
        self.function = function
        self.source = source
        self.queue = queue
        self.queue_url = queue_url
        self.sqs = sqs_client
        self.invoke = invoke
        self.retry_delay = retry_delay
        self.on_activity = on_activity
        self.log = log
        self._stop = threading.Event()
        self._idle = threading.Condition()  # notified when a batch in progress ends
        self._in_flight = 0
        self._threads = [
            threading.Thread(target=self._run, name=f"sqs-{function.logical_id}-{source.name}-{n}", daemon=True)
            for n in range(max(1, source.max_concurrency))
        ]
        self.batches = 0
        self.errors = 0

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the batches in progress to finish (a poller idle in a long poll is not waited for)."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # a long poll answers as soon as a message is sent; stopping never waits for it
                self.poll_once(wait_seconds=5)
            except Exception as exc:  # noqa: BLE001 - keep polling, like the real poller
                if self._stop.is_set():
                    return
                self.errors += 1
                if self.log:
                    self.log(f"sqs poller {self.function.logical_id}: {type(exc).__name__}: {exc}")
                self._stop.wait(1.0)

    def poll_once(self, wait_seconds: int = 0) -> int:
        resp = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(10, self.source.batch_size)),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = resp.get("Messages") or []
        if not messages:
            return 0
        with self._idle:
            self._in_flight += 1
        try:
            if self._stop.is_set():
                # stopping: hand the batch back untouched (the state snapshot keeps it)
                self._release(messages, 0)
                return 0
            return self._process(messages)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _release(self, messages: list[dict], delay: int) -> None:
        self.sqs.change_message_visibility_batch(
            QueueUrl=self.queue_url,
            Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": delay}
                for n, m in enumerate(messages)
            ],
        )

    def _process(self, messages: list[dict]) -> int:
        if self.on_activity:
            self.on_activity()
        records = [to_lambda_record(m, self.queue) for m in messages]
        request_id = str(uuid.uuid4())
        result = self.invoke(self.function.logical_id, {"Records": records}, request_id)
        self.batches += 1
        failed: set[str]
        by_id = {m["MessageId"]: m for m in messages}
        if not result.ok:
            failed = set(by_id)
            if self.log:
                self.log(
                    f"sqs {self.queue.name} -> {self.function.logical_id}: batch of {len(messages)} "
                    f"failed ({result.error_type}: {result.error_message[:200]})"
                )
        elif self.source.report_batch_item_failures:
            failed = self._failed_ids(result.payload, by_id)
        else:
            failed = set()
        to_delete = [m for m in messages if m["MessageId"] not in failed]
        for i in range(0, len(to_delete), 10):
            chunk = to_delete[i : i + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(chunk)],
            )
        retry = [by_id[mid] for mid in failed]
        if retry:
            self._release(retry, self.retry_delay)
        if self.on_activity:
            self.on_activity()
        return len(messages)

    def _failed_ids(self, payload: Any, by_id: dict) -> set[str]:
        """Lambda's rules: null/empty -> all succeeded; any invalid entry -> the whole batch failed."""
        if payload is None or payload == {} or payload == "":
            return set()
        if not isinstance(payload, dict):
            return set(by_id)
        failures = payload.get("batchItemFailures")
        if failures is None:
            return set()
        if not isinstance(failures, list):
            return set(by_id)
        out: set[str] = set()
        for f in failures:
            ident = f.get("itemIdentifier") if isinstance(f, dict) else None
            if not ident or ident not in by_id:
                return set(by_id)
            out.add(ident)
        return out


__all__ = ["SqsPoller", "to_lambda_record", "ACCOUNT_ID"]
