"""Notification figures (issue 15), each in one run:

1. What a write pays for its event: DynamoDB requests of a non-breaking publish and of an
   acknowledgment (botocore's event hook, as bench_registry counts), the event being a part of the
   write's own TransactWriteItems — so the extra requests are 0.
2. Fan-out cost with 50 webhook subscriptions in the tenant: DynamoDB, SQS and EventBridge requests
   per dispatched batch and per event (subscriptions read once per batch).
3. Event -> webhook delivery latency through the local runtime (default stream poll interval):
   p50 / p95 over 200 events, from the event's time to its arrival at a receiver on loopback.
"""
import json
import os
import statistics
import tempfile
import time

from inproc import prepare

ROOT = prepare()
N_LATENCY = int(os.environ.get("BENCH_NOTIFY_EVENTS", "200"))
N_HOOKS = 50
BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}}}


def _env():
    prepare()  # again: a bench run before this one in the same process may have pointed AWS elsewhere
    os.environ.update(AWS_SAM_LOCAL="true", ACCORD_EVENT_BUS="bench-events",
                      POWERTOOLS_METRICS_DISABLED="true")  # no EMF lines in the output


class Counted:
    """Requests per AWS service made by the clients of the store and of accord.notify.aws."""

    def __init__(self):
        self.calls = []

    def hook(self, clients):
        for c in clients:
            c.meta.events.register("before-call.*.*", self._count)
        self._clients = clients
        return self

    def _count(self, model, **kw):
        self.calls.append((model.service_model.service_name, model.name))

    def close(self):
        for c in self._clients:
            c.meta.events.unregister("before-call.*.*", self._count)

    def of(self, service: str) -> int:
        return sum(1 for s, _ in self.calls if s == service)


def _call(app, *args, **kwargs):
    from tests.support.events import api_event
    r = app.lambda_handler(api_event(*args, **kwargs), None)
    return json.loads(r["body"]) if r.get("body") else None


