"""Faults, in process (handlers + moto): DynamoDB throttling, transaction conflicts, internal errors
and timeouts injected into *every* DynamoDB call of an operation in turn, through a botocore
`before-call` hook on the store's client (the error an operation sees once botocore's own retries
are spent). For team create, publish, acknowledge, configuration move and report recording:

* the answer is a success (the domain retried) or 409/429/503 with a message in the family's
  envelope — never a 500;
* the invariants hold after every run (no half-written state), and again after the client retries
  the request without the fault;
* with retries left, botocore retries throttling by itself (a `before-send` fault on one attempt).

Also: threads writing the same objects (reports; publish racing acknowledgments and the proposal's
publish) lose and duplicate nothing, and a worker that crashes at any point of a batch leaves, after
the redelivery, every event recorded exactly once.

Parallel writers covered by the family tests, not repeated here: test_contracts.py
(test_parallel_publishes_*), test_proposals.py (test_parallel_acknowledgments_are_all_recorded),
test_configuration.py (test_concurrent_overlapping_moves_never_half_apply), test_teams.py
(test_concurrent_creates_of_one_name_make_one_team), test_assets.py (concurrent creates/patches/renames).
"""
import json
import threading
import uuid

import pytest
from accord.auth.principal import Principal
from accord.store import db
from accord.store import keys as k
from accord.store import teams as team_store
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from tests.integration.conftest import load_app
from tests.support.events import api_event, sqs_event
from tests.support.outbox import assert_outbox_consistent

BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
        "required": ["id"]}
COMPATIBLE = {**BASE, "properties": {**BASE["properties"], "phone": {"type": "string"}}}
BREAKING = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
CFG = "/api/backend/{tenant}/configuration"
KINDS = ("throttle", "throttling", "conflict", "internal", "timeout")
FAULT_STATUS = {"throttle": 429, "throttling": 429, "conflict": 409, "internal": 503, "timeout": 503}


# ------------------------------------------------------------------ injection
def _error(code: str, status: int = 400, **extra):
    http = AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", status, {}, None)
    return http, {"Error": {"Code": code, "Message": f"injected {code}"},
                  "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 3}, **extra}


class Faults:
    """Counts the store's DynamoDB calls; replaces call number `at` (among `ops`) with `kind`."""

    def __init__(self, kind: str | None = None, at: int | None = None):
        self.kind, self.at = kind, at
        self.calls: list[str] = []
        self.eligible = 0
        self.fired = False

    def _applies(self, op: str) -> bool:
        return self.kind != "conflict" or op == "TransactWriteItems"

    def __call__(self, model, params, **kwargs):
        op = model.name
        self.calls.append(op)
        if self.kind is None or not self._applies(op):
            return None
        index, self.eligible = self.eligible, self.eligible + 1
        if index != self.at:
            return None
        self.fired = True
        if self.kind == "throttle":
            return _error("ProvisionedThroughputExceededException")
        if self.kind == "throttling":
            return _error("ThrottlingException")
        if self.kind == "internal":
            return _error("InternalServerError", 500)
        if self.kind == "timeout":
            raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com/")
        if self.kind == "crash":
            raise RuntimeError("the function died here")
        parts = json.loads(params["body"])["TransactItems"]
        reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}] + \
                  [{"Code": "None"}] * (len(parts) - 1)
        return _error("TransactionCanceledException", CancellationReasons=reasons)

    def __enter__(self):
        db.client().meta.events.register_first("before-call.dynamodb", self)
        return self

    def __exit__(self, *exc):
        db.client().meta.events.unregister("before-call.dynamodb", self)


# ------------------------------------------------------------------ calling handlers
APPS = {}
_LOADING = threading.Lock()


def app(name):
    with _LOADING:  # load_app swaps sys.modules["app"]: one at a time
        if name not in APPS:
            APPS[name] = load_app(name)
        return APPS[name]


ROUTE_APP = (("/report_asset", "reports"), ("/api/backend/", "configuration"), ("/api/v1/teams", "teams"),
             ("/api/v1/api-keys", "teams"), ("/api/v1/tenants", "teams"), ("/api/v1/proposals", "proposals"), ("/api/v1/registrations", "contracts"),
             ("/api/v1/contracts", "contracts"), ("/api/v1/events", "events"))


