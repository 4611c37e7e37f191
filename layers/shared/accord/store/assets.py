"""Assets: the item, its environment view, the fqn guard, search tokens and list counters.

An asset is two items under one partition (see keys.py): the canonical item (GSI1 = every live
asset of the tenant, GSI2 = the owner team's) and a full copy keyed by environment (GSI1 = the
environment's assets, GSI2 = the owner team's in that environment). So each list filter the API
offers is one Query on a key prefix, and `fqn` prefixes are `begins_with` on the sort key.
Both items, the (fqn, environment) guard, the search tokens and the counters change in one
transaction; the canonical item carries `rev`, bumped by every write, for optimistic locking.

Counters (store/counters.py) are sharded; an asset counts in its own shard (`counter_shard`),
always the same one. The owner team's counter doubles as the team's liveness guard: a team is
deleted only when every shard of its counter is zero and then closed, so counting a new asset
into it (a create, a move) fails once the team is gone — no create has to hold the team item.
"""
import base64
import json
import random
import time

from accord import errors
from accord.store import counters, db, keys as k

FQN_COUNTER_DEPTH = 6   # exact totals for fqn filters of up to this many segments
MAX_TX_OPS = 100        # DynamoDB's limit of parts per transaction
SKIP_BATCH = 1000       # keys read per request while skipping to an offset
ALL_INDEX_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")


def fqn_prefixes(fqn: str) -> list[str]:
    parts = fqn.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def counter_shard(asset: dict) -> int:
    return asset["counter_shard"] if asset.get("counter_shard") is not None else counters.shard_of(asset["id"])


def counted(asset: dict) -> dict[str, dict]:
    """{counter name: parts} one live asset adds: the tenant's and its team's (by environment too),
    and, for each proper fqn prefix of up to FQN_COUNTER_DEPTH segments, the assets below it
    (by environment; and by team). An fqn filter's total adds the assets named exactly so (a Query)."""
    team, env = asset["owner_team_id"], k.env_part(asset["environment"])
    out = {k.asset_counter(): {"n": 1, env: 1}}
    if team:
        out[k.asset_counter(team=team)] = {"n": 1, env: 1}
    for prefix in fqn_prefixes(asset["fqn"])[:-1][:FQN_COUNTER_DEPTH]:
        out[k.asset_counter(fqn=prefix)] = {"n": 1, env: 1}
        if team:
            out[k.asset_counter(team=team, fqn=prefix)] = {"n": 1}
    return out


TEAM_NAME = "team_name"   # the mark a rename sets on every shard of the team's asset counter


def count_into(delta: counters.Delta, asset: dict, sign: int, *, new_team: bool = False) -> None:
    """Add (sign 1) or remove (-1) `asset` from its counters; `new_team`: counting it into its
    owner team proves the team is live (the team's counter is open) and still named as the asset
    says (a rename marks the counter: `team_name_ops`)."""
    shard, team_counter = counter_shard(asset), k.asset_counter(team=asset.get("owner_team_id"))
    for name, parts in counted(asset).items():
        condition, values = None, None
        if new_team and name == team_counter and asset.get("owner_team_id"):
            condition = counters.OPEN
            if asset.get("owner_team_name") is not None:
                condition += " AND " + counters.marked(TEAM_NAME, ":team_name")
                values = {":team_name": asset["owner_team_name"]}
        delta.add(shard, name, {p: v * sign for p, v in parts.items()}, condition, values)


def team_name_ops(tenant: str, team_id: str, name: str) -> list[dict]:
    """A rename's parts, in the transaction that renames the team: the new name on every shard of
    the team's asset counter. An asset create or move that read the old name and commits after it
    then fails on its team label (its count into the team is conditioned on the name) and reads the
    team again — so no asset keeps a name the rename job has already gone past."""
    return counters.mark_ops(tenant, k.asset_counter(team=team_id), TEAM_NAME, name)


def counter_ops(tx: "Tx", tenant: str, delta: counters.Delta, team: str | None) -> None:
    """The delta's updates into `tx`; the update of `team`'s counter is labelled 'team'."""
    team_counter = k.asset_counter(team=team) if team else None
    for name, op in delta.ops(tenant):
        tx.add("team" if name == team_counter else "counter", op)


