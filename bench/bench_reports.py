"""Reports (issue 5): DynamoDB requests per recorded event on the HTTP and SQS paths (target ≤ 2), and
the SQS worker's throughput in process with moto, as a ratio to a bare loop that only writes the
same events (target ≤ 1.3×: our parsing, validation, idempotency and bookkeeping add at most 30%).

Requests are counted with a botocore `before-call.dynamodb.*` hook on the store's client. The bare
loop decodes each message and writes one item per event (its table and index keys, its fields) with
BatchWriteItem, 25 per request — the least any implementation must write to keep and list the events.
Runs of ours and of the bare loop alternate; the median of the rounds is reported.
"""
import json
import os
import statistics
import sys
import time
import uuid

from inproc import ROOT, prepare

prepare(ROOT / "tools")

REQUESTS_TARGET = 2.0
RATIO_TARGET = 1.3
ROUNDS = int(os.environ.get("BENCH_REPORTS_ROUNDS", "5"))
KEYS = 20


class Counter:
    def __init__(self, client):
        self.client, self.n = client, 0

    def __enter__(self):
        self.client.meta.events.register("before-call.dynamodb.*", self._hit)
        return self

    def _hit(self, **kw):
        self.n += 1

    def __exit__(self, *exc):
        self.client.meta.events.unregister("before-call.dynamodb.*", self._hit)


def mix(i: int, registered: list | None = None, checks: bool = True) -> dict:
    """A realistic stream: materializations (some partitioned), observations, checks (on registered
    assets: each becomes an audit run). Without checks: 3 materializations per observation."""
    key = ["bench", f"table_{i % KEYS}"]
    kind = i % 10 if checks else i % 8
    if kind < 6:
        ev = {"type": "materialization", "asset_key": key, "metadata": {"rows": i, "dagster/row_count": i}}
        if kind % 2:
            ev["partition"] = f"2024-01-{i % 28 + 1:02d}"
        return ev
    if kind < 8:
        return {"type": "observation", "asset_key": key, "data_version": f"v{i}",
                "metadata": {"dagster/last_updated_timestamp": 1_700_000_000 + i}}
    check_key = registered[i % len(registered)].split(".") if registered else key
    return {"type": "check", "asset_key": check_key, "check_name": f"check_{i % 3}", "passed": i % 4 != 0,
            "severity": "WARN" if i % 2 else "ERROR", "metadata": {"rows_failed": i % 4}}


def sqs_records(bodies: list, start_ms: int) -> dict:
    return {"Records": [{
        "messageId": str(uuid.uuid4()), "receiptHandle": "rh", "body": json.dumps(b),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(start_ms + n)},
        "messageAttributes": {"tenant": {"stringValue": "default", "dataType": "String"}},
        "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:1:ReportsQueue",
        "awsRegion": "us-east-1"} for n, b in enumerate(bodies)]}


def batches(total_events: int, per_batch: int, offset: int, registered=None, checks=True) -> list[dict]:
    """SQS invocations of `per_batch` events: 10 messages of one event, or 10 of ten (100)."""
    per_message = max(1, per_batch // 10)
    out, i = [], offset
    for b in range(total_events // per_batch):
        bodies = []
        for _ in range(per_batch // per_message):
            evs = [mix(i + j, registered, checks) for j in range(per_message)]
            i += per_message
            bodies.append(evs[0] if per_message == 1 else evs)
        out.append(sqs_records(bodies, 1_700_000_000_000 + offset * 10 + b * 1000))
    return out


def bare_loop(event: dict, client, table: str) -> int:
    """The minimum: decode each message, one item per event — its key and time, its fields — and
    BatchWriteItem, 25 per request. No validation, no ids, no indexes, no bookkeeping."""
    from accord.store.codec import encode
    items = []
    for rec in event["Records"]:
        body = json.loads(rec["body"])
        for n, ev in enumerate(body if isinstance(body, list) else [body]):
            key = json.dumps(ev["asset_key"], separators=(",", ":"))
            item = {"PK": f"T#default#EVK#{key}", "SK": f"EV#{rec['attributes']['SentTimestamp']}#{rec['messageId']}:{n}",
                    "type": ev["type"], "asset_key": ev["asset_key"], "timestamp": rec["attributes"]["SentTimestamp"],
                    "metadata_json": json.dumps(ev.get("metadata") or {})}
            item.update({f: ev[f] for f in FIELDS if ev.get(f) is not None})
            items.append(item)
    for i in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": encode(it)}}
                                                      for it in items[i:i + 25]]})
    return len(items)


FIELDS = ("partition", "description", "data_version", "check_name", "passed", "severity")


def _registered_assets(load_app, principal) -> list[str]:
    from tests.support.events import api_event
    teams, assets = load_app("teams"), load_app("assets")
    r = teams.lambda_handler(api_event("POST", "/api/v1/teams", body={"name": "bench"}, principal=principal), None)
    team = json.loads(r["body"])
    fqns = [f"bench.checked_{n}" for n in range(5)]
    for fqn in fqns:
        r = assets.lambda_handler(api_event("POST", "/api/v1/assets", body={"fqn": fqn, "owner_team_id": team["id"]},
                                            principal=principal), None)
        assert r["statusCode"] == 201, r
    return fqns


