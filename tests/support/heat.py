"""The heat model: every item each write path writes, what it costs, and how hot it runs at scale.

DynamoDB scales a table out, but not an item: one item takes at most ~1,000 write units per
second (an item is never split across partitions), and every transaction that holds an item
(writes it or checks a condition on it) conflicts with every other transaction holding it at the
same time. So "can a tenant do R of operation X per second?" is a question about the hottest item
X's requests touch — answered here from what the code really writes, not from a paper analysis.

How it works. A `Recorder` hooks the store's botocore client (the `before-parameter-build` and
`after-call` events) and, for every request made inside `with recorder.op(name, entity)`, records
each item written: its key, its size before and after (read back through a separate, unhooked
client), the write units that costs by DynamoDB's rules (1 per started KB, the larger of the
before and after images; twice inside a transaction, ConditionCheck included; failed conditional
writes too), the write units of every global secondary index entry it adds, changes or removes
(per the table's real projections), whether a transaction held it, and the bytes it adds to
storage (and whether they expire: a `ttl` attribute). Reads are costed from the bytes returned.

`analyse(stats, path)` turns one run into the figures `make bench` prints and `make test` checks:
write units per operation (table + indexes), read units, and for each distinct item the write
units per second and the transactions per second holding it **at the path's target rate**:

* an item only one entity of the run touched (the asset a report was about) runs at
  rate / spread — the target rate is spread over `spread` entities (e.g. 10,000 events/s over
  1,000 assets), and the run cycles through min(n, spread) of them;
* an item two or more entities touched is taken to be shared by all of them: it runs at the full
  rate (conservative);
* a sharded item (`accord.store.keys.shard_of` names the shard and the shard count) is one
  logical item whose load spreads evenly over its shards (random or hash-chosen shards).

A path passes when its hottest item stays within ITEM_WCU_BUDGET write units per second and no
item is held by more than HOLD_BUDGET transactions per second. The paths, and how a new write
path joins the model, are in tests/support/heat_paths.py.
"""
import math
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

ITEM_WCU_BUDGET = 1_000      # write units per second one item (one partition) can take
HOLD_BUDGET = 50             # transactions per second holding one item before conflicts dominate
WRITE_KB = 1024
READ_KB = 4096
ITEM_OVERHEAD = 100          # bytes DynamoDB adds per stored item, and per index entry
WRITE_OPS = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
READ_OPS = ("GetItem", "Query", "BatchGetItem", "TransactGetItems")


# ------------------------------------------------------------------ DynamoDB's size rules
def value_size(v: dict) -> int:
    """Bytes of one AttributeValue (DynamoDB's item-size rules)."""
    (kind, x), = v.items()
    if kind == "S":
        return len(x.encode("utf-8"))
    if kind == "N":
        return _number_size(x)
    if kind == "B":
        return len(x if isinstance(x, (bytes, bytearray)) else x.encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in x)
    if kind == "NS":
        return sum(_number_size(s) for s in x)
    if kind == "BS":
        return sum(len(b) for b in x)
    if kind == "L":
        return 3 + sum(value_size(e) + 1 for e in x)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(e) + 1 for k, e in x.items())
    raise ValueError(f"unknown AttributeValue type {kind}")


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").lstrip("0").rstrip("0").split("E")[0].split("e")[0]
    return (max(len(digits), 1) + 1) // 2 + 1


def item_size(item: dict | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_KB))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / READ_KB))
    return float(units) if consistent else units / 2


# ------------------------------------------------------------------ key patterns (display only)
_PATTERNS = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "{id}"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "{ts}"),
    (re.compile(r"EVK#\[.*?\](?=#|$)"), "EVK#{key}"),
    (re.compile(r"EVID#.*"), "EVID#{event id}"),
    (re.compile(r"ASSETFQN#[^#]+#.*"), "ASSETFQN#{env}#{fqn}"),
    (re.compile(r"\|f=[^|#]*"), "|f={fqn}"),
    (re.compile(r"\|e=[^|#]*"), "|e={env}"),
    (re.compile(r"\b[0-9a-f]{20}\b"), "{uid}"),
    (re.compile(r"\b[0-9a-f]{32,64}\b"), "{hash}"),
    (re.compile(r"\d{12}"), "{n}"),
]