def _items(tenant: str, asset: dict) -> tuple[dict, dict]:
    a, fqn, env, team = asset["id"], asset["fqn"], asset["environment"], asset["owner_team_id"]
    attrs = {key: v for key, v in asset.items() if key not in ALL_INDEX_KEYS}
    canonical = {"PK": k.asset_pk(tenant, a), "SK": k.ASSET_SK,
                 "GSI1PK": k.assets_gsi(tenant), "GSI1SK": k.asset_sort(fqn, env, a),
                 "GSI2PK": k.team_assets_gsi(tenant, team), "GSI2SK": k.asset_sort(fqn, env, a), **attrs}
    view = {"PK": k.asset_pk(tenant, a), "SK": k.ASSET_VIEW_SK,
            "GSI1PK": k.assets_env_gsi(tenant, env), "GSI1SK": k.asset_env_sort(fqn, a),
            "GSI2PK": k.team_env_assets_gsi(tenant, team, env), "GSI2SK": k.asset_env_sort(fqn, a), **attrs}
    if not team:  # no owner team (assets configured before every asset had one): in no team's index
        for item in (canonical, view):
            del item["GSI2PK"], item["GSI2SK"]
    return canonical, view


def _guard(tenant: str, asset: dict) -> tuple[str, str]:
    return k.asset_fqn_pk(tenant, asset["environment"], asset["fqn"]), k.UNIQUE_SK


def _token_ops(tenant: str, asset_id: str, tokens, *, add: bool) -> list[dict]:
    pk = k.asset_search_pk(tenant)
    if add:
        return [db.put_op({"PK": pk, "SK": k.asset_search_sk(tok, asset_id), "asset_id": asset_id})
                for tok in tokens]
    return [db.delete_op(pk, k.asset_search_sk(tok, asset_id)) for tok in tokens]


def transact(ops: list[dict], attempts: int = 4, deadline: float | None = None) -> None:
    """db.transact, retried (with jitter) when DynamoDB cancels it for a concurrent transaction on a
    shared item: nothing was written, so a retry is safe. With a `deadline` (time.monotonic()) —
    the queue worker's — conflicts and throttling alike are retried, with exponential backoff and
    full jitter, until then."""
    attempt = 0
    while True:
        try:
            return db.transact(ops)
        except (errors.Conflict, errors.TooManyRequests) as exc:
            if isinstance(exc, errors.Conflict) and exc.code != "TRANSACTION_CONFLICT":
                raise
            attempt += 1
            if deadline is None:
                if isinstance(exc, errors.TooManyRequests) or attempt >= attempts:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * attempt)
                continue
            pause = random.uniform(0, min(1.0, 0.02 * 2 ** attempt))
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)


class Tx:
    """Transaction parts with labels, so a cancellation says which condition failed."""

    def __init__(self):
        self.ops: list[dict] = []
        self.labels: list[str] = []

    def add(self, label: str, op: dict) -> None:
        self.ops.append(op)
        self.labels.append(label)

    def extend(self, label: str, ops: list[dict]) -> None:
        for op in ops:
            self.add(label, op)

    def failed(self, exc: db.ConditionFailed) -> set[str]:
        return {self.labels[i] for i, code in enumerate(exc.reasons)
                if code == "ConditionalCheckFailed" and i < len(self.labels)}

    def commit(self) -> None:
        transact(self.ops)


# ------------------------------------------------------------------ writes
def create_ops(tx: "Tx", tenant: str, asset: dict, tokens: list[str], delta: counters.Delta | None = None,
               tag: str = "") -> None:
    """The parts of an asset create: both items, the guard, the search tokens; its counts go to
    `delta` when given (a bulk writer sums a batch's), else into `tx` directly. Sets the asset's
    `counter_shard` if it has none. `tag` suffixes the labels (a batch tells its assets apart)."""
    if asset.get("counter_shard") is None:
        asset["counter_shard"] = counters.random_shard()
    canonical, view = _items(tenant, asset)
    tx.add("asset" + tag, db.put_op(canonical, "attribute_not_exists(PK)"))
    tx.add("view" + tag, db.put_op(view))
    pk, sk = _guard(tenant, asset)
    tx.add("guard" + tag, db.put_op({"PK": pk, "SK": sk, "asset_id": asset["id"]}, "attribute_not_exists(PK)"))
    tx.extend("token" + tag, _token_ops(tenant, asset["id"], tokens, add=True))
    own = delta is None
    delta = counters.Delta() if own else delta
    count_into(delta, asset, 1, new_team=True)
    if own:
        counter_ops(tx, tenant, delta, asset.get("owner_team_id"))


def create(tenant: str, asset: dict, tokens: list[str]) -> None:
    """Raises ConditionFailed; `failed` labels: 'guard' (fqn taken), 'team' (team gone)."""
    tx = Tx()
    create_ops(tx, tenant, asset, tokens)
    _run(tx)


