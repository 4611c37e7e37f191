"""Webhook subscriptions (DESIGN §11): the routes' domain.

Tenant admins manage every webhook; a write key with a team manages its team's (a webhook it makes
is its team's). A subscription has `url` (https, public addresses only: urls.py), `event_types`
(default all; `accord.proposal.*` names a family), `team_id` (only events that concern that team),
`format` standard | slack, `enabled`. The secret (`whsec_…`) is shown only by create and
rotate-secret; a rotation may keep the old secret signing too for `grace_seconds` (≤ 7 days).
"""
import uuid
from datetime import timedelta

from accord import clock, errors, log
from accord.identity import teams
from accord.notify import aws, events, outbox, signing, urls
from accord.store import db, outbox as outbox_store, webhooks as store

MAX_PER_TENANT = 200
_NS = uuid.UUID("2b8f0a4e-61d3-4f7e-9b0c-1c5a7d9e3f21")


def delivery_id(event_id: str, webhook_id: str) -> str:
    """One delivery per event and webhook, whoever computes it (a redelivered event: the same id)."""
    return str(uuid.uuid5(_NS, f"{event_id}:{webhook_id}"))


def view(hook: dict, secret: str | None = None) -> dict:
    out = {key: hook.get(key) for key in (
        "id", "url", "event_types", "team_id", "format", "enabled", "description", "created_at", "updated_at",
        "created_by", "failing_since", "last_success_at", "last_failure_at", "disabled_reason",
        "secret_rotated_at", "previous_secret_expires_at")}
    if secret:
        out["secret"] = secret
    return out


def _not_found(ident) -> errors.NotFound:
    return errors.NotFound(f"Webhook {ident} not found.", code="WEBHOOK_NOT_FOUND")


def _invalid(field: str, message: str) -> errors.Unprocessable:
    return errors.Unprocessable(f"{field}: {message}.", detail=[{"loc": ["body", field], "msg": message,
                                                                  "type": "value_error"}])


def check_types(types: list[str] | None) -> list[str] | None:
    if types is None:
        return None
    out = []
    for t in types:
        family = t[:-2] if t.endswith(".*") else None
        if t == "*" or t in events.TYPES or (family and any(x.startswith(family + ".") for x in events.TYPES)):
            if t not in out:
                out.append(t)
        else:
            raise _invalid("event_types", f"unknown event type {t!r} (known: {', '.join(events.TYPES)}; "
                                          "or a family such as accord.proposal.*)")
    return out or None


def check_url(url: str) -> str:
    try:
        urls.resolve(url)
    except urls.UnsafeUrl as exc:
        raise _invalid("url", str(exc)) from None
    return url.strip()


def wants(hook: dict, event: dict, teams_: set[str]) -> bool:
    """Does this subscription receive this event? (`teams_`: the teams the event concerns)"""
    data = event.get("data") or {}
    if event["type"] == events.PING:
        return data.get("webhook_id") == hook["id"]  # a test event goes to its webhook only
    if not hook.get("enabled") or data.get("webhook_id") == hook["id"]:
        return False
    types = hook.get("event_types")
    if types and not any(t == "*" or t == event["type"] or (t.endswith(".*") and event["type"].startswith(t[:-1]))
                         for t in types):
        return False
    return not hook.get("team_id") or hook["team_id"] in teams_


# ------------------------------------------------------------------ access
def _load(principal, webhook_id: str) -> dict:
    try:
        ident = str(uuid.UUID(webhook_id))
    except (ValueError, TypeError, AttributeError):
        raise _not_found(webhook_id) from None
    hook = store.get(principal.tenant, ident)
    if hook is None:
        raise _not_found(webhook_id)
    if not principal.is_admin and (not principal.team_id or hook.get("team_id") != principal.team_id):
        raise errors.Forbidden("This webhook belongs to another team (or to the whole tenant): use a key of its "
                               "team, or an admin key.", code="UNAUTHORIZED_TEAM")
    return hook


