"""Make moto's TransactWriteItems cost what the transaction touches, not what the table holds —
and make its DynamoDB stream behave like DynamoDB's where Accord relies on it. Also: a Query reads
its partition (base table) or the items filed under its index hash key (`_IndexMap`), not the
whole table; data-plane answers are written as the plain JSON they already are, not through
moto's shape-driven serializer (`fast_body`); an item's 400 KB check is summed once per item, not
once per attribute (`_patch_item_size`). Each is checked against moto's own behaviour in
tests/integration/test_moto_patch.py.

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
    _patch_responses()
    _patch_item_size()


# Data-plane answers are plain JSON already (attribute values, counts, keys): what moto 5.2's
# shape-driven serializer adds is three quarters of a 50-item Query's cost (it resolves every
# member of every attribute value against the service model).
FAST_ACTIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                          "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})


def _wire(value):
    """moto's result as DynamoDB's JSON: bytes base64, absent (None) members left out."""
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        import base64
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def fast_body(action: str, action_result):
    """The JSON body of a data-plane success, or None (moto's serializer answers: errors, the
    control plane, anything not a plain dict)."""
    from moto.core.responses import ActionResult
    result = getattr(action_result, "result", None)
    if action not in FAST_ACTIONS or not isinstance(action_result, ActionResult) or not isinstance(result, dict):
        return None
    return json.dumps(_wire(result))


def _patch_responses() -> None:
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.serialized, "_accord_patched", False):
        return
    original = DynamoHandler.serialized

    def serialized(self, action_result):
        body = fast_body(self._get_action(), action_result)
        if body is None:
            return original(self, action_result)
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        headers.update(self.response_headers)
        return 200, headers, body

    serialized._accord_patched = True
    DynamoHandler.serialized = serialized


def _patch_item_size() -> None:
    """An item's 400 KB check, summed once per item instead of once per attribute.

    moto 5.2's `LimitedSizeDict.__setitem__` sums the size of every attribute already set, so
    building an item of n attributes walks n²/2 of them: a fifth of a dbt import's time inside moto.
    Sizes are never negative, so "some prefix is over the limit" (moto's check, attribute by
    attribute) is "the whole item is over the limit" (this one): the same items pass and the same
    ones raise ItemSizeTooLarge. Later `__setitem__` calls (update expressions) keep moto's check."""
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    Item, DynamoType, LimitedSizeDict = dynamo_type.Item, dynamo_type.DynamoType, dynamo_type.LimitedSizeDict
    if getattr(Item.__init__, "_accord_patched", False):
        return

    def __init__(self, hash_key, range_key, attrs):
        self.hash_key, self.range_key = hash_key, range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in values.items()) > 405000:
            raise dynamo_type.ItemSizeTooLarge
        self.attrs = LimitedSizeDict()
        dict.update(self.attrs, values)   # dict.update: no per-attribute re-summing

    __init__._accord_patched = True
    Item.__init__ = __init__


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
        in_query.index = (index_name, hash_key) if index_name else None
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
        found = _IndexMap.candidates(self, *in_query.index)
        if found is not None:  # an index query: the items filed under its hash key
            return found
        return [item for part in self.items.values()
                for item in (part.values() if self.range_key_attr else (part,))]

    query._accord_patched = True
    Table.query, Table.all_items = query, all_items
    _IndexMap.patch()


class _IndexMap:
    """Each global index's items by index hash key, so an index Query reads its own items instead
    of walking the table (a 1,500-model project made each index query walk ~30,000 items).

    Built on a table's first index query, then kept by every write: moto's Table.put_item (puts,
    batch and transaction puts, the rollback's restores) and DynamoDBBackend.update_item (updates
    change items in place: the item is filed again under its new key). Removals are not tracked:
    a candidate is checked on read — still the table's item under its key, still carrying that
    index hash value — and dropped when it is not. Entries are item keys, never item objects
    (a put replaces the object)."""

    @staticmethod
    def _hash_attrs(table) -> dict:
        out = {}
        for index in getattr(table, "global_indexes", None) or []:
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            if len(hashes) == 1:
                out[index.name] = hashes[0]
        return out

    @classmethod
    def _file(cls, table, maps: dict, item) -> None:
        key = (item.hash_key, item.range_key)
        for name, attr in cls._hash_attrs(table).items():
            value = item.attrs.get(attr)
            if value is not None:
                maps.setdefault(name, {}).setdefault((value.type, repr(value.value)), {})[key] = None

    @classmethod
    def _maps(cls, table, build: bool):
        maps = table.__dict__.get("_accord_index_map")
        if maps is None and build:
            maps = {}
            for part in list(table.items.values()):
                for item in list(part.values()) if table.range_key_attr else [part]:
                    cls._file(table, maps, item)
            table._accord_index_map = maps
        return maps

    @classmethod
    def candidates(cls, table, index_name: str, hash_value):
        attr = cls._hash_attrs(table).get(index_name)
        if attr is None or hash_value is None:
            return None
        bucket = cls._maps(table, build=True).get(index_name, {}).get((hash_value.type, repr(hash_value.value)), {})
        out = []
        for key in list(bucket):
            hk, rk = key
            part = table.items.get(hk)
            item = (part.get(rk) if rk is not None else part) if part is not None else None
            value = item.attrs.get(attr) if item is not None else None
            if value is None or value.type != hash_value.type or value.value != hash_value.value:
                bucket.pop(key, None)   # deleted, or its index key was removed or changed
                continue
            out.append(item)
        return out

    @classmethod
    def patch(cls) -> None:
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table

        original_put, original_update = Table.put_item, DynamoDBBackend.update_item

        def put_item(self, *args, **kwargs):
            item = original_put(self, *args, **kwargs)
            maps = cls._maps(self, build=False)
            if maps is not None and item is not None:
                cls._file(self, maps, item)
            return item

        def update_item(self, table_name, *args, **kwargs):
            item = original_update(self, table_name, *args, **kwargs)
            table = self.get_table(table_name)
            maps = cls._maps(table, build=False)
            if maps is not None and item is not None:
                cls._file(table, maps, item)
            return item

        Table.put_item, DynamoDBBackend.update_item = put_item, update_item