def main() -> dict:
    from moto import mock_aws
    result = {}
    with mock_aws():
        from accord.auth.principal import Principal
        from accord.store import db
        from tests.integration.conftest import load_app
        from tests.support.aws import create_template_resources, use_tables
        from tests.support.events import api_event
        db.reset_client()
        use_tables(create_template_resources())
        client = db.client()
        admin = Principal(tenant="default", key_id="bench", name="bench", scopes=frozenset({"read", "write", "admin"}))
        registered = _registered_assets(load_app, admin)
        reports, worker = load_app("reports"), load_app("worker")
        # the tenant's report rate limit (100/s by default) is the platform's to raise: this bench
        # measures requests and throughput, not the limiter's 429s
        from accord.store import settings
        settings.update("default", {"report_rate_per_second": 100_000})
        settings.clear_cache()

        # 1. requests per recorded event: HTTP (one request per report)
        routes = {"materialization": "/report_asset_materialization", "observation": "/report_asset_observation",
                  "check": "/report_asset_check"}
        per_type: dict[str, list] = {}
        with Counter(client) as total:
            for i in range(200):
                ev = mix(i, registered if i % 20 >= 18 else None)
                kind = ev.pop("type")
                before = total.n
                r = reports.lambda_handler(api_event("POST", routes[kind], body=ev, principal=admin), None)
                assert r["statusCode"] == 200, r
                per_type.setdefault(kind, []).append(total.n - before)
        http = total.n / 200
        print(f"DynamoDB requests per recorded event, HTTP (200 reports: 60% materializations, 20% observations, "
              f"20% checks, half of them on registered assets → audit runs): {http:.2f}  "
              f"{'PASS' if http <= REQUESTS_TARGET else 'FAIL'} (≤ {REQUESTS_TARGET:g})")
        for kind, counts in per_type.items():
            print(f"  {kind:<16} {sum(counts) / len(counts):.2f} (max {max(counts)})")
        result["http_requests_per_event"] = round(http, 3)

        # 2. requests per recorded event: SQS, batches of 10 and 100 events (checks with audit runs included)
        for per_batch in (10, 100):
            invocations = batches(1000, per_batch, 10_000 * per_batch, registered)
            with Counter(client) as c:
                for event in invocations:
                    assert worker.lambda_handler(event, None) == {"batchItemFailures": []}
            rate = c.n / 1000
            print(f"DynamoDB requests per recorded event, SQS, batches of {per_batch:>3} (1000 events, same mix): "
                  f"{rate:.2f}  {'PASS' if rate <= REQUESTS_TARGET else 'FAIL'} (≤ {REQUESTS_TARGET:g})")
            result[f"sqs_requests_per_event_{per_batch}"] = round(rate, 3)

        # 3. throughput: ours vs the bare loop, alternating rounds, on the bulk of a Dagster stream:
        #    materializations (half partitioned) and observations. Checks are left out of the ratio: on a
        #    registered asset each writes an audit run in a transaction, which moto implements by
        #    deep-copying the table once per operation, so that cost is moto's (their requests per
        #    event are counted above).
        table = db.table_name()
        ok = True
        for per_batch, total_events in ((10, 300), (100, 1000)):
            ours, bare = [], []
            for rnd in range(ROUNDS):
                a = batches(total_events, per_batch, 1_000_000 * (rnd + 1) + per_batch, checks=False)
                b = batches(total_events, per_batch, 2_000_000 * (rnd + 1) + per_batch, checks=False)
                t = time.perf_counter()
                for event in a:
                    assert worker.lambda_handler(event, None) == {"batchItemFailures": []}
                ours.append(total_events / (time.perf_counter() - t))
                t = time.perf_counter()
                for event in b:
                    bare_loop(event, client, table)
                bare.append(total_events / (time.perf_counter() - t))
            o, b_ = statistics.median(ours), statistics.median(bare)
            ratio = b_ / o
            ok &= ratio <= RATIO_TARGET
            print(f"SQS worker, batches of {per_batch:>3}: {o:7.0f} events/s; bare loop {b_:7.0f} events/s; "
                  f"ratio {ratio:.2f}x  {'PASS' if ratio <= RATIO_TARGET else 'FAIL'} (≤ {RATIO_TARGET}x)")
            result[f"sqs_events_per_s_{per_batch}"] = round(o)
            result[f"bare_events_per_s_{per_batch}"] = round(b_)
            result[f"ratio_{per_batch}"] = round(ratio, 3)
        db.reset_client()
    result["pass"] = ok and result["http_requests_per_event"] <= REQUESTS_TARGET and all(
        result[f"sqs_requests_per_event_{n}"] <= REQUESTS_TARGET for n in (10, 100))
    return result


if __name__ == "__main__":
    main()