def create_many(tenant: str, entries: list[tuple[dict, list[str]]]) -> list[str | None]:
    """Bulk create for importers: as many assets per transaction as fit in MAX_TX_OPS, their counts
    summed into ONE update per counter per transaction (in the transaction's shard, which each asset
    then keeps). The transactions touch disjoint items (their shards differ: counters.spread), so
    db.IN_FLIGHT go at once. Per entry: None (created), 'guard' (fqn + environment taken) or
    'team' (the owner team is gone). A failed asset leaves its transaction, which is retried
    without it."""
    results: list[str | None] = [None] * len(entries)
    chunks, chunk, names = [], [], set()
    for i, (asset, tokens) in enumerate(entries):
        more = set(counted(asset)) - names
        if chunk and 3 * len(chunk) + sum(len(entries[j][1]) for j in chunk) + 3 + len(tokens) \
                + len(names) + len(more) > MAX_TX_OPS:
            chunks.append(chunk)
            chunk, names = [], set()
            more = set(counted(asset))
        chunk.append(i)
        names |= more
    if chunk:
        chunks.append(chunk)

    def commit(work: tuple[list[int], int]) -> None:
        chunk, shard = work
        while chunk:
            tx, delta = Tx(), counters.Delta()
            for i in chunk:
                asset, tokens = entries[i]
                asset["counter_shard"] = shard
                create_ops(tx, tenant, asset, tokens, delta, tag=f":{i}")
            teams = {entries[i][0].get("owner_team_id") for i in chunk} - {None}
            for name, op in delta.ops(tenant):
                owner = next((t for t in teams if name == k.asset_counter(team=t)), None)
                tx.add(f"team:{owner}" if owner else "counter", op)
            try:
                tx.commit()
                return
            except db.ConditionFailed as exc:
                failed = tx.failed(exc)
                if not failed:
                    raise
                gone = {label.split(":", 1)[1] for label in failed if label.startswith("team:")}
                for i in chunk:
                    if f"guard:{i}" in failed or f"asset:{i}" in failed:
                        results[i] = "guard"
                    elif entries[i][0].get("owner_team_id") in gone:
                        results[i] = "team"
                chunk = [i for i in chunk if results[i] is None]
    db.in_parallel(commit, list(zip(chunks, counters.spread(len(chunks)))))
    return results


def replace(tenant: str, old: dict, new: dict, old_tokens: list[str], new_tokens: list[str]) -> None:
    """Write `new` over `old` if nobody wrote in between (rev); guard, counters and tokens follow."""
    canonical, view = _items(tenant, new)
    tx = Tx()
    tx.add("asset", db.put_op(canonical, "rev = :rev AND attribute_not_exists(deleted_at)",
                              values={":rev": old["rev"]}))
    tx.add("view", db.put_op(view))
    if _guard(tenant, old) != _guard(tenant, new):
        tx.add("old_guard", db.delete_op(*_guard(tenant, old)))
        pk, sk = _guard(tenant, new)
        tx.add("guard", db.put_op({"PK": pk, "SK": sk, "asset_id": new["id"]}, "attribute_not_exists(PK)"))
    moved = old["owner_team_id"] != new["owner_team_id"]
    delta = counters.Delta()
    count_into(delta, old, -1)
    count_into(delta, {**new, "counter_shard": counter_shard(old)}, 1, new_team=moved)
    counter_ops(tx, tenant, delta, new["owner_team_id"] if moved else None)
    tx.extend("token", _token_ops(tenant, new["id"], [t for t in old_tokens if t not in new_tokens], add=False))
    tx.extend("token", _token_ops(tenant, new["id"], [t for t in new_tokens if t not in old_tokens], add=True))
    _run(tx)


def soft_delete(tenant: str, asset: dict, tokens: list[str], at: str) -> None:
    """The item stays (contracts, lineage and audit history refer to it); it leaves every list,
    frees its fqn, leaves the counters and the search index."""
    tx = Tx()
    tx.add("asset", db.update_op(
        k.asset_pk(tenant, asset["id"]), k.ASSET_SK,
        "SET deleted_at = :at, updated_at = :at, rev = rev + :one REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK",
        "rev = :rev AND attribute_not_exists(deleted_at)", values={":at": at, ":rev": asset["rev"], ":one": 1}))
    tx.add("view", db.delete_op(k.asset_pk(tenant, asset["id"]), k.ASSET_VIEW_SK))
    tx.add("old_guard", db.delete_op(*_guard(tenant, asset)))
    delta = counters.Delta()
    count_into(delta, asset, -1)
    counter_ops(tx, tenant, delta, None)
    tx.extend("token", _token_ops(tenant, asset["id"], tokens, add=False))
    _run(tx)