def _app_for(resource: str):
    if resource.startswith("/api/v1/assets/{asset_id}/") and resource.split("/")[5] in (
            "contracts", "publish", "impact"):
        return app("contracts")
    if resource.startswith("/api/v1/assets/{asset_id}/") and resource.split("/")[5] in ("events", "status"):
        return app("events")
    for prefix, name in ROUTE_APP:
        if resource.startswith(prefix):
            return app(name)
    return app("assets")


def call(principal, method, resource, params=None, **kwargs):
    r = _app_for(resource).lambda_handler(api_event(method, resource, params, principal=principal, **kwargs), None)
    data = json.loads(r["body"]) if r.get("body") else None
    return r["statusCode"], data, r.get("headers") or {}


def ok(principal, method, resource, params=None, status=(200, 201), **kwargs):
    code, data, _ = call(principal, method, resource, params, **kwargs)
    assert code in ((status,) if isinstance(status, int) else status), (method, resource, code, data)
    return data


def admin_of(tenant: str) -> Principal:
    return Principal(tenant=tenant, key_id=str(uuid.uuid4()), name="admin", email="admin@example.com",
                     scopes=frozenset({"read", "write", "admin"}))


def envelope_ok(resource: str, status: int, data) -> bool:
    if resource.startswith("/api/v1/"):
        return set(data) == {"detail", "error"} and bool(data["error"]["message"]) and bool(data["error"]["code"])
    if resource.startswith("/api/backend/"):
        return set(data) == {"message", "error"} and bool(data["message"])
    return set(data) == {"error"} and bool(data["error"])


# ------------------------------------------------------------------ the operations, with their invariants
class TeamCreate:
    resource = "/api/v1/teams"

    def __init__(self, tenant):
        self.p = admin_of(tenant)
        self.tenant = tenant
        ok(self.p, "POST", "/api/v1/teams", body={"name": "Existing"})

    def act(self, retry=False):
        return call(self.p, "POST", "/api/v1/teams", body={"name": "Platform"})

    def retry_ok(self, status, data):
        return status == 201 or status == 409 and data["error"]["code"] == "TEAM_EXISTS"

    def check(self, done: bool):
        live, _ = db.query(k.teams_gsi(self.tenant), index="GSI1", consistent=False)
        counter = team_store.count(self.tenant)
        assert counter == len(live), ("team counter", counter, [t["name"] for t in live])
        for team in live:
            assert db.get(k.team_name_pk(self.tenant, team["name"]), k.UNIQUE_SK)["team_id"] == team["id"]
        guard = db.get(k.team_name_pk(self.tenant, "Platform"), k.UNIQUE_SK)
        platform = [t for t in live if t["name"] == "Platform"]
        assert (guard is None and not platform) or (guard and [t["id"] for t in platform] == [guard["team_id"]])
        if done:
            assert len(platform) == 1
        assert assert_outbox_consistent(self.tenant) == []  # a team has no event


class Publish:
    resource = "/api/v1/assets/{asset_id}/contracts"

    def __init__(self, tenant):
        self.p = admin_of(tenant)
        team = ok(self.p, "POST", "/api/v1/teams", body={"name": "producer"})
        self.asset = ok(self.p, "POST", "/api/v1/assets", body={"fqn": "wh.orders", "owner_team_id": team["id"]})["id"]
        ok(self.p, "POST", self.resource, {"asset_id": self.asset}, body={"schema": BASE})

    def act(self, retry=False):
        return call(self.p, "POST", self.resource, {"asset_id": self.asset}, body={"schema": COMPATIBLE})

    def retry_ok(self, status, data):
        return status in (200, 201)

    def check(self, done: bool):
        contracts = ok(self.p, "GET", self.resource, {"asset_id": self.asset})
        active = [c for c in contracts if c["status"] == "active"]
        assert len(active) == 1, contracts
        versions = [c["version"] for c in contracts]
        assert len(versions) == len(set(versions)) and set(versions) <= {"1.0.0", "1.1.0"}, versions
        asset = ok(self.p, "GET", "/api/v1/assets/{asset_id}", {"asset_id": self.asset})
        assert (asset["active_contract_id"], asset["active_contract_version"]) == (active[0]["id"], active[0]["version"])
        listed = ok(self.p, "GET", "/api/v1/assets", query={"fqn": "wh.orders", "environment": "production"})
        assert [a["active_contract_id"] for a in listed["results"]] == [active[0]["id"]]  # the env copy agrees
        if done:
            assert versions == ["1.1.0", "1.0.0"] and active[0]["version"] == "1.1.0"
        published = [e["data"]["version"] for e in assert_outbox_consistent(self.p.tenant)
                     if e["type"] == "accord.contract.published"]
        assert sorted(published) == sorted(versions), ("one event per version, none for a failed publish", published)


