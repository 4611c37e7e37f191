"""DynamoDB stream event source mappings: poll a table's stream, invoke the function.

Like Lambda's poller for a DynamoDB stream: records are read in order (one shard: moto keeps one per
table), filtered by the mapping's `FilterCriteria` (records that match no filter are skipped, as
Lambda drops them), and handed to the function as one batch (`BatchSize`) in Lambda's event format.
On success the poller checkpoints: the emulator drops the records up to the batch's last sequence
number and journals that, so a restart resumes after them. On failure nothing is checkpointed and
the same batch is read again after `retry_delay` seconds (Lambda retries a stream batch until it
succeeds or the records expire). The stream is read every `POLL_SECONDS` when idle (Lambda: 4 times
a second).
"""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid
from typing import Any, Callable

from .cfn import REGION, Function, StreamEvent, Table
from .patterns import matches_any
from .workers import InvokeResult

POLL_SECONDS = 0.25


class StreamPoller:
    def __init__(self, function: Function, source: StreamEvent, table: Table, ddb: Any, streams: Any,
                 moto_url: str, invoke: Callable[[str, Any, str], InvokeResult], retry_delay: float = 1.0,
                 log: Callable[[str], None] | None = None):
        self.function, self.source, self.table = function, source, table
        self.ddb, self.streams, self.moto_url = ddb, streams, moto_url
        self.invoke, self.retry_delay, self.log = invoke, retry_delay, log
        self._stop = threading.Event()
        self._processing = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"stream-{function.logical_id}-{source.name}",
                                        daemon=True)
        self._iterator: str | None = None
        self._arn: str | None = None
        self._shard: str | None = None
        self.batches = 0
        self.records = 0
        self.errors = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float = 5.0) -> None:
        if self._processing.acquire(timeout=timeout):
            self._processing.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.poll_once():
                    self._stop.wait(POLL_SECONDS)
            except Exception as exc:  # noqa: BLE001 - keep polling, like Lambda's poller
                if self._stop.is_set():
                    return
                self.errors += 1
                self._iterator = None
                if self.log:
                    self.log(f"stream poller {self.function.logical_id}: {type(exc).__name__}: {exc}")
                self._stop.wait(self.retry_delay)

    def _open(self) -> None:
        if self._arn is None:
            self._arn = self.ddb.describe_table(TableName=self.table.name)["Table"]["LatestStreamArn"]
            self._shard = self.streams.describe_stream(StreamArn=self._arn)["StreamDescription"]["Shards"][0]["ShardId"]
        # the trim horizon is the first record not checkpointed yet
        self._iterator = self.streams.get_shard_iterator(StreamArn=self._arn, ShardId=self._shard,
                                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def poll_once(self) -> int:
        """Read one batch and hand the records that pass the filters to the function; returns the
        number of records read (0: the stream had nothing new)."""
        if self._iterator is None:
            self._open()
        out = self.streams.get_records(ShardIterator=self._iterator, Limit=max(1, min(1000, self.source.batch_size)))
        self._iterator = out.get("NextShardIterator")
        records = out.get("Records") or []
        if not records:
            return 0
        with self._processing:
            wanted = [self.lambda_record(r) for r in records]
            wanted = [r for r in wanted if matches_any(self.source.filters, r)]
            if wanted:
                result = self.invoke(self.function.logical_id, {"Records": wanted}, str(uuid.uuid4()))
                self.batches += 1
                if not result.ok:
                    self.errors += 1
                    if self.log:
                        self.log(f"stream {self.table.name} -> {self.function.logical_id}: batch of {len(wanted)} "
                                 f"failed ({result.error_type}: {(result.error_message or '')[:200]}); retried")
                    self._iterator = None  # read the same records again
                    self._stop.wait(self.retry_delay)
                    return len(records)
            self.records += len(wanted)
            self.checkpoint(int(records[-1]["dynamodb"]["SequenceNumber"]))
        return len(records)

    def lambda_record(self, record: dict) -> dict:
        """A stream record as Lambda hands it over (JSON, with the stream's ARN)."""
        rec = json.loads(json.dumps(record, default=_plain))
        rec["eventSourceARN"] = self._arn
        rec.setdefault("awsRegion", REGION)
        return rec

    def checkpoint(self, seq: int) -> None:
        req = urllib.request.Request(f"{self.moto_url}/_accord/stream-ack?table={self.table.name}&seq={seq}",
                                     data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()


def _plain(value: Any) -> Any:
    if hasattr(value, "timestamp"):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(type(value).__name__)