def in_process() -> dict:
    import boto3
    from accord.auth.principal import Principal
    from accord.notify import aws as notify_aws
    from accord.store import db
    from moto import mock_aws

    from local import moto_patches
    from tests.integration.conftest import load_app
    from tests.integration.test_assets import team_key
    from tests.support.aws import create_template_resources, use_tables
    from tests.support.outbox import stream_records

    moto_patches.apply()
    out = {}
    with mock_aws():
        db.reset_client()
        names = create_template_resources()
        use_tables(names)
        os.environ["ACCORD_DELIVERY_QUEUE_URL"] = names["WebhookDeliveryQueue"]
        notify_aws.reset_clients()
        boto3.client("events", region_name="us-east-1").create_event_bus(Name="bench-events")
        apps = {n: load_app(n) for n in ("teams", "assets", "contracts", "proposals", "webhooks", "dispatcher")}
        admin = Principal(tenant="acme", key_id="k", name="admin", scopes=frozenset({"read", "write", "admin"}))
        producer = _call(apps["teams"], "POST", "/api/v1/teams", body={"name": "producer"}, principal=admin)["id"]
        consumer = _call(apps["teams"], "POST", "/api/v1/teams", body={"name": "consumer"}, principal=admin)["id"]
        owner, reader = team_key(admin, producer), team_key(admin, consumer)
        assets = [_call(apps["assets"], "POST", "/api/v1/assets", body={"fqn": f"bench.t{i}", "owner_team_id": producer},
                        principal=owner)["id"] for i in range(10)]

        # 1. the write's own requests, and where its event went
        def parts_of(cs):
            return [c for c in cs.calls if c[0] == "dynamodb"]
        first = _call(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": assets[0]},
                      body={"schema": BASE}, principal=owner)
        txs, writes, queries = [], [], []

        def keep(params, **kw):
            txs.append(params.get("TransactItems") or [])

        def keep_write(params, model, **kw):
            writes.append(_written_sks(model.name, params))

        def keep_query(params, **kw):
            queries.append(json.dumps(params.get("ExpressionAttributeValues") or {}))
        db.client().meta.events.register("provide-client-params.dynamodb.TransactWriteItems", keep)
        for op in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"):
            db.client().meta.events.register(f"provide-client-params.dynamodb.{op}", keep_write)
        db.client().meta.events.register("provide-client-params.dynamodb.Query", keep_query)
        cs = Counted().hook([db.client()])
        writes.clear()
        _call(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": assets[0]},
              body={"schema": {**BASE, "properties": {**BASE["properties"], "phone": {"type": "string"}}}},
              principal=owner)
        cs.close()
        publish_writes = list(writes)
        publish_parts = sum(1 for p in txs[-1] if p.get("Put", {}).get("Item", {}).get("SK", {}).get("S") == "OUTBOX")
        out["publish"] = {"requests": len(parts_of(cs)), "ops": [n for _, n in parts_of(cs)], "event_parts": publish_parts,
                          "tx_parts": len(txs[-1]), "extra": _extra(publish_writes)}
        _call(apps["contracts"], "POST", "/api/v1/registrations", body={"contract_id": first["contract"]["id"],
                                                                        "consumer_team_id": consumer}, principal=reader)
        proposal = _call(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": assets[0]},
                         body={"schema": {"type": "object", "properties": {"id": {"type": "integer"}},
                                          "additionalProperties": False}}, principal=owner)["proposal"]["id"]
        cs = Counted().hook([db.client()])
        writes.clear()
        _call(apps["proposals"], "POST", "/api/v1/proposals/{proposal_id}/acknowledge", {"proposal_id": proposal},
              body={"consumer_team_id": consumer, "response": "approved"}, principal=reader)
        cs.close()
        ack_writes = list(writes)
        ack_parts = sum(1 for p in txs[-1] if p.get("Put", {}).get("Item", {}).get("SK", {}).get("S") == "OUTBOX")
        out["acknowledge"] = {"requests": len(parts_of(cs)), "ops": [n for _, n in parts_of(cs)], "event_parts": ack_parts,
                              "tx_parts": len(txs[-1]), "extra": _extra(ack_writes)}
        db.client().meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", keep)

        # 2. fan-out with 50 subscriptions: a batch of 10 publishes (10 events on 10 assets)
        for i in range(N_HOOKS):
            _call(apps["webhooks"], "POST", "/api/v1/webhooks", body={"url": f"http://127.0.0.1:9/hook{i}"}, principal=admin)
        apps["dispatcher"].lambda_handler({"Records": stream_records()}, None)  # drain what came before
        from moto.dynamodb.models import dynamodb_backends
        shard = dynamodb_backends["123456789012"]["us-east-1"].tables[db.table_name()].stream_shard
        mark = len(shard.items)
        for a in assets:
            _call(apps["contracts"], "POST", "/api/v1/assets/{asset_id}/contracts", {"asset_id": a},
                  body={"schema": {**BASE, "properties": {**BASE["properties"], "x": {"type": "string"}}}},
                  principal=owner)
        records = stream_records()[mark:]
        cs = Counted().hook([db.client(), notify_aws._client("events"), notify_aws._client("sqs")])
        queries.clear()
        t0 = time.perf_counter()
        stats = apps["dispatcher"].lambda_handler({"Records": records}, None)
        seconds = time.perf_counter() - t0
        cs.close()
        events = stats["events"]
        ddb_ops = [n for s, n in cs.calls if s == "dynamodb"]
        out["fanout"] = {"events": events, "deliveries": stats["deliveries"], "dynamodb": len(ddb_ops),
                         "dynamodb_ops": {op: ddb_ops.count(op) for op in sorted(set(ddb_ops))},
                         "sqs": cs.of("sqs"), "events_api": cs.of("events"), "seconds": seconds,
                         "subscription_reads": sum(1 for q in queries if 'WEBHOOKS"' in q)}
        for op in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"):
            db.client().meta.events.unregister(f"provide-client-params.dynamodb.{op}", keep_write)
        db.client().meta.events.unregister("provide-client-params.dynamodb.Query", keep_query)
        db.reset_client()
    return out


def _written_sks(op: str, params: dict) -> list[str]:
    """The sort keys one write request writes."""
    if op == "TransactWriteItems":
        parts = [next(iter(p.values())) for p in params.get("TransactItems") or []]
    elif op == "BatchWriteItem":
        parts = [next(iter(r.values())) for rs in (params.get("RequestItems") or {}).values() for r in rs]
    else:
        parts = [params]
    return [(part.get("Item") or part.get("Key") or {}).get("SK", {}).get("S", "") for part in parts]