def live_op(tenant: str, asset_id: str) -> dict:
    """A transaction part that holds only while the asset is live (OpenLineage's writes about it)."""
    return db.check_op(k.asset_pk(tenant, asset_id), k.ASSET_SK, "attribute_exists(PK) AND attribute_not_exists(deleted_at)")


def _run(tx: Tx) -> None:
    try:
        tx.commit()
    except db.ConditionFailed as exc:
        exc.failed = tx.failed(exc)
        raise


def set_fields_ops(tenant: str, asset_id: str, fields: dict, condition: str, values: dict) -> list[dict]:
    """Update ops setting `fields` on both asset items (and bumping rev), the canonical one under
    `condition` (over `values`); the view must still exist, i.e. the asset is live. For writers
    in other families (publishing moves the active-contract pointer)."""
    sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
    names = {f"#f{i}": n for i, n in enumerate(fields)}
    vals = {f":f{i}": v for i, v in enumerate(fields.values())}
    expr = f"SET {sets}, rev = rev + :one"
    pk = k.asset_pk(tenant, asset_id)
    return [
        db.update_op(pk, k.ASSET_SK, expr, condition, names, {**vals, **values, ":one": 1}),
        db.update_op(pk, k.ASSET_VIEW_SK, expr, "attribute_exists(PK)", names, {**vals, ":one": 1}),
    ]


# ------------------------------------------------------------------ reads
def get(tenant: str, asset_id: str, consistent: bool = True) -> dict | None:
    """The asset (deleted ones too: callers decide); one GetItem."""
    return db.get(k.asset_pk(tenant, asset_id), k.ASSET_SK, consistent=consistent)


def get_guard(tenant: str, env: str, fqn: str) -> dict | None:
    return db.get(k.asset_fqn_pk(tenant, env, fqn), k.UNIQUE_SK)


def get_many(tenant: str, asset_ids) -> dict[str, dict]:
    """{id: asset} for the live ones among `asset_ids` (one BatchGetItem per 100)."""
    items = db.batch_get([(k.asset_pk(tenant, a), k.ASSET_SK) for a in asset_ids])
    return {i["id"]: i for i in items if not i.get("deleted_at")}


def _list_key(tenant: str, team: str | None, env: str | None) -> tuple[str, str]:
    """(index, partition value) serving a combination of filters."""
    if env and team:
        return "GSI2", k.team_env_assets_gsi(tenant, team, env)
    if env:
        return "GSI1", k.assets_env_gsi(tenant, env)
    if team:
        return "GSI2", k.team_assets_gsi(tenant, team)
    return "GSI1", k.assets_gsi(tenant)


def encode_cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, index: str, partition: str) -> dict:
    bad = errors.Unprocessable("Query parameter 'cursor' is not a cursor this list returned (filters must "
                               "stay the same while paging).")
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise bad from None
    names = {"PK", "SK", f"{index}PK", f"{index}SK"}
    if (not isinstance(raw, dict) or set(raw) != names or not all(isinstance(v, str) for v in raw.values())
            or raw[f"{index}PK"] != partition):
        raise bad
    return {n: {"S": v} for n, v in raw.items()}