def pattern(key: tuple, tenant: str) -> str:
    pk, sk = key
    out = []
    for part in (pk, sk):
        text = part.replace(f"T#{tenant}#", "T#{t}#").replace("\x1f", "␟")
        for rx, repl in _PATTERNS:
            text = rx.sub(repl, text)
        if "ASSETSEARCH" in pk and part is sk:
            text = "{token}␟{id}"
        out.append(text)
    return " / ".join(out)


def _unshard(key: tuple):
    """(logical key, shard count): the store's own description of its sharded items, if it has one."""
    try:
        from accord.store.keys import shard_of
    except ImportError:  # a store without sharded items (the baseline)
        return key, 1
    found = shard_of(*key)
    return (found[0], found[1]) if found else (key, 1)


# ------------------------------------------------------------------ what one operation did
@dataclass
class ItemStat:
    wcu: float = 0
    holds: int = 0
    writes: int = 0
    entities: set = field(default_factory=set)
    ops: set = field(default_factory=set)      # which operations of the run touched it


@dataclass
class OpStats:
    name: str
    n: int = 0
    requests: dict = field(default_factory=lambda: defaultdict(int))
    wcu_table: float = 0
    wcu_index: float = 0
    rcu: float = 0
    transactions: int = 0
    items: dict = field(default_factory=lambda: defaultdict(ItemStat))
    partitions: dict = field(default_factory=lambda: defaultdict(lambda: [0.0, set()]))
    entity_ops: dict = field(default_factory=lambda: defaultdict(int))   # entity -> operations (or batches) on it
    storage: dict = field(default_factory=lambda: defaultdict(float))  # ("table"|"index", "permanent"|"expiring") -> bytes
    expiring_days: list = field(default_factory=list)

    @property
    def wru(self) -> float:
        return self.wcu_table + self.wcu_index


