"""Make moto's TransactWriteItems cost what the transaction touches, not what the table holds —
and make its DynamoDB stream behave like DynamoDB's where Accord relies on it.

moto 5.2 deep-copies the *whole table* once per transaction part, to roll back on failure; a
table of a few thousand items then makes every publish, move or team create take seconds, and
long e2e sessions time out. Here the rollback remembers only the items the transaction touches
and restores exactly those — the same all-or-nothing outcome. Used by the server-mode emulator
(local/moto_main.py) and the in-process integration tests.

Streams: a cancelled transaction leaves no stream record (moto appends one per part it applied,
and the rollback's own writes append more: all are dropped, as DynamoDB never streams a cancelled
transaction — an outbox event of a rolled-back change must not exist anywhere); `StreamShard.trim`
drops records a consumer has checkpointed (DynamoDB keeps 24 h; the local runtime keeps what is
not consumed yet, so memory stays bounded); a used shard iterator is forgotten (moto kept them all).
"""
import copy
import json


def apply() -> None:
    import moto.dynamodb.models as models

    if getattr(models.DynamoDBBackend.transact_write_items, "_accord_patched", False):
        return
    original = models.DynamoDBBackend.transact_write_items

    class _NoTableCopy:
        """moto's `copy` module, except that whole tables are not copied."""

        def deepcopy(self, obj, memo=None):
            if isinstance(obj, models.Table):
                return obj
            return copy.deepcopy(obj, memo)

        def __getattr__(self, name):
            return getattr(copy, name)

    def _key(backend, op_type, op):
        table = backend.get_table(op["TableName"])
        if op_type != "Put":
            return op["Key"]
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
        return key

    def stream_lengths(backend):
        return {name: len(t.stream_shard.items) for name, t in backend.tables.items()
                if getattr(t, "stream_shard", None) is not None}

    def transact_write_items(self, transact_items):
        lengths = stream_lengths(self)
        touched = {}
        for part in transact_items[:100]:
            try:
                op_type, op = next(iter(part.items()))
                key = _key(self, op_type, op)
                ident = (op["TableName"], json.dumps(key, sort_keys=True))
                if ident not in touched:
                    current = self.get_item(op["TableName"], key)
                    before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
                    touched[ident] = (op["TableName"], key, before)
            except Exception:  # malformed part: moto's own code reports it
                continue
        saved, models.copy = models.copy, _NoTableCopy()
        try:
            return original(self, transact_items)
        except Exception:
            for table_name, key, before in touched.values():
                try:
                    if before is None:
                        self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, before)
                except Exception:
                    pass
            for name, n in lengths.items():
                table = self.tables.get(name)
                if table is not None and table.stream_shard is not None:
                    del table.stream_shard.items[n:]
            raise
        finally:
            models.copy = saved

    transact_write_items._accord_patched = True
    models.DynamoDBBackend.transact_write_items = transact_write_items
    _patch_streams()
    _patch_query()


def _patch_streams() -> None:
    from moto.dynamodb.models.table import StreamShard
    from moto.dynamodbstreams import models as streams

    def trim(self, upto: int) -> int:
        """Drop the records up to sequence number `upto` (consumed); returns how many."""
        n = max(0, min(len(self.items), int(upto) - self.starting_sequence_number + 1))
        del self.items[:n]
        self.starting_sequence_number += n
        return n

    original_get = StreamShard.get

    def get(self, start, quantity):
        return original_get(self, max(int(start), self.starting_sequence_number), quantity)

    StreamShard.trim = trim
    StreamShard.get = get

    def get_records(self, iterator_arn, limit):
        shard_iterator = self.shard_iterators.pop(iterator_arn)
        return shard_iterator.get(limit)

    original_iterator = streams.DynamoDBStreamsBackend.get_shard_iterator

    def get_shard_iterator(self, arn, shard_id, shard_iterator_type, sequence_number=None):
        if len(self.shard_iterators) > 1000:  # never read again (a consumer that stopped)
            self.shard_iterators.clear()
        return original_iterator(self, arn, shard_id, shard_iterator_type,
                                 int(sequence_number) if sequence_number is not None else None)

    streams.DynamoDBStreamsBackend.get_records = get_records
    streams.DynamoDBStreamsBackend.get_shard_iterator = get_shard_iterator


def _patch_query() -> None:
    """A Query reads the items of one partition, not a sorted copy of the table.

    moto's `Table.query` walks `all_items()`, which sorts every item of the table on each call,
    then sorts its matches again by the key it queries. With a few thousand items (a 1,500-model
    dbt project) each page of an index query cost most of a second. Inside a query, `all_items`
    here skips its sort (the query's own sort fully orders the result: index keys, then the
    table's unique key), and a base-table query reads its partition directly. Scans keep the
    sorted order their pagination relies on. Thread-local: in-process tests query from threads."""
    import threading

    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_accord_patched", False):
        return
    in_query = threading.local()
    original_query, original_all = Table.query, Table.all_items

    def query(self, hash_key, *args, **kwargs):
        in_query.table = self
        index_name = kwargs["index_name"] if "index_name" in kwargs else (args[6] if len(args) > 6 else None)
        in_query.hash_key = None if index_name else hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            in_query.table = None

    def all_items(self):
        if getattr(in_query, "table", None) is not self:
            return original_all(self)
        if in_query.hash_key is not None:  # a base-table query: its partition only
            part = self.items.get(in_query.hash_key)
            if part is None:
                return []
            return list(part.values()) if self.range_key_attr else [part]
        return [item for part in self.items.values()
                for item in (part.values() if self.range_key_attr else (part,))]

    query._accord_patched = True
    Table.query, Table.all_items = query, all_items