class Acknowledge:
    resource = "/api/v1/proposals/{proposal_id}/acknowledge"

    def __init__(self, tenant):
        self.p = admin_of(tenant)
        producer = ok(self.p, "POST", "/api/v1/teams", body={"name": "producer"})
        self.c1, self.c2 = (ok(self.p, "POST", "/api/v1/teams", body={"name": n})["id"] for n in ("c1", "c2"))
        asset = ok(self.p, "POST", "/api/v1/assets", body={"fqn": "wh.users", "owner_team_id": producer["id"]})["id"]
        v1 = ok(self.p, "POST", Publish.resource, {"asset_id": asset}, body={"schema": BASE})["contract"]["id"]
        self.regs = {c: ok(self.p, "POST", "/api/v1/registrations", body={"contract_id": v1, "consumer_team_id": c})["id"]
                     for c in (self.c1, self.c2)}
        self.proposal = ok(self.p, "POST", Publish.resource, {"asset_id": asset},
                           body={"schema": BREAKING})["proposal"]["id"]

    def act(self, retry=False):
        return call(self.p, "POST", self.resource, {"proposal_id": self.proposal},
                    body={"consumer_team_id": self.c1, "response": "approved"})

    def retry_ok(self, status, data):
        return status == 200 or status == 409 and data["error"]["code"] == "DUPLICATE_ACKNOWLEDGMENT"

    def check(self, done: bool):
        st = ok(self.p, "GET", "/api/v1/proposals/{proposal_id}/status", {"proposal_id": self.proposal})
        acked = {a["team_id"] for a in st["acknowledged_consumers"]}
        assert acked <= {self.c1} and st["proposal"]["status"] == "pending", st
        assert st["received_acknowledgments"] == len(acked)
        for team, reg in self.regs.items():
            r = ok(self.p, "GET", "/api/v1/registrations/{registration_id}", {"registration_id": reg})
            assert bool(r["acknowledged_at"]) == (team in acked), (team, r, acked)
        if done:
            assert acked == {self.c1}
        answered = [e["data"]["consumer_team_id"] for e in assert_outbox_consistent(self.p.tenant)
                    if e["type"] == "accord.proposal.acknowledged"]
        assert sorted(answered) == sorted(acked), ("one event per acknowledgment, none for a failed one", answered)


class Move:
    resource = CFG + "/projects/{projectId}/assets/move"

    def __init__(self, tenant):
        self.p, self.tenant = admin_of(tenant), tenant
        self.base = {"tenant": tenant}
        g = ok(self.p, "POST", CFG + "/connections", self.base, body={"name": "g", "type": "DELTALAKE"})["id"]
        self.target = ok(self.p, "POST", CFG + "/projects", self.base, body={"name": "target"})["id"]
        self.ids = [ok(self.p, "POST", CFG + "/projects/{projectId}/assets", {**self.base, "projectId": 0}, body={
            "name": f"a{i}", "type": "DELTALAKE", "connection_id": g,
            "payload": {"catalog": "c", "schema": "s", "table": f"t{i}"}})["id"] for i in range(3)]

    def act(self, retry=False):
        return call(self.p, "POST", self.resource, {**self.base, "projectId": self.target},
                    body={"source_project_id": 0, "source_asset_ids": self.ids})

    def retry_ok(self, status, data):
        return status == 200 or status == 404 and data["error"] == "ASSET_NOT_FOUND"  # already moved

    def check(self, done: bool):
        where = {}
        for p in (0, self.target):
            listed = ok(self.p, "GET", CFG + "/projects/{projectId}/assets", {**self.base, "projectId": p},
                        query={"limit": "500"})
            project = ok(self.p, "GET", CFG + "/projects/{projectId}", {**self.base, "projectId": p})
            assert project["asset_count"] == len(listed), (p, project, listed)
            where.update({a["id"]: p for a in listed})
        assert set(where) == set(self.ids), where
        assert len(set(where.values())) == 1, f"a move half applied: {where}"
        if done:
            assert set(where.values()) == {self.target}
        assert assert_outbox_consistent(self.tenant) == []