def list_page(tenant: str, *, team: str | None, env: str | None, fqn: str | None,
              offset: int, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    """One page sorted by fqn (exact names before their children), then environment, then id.

    Reads `limit + 1` items (the extra one tells whether there is a next page); an `offset`
    is skipped by reading only keys first (bounded by the caller), a `cursor` is not skipped."""
    index, partition = _list_key(tenant, team, env)
    prefix = k.fqn_prefix_key(fqn) if fqn else None
    start = decode_cursor(cursor, index, partition) if cursor else None
    if start is None and offset:
        start = _skip(index, partition, prefix, offset)
        if start is None:
            return [], None
    items: list[dict] = []
    while len(items) <= limit:
        page, start = db.query(partition, index=index, sk_prefix=prefix, limit=limit + 1 - len(items),
                               start=start)
        items.extend(page)
        if not start:
            break
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    return items, encode_cursor({n: last[n] for n in ("PK", "SK", f"{index}PK", f"{index}SK")})


def _skip(index: str, partition: str, prefix: str | None, offset: int) -> dict | None:
    """The key after the first `offset` items (None if there are not that many)."""
    start, skipped = None, 0
    projection = ["PK", "SK", f"{index}PK", f"{index}SK"]
    while skipped < offset:
        page, start = db.query(partition, index=index, sk_prefix=prefix, start=start,
                               limit=min(offset - skipped, SKIP_BATCH), projection=projection)
        skipped += len(page)
        if skipped >= offset and page:
            last = page[-1]
            return {n: {"S": last[n]} for n in projection}
        if not start:
            return None
    return start


def total(tenant: str, *, team: str | None, env: str | None, fqn: str | None, exact: int | None = None) -> int:
    """Exact number of live assets matching the filters: the sharded counter (one BatchGetItem),
    plus for an fqn filter the assets named exactly so — `exact` when the caller saw them all on
    the page (they sort first), else a Select=COUNT Query of a few keys. Filters no counter covers
    (fqn deeper than FQN_COUNTER_DEPTH, or fqn + team + environment) are counted with Select=COUNT
    over the list's own key range."""
    depth = len(fqn.split(".")) if fqn else 0
    index, partition = _list_key(tenant, team, env)
    if depth > FQN_COUNTER_DEPTH or (fqn and team and env):
        return _count(index, partition, k.fqn_prefix_key(fqn))
    below = counters.total(tenant, k.asset_counter(team=team, fqn=fqn), k.env_part(env) if env else "n")
    if fqn and exact is None:
        exact = _count(index, partition, k.fqn_key(fqn))
    return below + (exact or 0)


def _count(index: str, partition: str, prefix: str) -> int:
    n, start = 0, None
    while True:
        c, start = db.count(partition, index=index, sk_prefix=prefix, start=start)
        n += c
        if not start:
            return n


def search(tenant: str, prefix: str, limit: int, max_pages: int = 5) -> list[str]:
    """Ids of assets with a search token starting with `prefix` (lower-case), token order."""
    ids: list[str] = []
    start = None
    for _ in range(max_pages):
        page, start = db.query(k.asset_search_pk(tenant), sk_prefix=prefix, limit=limit * 2, start=start)
        for item in page:
            if item["asset_id"] not in ids:
                ids.append(item["asset_id"])
        if len(ids) >= limit or not start:
            break
    return ids[:limit]


# ------------------------------------------------------------------ owner team changes
def owned_by(tenant: str, team_id: str, limit: int = 1) -> list[dict]:
    """Up to `limit` live assets the team owns (canonical items), from its GSI2 partition."""
    items, _ = db.query(k.team_assets_gsi(tenant, team_id), index="GSI2", limit=limit)
    return items


RENAME_PAGE = 49  # assets per transaction: two items each, plus the caller's two parts = 100


def rename_page(tenant: str, team_id: str, name: str, cursor: dict | None, parts) -> tuple[int, dict | None] | None:
    """Copy a renamed team's name onto one page of the assets it owns (both items of each), from
    `cursor` (None: the first page). `owner_team_name` is denormalised so a list page costs no
    extra read; a rename — rare — pays instead, in transactions of RENAME_PAGE assets.

    `parts(visited, next_cursor)` gives the caller's transaction parts (at most two: a guard and a
    checkpoint), written with the page or not at all. Each asset's items are written only while
    the team still owns it (an asset moved meanwhile has its new owner's name already), and `rev`
    moves, so a concurrent asset write that read the old name retries rather than restoring it.
    Returns (assets visited, the next cursor or None at the end), or None when one of the
    caller's parts did not hold (nothing of the page was written)."""
    start = {n: {"S": v} for n, v in cursor.items()} if cursor else None
    page, last = db.query(k.team_assets_gsi(tenant, team_id), index="GSI2", limit=RENAME_PAGE, start=start)
    following = {n: v["S"] for n, v in last.items()} if last else None
    extra = parts(len(page), following)
    todo = [item["PK"] for item in page]
    while True:
        ops = extra + [db.update_op(pk, sk, "SET owner_team_name = :n, rev = if_not_exists(rev, :z) + :one",
                                    "owner_team_id = :t", values={":n": name, ":t": team_id, ":z": 0, ":one": 1})
                       for pk in todo for sk in (k.ASSET_SK, k.ASSET_VIEW_SK)]
        try:
            if ops:
                transact(ops)
            return len(page), following
        except db.ConditionFailed as exc:
            failed = {i for i, code in enumerate(exc.reasons) if code == "ConditionalCheckFailed"}
            if any(i < len(extra) for i in failed):
                return None
            moved = {todo[(i - len(extra)) // 2] for i in failed}  # no longer the team's: skip both items
            todo = [pk for pk in todo if pk not in moved]
