"""Sharded counters: exact totals without a hot item.

A tenant's counter `name` is SHARDS items, `T#{t}#COUNTER#{shard}` / `{name}` (keys.py), each
holding part of the count (`n`) and of its breakdowns (`e#{environment}`, `s#{status}`...). A write
adds to ONE shard, inside the same transaction as the change it counts, so totals stay exact; a
read sums the shards (one BatchGetItem). At 1,000 asset creates a second the tenant-wide `assets`
counter takes ~31 writes a second per shard instead of 1,000 on one item (the heat model's
budget: ≤ 1,000 WCU/s and ≤ ~50 transactions/s per item).

Which shard: the thing counted carries its shard (`counter_shard` on an asset: random, or the
batch's for a bulk write; else a hash of its id), and every later change to it (a move, a delete)
counts in the same shard — so no shard ever goes below zero, and "every shard is zero" means "the
total is zero", which `close_ops` uses to guard deletes (a team, while it owns nothing).
Bulk writers (importers) make ONE update per counter per batch: `Delta` sums a batch's changes.
"""
import hashlib
import random
from collections import defaultdict

from accord.store import db, keys as k

SHARDS = k.COUNTER_SHARDS
OPEN = "attribute_not_exists(closed)"


def random_shard() -> int:
    return random.randrange(SHARDS)


def spread(n: int) -> list[int]:
    """n shards for n transactions a bulk writer sends in parallel: consecutive ones (those in flight
    together) never share a shard, so they never conflict on a counter item."""
    base = random_shard()
    return [(base + i) % SHARDS for i in range(n)]


def shard_of(ident: str) -> int:
    """The shard of something that does not carry one (items written before shards existed)."""
    return int(hashlib.sha256(ident.encode("utf-8")).hexdigest()[:8], 16) % SHARDS


def add_op(tenant: str, shard: int, name: str, parts: dict, condition: str | None = None,
           condition_values: dict | None = None) -> dict:
    """One update adding `parts` ({"n": 1, "e#prod": 1}) to one shard of counter `name`."""
    names = {f"#p{i}": p for i, p in enumerate(parts)}
    values = {f":p{i}": v for i, v in enumerate(parts.values())} | (condition_values or {})
    expr = "ADD " + ", ".join(f"#p{i} :p{i}" for i in range(len(parts)))
    return db.update_op(k.counter_shard_pk(tenant, shard), name, expr, condition, names, values)


def close_ops(tenant: str, name: str, *, if_zero: bool = True) -> list[dict]:
    """Ops marking every shard of `name` closed (`if_zero`: each only if its count is zero): in a
    transaction, the guarded thing goes only if nothing is counted in it, and later adds under the
    OPEN condition fail (the thing is gone) — a liveness guard no writer has to hold."""
    condition = "attribute_not_exists(n) OR n = :z" if if_zero else None
    return [db.update_op(k.counter_shard_pk(tenant, s), name, "SET closed = :t", condition,
                         values={":t": True, **({":z": 0} if if_zero else {})})
            for s in range(SHARDS)]


def mark_ops(tenant: str, name: str, attr: str, value: str) -> list[dict]:
    """Ops setting `attr` = `value` on every shard of `name` (a string: sums skip it), so that an
    add conditioned on it (`marked`) fails once the mark has changed under it."""
    return [db.update_op(k.counter_shard_pk(tenant, s), name, f"SET {attr} = :mark", values={":mark": value})
            for s in range(SHARDS)]


def marked(attr: str, placeholder: str) -> str:
    """The condition "the shard's `attr` is the value at `placeholder`, or was never marked"."""
    return f"(attribute_not_exists({attr}) OR {attr} = {placeholder})"


def read(tenant: str, names: list[str], consistent: bool = False) -> dict[str, dict]:
    """{name: {part: sum over the shards}} (a missing counter reads as {})."""
    keys = [(k.counter_shard_pk(tenant, s), name) for name in names for s in range(SHARDS)]
    out: dict[str, dict] = {name: defaultdict(int) for name in names}
    for item in db.batch_get(keys, consistent=consistent):
        sums = out[item["SK"]]
        for attr, v in item.items():
            if attr not in ("PK", "SK", "closed") and isinstance(v, (int, float)) and not isinstance(v, bool):
                sums[attr] += int(v)
    return {name: dict(v) for name, v in out.items()}


def total(tenant: str, name: str, part: str = "n") -> int:
    return max(read(tenant, [name]).get(name, {}).get(part, 0), 0)


class Delta:
    """Counter changes summed per (shard, name) — a batch's changes as one update per counter."""

    def __init__(self):
        self.parts: dict = defaultdict(lambda: defaultdict(int))
        self.conditions: dict = {}

    def add(self, shard: int, name: str, parts: dict, condition: str | None = None,
            condition_values: dict | None = None) -> None:
        slot = self.parts[(shard, name)]
        for p, v in parts.items():
            slot[p] += v
        if condition:
            self.conditions[(shard, name)] = (condition, condition_values)

    def ops(self, tenant: str) -> list[tuple[str, dict]]:
        """[(name, op)] for every non-zero change, in a stable order."""
        out = []
        for (shard, name), parts in sorted(self.parts.items()):
            nonzero = {p: v for p, v in parts.items() if v}
            if nonzero:
                condition, values = self.conditions.get((shard, name), (None, None))
                out.append((name, add_op(tenant, shard, name, nonzero, condition, values)))
        return out