class Report:
    resource = "/report_asset_check/{asset_key+}"

    def __init__(self, tenant):
        self.p = admin_of(tenant)
        team = ok(self.p, "POST", "/api/v1/teams", body={"name": "producer"})
        self.asset = ok(self.p, "POST", "/api/v1/assets", body={"fqn": "wh.events", "owner_team_id": team["id"]})["id"]

    def act(self, retry=False):
        return call(self.p, "POST", self.resource, {"asset_key": "wh/events"}, headers={"Idempotency-Key": "run-1"},
                    body={"check_name": "not_null", "passed": False, "description": "3 nulls"})

    def retry_ok(self, status, data):
        return status == 200 and data == {}

    def check(self, done: bool):
        events = ok(self.p, "GET", "/api/v1/events", query={"asset_key": '["wh", "events"]'})["results"]
        runs = ok(self.p, "GET", "/api/v1/assets/{asset_id}/audit-history", {"asset_id": self.asset})
        assert len(events) <= 1 and runs["total_runs"] == len(runs["runs"]) == len(events), (events, runs)
        if done:
            assert len(events) == 1 and runs["runs"][0]["status"] == "failed"
        failed = [e for e in assert_outbox_consistent(self.p.tenant) if e["type"] == "accord.check.failed"]
        assert len(failed) == len(runs["runs"]), ("one event per failed check's run", failed)


OPERATIONS = {"team create": TeamCreate, "publish": Publish, "acknowledge": Acknowledge, "move": Move,
              "report": Report}


@pytest.fixture
def fresh_report_caches(monkeypatch):
    from accord.reports import record, sqs
    monkeypatch.setattr(record, "_asset_cache", {})
    monkeypatch.setattr(record, "_written", {})
    monkeypatch.setattr(sqs, "_tenants", {})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", OPERATIONS)
def test_a_fault_at_every_call_is_surfaced_and_leaves_no_half_write(aws, fresh_report_caches, name, kind):
    op_class = OPERATIONS[name]
    at = 0
    while True:
        op = op_class(f"t{at}-{uuid.uuid4().hex[:6]}")
        with Faults(kind, at) as faults:
            status, data, headers = op.act()
        where = (name, kind, at, faults.calls)
        if faults.fired:
            assert status < 300 or status == FAULT_STATUS[kind], (*where, status, data)
            if status >= 300:
                assert envelope_ok(op.resource, status, data), (*where, data)
                if status == 429:
                    assert headers.get("Retry-After") == "1", (*where, headers)
        else:
            assert status < 300, (*where, status, data)
        op.check(done=status < 300)
        status2, data2, _ = op.act(retry=True)  # the client retries, without the fault
        assert op.retry_ok(status2, data2), (*where, status2, data2)
        op.check(done=True)
        if not faults.fired:
            break  # past the operation's last call: every call has had its fault
        at += 1
    assert at >= 1
    print(f"{name} / {kind}: a fault at each of {at} DynamoDB calls")


def test_botocore_retries_throttling_by_itself_while_attempts_remain(aws, monkeypatch):
    """A throttled attempt is retried by botocore's standard mode: the caller sees a success."""
    import botocore.retries.standard as standard
    from moto.core.models import botocore_stubber
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    attempts = []

    def throttle_first(request, **kwargs):
        # every before-send handler runs (the first response wins): keep moto out of the throttled one
        attempts.append(request.url)
        botocore_stubber.enabled = len(attempts) > 1
        if len(attempts) == 1:
            return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"},
                               _Raw(b'{"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", '
                                    b'"message": "Rate exceeded"}'))
        return None
    p = admin_of("retried")
    events = db.client().meta.events
    events.register_first("before-send.dynamodb.TransactWriteItems", throttle_first)
    try:
        team = ok(p, "POST", "/api/v1/teams", body={"name": "Patient"}, status=201)
    finally:
        events.unregister("before-send.dynamodb.TransactWriteItems", throttle_first)
        botocore_stubber.enabled = True
    assert len(attempts) == 2  # one throttled, one that went through
    assert ok(p, "GET", "/api/v1/teams/{team_id}", {"team_id": team["id"]})["name"] == "Patient"
    assert team_store.count("retried") == 1