class Recorder:
    """Hooks `client` (the store's) and records every request made inside `op()`."""

    def __init__(self, client, tenant: str):
        import botocore.session
        self.client = client
        self.tenant = tenant
        self.raw = botocore.session.get_session().create_client(
            "dynamodb", region_name=client.meta.region_name, endpoint_url=client.meta.endpoint_url)
        self.ops: dict[str, OpStats] = {}
        self.current: tuple | None = None
        self._indexes: dict[str, list] = {}
        self._tables: dict = {}
        self._hooks = [("before-parameter-build.dynamodb", self._before), ("after-call.dynamodb", self._after)]

    def __enter__(self):
        for event, fn in self._hooks:
            self.client.meta.events.register(event, fn)
        return self

    def __exit__(self, *exc):
        for event, fn in self._hooks:
            self.client.meta.events.unregister(event, fn)

    @contextmanager
    def op(self, name: str, entity=0, count: int = 1):
        """Everything inside is `count` operations `name` on `entity` (a batch: count > 1)."""
        stats = self.ops.setdefault(name, OpStats(name))
        self.current = (stats, entity)
        try:
            yield stats
        finally:
            self.current = None
        stats.n += count
        stats.entity_ops[entity] += 1

    # -------------------------------------------------------------- hooks
    def _before(self, params, model, context, **_):
        if self.current is None or model.name not in WRITE_OPS:
            return
        writes = []   # (table, key, kind, request item or None, transactional)
        if model.name == "PutItem":
            writes.append((params["TableName"], self._key(params["TableName"], params["Item"]), "put", params["Item"], False))
        elif model.name in ("UpdateItem", "DeleteItem"):
            writes.append((params["TableName"], params["Key"], model.name[:-4].lower(), None, False))
        elif model.name == "BatchWriteItem":
            for table, reqs in params["RequestItems"].items():
                for r in reqs:
                    if "PutRequest" in r:
                        writes.append((table, self._key(table, r["PutRequest"]["Item"]), "put", r["PutRequest"]["Item"], False))
                    else:
                        writes.append((table, r["DeleteRequest"]["Key"], "delete", None, False))
        else:
            for part in params["TransactItems"]:
                (kind, op), = part.items()
                key = self._key(op["TableName"], op["Item"]) if kind == "Put" else op["Key"]
                writes.append((op["TableName"], key, kind.lower(), op.get("Item"), True))
        context["heat"] = [(t, key, kind, item, tx, self._image(t, key)) for t, key, kind, item, tx in writes]

    def _after(self, parsed, model, context, **_):
        if self.current is None:
            return
        stats, entity = self.current
        stats.requests[model.name] += 1
        if model.name in READ_OPS:
            stats.rcu += self._read_cost(model.name, parsed, context)
            return
        writes = context.pop("heat", None)
        if writes is None:
            return
        if model.name == "TransactWriteItems":
            stats.transactions += 1
        for table, key, kind, request_item, tx, before in writes:
            after = self._image(table, key)
            if kind == "conditioncheck":
                size = item_size(before)
            else:
                size = max(item_size(before), item_size(after), item_size(request_item))
            wcu = write_units(size) * (2 if tx else 1)
            ident = (key["PK"]["S"], key["SK"]["S"]) if "PK" in key else tuple(v["S"] for v in key.values())
            s = stats.items[ident]
            s.wcu += wcu
            s.writes += 1
            s.holds += 1 if tx else 0
            s.entities.add(entity)
            s.ops.add(stats.n)
            stats.wcu_table += wcu
            _add(stats.partitions[ident[0]], wcu, entity)
            if kind == "conditioncheck":
                continue
            self._storage(stats, "table", before, after)
            for name, hash_attr, range_attr, projection, extra in self._index_defs(table):
                old, new = (_entry(img, key, hash_attr, range_attr, projection, extra) for img in (before, after))
                units = _index_write(old, new, hash_attr, range_attr)
                stats.wcu_index += units
                if new is not None:
                    _add(stats.partitions[f"{name}:{new[hash_attr]['S']}"], units, entity)
                self._storage(stats, "index", old, new)

    # -------------------------------------------------------------- helpers
    def _key(self, table: str, item: dict) -> dict:
        names = [a for a, _ in self._key_schema(table)]
        return {n: item[n] for n in names}

    def _key_schema(self, table: str) -> list:
        self._describe(table)
        return self._indexes[table][0]

    def _index_defs(self, table: str) -> list:
        self._describe(table)
        return self._indexes[table][1]

    def _describe(self, table: str) -> None:
        if table in self._indexes:
            return
        desc = self.raw.describe_table(TableName=table)["Table"]
        keys = [(k["AttributeName"], k["KeyType"]) for k in desc["KeySchema"]]
        defs = []
        for gsi in desc.get("GlobalSecondaryIndexes", []):
            schema = {k["KeyType"]: k["AttributeName"] for k in gsi["KeySchema"]}
            proj = gsi["Projection"]
            defs.append((gsi["IndexName"], schema["HASH"], schema.get("RANGE"), proj["ProjectionType"],
                         tuple(proj.get("NonKeyAttributes", ())) + tuple(a for a, _ in keys)))
        self._indexes[table] = (keys, defs)

    def _image(self, table: str, key: dict) -> dict | None:
        moto_table = self._moto_table(table)
        if moto_table is None:
            return self.raw.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        from moto.dynamodb.models.dynamo_type import DynamoType
        names = [a for a, _ in self._key_schema(table)]
        item = moto_table.get_item(DynamoType(key[names[0]]), DynamoType(key[names[1]]) if len(names) > 1 else None)
        return item.to_json()["Attributes"] if item is not None else None

    def _moto_table(self, table: str):
        """moto's table object when moto runs in this process (a dict lookup instead of a request)."""
        if table not in self._tables:
            found = None
            try:
                from moto.core import DEFAULT_ACCOUNT_ID
                from moto.dynamodb.models import dynamodb_backends
                found = dynamodb_backends[DEFAULT_ACCOUNT_ID][self.client.meta.region_name].get_table(table)
            except Exception:  # noqa: BLE001 - moto elsewhere (a server): ask it over the wire
                found = None
            self._tables[table] = found
        return self._tables[table]

    def _storage(self, stats: OpStats, where: str, before: dict | None, after: dict | None) -> None:
        delta = (item_size(after) + (ITEM_OVERHEAD if after else 0)) - (item_size(before) + (ITEM_OVERHEAD if before else 0))
        ttl = (after or before or {}).get("ttl")
        if ttl and "N" in ttl:
            stats.storage[(where, "expiring")] += delta
            if where == "table" and after is not None:
                stats.expiring_days.append(max(0.0, (float(ttl["N"]) - time.time()) / 86400))
        else:
            stats.storage[(where, "permanent")] += delta

    def _read_cost(self, op: str, parsed: dict, context: dict) -> float:
        if op == "GetItem":
            return read_units(item_size(parsed.get("Item")), True) if parsed.get("Item") else 0.5
        if op == "Query":
            items = parsed.get("Items") or []
            size = sum(item_size(i) for i in items) or 64 * int(parsed.get("ScannedCount", 0))
            return read_units(size, False)
        if op in ("BatchGetItem", "TransactGetItems"):
            found = [i for items in (parsed.get("Responses") or {}).values() for i in items] \
                if op == "BatchGetItem" else [r.get("Item") for r in parsed.get("Responses") or [] if r.get("Item")]
            return sum(read_units(item_size(i), False) for i in found) or 0.5
        return 0.0


