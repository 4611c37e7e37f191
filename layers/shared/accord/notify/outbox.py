"""The outbox: an event rides in the transaction of the change it describes (DESIGN §11).

Writers call `op(tenant, event)` and add the result to the transaction they already make, so a
write pays no extra DynamoDB request for its event, a rolled-back change emits nothing, and a
committed one always has its event (DynamoDB Streams hand it to the dispatcher).
The item keeps the correlation id of the work that made the change (not part of the CloudEvent):
the dispatcher passes it on to each webhook delivery, so its log lines carry it too.
"""
from accord import log
from accord.store import outbox as store


def op(tenant: str, event: dict) -> dict:
    """The transaction part that records `event` (a CloudEvent from accord.notify.events)."""
    return store.put_op(tenant, event, log.correlation_id())