class _Raw:
    """The raw stream botocore reads an HTTP response body from."""

    def __init__(self, data: bytes):
        self.data = data

    def stream(self, **kwargs):
        yield self.data


# ------------------------------------------------------------------ parallel writers
def _threads(n, fn):
    results = [None] * n
    errors = []
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_parallel_reports_on_one_key_lose_and_duplicate_nothing(aws, fresh_report_caches):
    p = admin_of("acme")
    team = ok(p, "POST", "/api/v1/teams", body={"name": "producer"})
    asset = ok(p, "POST", "/api/v1/assets", body={"fqn": "wh.hot", "owner_team_id": team["id"]})["id"]
    # 12 distinct checks, each sent twice at once with its own Idempotency-Key
    results = _threads(24, lambda i: call(
        p, "POST", "/report_asset_check/{asset_key+}", {"asset_key": "wh/hot"},
        headers={"Idempotency-Key": f"run-{i % 12}"},
        body={"check_name": "rows", "passed": i % 12 != 5}))
    assert all(s == 200 for s, _, _ in results), [r for r in results if r[0] != 200]
    events = ok(p, "GET", "/api/v1/events", query={"asset_key": '["wh", "hot"]', "limit": "100"})["results"]
    assert len(events) == 12, len(events)
    runs = ok(p, "GET", "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset}, query={"limit": "100"})
    assert runs["total_runs"] == 12 and len(runs["runs"]) == 12
    status = ok(p, "GET", "/api/v1/assets/{asset_id}/status", {"asset_id": asset})
    latest = max(e["timestamp"] for e in events)
    assert status["checks"]["rows"]["timestamp"] == latest  # the pointer reached the newest, whoever won the race
    # materializations without ids, all at once: every one is kept
    results = _threads(10, lambda i: call(p, "POST", "/report_asset_materialization/{asset_key+}",
                                          {"asset_key": "wh/hot"}, body={"metadata": {"n": i}}))
    assert all(s == 200 for s, _, _ in results)
    mats = ok(p, "GET", "/api/v1/events", query={"asset_key": '["wh", "hot"]', "type": "materialization",
                                                 "limit": "100"})["results"]
    assert sorted(e["metadata"]["n"] for e in mats) == list(range(10))


def test_publish_racing_acknowledgments_and_the_proposal_publish(aws):
    """Consumers acknowledge while the producer publishes a compatible version and then tries to
    publish the proposal: every acknowledgment is kept, one active contract, no duplicate version."""
    p = admin_of("race")
    producer = ok(p, "POST", "/api/v1/teams", body={"name": "producer"})["id"]
    consumers = [ok(p, "POST", "/api/v1/teams", body={"name": f"c{i}"})["id"] for i in range(6)]
    asset = ok(p, "POST", "/api/v1/assets", body={"fqn": "wh.race", "owner_team_id": producer})["id"]
    v1 = ok(p, "POST", Publish.resource, {"asset_id": asset}, body={"schema": BASE})["contract"]["id"]
    for c in consumers:
        ok(p, "POST", "/api/v1/registrations", body={"contract_id": v1, "consumer_team_id": c})
    proposal = ok(p, "POST", Publish.resource, {"asset_id": asset}, body={"schema": BREAKING})["proposal"]["id"]

    def work(i):
        if i < len(consumers):
            return call(p, "POST", Acknowledge.resource, {"proposal_id": proposal},
                        body={"consumer_team_id": consumers[i], "response": "approved"})
        if i == len(consumers):
            return call(p, "POST", Publish.resource, {"asset_id": asset}, body={"schema": COMPATIBLE})
        return call(p, "POST", "/api/v1/proposals/{proposal_id}/publish", {"proposal_id": proposal})
    results = _threads(len(consumers) + 2, work)
    assert [r[0] for r in results[:len(consumers)]] == [200] * len(consumers), results[:len(consumers)]
    assert results[len(consumers)][0] in (200, 201, 409), results[len(consumers)]
    assert results[-1][0] in (200, 201, 409), results[-1]
    st = ok(p, "GET", "/api/v1/proposals/{proposal_id}/status", {"proposal_id": proposal})
    assert {a["team_id"] for a in st["acknowledged_consumers"]} == set(consumers)
    contracts = ok(p, "GET", Publish.resource, {"asset_id": asset})
    versions = [c["version"] for c in contracts]
    assert [c["status"] for c in contracts].count("active") == 1 and len(versions) == len(set(versions)), contracts
    if results[-1][0] in (200, 201):  # the proposal won: published as the major version, once
        assert st["proposal"]["status"] in ("approved", "published") and contracts[0]["version"].startswith("2.")
    else:  # it raced the acknowledgments or the compatible publish: still publishable now
        code, data, _ = call(p, "POST", "/api/v1/proposals/{proposal_id}/publish", {"proposal_id": proposal})
        assert code in (200, 201) or data["error"]["code"] == "PROPOSAL_STALE", data
    for c in consumers:
        regs = ok(p, "GET", "/api/v1/contracts/{contract_id}/registrations", {"contract_id": v1})
        assert sum(1 for r in regs if r["consumer_team_id"] == c) == 1


# ------------------------------------------------------------------ the worker crashing mid-batch
def _batch():
    bodies = [{"type": "materialization", "asset_key": ["q", "orders"], "metadata": {"n": i}} for i in range(3)]
    bodies.insert(1, [{"type": "check", "asset_key": ["q", "orders"], "check_name": "c", "passed": True},
                      {"type": "observation", "asset_key": ["q", "other"]}])
    bodies.append({"type": "observation", "asset_key": ["q", "orders"], "event_id": "obs-7"})
    event = sqs_event(bodies)
    for i, rec in enumerate(event["Records"]):
        rec["attributes"]["SentTimestamp"] = str(1_700_000_000_000 + i)
    return event


def test_a_worker_crash_at_any_point_of_a_batch_is_redelivered_without_duplicates(aws, fresh_report_caches,
                                                                                monkeypatch):
    from accord.reports import record, sqs
    worker = app("worker")
    at = 0
    while True:
        from accord.identity.api_keys import bootstrap_principal
        tenant = ok(bootstrap_principal(), "POST", "/api/v1/tenants", body={"name": f"w{at}"}, status=201)["id"]
        p = admin_of(tenant)
        team = ok(p, "POST", "/api/v1/teams", body={"name": "t"})
        asset = ok(p, "POST", "/api/v1/assets", body={"fqn": "q.orders", "owner_team_id": team["id"]})["id"]
        event = _batch()
        for rec in event["Records"]:
            rec["messageAttributes"] = {"tenant": {"stringValue": tenant, "dataType": "String"}}
        monkeypatch.setattr(record, "_asset_cache", {})
        monkeypatch.setattr(record, "_written", {})
        with Faults("crash", at) as faults:
            try:
                worker.lambda_handler(event, None)
            except RuntimeError:
                pass  # the whole invocation died: SQS redelivers every message
        # redelivery of the whole batch (a crash returns nothing; failed items come back anyway),
        # in a fresh execution environment
        monkeypatch.setattr(record, "_asset_cache", {})
        monkeypatch.setattr(record, "_written", {})
        monkeypatch.setattr(sqs, "_tenants", {})
        assert worker.lambda_handler(event, None) == {"batchItemFailures": []}, (at, faults.calls)
        assert worker.lambda_handler(event, None) == {"batchItemFailures": []}  # and a late duplicate
        orders = ok(p, "GET", "/api/v1/events", query={"asset_key": '["q", "orders"]', "limit": "100"})["results"]
        other = ok(p, "GET", "/api/v1/events", query={"asset_key": '["q", "other"]'})["results"]
        kinds = sorted(e["type"] for e in orders)
        assert kinds == ["check", "materialization", "materialization", "materialization", "observation"], \
            (at, faults.calls, kinds)
        assert sorted(e["metadata"].get("n", -1) for e in orders if e["type"] == "materialization") == [0, 1, 2]
        assert len(other) == 1, (at, other)
        runs = ok(p, "GET", "/api/v1/assets/{asset_id}/audit-history", {"asset_id": asset})
        assert runs["total_runs"] == 1 and len(runs["runs"]) == 1, (at, runs)
        if not faults.fired:
            break
        at += 1
    assert at >= 2