def _extra(writes: list[list[str]]) -> int:
    """Write requests made for events alone (every item an outbox item): what the event costs beyond
    the change's own requests."""
    return sum(1 for sks in writes if sks and all(sk == "OUTBOX" for sk in sks))


def latency() -> dict:
    """200 test events through the local runtime to a receiver: event time -> arrival."""
    import requests

    from local.runtime import LocalRuntime
    from tests.support.receiver import Receiver
    receiver = Receiver()
    key = "acc_bench_notify_key"
    rt = LocalRuntime(repo_root=str(ROOT), port=0, state_dir=tempfile.mkdtemp(), admin_key=key, quiet=True,
                      parameter_overrides={"AuthCacheSeconds": "30"}).start()
    try:
        h = {"Authorization": f"Bearer {key}"}
        hook = requests.post(rt.url + "/api/v1/webhooks", json={"url": receiver.url}, headers=h, timeout=30).json()
        session = requests.Session()
        t0 = time.time()
        for _ in range(N_LATENCY):
            session.post(f"{rt.url}/api/v1/webhooks/{hook['id']}/test", headers=h, timeout=30).raise_for_status()
            time.sleep(0.05)  # a steady flow of events (~15/s), not one burst
        sent = time.time() - t0
        reqs = receiver.wait_for(lambda r: len(r) >= N_LATENCY, timeout=300)
        lat = sorted((r["at"] - _epoch(json.loads(r["body"])["time"])) * 1000 for r in reqs)
        return {"n": len(lat), "p50_ms": statistics.median(lat), "p95_ms": lat[int(0.95 * len(lat)) - 1],
                "max_ms": lat[-1], "send_seconds": sent}
    finally:
        rt.stop()
        receiver.close()


def _epoch(iso: str) -> float:
    from datetime import datetime
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def main() -> dict:
    _env()
    figures = in_process()
    print("What a write pays for its event (DynamoDB requests, botocore event hook):")
    for name in ("publish", "acknowledge"):
        f = figures[name]
        print(f"  {name:<12} {f['requests']} requests {f['ops']}; the event(s): {f['event_parts']} part(s) of its "
              f"{f['tx_parts']}-part TransactWriteItems -> extra requests: {f['extra']}  "
              f"{'PASS' if f['event_parts'] >= 1 and f['extra'] == 0 else 'FAIL'}")
    f = figures["fanout"]
    print(f"Fan-out with {N_HOOKS} subscriptions: one stream batch of {f['events']} events -> {f['deliveries']} deliveries")
    print(f"  DynamoDB {f['dynamodb']} requests {f['dynamodb_ops']} = {f['dynamodb'] / f['events']:.1f} per event; "
          f"SQS {f['sqs']} (SendMessageBatch, 10 per call) = {f['sqs'] / f['events']:.1f} per event; "
          f"EventBridge {f['events_api']} PutEvents for the batch; {f['seconds'] * 1000:.0f} ms in process")
    queries = f["dynamodb_ops"].get("Query", 0)
    print(f"  subscriptions read {f['subscription_reads']}x for the batch (the other {queries - f['subscription_reads']} "
          f"Query: each asset's consumers and lineage, once per asset)  "
          f"{'PASS' if f['subscription_reads'] == 1 and f['dynamodb'] / f['events'] < N_HOOKS else 'FAIL'} "
          f"(requests per event far below one per subscription: {f['dynamodb'] / f['events']:.1f} vs {N_HOOKS})")
    lat = latency()
    figures["latency"] = lat
    load = os.getloadavg()[0]
    print(f"Event -> webhook delivery through the local runtime (stream polled every 0.25 s), {lat['n']} events "
          f"at ~{lat['n'] / lat['send_seconds']:.0f}/s (machine load average {load:.1f} on {os.cpu_count()} cores):")
    print(f"  p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms  "
          f"{'PASS' if lat['p50_ms'] <= 1000 else 'FAIL'} (p50 <= 1 s)")
    return figures


if __name__ == "__main__":
    main()