def _team_for(principal, team_id: str | None) -> str | None:
    if principal.is_admin:
        if team_id is not None and not teams.exists(principal.tenant, team_id):
            raise _invalid("team_id", f"team {team_id} not found in this tenant")
        return str(uuid.UUID(team_id)) if team_id else None
    if not principal.team_id:
        raise errors.Forbidden("Webhooks are managed by tenant admins, or by a write key with a team (for its "
                               "team's events).", code="UNAUTHORIZED_TEAM")
    if team_id is not None and team_id != principal.team_id:
        raise errors.Forbidden("A team key manages its own team's webhooks only: team_id must be the key's team.",
                               code="UNAUTHORIZED_TEAM")
    return principal.team_id


# ------------------------------------------------------------------ routes
def create(principal, body) -> dict:
    tenant = principal.tenant
    team = _team_for(principal, body.team_id)
    if len(store.list_all(tenant)) >= MAX_PER_TENANT:
        raise errors.Conflict(f"A tenant has at most {MAX_PER_TENANT} webhooks; delete unused ones first.",
                              code="TOO_MANY_WEBHOOKS")
    now = clock.iso()
    secret = signing.new_secret()
    hook = {"id": str(uuid.uuid4()), "url": check_url(body.url), "event_types": check_types(body.event_types),
            "team_id": team, "format": body.format, "enabled": body.enabled, "description": body.description,
            "secret": secret, "created_at": now, "updated_at": now, "created_by": principal.display, "rev": 1}
    store.create(tenant, hook)
    return view(hook, secret)


def list_hooks(principal) -> list[dict]:
    hooks = store.list_all(principal.tenant)
    if not principal.is_admin:
        hooks = [h for h in hooks if principal.team_id and h.get("team_id") == principal.team_id]
    return [view(h) for h in hooks]


def get(principal, webhook_id: str) -> dict:
    return view(_load(principal, webhook_id))


def update(principal, webhook_id: str, body, fields_set: set) -> dict:
    hook = _load(principal, webhook_id)
    new = dict(hook)
    if "url" in fields_set and body.url is not None:
        new["url"] = check_url(body.url)
    if "event_types" in fields_set:
        new["event_types"] = check_types(body.event_types)
    if "team_id" in fields_set:
        new["team_id"] = _team_for(principal, body.team_id)
    for name in ("format", "enabled", "description"):
        if name in fields_set and (getattr(body, name) is not None or name == "description"):
            new[name] = getattr(body, name)
    if new.get("enabled") and not hook.get("enabled"):  # re-enabled: its failure streak starts over
        new.pop("failing_since", None)
        new.pop("disabled_reason", None)
    new.update(updated_at=clock.iso(), rev=hook["rev"] + 1)
    try:
        store.replace(principal.tenant, hook, new)
    except db.ConditionFailed:
        raise errors.Conflict("The webhook changed meanwhile; read it again and retry.", code="CONCURRENT_UPDATE") \
            from None
    return view(new)


def delete(principal, webhook_id: str) -> None:
    hook = _load(principal, webhook_id)
    try:
        store.delete(principal.tenant, hook, clock.iso())
    except db.ConditionFailed:
        raise errors.Conflict("The webhook changed meanwhile; retry.", code="CONCURRENT_UPDATE") from None


def rotate_secret(principal, webhook_id: str, grace_seconds: int) -> dict:
    hook = _load(principal, webhook_id)
    now = clock.now()
    secret = signing.new_secret()
    new = {**hook, "secret": secret, "secret_rotated_at": clock.iso(now), "updated_at": clock.iso(now),
           "rev": hook["rev"] + 1, "previous_secret": None, "previous_secret_expires_at": None}
    if grace_seconds:
        new["previous_secret"] = hook["secret"]
        new["previous_secret_expires_at"] = clock.iso(now + timedelta(seconds=grace_seconds))
    try:
        store.replace(principal.tenant, hook, new)
    except db.ConditionFailed:
        raise errors.Conflict("The webhook changed meanwhile; retry.", code="CONCURRENT_UPDATE") from None
    return view(new, secret)


