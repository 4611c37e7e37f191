"""Durable local state, kept by the emulator process: a journal of acknowledged writes + snapshots.

Like Redis' append-only file: every DynamoDB item write that moto accepted, and every change to a
queue's messages, is appended to ``journal-<generation>.log`` *before* the response leaves the
emulator, so a write a client saw acknowledged is in the kernel's page cache even if every process
is killed a moment later (SIGKILL loses nothing). The file is fsync'ed once a second
(``ACCORD_LOCAL_FSYNC=everysec``, the default: a power loss costs at most the last second),
after every write (``always``) or never (``no``).

A compaction writes the whole state to ``state.json`` (atomically: temp file, fsync, rename) with
the generation of the journal that follows it, keeps the previous snapshot as ``state.prev.json``,
and deletes the journals neither snapshot needs. It runs at start (after replay), when the
journal passes ``COMPACT_BYTES``, on request and at a graceful stop.

A start loads the newest readable snapshot (a torn or corrupt one is moved aside and the previous
one used), then replays the journals from that snapshot's generation on; a torn last line (a crash
mid-write) ends the replay of that file. DynamoDB entries are the raw request bodies, replayed
through moto itself; queue entries are message-level operations (add, receive, delete, purge),
so a restored message keeps its id, attributes, SentTimestamp and receive count.

DynamoDB Streams: the records a successful write appended to a table's stream are journaled with
it, and a consumer's checkpoint (``ack_stream``: the local stream poller, after its function
succeeded) trims them and is journaled too; snapshots keep the records not consumed yet. A start
therefore rebuilds the stream as the consumers left it: the snapshot load and the journal replay
(which moto streams again) append nothing, and a record committed but not yet consumed before a
crash is delivered after it — never lost, never delivered twice once checkpointed.

Snapshot format (version 2): ``{"version": 2, "generation": g, "tables": {name: [item in
DynamoDB's JSON wire format]}, "queues": {name: [message]}, "streams": {table: {"start": first
sequence number kept, "records": [stream record]}}}``. Version 1 files (written by the
runtime before the journal existed) are read as generation 0.
"""

from __future__ import annotations

import base64
import glob
import io
import json
import os
import re
import shutil
import threading
import time
import zlib
from typing import Any, Callable

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
STATE_FILE = "state.json"
PREV_FILE = "state.prev.json"
COMPACT_BYTES = 32 * 1024 * 1024
JOURNAL_RE = re.compile(r"journal-(\d{8})\.log$")

# DynamoDB operations that change items (table-level operations come from the template).
DDB_WRITES = {
    "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
    "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
}


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), default=_json_default, ensure_ascii=False)


