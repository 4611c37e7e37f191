"""What the outbox holds, seen two ways in process (moto): the event items in the table, and the
INSERT records of the table's stream (what the dispatcher would receive)."""
import json

from accord.store import db, keys as k


def events_in_table(tenant: str) -> list[dict]:
    """The tenant's events (the activity index), oldest first."""
    out, start = [], None
    while True:
        page, start = db.query(k.activity_gsi(tenant), index="GSI1", start=start)
        out.extend(json.loads(i["ce"]) for i in page)
        if not start:
            return out


def stream_records(table: str | None = None) -> list[dict]:
    """Every record still in the table's stream, as Lambda would hand them over. (Read from moto's
    backend: in process, moto's URL matching sends the DynamoDB Streams API to DynamoDB's handler.)"""
    from moto.dynamodb.models import dynamodb_backends
    shard = dynamodb_backends["123456789012"]["us-east-1"].tables[table or db.table_name()].stream_shard
    return [json.loads(json.dumps(r.to_json(), default=str)) for r in shard.items]


def streamed_events(tenant: str) -> list[dict]:
    """The events of `tenant` the stream carries (INSERTs of outbox items), in stream order."""
    out = []
    for rec in stream_records():
        image = rec["dynamodb"].get("NewImage") or {}
        if rec["eventName"] == "INSERT" and image.get("SK", {}).get("S") == k.OUTBOX_SK \
                and image.get("tenant", {}).get("S") == tenant:
            out.append(json.loads(image["ce"]["S"]))
    return out


def assert_outbox_consistent(tenant: str) -> list[dict]:
    """Every event in the table is in the stream exactly once, and the stream has no other (a
    phantom: an event of a change that was rolled back). Returns the events."""
    table = events_in_table(tenant)
    streamed = streamed_events(tenant)
    assert sorted(e["id"] for e in streamed) == sorted(e["id"] for e in table), (
        "stream and table disagree", [e["type"] for e in streamed], [e["type"] for e in table])
    return table