def signing_secrets(hook: dict, now_iso: str) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    out = [hook["secret"]]
    if hook.get("previous_secret") and (hook.get("previous_secret_expires_at") or "") > now_iso:
        out.append(hook["previous_secret"])
    return out


def test(principal, webhook_id: str) -> dict:
    """An `accord.ping` event for this webhook only: the event is the change (the outbox item alone)."""
    hook = _load(principal, webhook_id)
    event = events.ping(principal.tenant, hook)
    db.transact([outbox.op(principal.tenant, event)])
    return {"event_id": event["id"], "delivery_id": delivery_id(event["id"], hook["id"]),
            "message": "A test event is on its way; GET .../deliveries shows the attempt."}


def deliveries(principal, webhook_id: str, limit: int, cursor: str | None) -> dict:
    hook = _load(principal, webhook_id)
    items, nxt = store.deliveries_page(principal.tenant, hook["id"], limit, cursor)
    return {"webhook_id": hook["id"], "results": [delivery_view(d) for d in items], "next": nxt}


def delivery_view(d: dict) -> dict:
    out = {key: d.get(key) for key in ("id", "webhook_id", "event_id", "event_type", "status", "attempts",
                                       "created_at", "updated_at", "next_attempt_at", "last_status_code",
                                       "retried_at")}
    out["log"] = d.get("log") or []
    return out


def retry(principal, webhook_id: str, ident: str) -> dict:
    """Replay a finished delivery (delivered or failed): one more attempt now, same webhook-id."""
    hook = _load(principal, webhook_id)
    try:
        ident = str(uuid.UUID(ident))
    except (ValueError, TypeError, AttributeError):
        raise errors.NotFound(f"Delivery {ident} not found.", code="DELIVERY_NOT_FOUND") from None
    d = store.get_delivery(principal.tenant, hook["id"], ident)
    if d is None:
        raise errors.NotFound(f"Delivery {ident} not found.", code="DELIVERY_NOT_FOUND")
    reopened = store.reopen(principal.tenant, d, clock.iso())
    if reopened is None:
        raise errors.Conflict(f"The delivery is {d['status']}: it is still being attempted; retry once it is "
                              "delivered or failed.", code="DELIVERY_IN_PROGRESS")
    aws.enqueue([({"tenant": principal.tenant, "webhook_id": hook["id"], "delivery_id": d["id"],
                   "attempt": int(reopened.get("attempts") or 0) + 1, "manual": True}, 0, log.correlation_id())])
    return delivery_view(reopened)


def activity(principal, *, kind: str | None, asset_id: str | None, team_id: str | None, limit: int,
             cursor: str | None) -> dict:
    """GET /api/v1/activity: the tenant's events, newest first (90 days)."""
    if kind is not None and kind not in events.TYPES:
        raise errors.Unprocessable(f"Query parameter 'type' must be one of {', '.join(events.TYPES)}.",
                                   detail=[{"loc": ["query", "type"], "msg": "unknown event type", "type": "enum"}])
    ids = {}
    for name, value in (("asset_id", asset_id), ("team_id", team_id)):
        if value is not None:
            try:
                ids[name] = str(uuid.UUID(value))
            except ValueError:
                raise errors.Unprocessable(f"Query parameter '{name}' must be a UUID.", detail=[
                    {"loc": ["query", name], "msg": "not a UUID", "type": "uuid_parsing"}]) from None
    items, nxt = outbox_store.activity_page(principal.tenant, kind=kind, asset_id=ids.get("asset_id"),
                                            team_id=ids.get("team_id"), limit=limit, cursor=cursor)
    return {"results": items, "next": nxt}