def atomic_write(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` so that a crash leaves either the old file or the new one."""
    directory = os.path.dirname(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(directory)


def fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- the journal file --------------------------------------------------------------------------

class Journal:
    """One append-only file of checksummed JSON lines, written with unbuffered os.write."""

    def __init__(self, path: str, fsync: str = "everysec"):
        self.path = path
        self.fsync = fsync
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.size = os.fstat(self.fd).st_size
        self.entries = 0
        self.dirty = False

    def append(self, entry: dict) -> None:
        line = _dumps(entry).encode("utf-8")
        data = b"%08x %s\n" % (zlib.crc32(line), line)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]
        self.size += len(data)
        self.entries += 1
        if self.fsync == "always":
            os.fsync(self.fd)
        else:
            self.dirty = True

    def sync(self) -> None:
        if self.dirty:
            self.dirty = False
            os.fsync(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            try:
                if self.fsync != "no":
                    os.fsync(self.fd)
            finally:
                os.close(self.fd)
                self.fd = -1


def read_journal(path: str) -> tuple[list[dict], str | None]:
    """The entries of a journal file, and why reading stopped early (a torn or corrupt line)."""
    entries: list[dict] = []
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    # the element after the last newline is b"" when the last write completed
    last = max((i for i, line in enumerate(lines) if line), default=-1)
    for n, line in enumerate(lines):
        if not line:
            continue
        crc, _, payload = line.partition(b" ")
        try:
            if len(crc) != 8 or int(crc, 16) != zlib.crc32(payload):
                raise ValueError("checksum mismatch")
            entries.append(json.loads(payload))
        except ValueError:
            what = ("a torn last entry (a crash while writing it)" if n == last
                    else f"a corrupt entry at line {n + 1}")
            return entries, f"{os.path.basename(path)}: stopped at {what}"
    return entries, None


def journal_files(directory: str) -> list[tuple[int, str]]:
    out = []
    for path in glob.glob(os.path.join(directory, "journal-*.log")):
        m = JOURNAL_RE.search(path)
        if m:
            out.append((int(m.group(1)), path))
    return sorted(out)


# -- moto's state, read and written directly ----------------------------------------------------

def _ddb_backend() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT_ID][REGION]


def _sqs_backend() -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[ACCOUNT_ID][REGION]


def dump_tables() -> dict[str, list]:
    tables = {}
    for name, table in list(_ddb_backend().tables.items()):
        tables[name] = [item.to_json()["Attributes"] for item in table.all_items()]
    return tables


def stream_record_json(record: Any) -> dict:
    """A moto stream record as plain JSON (its creation time as epoch seconds)."""
    import datetime as _dt

    out = json.loads(json.dumps(record.to_json(), default=lambda v: v.timestamp()
                                if isinstance(v, _dt.datetime) else _json_default(v)))
    return out


class StoredRecord:
    """A restored stream record: what moto's shard needs of one (`to_json`)."""

    def __init__(self, record: dict):
        self.record = record

    def to_json(self) -> dict:
        return self.record


def dump_streams() -> dict[str, dict]:
    out = {}
    for name, table in list(_ddb_backend().tables.items()):
        shard = getattr(table, "stream_shard", None)
        if shard is not None:
            out[name] = {"start": shard.starting_sequence_number,
                         "records": [stream_record_json(r) for r in shard.items]}
    return out


def message_record(message: Any) -> dict:
    attrs = {}
    for name, value in (message.message_attributes or {}).items():
        v = dict(value)
        b = v.get("BinaryValue")
        if isinstance(b, (bytes, bytearray)):
            v["BinaryValue"] = base64.b64encode(bytes(b)).decode("ascii")
            v["_binary_bytes"] = True
        attrs[name] = v
    return {
        "id": message.id,
        "body": message.body,
        "attributes": attrs,
        "system_attributes": message.system_attributes or {},
        "group_id": message.group_id,
        "deduplication_id": message.deduplication_id,
        "sequence_number": message.sequence_number,
        "sent_timestamp": message.sent_timestamp,
        "first_receive": message.approximate_first_receive_timestamp,
        "receive_count": message.approximate_receive_count,
        "delayed_until": message.delayed_until,
    }


def dump_queues() -> dict[str, list]:
    backend = _sqs_backend()
    return {name: [message_record(m) for m in q._messages] for name, q in list(backend.queues.items())}


def _build_message(rec: dict) -> Any:
    from moto.sqs.models import Message

    m = Message(rec["id"], rec["body"], rec.get("system_attributes") or None)
    attrs = {}
    for name, value in (rec.get("attributes") or {}).items():
        v = dict(value)
        if v.pop("_binary_bytes", False):
            v["BinaryValue"] = base64.b64decode(v["BinaryValue"])
        attrs[name] = v
    m.message_attributes = attrs
    m.group_id = rec.get("group_id")
    m.deduplication_id = rec.get("deduplication_id")
    m.sequence_number = rec.get("sequence_number")
    m.sent_timestamp = rec.get("sent_timestamp") or int(time.time() * 1000)
    m.approximate_first_receive_timestamp = rec.get("first_receive")
    m.approximate_receive_count = int(rec.get("receive_count") or 0)
    m.delayed_until = float(rec.get("delayed_until") or 0)
    return m  # visible now: whatever was in flight when we stopped is delivered again


def _v1_message(rec: dict, n: int) -> dict:
    """A message of a version-1 state file (no id, attributes with BinaryValueB64)."""
    attrs = {}
    for name, value in (rec.get("attributes") or {}).items():
        v = {"DataType": value["DataType"]}
        if "StringValue" in value:
            v["StringValue"] = value["StringValue"]
        if "BinaryValueB64" in value:
            v["BinaryValue"], v["_binary_bytes"] = value["BinaryValueB64"], True
        attrs[name] = v
    import uuid

    return {"id": str(uuid.uuid4()), "body": rec["body"], "attributes": attrs,
            "group_id": rec.get("group_id"), "deduplication_id": rec.get("deduplication_id"),
            "receive_count": rec.get("receive_count") or 0}


# -- the durable store -------------------------------------------------------------------------

class DurableState:
    """Journal + snapshots for one state directory, inside the emulator process.

    `locks` are the emulator's per-service locks: every moto request runs under one of them, so
    holding both gives a consistent cut for a compaction. `dispatch(target, body)` runs a
    DynamoDB request through moto (used to replay the journal) and returns the HTTP status.
    """

    def __init__(self, directory: str, locks: list[threading.Lock],
                 dispatch: Callable[[str, bytes], int], fsync: str | None = None):
        self.dir = os.path.abspath(directory)
        self.locks = locks
        self.dispatch = dispatch
        self.fsync = (fsync or os.environ.get("ACCORD_LOCAL_FSYNC") or "everysec").lower()
        if self.fsync not in ("everysec", "always", "no"):
            raise ValueError(f"ACCORD_LOCAL_FSYNC must be everysec, always or no, not {self.fsync!r}")
        self.journal: Journal | None = None
        self.generation = 0
        self._journal_lock = threading.Lock()
        self._compact_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._replaying = False
        self._streams: dict[str, dict] = {}
        self.last_compaction: dict | None = None

    # ---- recording (called by the emulator under a service lock) ----
    @property
    def recording(self) -> bool:
        return self.journal is not None and not self._replaying

    def record(self, entry: dict) -> None:
        if not self.recording:
            return
        with self._journal_lock:
            journal = self.journal
            if journal is None:
                return
            journal.append(entry)
            if journal.size > COMPACT_BYTES:
                self._wake.set()

    def record_ddb(self, target: str, body: bytes) -> None:
        if self.recording:
            self.record({"ddb": target, "b": body.decode("utf-8")})

    def record_stream(self, before: dict[str, int]) -> None:
        """Journal the stream records a write just appended (`before`: lengths before it)."""
        if not self.recording:
            return
        for name, n in before.items():
            table = _ddb_backend().tables.get(name)
            shard = getattr(table, "stream_shard", None)
            if shard is not None and len(shard.items) > n:
                self.record({"stream": name, "recs": [stream_record_json(r) for r in shard.items[n:]]})

    def ack_stream(self, table_name: str, seq: int) -> int:
        """A consumer checkpoint: drop the records up to `seq` (journaled, so a restart keeps it)."""
        table = _ddb_backend().tables.get(table_name)
        shard = getattr(table, "stream_shard", None)
        if shard is None:
            return 0
        n = shard.trim(seq)
        if n:
            self.record({"stream_ack": table_name, "seq": int(seq)})
        return n

    def journal_info(self) -> dict | None:
        journal = self.journal
        if journal is None:
            return None
        return {"generation": self.generation, "bytes": journal.size, "entries": journal.entries}

    # ---- start: load + replay -------------------------------------------------------------
    def restore(self) -> dict:
        """Load the newest good snapshot and replay the journals after it; then start a journal."""
        t0 = time.perf_counter()
        os.makedirs(self.dir, exist_ok=True)
        warnings: list[str] = []
        snapshot, source = self._load_snapshot(warnings)
        generation = int(snapshot.get("generation", 0)) if snapshot else 0
        items = messages = 0
        kept_original = False
        if snapshot:
            n_items, n_msgs, problems = self._apply_snapshot(snapshot)
            items, messages = n_items, n_msgs
            if problems:
                warnings.extend(problems)
                backup = os.path.join(self.dir, STATE_FILE + ".orig")
                shutil.copyfile(source, backup)
                warnings.append(f"state: the state file as it was is kept in {backup}")
                kept_original = True
        replayed = 0
        journals = [(g, p) for g, p in journal_files(self.dir) if g >= generation]
        self._streams = {name: {"start": int(v.get("start", 0)), "records": list(v.get("records") or [])}
                         for name, v in ((snapshot or {}).get("streams") or {}).items()}
        self._replaying = True
        try:
            for g, path in journals:
                entries, stopped = read_journal(path)
                if stopped:
                    warnings.append(f"state: {stopped}; the entries before it were replayed")
                failures = self._replay(entries)
                replayed += len(entries)
                if failures:
                    warnings.append(
                        f"state: {os.path.basename(path)}: {len(failures)} entries could not be replayed "
                        f"(first: {failures[0]})")
                    if not kept_original:
                        shutil.copyfile(path, path + ".orig")
                generation = max(generation, g)
        finally:
            self._replaying = False
        self._restore_streams()
        # The next journal starts after everything seen; compact so that the next start is quick.
        self.generation = generation + 1 if (journals or snapshot) else 0
        self._open_journal()
        threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True).start()
        threading.Thread(target=self._compact_loop, name="journal-compact", daemon=True).start()
        compaction = self.compact()
        return {
            "source": os.path.basename(source) if source else None,
            "snapshot_items": items,
            "snapshot_messages": messages,
            "replayed": replayed,
            "items": compaction["items"],
            "messages": compaction["messages"],
            "warnings": warnings,
            "seconds": round(time.perf_counter() - t0, 3),
        }

    def _load_snapshot(self, warnings: list[str]) -> tuple[dict | None, str | None]:
        for name in (STATE_FILE, PREV_FILE):
            path = os.path.join(self.dir, name)
            try:
                with open(path, "rb") as fh:
                    data = json.loads(fh.read())
                if not isinstance(data, dict) or data.get("version") not in (1, 2):
                    raise ValueError("not an Accord state file")
                return data, path
            except FileNotFoundError:
                continue
            except (OSError, ValueError) as exc:
                aside = f"{path}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}"
                try:
                    os.replace(path, aside)
                except OSError:
                    aside = path
                warnings.append(
                    f"state: {name} could not be read ({exc}); moved to {os.path.basename(aside)}, "
                    "starting from the previous good state")
        return None, None

    def _apply_snapshot(self, snapshot: dict) -> tuple[int, int, list[str]]:
        problems: list[str] = []
        backend = _ddb_backend()
        items = 0
        for name, rows in (snapshot.get("tables") or {}).items():
            if name not in backend.tables:
                problems.append(f"state: table {name} is no longer in the template; skipped")
                continue
            table = backend.tables[name]
            for row in rows:
                try:
                    table.put_item(row)
                    items += 1
                except Exception as exc:  # noqa: BLE001 - the key schema may have changed
                    problems.append(f"state: table {name}: {exc}")
                    break
        messages = 0
        queues = _sqs_backend().queues
        v1 = snapshot.get("version") == 1
        for name, recs in (snapshot.get("queues") or {}).items():
            if name not in queues:
                problems.append(f"state: queue {name} is no longer in the template; skipped")
                continue
            for n, rec in enumerate(recs):
                queues[name]._messages.append(_build_message(_v1_message(rec, n) if v1 else rec))
                messages += 1
        return items, messages, problems

    def _restore_streams(self) -> None:
        """Streams as the consumers left them: the records loading and replaying appended are
        history, replaced by the ones journaled (and not acknowledged) before the restart."""
        for name, table in list(_ddb_backend().tables.items()):
            shard = getattr(table, "stream_shard", None)
            if shard is None:
                continue
            saved = self._streams.get(name)
            shard.items = []
            if saved is None:
                continue
            records = saved["records"]
            start = int(records[0]["dynamodb"]["SequenceNumber"]) if records else saved["start"]
            shard.starting_sequence_number = start
            shard.items = [StoredRecord(r) for r in records]

    def _replay_stream(self, entry: dict) -> None:
        name = entry.get("stream") or entry.get("stream_ack")
        state = self._streams.setdefault(name, {"start": 0, "records": []})
        if "recs" in entry:
            if not state["records"] and entry["recs"]:
                state["start"] = int(entry["recs"][0]["dynamodb"]["SequenceNumber"])
            state["records"].extend(entry["recs"])
        else:
            seq = int(entry["seq"])
            state["records"] = [r for r in state["records"] if int(r["dynamodb"]["SequenceNumber"]) > seq]
            state["start"] = max(state["start"], seq + 1)

    def _replay(self, entries: list[dict]) -> list[str]:
        failures: list[str] = []
        queues = _sqs_backend().queues
        where: dict[str, Any] = {}  # message id -> queue, built lazily

        def find(mid: str) -> tuple[Any, Any] | None:
            q = where.get(mid)
            if q is not None:
                for m in q._messages:
                    if m.id == mid:
                        return q, m
            for q in queues.values():
                for m in q._messages:
                    if m.id == mid:
                        where[mid] = q
                        return q, m
            return None

        for entry in entries:
            try:
                if "ddb" in entry:
                    status = self.dispatch(entry["ddb"], entry["b"].encode("utf-8"))
                    if status != 200:
                        failures.append(f"{entry['ddb']} answered {status}")
                    continue
                if "stream" in entry or "stream_ack" in entry:
                    self._replay_stream(entry)
                    continue
                op = entry.get("sqs")
                if op == "add":
                    rec = entry["m"]
                    found = find(rec["id"])
                    if found:  # a redrive: the message moves to the dead-letter queue
                        found[0]._messages.remove(found[1])
                    if entry["q"] not in queues:
                        failures.append(f"queue {entry['q']} is gone")
                        continue
                    queues[entry["q"]]._messages.append(_build_message(rec))
                    where[rec["id"]] = queues[entry["q"]]
                elif op == "recv":
                    found = find(entry["id"])
                    if found:
                        found[1].approximate_receive_count += 1
                        found[1].approximate_first_receive_timestamp = (
                            found[1].approximate_first_receive_timestamp or entry.get("t"))
                elif op == "del":
                    for mid in entry["ids"]:
                        found = find(mid)
                        if found:
                            found[0]._messages.remove(found[1])
                            where.pop(mid, None)
                elif op == "purge":
                    if entry["q"] in queues:
                        for m in queues[entry["q"]]._messages:
                            where.pop(m.id, None)
                        queues[entry["q"]]._messages = []
            except Exception as exc:  # noqa: BLE001 - reported, the rest still replays
                failures.append(f"{type(exc).__name__}: {exc}")
        return failures

    # ---- journal files --------------------------------------------------------------------
    def _open_journal(self) -> None:
        self.journal = Journal(os.path.join(self.dir, f"journal-{self.generation:08d}.log"), self.fsync)
        fsync_dir(self.dir)

    def _sync_loop(self) -> None:
        while not self._closed.wait(1.0):
            if self.fsync == "everysec":
                with self._journal_lock:
                    journal = self.journal
                    if journal is not None:
                        try:
                            journal.sync()
                        except OSError:
                            pass

    def _compact_loop(self) -> None:
        while not self._closed.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._closed.is_set():
                return
            try:
                self.compact()
            except Exception:  # noqa: BLE001 - the journal still holds everything; try again later
                time.sleep(1.0)

    # ---- compaction -----------------------------------------------------------------------
    def compact(self) -> dict:
        """Write a snapshot of everything up to now and start the next journal generation."""
        with self._compact_lock:
            t0 = time.perf_counter()
            for lock in self.locks:
                lock.acquire()
            try:
                tables, queues, streams = dump_tables(), dump_queues(), dump_streams()
                with self._journal_lock:
                    old = self.journal
                    self.generation += 1
                    self._open_journal()
                data = _dumps({"version": 2, "generation": self.generation, "tables": tables,
                               "queues": queues, "streams": streams}).encode("utf-8")
            finally:
                for lock in reversed(self.locks):
                    lock.release()
            if old is not None:
                old.close()
            state = os.path.join(self.dir, STATE_FILE)
            prev = os.path.join(self.dir, PREV_FILE)
            prev_generation = None
            if os.path.exists(state):
                prev_generation = _generation_of(state)
                if prev_generation is not None:
                    os.replace(state, prev)
            atomic_write(state, data)
            keep_from = prev_generation if prev_generation is not None else self.generation
            for g, path in journal_files(self.dir):
                if g < keep_from:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
            self.last_compaction = {
                "generation": self.generation,
                "items": sum(len(v) for v in tables.values()),
                "messages": sum(len(v) for v in queues.values()),
                "bytes": len(data),
                "seconds": round(time.perf_counter() - t0, 3),
            }
            return self.last_compaction

    def close(self) -> dict:
        """Graceful stop: compact (so the next start reads one file) and close the journal."""
        try:
            return self.compact()
        finally:
            self._closed.set()
            self._wake.set()
            with self._journal_lock:
                if self.journal is not None:
                    self.journal.close()
                    self.journal = None


def _generation_of(path: str) -> int | None:
    """The generation of a snapshot file, read from its head without parsing the whole file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        m = re.search(rb'"generation":(\d+)', head)
        if m:
            return int(m.group(1))
        with open(path, "rb") as fh:
            data = json.loads(fh.read())
        return int(data.get("generation", 0))
    except (OSError, ValueError):
        return None


# -- queue hooks: message-level operations into the journal ------------------------------------

def install_queue_hooks(state: DurableState) -> None:
    """Record every change to a queue's messages. Runs inside moto's SQS calls (under its lock)."""
    from moto.sqs import models

    Queue, Message, Backend = models.Queue, models.Message, models.SQSBackend
    add, delete, received, purge = (
        Queue.add_message, Queue.delete_message, Message.mark_received, Backend.purge_queue)

    def add_message(self, message):
        before = len(self._messages)
        add(self, message)
        if len(self._messages) > before or any(m is message for m in self._messages[-1:]):
            state.record({"sqs": "add", "q": self.name, "m": message_record(message)})

    def delete_message(self, receipt_handle):
        ids = [m.id for m in self._messages if m.had_receipt_handle(receipt_handle)]
        delete(self, receipt_handle)
        if ids:
            state.record({"sqs": "del", "q": self.name, "ids": ids})

    def mark_received(self, visibility_timeout=None):
        received(self, visibility_timeout)
        state.record({"sqs": "recv", "id": self.id, "t": self.approximate_first_receive_timestamp})

    def purge_queue(self, queue_name):
        purge(self, queue_name)
        state.record({"sqs": "purge", "q": queue_name})

    Queue.add_message = add_message
    Queue.delete_message = delete_message
    Message.mark_received = mark_received
    Backend.purge_queue = purge_queue


def wsgi_dispatcher(app: Any) -> Callable[[str, bytes], int]:
    """dispatch(target, body) -> status: a DynamoDB JSON request run through moto's WSGI app."""
    auth = ("AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-target, Signature=0")

    def dispatch(target: str, body: bytes) -> int:
        env = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": "application/x-amz-json-1.0",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_AMZ_TARGET": target if "." in target else f"DynamoDB_20120810.{target}",
            "HTTP_AUTHORIZATION": auth,
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        out = {}

        def start_response(status, headers, exc_info=None):
            out["status"] = status
            return lambda data: None

        result = app(env, start_response)
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        return int(out["status"].split()[0])

    return dispatch
