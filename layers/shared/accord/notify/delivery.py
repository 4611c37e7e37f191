"""The delivery worker: one queue message = one attempt of one delivery (DESIGN §11).

A message `{tenant, webhook_id, delivery_id, attempt}` asks for attempt number `attempt`. The
worker claims it on the delivery item (a conditional update: only the next attempt of a pending
delivery, or the same attempt whose lease ran out because its worker died), POSTs (Standard
Webhooks headers, `webhook-id` = the delivery id: the same on every attempt), appends the attempt to
the delivery log, and, on failure, queues the next attempt with its backoff (retries.py; SQS delays
stop at 15 minutes, so a longer wait is a chain of delayed messages carrying `not_before`). The
last failed attempt marks the delivery failed (replayable with POST .../retry). An endpoint that
has failed for 3 days without a success is disabled, with an `accord.webhook.disabled` event.

A message for an attempt already made (a duplicate, a redelivery) changes nothing; one whose
attempt another worker holds comes back once that worker's lease is over. Every message carries the
correlation id of the change that made the event (or of the replay request) on to the next attempt.
Counted: WebhookDeliveries by outcome (succeeded, retried, failed), WebhookEndpointsDisabled.
"""
import time
from datetime import timedelta

from accord import clock, metrics
from accord.log import logger
from accord.notify import aws, events, formats, outbox, post, retries, signing, webhooks
from accord.store import db, webhooks as store

LEASE_SECONDS = post.TIMEOUT_SECONDS + 20  # an attempt's POST ends within its timeout


def _later(body: dict, seconds: float, correlation_id: str | None) -> None:
    """Queue `body` to be handled `seconds` from now (chained past SQS's 15 minutes)."""
    seconds = max(0.0, seconds)
    if seconds > retries.SQS_MAX_DELAY:
        body = {**body, "not_before": clock.iso(clock.now() + timedelta(seconds=seconds))}
    aws.enqueue([(body, min(retries.SQS_MAX_DELAY, int(round(seconds))), correlation_id)])


def handle(body: dict, correlation_id: str | None = None) -> str:
    """One message; returns what happened (for logs and tests). Raises on storage trouble (the
    message is retried)."""
    now = clock.now()
    if body.get("not_before"):
        wait = (clock.parse(body["not_before"]) - now).total_seconds()
        if wait > 0.5:
            _later(body, wait, correlation_id)
            return "waiting"
    tenant, attempt = body["tenant"], int(body["attempt"])
    d = store.get_delivery(tenant, body["webhook_id"], body["delivery_id"])
    if d is None:
        return "gone"
    if d["status"] in ("delivered", "failed") or int(d.get("attempts") or 0) > attempt:
        return "done"
    now_iso = clock.iso(now)
    if int(d.get("attempts") or 0) == attempt and d["status"] == "sending" and (d.get("lease_until") or "") > now_iso:
        _later(body, (clock.parse(d["lease_until"]) - now).total_seconds() + 1, correlation_id)
        return "held"  # another worker holds this attempt; look again when its lease is over
    if int(d.get("attempts") or 0) == attempt and d["status"] == "pending":
        return "done"  # made already, the next one is queued
    claimed = store.claim_attempt(tenant, d, attempt, clock.iso(now + timedelta(seconds=LEASE_SECONDS)), now_iso)
    if claimed is None:
        return "taken"
    return _attempt(tenant, claimed, attempt, correlation_id)


def _attempt(tenant: str, d: dict, attempt: int, correlation_id: str | None) -> str:
    hook = store.get(tenant, d["webhook_id"])
    at = clock.iso()
    if hook is None or not hook.get("enabled"):
        record = {"attempt": attempt, "at": at, "status_code": None, "duration_ms": 0,
                  "error": "webhook deleted" if hook is None else "webhook disabled"}
        store.finish_attempt(tenant, d, attempt, record, "failed", None)
        metrics.count("WebhookDeliveries", outcome="failed")
        return "failed"
    event = d["event"]
    body = formats.body(event, hook.get("format") or formats.STANDARD)
    ts = int(time.time())
    headers = signing.headers(webhooks.signing_secrets(hook, at), d["id"], ts, body)
    headers["X-Accord-Event-Type"] = event["type"]
    result = post.send(hook["url"], body, headers)
    record = {"attempt": attempt, "at": at, "status_code": result["status_code"], "duration_ms": result["duration_ms"],
              "error": result["error"], "response": result["response"]}
    state = store.note_result(tenant, hook["id"], ok=result["ok"], at=at)
    if result["ok"]:
        store.finish_attempt(tenant, d, attempt, record, "delivered", None)
        metrics.count("WebhookDeliveries", outcome="succeeded")
        return "delivered"
    delay = retries.delay_before(attempt + 1)
    if delay is None:
        store.finish_attempt(tenant, d, attempt, record, "failed", None)
        metrics.count("WebhookDeliveries", outcome="failed")
        outcome = "failed"
    else:
        _later({"tenant": tenant, "webhook_id": hook["id"], "delivery_id": d["id"], "attempt": attempt + 1}, delay,
               correlation_id)
        store.finish_attempt(tenant, d, attempt, record, "pending",
                             clock.iso(clock.parse(at) + timedelta(seconds=delay)))
        metrics.count("WebhookDeliveries", outcome="retried")
        outcome = "retrying"
    if state and state.get("failing_since"):
        _maybe_disable(tenant, state, at)
    return outcome


def _maybe_disable(tenant: str, hook: dict, at: str) -> None:
    """Disable an endpoint failing for `retries.disable_after()` seconds, with its event."""
    since = hook["failing_since"]
    if not hook.get("enabled") or (clock.parse(at) - clock.parse(since)).total_seconds() < retries.disable_after():
        return
    new = {**hook, "enabled": False, "disabled_reason": f"every delivery failed since {since}", "updated_at": at,
           "rev": hook["rev"] + 1}
    try:
        store.replace(tenant, hook, new, [outbox.op(tenant, events.webhook_disabled(tenant, hook, since))])
        metrics.count("WebhookEndpointsDisabled")
        logger.warning("webhook disabled", extra={"tenant": tenant, "webhook_id": hook["id"], "since": since})
    except db.ConditionFailed:
        pass  # changed meanwhile (re-enabled, edited, or disabled by another attempt)