def _add(slot: list, units: float, entity) -> None:
    slot[0] += units
    slot[1].add(entity)


def _entry(image, key, hash_attr, range_attr, projection, extra) -> dict | None:
    """The index entry an item image makes (None if it lacks the index keys)."""
    if not image or hash_attr not in image or (range_attr and range_attr not in image):
        return None
    if projection == "ALL":
        return dict(image)
    names = {hash_attr, range_attr, *key, *(extra if projection == "INCLUDE" else ())} - {None}
    return {n: image[n] for n in names if n in image}


def _index_write(old, new, hash_attr, range_attr) -> int:
    if old is None and new is None:
        return 0
    if old is None:
        return write_units(item_size(new))
    if new is None:
        return write_units(item_size(old))
    same_key = all(old.get(a) == new.get(a) for a in (hash_attr, range_attr) if a)
    if same_key:
        return 0 if old == new else write_units(max(item_size(old), item_size(new)))
    return write_units(item_size(old)) + write_units(item_size(new))


# ------------------------------------------------------------------ the figures of one path
@dataclass
class Row:
    name: str
    rate: float
    spread: int
    n: int
    wru: float            # write units per operation, table + indexes
    wru_table: float
    wru_index: float
    rru: float
    hottest: str          # key pattern of the hottest item
    hottest_wcu_s: float  # its write units per second at the target rate
    hold_item: str
    holds_s: float        # the most transactions per second holding one item
    partition: str        # the hottest partition key (table or index), informational
    partition_wcu_s: float
    items: list           # [(pattern, wcu per op, holds per op, wcu/s at target)] hottest first
    storage: dict         # {"table permanent"|"table expiring"|"index ...": bytes added per operation}
    expiring_days: float  # how long the expiring bytes stay (their ttl), on average

    @property
    def ok(self) -> bool:
        return self.hottest_wcu_s <= ITEM_WCU_BUDGET and self.holds_s <= HOLD_BUDGET


def analyse(stats: OpStats, rate: float, spread: int, tenant: str) -> Row:
    n = max(stats.n, 1)
    logical: dict = defaultdict(lambda: [0.0, 0, set(), 1, set()])
    for key, s in stats.items.items():
        lkey, shards = _unshard(key)
        entry = logical[lkey]
        entry[0] += s.wcu
        entry[1] += s.holds
        entry[2] |= s.entities
        entry[3] = shards
        entry[4] |= s.ops

    def per_second(total: float, entities: set, shards: int, ops: set) -> float:
        fresh = len(ops) == 1 and len(entities) == 1 and stats.entity_ops[next(iter(entities))] >= 2
        if fresh:                  # a new item each operation (an event, an audit run): written once, ever
            return total
        if len(entities) > 1 or spread == 1:   # shared by every entity: the full rate
            return total * rate / n / shards
        return total / len(ops) * rate / spread / shards   # the entity's own item: its share of the rate
    rows = []
    for lkey, (wcu, holds, entities, shards, ops) in logical.items():
        rows.append((pattern(lkey, tenant) + (f" (×{shards} shards)" if shards > 1 else ""),
                     wcu / n, holds / n, per_second(wcu, entities, shards, ops), per_second(holds, entities, shards, ops)))
    rows.sort(key=lambda r: (-r[3], -r[4], r[0]))
    hot = rows[0] if rows else ("-", 0, 0, 0.0, 0.0)
    held = max(rows, key=lambda r: r[4]) if rows else hot
    parts = [(pk, per_second(w, ents, 1, {0, 1})) for pk, (w, ents) in stats.partitions.items()]
    part, part_wcu = max(parts, key=lambda kv: kv[1]) if parts else ("-", 0.0)
    days = sum(stats.expiring_days) / len(stats.expiring_days) if stats.expiring_days else 0.0
    return Row(stats.name, rate, spread, stats.n, stats.wru / n, stats.wcu_table / n, stats.wcu_index / n,
               stats.rcu / n, hot[0], hot[3], held[0], held[4], pattern((part, ""), tenant).rstrip(" /"),
               part_wcu, [(p, w, h, ws) for p, w, h, ws, _ in rows],
               {f"{w} {k}": b / n for (w, k), b in stats.storage.items()}, days)
