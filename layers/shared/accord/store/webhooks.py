"""Webhook subscriptions and their deliveries (keys.py "Notifications").

A subscription is one item; the tenant's subscriptions are one GSI1 partition, which the dispatcher
reads once per batch of events. A delivery (one event to one subscription) lives under its
subscription, keyed by a deterministic id, so the dispatcher creates it with a conditional put and a
redelivered stream batch creates nothing twice. Its attempts are appended to the item (the
delivery log); `attempts` and `status` move under conditions, so two workers holding the same
queue message never both perform an attempt.
"""
import time

from accord.store import assets as asset_store, db, keys as k

DELIVERY_TTL_SECONDS = 30 * 86400
HIDDEN = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ttl")


def _public(item: dict | None) -> dict | None:
    return None if item is None else {key: v for key, v in item.items() if key not in HIDDEN}


# ------------------------------------------------------------------ subscriptions
def _item(tenant: str, hook: dict) -> dict:
    return {"PK": k.webhook_pk(tenant, hook["id"]), "SK": k.WEBHOOK_SK,
            "GSI1PK": k.webhooks_gsi(tenant), "GSI1SK": f"{hook['created_at']}#{hook['id']}", **hook}


def create(tenant: str, hook: dict) -> None:
    db.put(_item(tenant, hook), condition="attribute_not_exists(PK)")


def get(tenant: str, webhook_id: str) -> dict | None:
    item = db.get(k.webhook_pk(tenant, webhook_id), k.WEBHOOK_SK)
    return _public(item) if item and not item.get("deleted_at") else None


def replace_op(tenant: str, old: dict, new: dict) -> dict:
    """The new version of a subscription, if nobody changed it since `old` was read (rev)."""
    return db.put_op(_item(tenant, new), "rev = :rev AND attribute_not_exists(deleted_at)",
                     values={":rev": old["rev"]})


def replace(tenant: str, old: dict, new: dict, extra_ops: list[dict] | None = None) -> None:
    """Raises ConditionFailed when the subscription changed or went meanwhile."""
    asset_store.transact([replace_op(tenant, old, new), *(extra_ops or [])])


def delete(tenant: str, hook: dict, at: str) -> None:
    db.update(k.webhook_pk(tenant, hook["id"]), k.WEBHOOK_SK,
              "SET deleted_at = :at, enabled = :f, rev = rev + :one REMOVE GSI1PK, GSI1SK",
              condition="rev = :rev AND attribute_not_exists(deleted_at)",
              values={":at": at, ":f": False, ":rev": hook["rev"], ":one": 1}, return_new=False)


def list_all(tenant: str) -> list[dict]:
    """Every live subscription of the tenant (one Query per 1 MB page)."""
    out, start = [], None
    while True:
        page, start = db.query(k.webhooks_gsi(tenant), index="GSI1", start=start)
        out.extend(_public(i) for i in page if not i.get("deleted_at"))
        if not start:
            return out


def note_result(tenant: str, webhook_id: str, *, ok: bool, at: str) -> dict | None:
    """Record an attempt's outcome on the subscription: success clears `failing_since`, a failure
    sets it if unset. Returns the subscription as it is now (None if gone)."""
    pk = k.webhook_pk(tenant, webhook_id)
    try:
        if ok:
            item = db.update(pk, k.WEBHOOK_SK, "SET last_success_at = :at REMOVE failing_since",
                             condition="attribute_exists(PK)", values={":at": at})
        else:
            item = db.update(pk, k.WEBHOOK_SK,
                             "SET last_failure_at = :at, failing_since = if_not_exists(failing_since, :at)",
                             condition="attribute_exists(PK)", values={":at": at})
    except db.ConditionFailed:
        return None
    return _public(item)


