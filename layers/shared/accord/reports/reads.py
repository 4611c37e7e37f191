"""Registry views of the reports: an asset's events and status, the reported keys no asset claims,
and the rejected SQS reports."""
import json
import uuid

from accord import errors
from accord.reports import parse, status
from accord.store import assets as asset_store, events as store

MAX_LIMIT = 500


def get_asset(tenant: str, asset_id: str) -> dict:
    """The live asset or the registry's 404 (domain/assets.get's behaviour, without importing the
    registry's pydantic models into this function's cold start)."""
    try:
        ident = str(uuid.UUID(str(asset_id)))
    except ValueError:
        ident = None
    asset = asset_store.get(tenant, ident, consistent=False) if ident else None
    if asset is None or asset.get("deleted_at"):
        raise errors.NotFound(f"Asset {asset_id} not found.", code="ASSET_NOT_FOUND")
    return asset


def event_view(item: dict) -> dict:
    out = {"id": store.event_uid(item), "type": item["type"], "asset_key": store.event_key(item),
           "timestamp": store.event_timestamp(item),
           "recorded_at": item.get("recorded_at"), "metadata": json.loads(item.get("metadata_json") or "{}"),
           "partition": item.get("partition"), "description": item.get("description"),
           "event_id": item.get("event_id"), "source": item.get("source", "sqs")}
    if item["type"] == parse.CHECK:
        out.update(check_name=item.get("check_name"), passed=item.get("passed"), severity=item.get("severity"))
    else:
        out["data_version"] = item.get("data_version")
    if item.get("environment"):
        out["environment"] = item["environment"]
    return out


def _invalid(name: str, message: str) -> errors.Unprocessable:
    return errors.Unprocessable(message, detail=[{"loc": ["query", name], "msg": message, "type": "value_error"}])


def check_type(kind: str | None) -> str | None:
    if kind is not None and kind not in parse.TYPES:
        raise _invalid("type", f"Query parameter 'type' must be one of {', '.join(parse.TYPES)}.")
    return kind


def key_events(tenant: str, parts: list, *, kind=None, partition=None, check_name=None, limit=50,
               cursor=None) -> dict:
    items, nxt = store.list_events(tenant, store.key_str(parts), kind=check_type(kind), partition=partition,
                                   check_name=check_name, limit=limit, cursor=cursor)
    return {"asset_key": parts, "results": [event_view(i) for i in items], "next": nxt}


def asset_events(tenant: str, asset_id: str, **filters) -> dict:
    asset = get_asset(tenant, asset_id)
    out = key_events(tenant, asset["fqn"].split("."), **filters)
    return {"asset_id": asset["id"], "asset_fqn": asset["fqn"], **out}


def parse_key(value: str | None) -> list:
    """`asset_key` query parameter: a JSON list (`["a","b"]`) or parts separated by `/`."""
    if not value:
        raise _invalid("asset_key", "Query parameter 'asset_key' is required: a JSON list of parts or a/b/c.")
    if value.startswith("["):
        try:
            parts = json.loads(value)
        except ValueError:
            parts = None
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) and p for p in parts):
            raise _invalid("asset_key", "Query parameter 'asset_key' must be a JSON list of non-empty strings.")
        return parts
    parts = [p for p in value.split("/") if p]
    if not parts:
        raise _invalid("asset_key", "Query parameter 'asset_key' has no parts.")
    return parts


def asset_status(tenant: str, asset_id: str) -> dict:
    asset = get_asset(tenant, asset_id)
    return {"asset_id": asset["id"], "asset_fqn": asset["fqn"], **status.asset_status(tenant, asset)}


def unregistered(tenant: str, limit: int, cursor: str | None) -> dict:
    """Reported keys that name no live registry asset (assets waiting to be registered). A page reads
    `limit` key items and looks each fqn up in the registry's list index (one Query of a few keys
    each, in parallel)."""
    items, nxt = store.list_keys(tenant, limit, cursor)
    live = store.live_assets_of_many(tenant, sorted({i["fqn"] for i in items if i.get("fqn")}))
    out = []
    for item in items:
        fqn = item.get("fqn")
        if fqn and live.get(fqn):
            continue
        out.append({"asset_key": item["asset_key"], "fqn": fqn, "last_seen_at": item.get("last_seen_at"),
                    "last_type": item.get("last_type")})
    return {"results": out, "next": nxt}


def rejected(tenant: str, limit: int, cursor: str | None) -> dict:
    items, nxt = store.list_rejected(tenant, limit, cursor)
    keep = ("id", "at", "received_at", "reason", "source", "message_id", "index", "retried", "raw")
    return {"results": [{k: i.get(k) for k in keep} for i in items], "next": nxt}
