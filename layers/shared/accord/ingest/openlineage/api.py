"""The lineage routes' logic (functions/lineage/app.py only maps requests onto these)."""
import base64
import json

from accord import errors
from accord.ingest.openlineage import parse, record, settings, validate
from accord.store import events as event_store, ingest as store, keys as k

MAX_LIMIT = 500
RUN_STATES = (("abort_at", "ABORTED"), ("fail_at", "FAILED"), ("complete_at", "COMPLETED"))


def body_bytes(event: dict) -> bytes:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(raw)
        except ValueError:
            raise errors.BadRequest("The body is not valid base64.", code="MALFORMED_BODY") from None
    return raw.encode("utf-8")


def post_event(principal, event: dict, headers: dict) -> None:
    """One OpenLineage event (Marquez's `POST /api/v1/lineage`): 201 once recorded — or already
    recorded (a retry); 400 unreadable, 413 too large, 415 not JSON, 422 against the spec."""
    media = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media and media != "application/json" and not media.endswith("+json"):
        raise errors.UnsupportedMediaType(f"Content-Type {media!r} is not supported; send application/json.")
    text = parse.decode(body_bytes(event), headers.get("content-encoding"))
    obj = parse.loads(text)
    kind = validate.validate(obj)
    ev = parse.parse(obj, kind)
    (outcome,) = record.record(principal.tenant, [ev], recorded_by=principal.display)
    if outcome.status == record.FAILED:
        exc = outcome.error
        if isinstance(exc, errors.AccordError):
            raise exc
        raise errors.ServiceUnavailable("The event could not be stored; retry.") from None


# ------------------------------------------------------------------ reads
def _cursor_start(cursor: str | None, index: str, partition: str) -> dict | None:
    if not cursor:
        return None
    return event_store.decode_cursor(cursor, ("PK", "SK", f"{index}PK", f"{index}SK"), f"{index}PK", partition)


def _next(items: list, last_key: dict | None, index: str) -> str | None:
    if not last_key or not items:
        return None
    return event_store.encode_cursor({n: items[-1][n] for n in ("PK", "SK", f"{index}PK", f"{index}SK")})


def discovered(tenant: str, limit: int, cursor: str | None) -> dict:
    """Datasets seen in events that no asset has (yet): first and last seen, the jobs that touched
    them. One registered since shows its `registered_asset_id` (the next event that names it
    attaches it: its materializations, dependencies and audit runs go to the asset)."""
    start = _cursor_start(cursor, "GSI1", k.discovered_gsi(tenant))
    items, last = store.discovered(tenant, limit, start)
    guards = {}
    keys = []
    for i in items:
        if i.get("fqn"):
            for f in dict.fromkeys((i["fqn"], i["fqn"].lower())):
                keys.append((k.asset_fqn_pk(tenant, i.get("environment") or settings.DEFAULT_ENVIRONMENT, f), k.UNIQUE_SK))
    if keys:
        guards = store.get_many(list(dict.fromkeys(keys)), consistent=False)
    results = []
    for i in items:
        registered = None
        for f in dict.fromkeys((i.get("fqn"), (i.get("fqn") or "").lower())):
            g = guards.get((k.asset_fqn_pk(tenant, i.get("environment") or settings.DEFAULT_ENVIRONMENT, f or ""),
                            k.UNIQUE_SK))
            if f and g:
                registered = g["asset_id"]
                break
        jobs = sorted(({"namespace": v.get("namespace"), "name": v.get("name"), "role": v.get("role"),
                        "last_seen_at": v.get("last_seen_at")} for n, v in i.items() if n.startswith("j_")),
                      key=lambda j: j["last_seen_at"] or "", reverse=True)
        results.append({"namespace": i.get("namespace"), "name": i.get("name"), "fqn": i.get("fqn"),
                        "environment": i.get("environment"), "first_seen_at": i.get("first_seen_at"),
                        "last_seen_at": i.get("last_seen_at"), "jobs": jobs, "registered_asset_id": registered})
    return {"results": results, "next": _next(items, last, "GSI1")}


def run_view(item: dict) -> dict:
    """A run as its events left it: the state is the latest terminal event's (by event time)."""
    state = "RUNNING" if item.get("running_at") else "STARTED" if item.get("start_at") else "NEW"
    ended = [(item[attr], name) for attr, name in RUN_STATES if item.get(attr)]
    if ended:
        state = max(ended)[1]
    events = {n[:-3].upper(): item[n] for n in ("start_at", "running_at", "complete_at", "fail_at", "abort_at",
                                                  "other_at") if item.get(n)}
    info = json.loads(item.get("info") or "{}")
    return {"run_id": info.get("run_id"), "job": {"namespace": info.get("job_namespace"), "name": info.get("job_name")},
            "state": state, "started_at": item.get("start_at"), "ended_at": max(ended)[0] if ended else None,
            "first_event_at": min(events.values()) if events else None,
            "last_event_at": max(events.values()) if events else None,
            "event_count": int(item.get("event_count") or 0), "events": events, "producer": info.get("producer"),
            "error_message": info.get("error_message"), "outcome": info.get("outcome")}


def job_runs(tenant: str, namespace: str, name: str, limit: int, cursor: str | None) -> dict:
    """A job's runs, newest first; 404 for a job no event named (in this tenant)."""
    job_key = parse.digest(namespace, name)
    start = _cursor_start(cursor, "GSI1", k.job_runs_gsi(tenant, job_key))
    items, last = store.runs(tenant, job_key, limit, start)
    if not items and not start:
        raise errors.NotFound(f"No run of job {namespace!r} / {name!r} was reported (URL-encode the namespace and "
                              "the name: '/' is %2F).", code="JOB_NOT_FOUND")
    return {"job": {"namespace": namespace, "name": name}, "results": [run_view(i) for i in items],
            "next": _next(items, last, "GSI1")}