# ------------------------------------------------------------------ deliveries
def delivery_item(tenant: str, delivery: dict) -> dict:
    return {"PK": k.webhook_pk(tenant, delivery["webhook_id"]), "SK": k.delivery_sk(delivery["id"]),
            "GSI1PK": k.deliveries_gsi(tenant, delivery["webhook_id"]),
            "GSI1SK": f"{delivery['created_at']}#{delivery['id']}",
            "ttl": int(time.time()) + DELIVERY_TTL_SECONDS, **delivery}


def delivery_put_op(tenant: str, delivery: dict) -> dict:
    """A new delivery, once: a redelivered event finds it there."""
    return db.put_op(delivery_item(tenant, delivery), "attribute_not_exists(PK)")


def get_delivery(tenant: str, webhook_id: str, delivery_id: str) -> dict | None:
    return _public(db.get(k.webhook_pk(tenant, webhook_id), k.delivery_sk(delivery_id)))


def get_deliveries(tenant: str, pairs: list[tuple[str, str]]) -> list[dict]:
    """Deliveries by (webhook id, delivery id), one BatchGetItem per 100."""
    items = db.batch_get([(k.webhook_pk(tenant, w), k.delivery_sk(d)) for w, d in pairs], consistent=True)
    return [_public(i) for i in items]


def claim_attempt(tenant: str, delivery: dict, attempt: int, lease_until: str, now: str) -> dict | None:
    """Take attempt number `attempt` (1-based) of a delivery: it is the next one and the delivery is
    pending, or the same attempt's lease ran out (its worker died). Returns the delivery, or None
    when someone else holds or made it."""
    try:
        item = db.update(
            k.webhook_pk(tenant, delivery["webhook_id"]), k.delivery_sk(delivery["id"]),
            "SET attempts = :n, #st = :sending, lease_until = :lease",
            condition="(attempts = :prev AND #st = :pending) OR (attempts = :n AND #st = :sending AND lease_until < :now)",
            names={"#st": "status"},
            values={":n": attempt, ":prev": attempt - 1, ":pending": "pending", ":sending": "sending",
                    ":lease": lease_until, ":now": now})
    except db.ConditionFailed:
        return None
    return _public(item)


def finish_attempt(tenant: str, delivery: dict, attempt: int, record: dict, status: str,
                   next_attempt_at: str | None) -> None:
    """Append the attempt to the log and set the delivery's status (pending: another attempt is
    scheduled at `next_attempt_at`; delivered; failed: retries exhausted or the webhook is off)."""
    db.update(k.webhook_pk(tenant, delivery["webhook_id"]), k.delivery_sk(delivery["id"]),
              "SET #st = :st, #log = list_append(if_not_exists(#log, :empty), :rec), next_attempt_at = :next, "
              "last_status_code = :code, updated_at = :at REMOVE lease_until",
              condition="attempts = :n AND #st = :sending", names={"#st": "status", "#log": "log"},
              values={":st": status, ":empty": [], ":rec": [record], ":next": next_attempt_at,
                      ":code": record.get("status_code"), ":at": record["at"], ":n": attempt, ":sending": "sending"},
              return_new=False)


def reopen(tenant: str, delivery: dict, at: str) -> dict | None:
    """A manual retry: a finished delivery (delivered or failed) becomes pending again, its attempt
    count kept (the next attempt continues the log). None if it is not finished (in flight)."""
    try:
        item = db.update(k.webhook_pk(tenant, delivery["webhook_id"]), k.delivery_sk(delivery["id"]),
                         "SET #st = :pending, next_attempt_at = :at, retried_at = :at, manual = :t",
                         condition="#st IN (:delivered, :failed)", names={"#st": "status"},
                         values={":pending": "pending", ":at": at, ":delivered": "delivered", ":failed": "failed",
                                 ":t": True})
    except db.ConditionFailed:
        return None
    return _public(item)


def deliveries_page(tenant: str, webhook_id: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
    from accord.store.events import _page  # the one cursor-paged newest-first reader of the store
    items, nxt = _page(k.deliveries_gsi(tenant, webhook_id), index="GSI1", sk_prefix=None, limit=limit,
                       cursor=cursor, forward=False)
    return [_public(i) for i in items], nxt
