"""The deployed route table (template.yaml + each function's router) and a tenant holding one
object of every kind a route's path names — shared by the isolation, authorization and bad-input
matrices, so a route added to the template is exercised by all three or makes them fail.

A `World` is built over HTTP with real keys through the local runtime. `World.ids` fills every
path parameter a route can have; `PARAMS` is the list of names it knows: a route with another
path parameter fails the matrices until this module is taught how to make that object.
"""
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import requests

# ------------------------------------------------------------------ the route table
FAMILY_OF_API = {"RegistryApi": "registry", "ConfigurationApi": "configuration", "RootApi": "root", "UiApi": "ui"}
PARAM = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class RouteInfo:
    function: str
    method: str
    path: str          # the template's resource path, e.g. /api/v1/assets/{asset_id}
    api: str
    auth_none: bool    # Auth: NONE in the template: no authorizer
    scope: str | None  # the router's scope: None | read | write | admin
    has_body: bool     # the router binds a JSON body (pydantic model)
    body_required: bool

    @property
    def family(self) -> str:
        """registry | configuration | reports | platform | ui (whose envelope the route answers in;
        ui: the web UI's static files, answering errors like platform)."""
        fam = FAMILY_OF_API[self.api]
        if fam == "root":
            return "reports" if self.path.startswith("/report_asset") else "platform"
        return fam

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self):
        return f"{self.method} {self.path}"


@lru_cache(maxsize=1)
def routes() -> tuple[RouteInfo, ...]:
    """Every (METHOD, path) the template declares, with the scope its function's router enforces."""
    from tools.routes import load_router, template_routes
    out = []
    for function, (code_uri, declared) in sorted(template_routes().items()):
        router = load_router(code_uri) if declared else None
        for method, path, api, none in sorted(declared, key=lambda r: (r[1], r[0])):
            route = router.routes.get((method, path)) if router else None
            assert route is not None, f"{method} {path} is in the template but not in {code_uri}'s router"
            out.append(RouteInfo(function, method, path, api, none, route.scope, route.body is not None,
                                 route.body_required))
    return tuple(out)


def fill(path: str, ids: dict) -> str:
    """The template path with its parameters replaced (a greedy `{name+}` takes a/b/c as is)."""
    def one(m):
        name = m.group(1)
        if name not in ids:
            raise KeyError(f"no value for path parameter {{{name}}} of {path}: teach tests/e2e/routebook.py "
                           "how to create that object (World) and what an unknown one looks like (UNKNOWN)")
        return str(ids[name])
    return PARAM.sub(one, path)


# ------------------------------------------------------------------ envelopes
def envelope_ok(family: str, body) -> bool:
    """Is this error body in the family's envelope (DESIGN §7)?"""
    if not isinstance(body, dict):
        return False
    if family == "registry":
        return set(body) == {"detail", "error"} and isinstance(body["error"], dict) \
            and isinstance(body["error"].get("code"), str) and isinstance(body["error"].get("message"), str) \
            and bool(body["error"]["message"])
    if family == "configuration":
        return set(body) == {"message", "error"} and isinstance(body["error"], str) \
            and isinstance(body["message"], str) and bool(body["message"])
    return set(body) == {"error"} and isinstance(body["error"], str) and bool(body["error"])


def family_of_path(path: str) -> str:
    if path.startswith("/api/v1/"):
        return "registry"
    if path.startswith("/api/backend/"):
        return "configuration"
    return "reports"


def error_code(family: str, body) -> str | None:
    """The machine code of an error body (reports have none: their message is the code)."""
    if not isinstance(body, dict):
        return None
    if family == "registry":
        return (body.get("error") or {}).get("code")
    if family == "configuration":
        return body.get("error")
    return body.get("error")


def error_message(family: str, body) -> str | None:
    if not isinstance(body, dict):
        return None
    if family == "registry":
        return (body.get("error") or {}).get("message")
    if family == "configuration":
        return body.get("message")
    return body.get("error")


# ------------------------------------------------------------------ HTTP
class Http:
    """One keep-alive session against the runtime; `key` picks the principal per call."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()

    def __call__(self, method: str, path: str, key: str | None = None, *, header: str = "Authorization",
                 **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if key:
            headers[header] = f"Bearer {key}" if header == "Authorization" else key
        return self.session.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def ok(self, method: str, path: str, key: str, status=(200, 201), **kwargs) -> dict:
        r = self(method, path, key, **kwargs)
        assert r.status_code in ((status,) if isinstance(status, int) else status), \
            (method, path, r.status_code, r.text[:500])
        return r.json() if r.content else {}


def key_hex(secret: str) -> str:
    return secret.split("_")[1]


# ------------------------------------------------------------------ schemas used to make contracts
BASE = {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
        "required": ["id"]}
BREAKING = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}

# Path parameters the World can fill, and a syntactically valid id that names nothing.
PARAMS = ("team_id", "key_id", "asset_id", "contract_id", "registration_id", "proposal_id", "dependency_id",
          "tenant", "projectId", "connectionId", "assetId", "asset_key+", "path+", "namespace", "name", "job_id",
          "webhook_id", "delivery_id", "tenant_id")
HOOK_URL = "http://127.0.0.1:9/matrix"  # loopback (allowed by the local runtime); nothing listens: deliveries fail


def unknown_ids() -> dict:
    return {"team_id": str(uuid.uuid4()), "key_id": str(uuid.uuid4()), "asset_id": str(uuid.uuid4()),
            "contract_id": str(uuid.uuid4()), "registration_id": str(uuid.uuid4()),
            "proposal_id": str(uuid.uuid4()), "dependency_id": str(uuid.uuid4()),
            "tenant": f"no-such-{uuid.uuid4().hex[:8]}", "projectId": 987654321, "connectionId": 987654322,
            "assetId": 987654323, "asset_key+": f"never/reported/{uuid.uuid4().hex[:8]}",
            "namespace": f"no-such-ns-{uuid.uuid4().hex[:8]}", "name": f"no-such-job-{uuid.uuid4().hex[:8]}",
            "job_id": str(uuid.uuid4()),
            "path+": f"no-such-{uuid.uuid4().hex[:8]}.js",
            "webhook_id": str(uuid.uuid4()), "delivery_id": str(uuid.uuid4()),
            "tenant_id": f"no-such-{uuid.uuid4().hex[:8]}"}


def lineage_event(job_ns: str = "matrix", job: str = "job", state: str = "START") -> dict:
    """A minimal valid OpenLineage RunEvent (a new run each time)."""
    return {"eventType": state, "eventTime": datetime.now(timezone.utc).isoformat(),
            "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.23.0/client/python",
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
            "run": {"runId": str(uuid.uuid4())}, "job": {"namespace": job_ns, "name": job}}


def uniq(prefix: str = "x") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class World:
    """A fresh tenant with one object of every kind, made by its own keys over HTTP.

    Teams: `owner` (owns assets X, Z and the proposal's asset), `consumer` (registered on X),
    `downstream` (owns Y, which depends on X), `other` (owns nothing: the wrong team).
    Lineage: X depends on Z (the dependency `dependency_id` is X's), Y depends on X.
    X has contract v1 (`contract_id`), the consumer's registration, a pending breaking proposal,
    and one reported materialization. Configuration: project P (with a connection and an asset
    configuration on it), project P2 (a move target), a global connection G.
    """

    def __init__(self, http: Http, bootstrap_key: str, expiring_key_seconds: float | None = None):
        self.http = http
        self.bootstrap = bootstrap_key
        tenant = http.ok("POST", "/api/v1/tenants", bootstrap_key, json={"name": uniq("w-")})
        self.slug = tenant["id"]
        self.admin = tenant["admin_key"]["key"]
        self.admin_key_id = tenant["admin_key"]["id"]
        self.expires_at = None
        if expiring_key_seconds is not None:  # made first: it expires while the rest is built
            at = datetime.now(timezone.utc) + timedelta(seconds=expiring_key_seconds)
            self.expires_at = at
            self.expired = self.key(["read", "write", "admin"], expires_at=at.isoformat())
        a = self.admin
        self.teams = {n: http.ok("POST", "/api/v1/teams", a, json={"name": f"{n}-{uniq()}"})["id"]
                      for n in ("owner", "consumer", "downstream", "other")}
        self.rw = {n: self.key(["read", "write"], team_id=t) for n, t in self.teams.items()}
        self.reader = self.key(["read"], team_id=self.teams["owner"])
        self.revoked = self.key(["read", "write", "admin"])
        http.ok("DELETE", f"/api/v1/api-keys/{uuid.UUID(hex=key_hex(self.revoked))}", a, status=204)
        self.key_id = str(uuid.UUID(hex=key_hex(self.reader)))

        self.fqn = f"{self.slug.replace('-', '_')}.sales.orders"
        self.z = self.asset(f"{self.slug.replace('-', '_')}.raw.orders")
        self.x = self.asset(self.fqn)
        self.y = self.asset(f"{self.slug.replace('-', '_')}.mart.orders", team="downstream")
        self.dependency_id = self.depend(self.x, self.z)
        self.depend(self.y, self.x)
        self.contract_id = self.publish(self.x, BASE)["contract"]["id"]
        self.registration_id = self.register(self.contract_id)
        self.proposal_id = self.publish(self.x, BREAKING)["proposal"]["id"]
        http.ok("POST", "/report_asset_materialization/" + self.fqn.replace(".", "/"), a,
                json={"metadata": {"rows": 1}})
        self.job_ns, self.job_name = "matrix", uniq("job-")
        http.ok("POST", "/api/v1/lineage", a, status=201, json=lineage_event(self.job_ns, self.job_name))

        base = f"/api/backend/{self.slug}/configuration"
        self.base = base
        self.project = http.ok("POST", base + "/projects", a, json={"name": "P"})["id"]
        self.project2 = http.ok("POST", base + "/projects", a, json={"name": "P2"})["id"]
        self.connection = self.cfg_connection(self.project)
        self.global_connection = http.ok("POST", base + "/connections", a,
                                         json={"name": uniq("g-"), "type": "DELTALAKE"})["id"]
        self.cfg_asset = self.cfg_asset_in(self.project, self.connection)
        self.job_id = self.import_job()
        self.webhook_id = self.webhook()
        self.delivery_id = http.ok("POST", f"/api/v1/webhooks/{self.webhook_id}/test", a, status=202)["delivery_id"]
        if self.expires_at is not None:
            left = (self.expires_at - datetime.now(timezone.utc)).total_seconds()
            if left > -0.5:
                time.sleep(left + 0.5)  # expiry is compared to the clock: let it pass

    # -- makers (also used for fresh objects by destructive calls) ------------------------
    def key(self, scopes, **extra) -> str:
        return self.http.ok("POST", "/api/v1/api-keys", self.admin, json={"name": uniq("k-"), "scopes": scopes,
                                                                          **extra})["key"]

    def asset(self, fqn: str | None = None, team: str = "owner") -> str:
        body = {"fqn": fqn or f"{self.slug.replace('-', '_')}.{uniq('a')}", "owner_team_id": self.teams[team]}
        return self.http.ok("POST", "/api/v1/assets", self.admin, json=body)["id"]

    def depend(self, source: str, target: str) -> str:
        return self.http.ok("POST", f"/api/v1/assets/{source}/dependencies", self.admin,
                            json={"target_asset_id": target})["id"]

    def publish(self, asset_id: str, schema: dict) -> dict:
        return self.http.ok("POST", f"/api/v1/assets/{asset_id}/contracts", self.admin, json={"schema": schema})

    def register(self, contract_id: str, team: str = "consumer") -> str:
        return self.http.ok("POST", "/api/v1/registrations", self.admin,
                            json={"contract_id": contract_id, "consumer_team_id": self.teams[team]})["id"]

    def proposal(self, approved: bool = False, downstream: bool = False) -> dict:
        """A fresh pending (or approved) proposal on a fresh asset of the owner team."""
        asset = self.asset()
        if downstream:
            self.depend(self.asset(team="downstream"), asset)
        contract = self.publish(asset, BASE)["contract"]["id"]
        self.register(contract)
        proposal = self.publish(asset, BREAKING)["proposal"]["id"]
        if approved:
            self.http.ok("POST", f"/api/v1/proposals/{proposal}/acknowledge", self.admin,
                         json={"consumer_team_id": self.teams["consumer"], "response": "approved"})
        return {"asset_id": asset, "proposal_id": proposal}

    def dbt_manifest(self) -> dict:
        """A minimal dbt manifest: one model of the owner team (a name of this World's own)."""
        name = uniq("m")
        return {"metadata": {"dbt_version": "1.11.16"}, "nodes": {f"model.w.{name}": {
            "resource_type": "model", "name": name, "database": self.slug.replace("-", "_"), "schema": "dbt",
            "alias": name, "columns": {"id": {"name": "id", "data_type": "integer"}},
            "depends_on": {"nodes": []}, "config": {"meta": {}}}}, "sources": {}}

    def upload(self, document) -> str:
        up = self.http.ok("POST", "/api/v1/sync/uploads", self.admin, json={}, status=201)
        r = requests.put(up["url"], data=json.dumps(document).encode(), timeout=30)
        assert r.status_code == 200, r.text
        return up["upload_id"]

    def import_job(self) -> str:
        return self.http.ok("POST", "/api/v1/sync/dbt/jobs", self.admin, status=202, json={
            "upload_id": self.upload(self.dbt_manifest()), "owner_team_id": self.teams["owner"]})["job_id"]

    def webhook(self) -> str:
        """A webhook of the owner team (its deliveries fail: nothing listens at HOOK_URL)."""
        return self.http.ok("POST", "/api/v1/webhooks", self.admin,
                            json={"url": HOOK_URL, "team_id": self.teams["owner"]})["id"]

    def failed_delivery(self) -> dict:
        """A finished (failed) delivery, which POST .../retry accepts: a disabled webhook's test event."""
        hook = self.http.ok("POST", "/api/v1/webhooks", self.admin,
                            json={"url": HOOK_URL, "team_id": self.teams["owner"], "enabled": False})["id"]
        delivery = self.http.ok("POST", f"/api/v1/webhooks/{hook}/test", self.admin, status=202)["delivery_id"]
        deadline = time.time() + 30
        while time.time() < deadline:
            found = self.http.ok("GET", f"/api/v1/webhooks/{hook}/deliveries", self.admin)["results"]
            if found and found[0]["status"] == "failed":
                return {"webhook_id": hook, "delivery_id": delivery}
            time.sleep(0.2)
        raise AssertionError("the test delivery of a disabled webhook did not fail within 30 s")

    def cfg_connection(self, project) -> int:
        return self.http.ok("POST", f"{self.base}/projects/{project}/connections", self.admin,
                            json={"name": uniq("c-"), "type": "DELTALAKE"})["id"]

    def cfg_asset_in(self, project, connection) -> int:
        return self.http.ok("POST", f"{self.base}/projects/{project}/assets", self.admin, json={
            "name": "a", "type": "DELTALAKE", "connection_id": connection,
            "payload": {"catalog": "cat", "schema": "s", "table": uniq("t")}})["id"]

    # -- what fills the paths ----------------------------------------------------------------
    @property
    def ids(self) -> dict:
        return {"team_id": self.teams["owner"], "key_id": self.key_id, "asset_id": self.x,
                "contract_id": self.contract_id, "registration_id": self.registration_id,
                "proposal_id": self.proposal_id, "dependency_id": self.dependency_id, "tenant": self.slug,
                "projectId": self.project, "connectionId": self.connection, "assetId": self.cfg_asset,
                "asset_key+": self.fqn.replace(".", "/"), "path+": "index.html",  # a file of the web UI
                "namespace": self.job_ns, "name": self.job_name,
                "job_id": self.job_id, "webhook_id": self.webhook_id, "delivery_id": self.delivery_id,
                "tenant_id": self.slug}


# ------------------------------------------------------------------ how to call each route
CFG = "/api/backend/{tenant}/configuration"
PROJECT = CFG + "/projects/{projectId}"
PROPOSAL = "/api/v1/proposals/{proposal_id}"
REPORT_PATHS = ("/report_asset_materialization", "/report_asset_observation", "/report_asset_check")


def body_for(route: RouteInfo, w: World):
    """A minimal valid JSON body for the route (None: send none). Routes that bind a body must be
    listed: the matrices fail on one that is not (a `{}` would stop at validation and prove nothing)."""
    m, p = route.key
    bodies = {
        ("POST", "/api/v1/tenants"): lambda: {"name": uniq("m-")},
        ("PATCH", "/api/v1/tenants/{tenant_id}/settings"): lambda: {"retention_days": 90},
        ("POST", "/api/v1/api-keys"): lambda: {"name": uniq("k-"), "scopes": ["read"]},
        ("POST", "/api/v1/teams"): lambda: {"name": uniq("team-")},
        ("PATCH", "/api/v1/teams/{team_id}"): lambda: {"metadata": {"touched": True}},
        ("POST", "/api/v1/assets"): lambda: {"fqn": f"{w.slug.replace('-', '_')}.{uniq('new')}",
                                             "owner_team_id": w.teams["owner"]},
        ("PATCH", "/api/v1/assets/{asset_id}"): lambda: {"metadata": {"touched": True}},
        ("POST", "/api/v1/assets/{asset_id}/dependencies"): lambda: {"target_asset_id": w.z},
        ("POST", "/api/v1/assets/{asset_id}/audit-results"): lambda: {"status": "passed", "triggered_by": "matrix"},
        ("POST", "/api/v1/assets/{asset_id}/contracts"): lambda: {"schema": BASE},
        ("POST", "/api/v1/assets/{asset_id}/publish"): lambda: {"schema": BASE},
        ("POST", "/api/v1/assets/{asset_id}/impact"): lambda: {"proposed_schema": BREAKING},
        ("POST", "/api/v1/contracts/compare"): lambda: {"old_schema": BASE, "new_schema": BREAKING},
        ("POST", "/api/v1/registrations"): lambda: {"contract_id": w.contract_id,
                                                    "consumer_team_id": w.teams["consumer"]},
        ("PATCH", "/api/v1/registrations/{registration_id}"): lambda: {"status": "active"},
        ("POST", PROPOSAL + "/acknowledge"): lambda: {"consumer_team_id": w.teams["consumer"],
                                                      "response": "approved"},
        ("POST", PROPOSAL + "/withdraw"): lambda: {"reason": "matrix"},
        ("POST", PROPOSAL + "/force"): lambda: {"reason": "matrix"},
        ("POST", PROPOSAL + "/publish"): lambda: {"reason": "matrix"},
        ("POST", PROPOSAL + "/object"): lambda: {"reason": "matrix"},
        ("POST", CFG + "/projects"): lambda: {"name": uniq("p-")},
        ("PATCH", PROJECT): lambda: {"description": "matrix"},
        ("POST", PROJECT + "/connections"): lambda: {"name": uniq("c-"), "type": "S3"},
        ("PUT", PROJECT + "/connections/{connectionId}"): lambda: {"name": uniq("c-")},
        ("POST", CFG + "/connections"): lambda: {"name": uniq("g-"), "type": "S3"},
        ("POST", PROJECT + "/assets"): lambda: {"name": "a", "type": "DELTALAKE", "connection_id": w.connection,
                                                "payload": {"catalog": "c", "schema": "s", "table": uniq("t")}},
        ("PUT", PROJECT + "/assets/{assetId}"): lambda: {"description": "matrix"},
        ("POST", PROJECT + "/assets/move"): lambda: {"source_project_id": w.project,
                                                     "source_asset_ids": [w.cfg_asset]},
        ("POST", "/api/v1/webhooks"): lambda: {"url": HOOK_URL, "team_id": w.teams["owner"]},
        ("PATCH", "/api/v1/webhooks/{webhook_id}"): lambda: {"description": "matrix"},
        ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): lambda: {"grace_seconds": 0},
        ("POST", "/report_asset_events"): lambda: [{"type": "observation", "asset_key": ["matrix", uniq()]}],
        ("POST", "/report_asset_check"): lambda: {"asset_key": ["matrix", uniq()], "check_name": "c",
                                                  "passed": True},
        ("POST", "/report_asset_check/{asset_key+}"): lambda: {"check_name": "c", "passed": True},
        ("POST", "/report_asset_materialization"): lambda: {"asset_key": ["matrix", uniq()]},
        ("POST", "/report_asset_observation"): lambda: {"asset_key": ["matrix", uniq()]},
        ("POST", "/api/v1/lineage"): lambda: lineage_event(job=uniq("job-")),
        ("PUT", "/api/v1/lineage/settings"): lambda: {"namespaces": {}, "default_environment": "production"},
        ("POST", "/api/v1/sync/dbt/upload"): lambda: {"manifest": w.dbt_manifest(), "owner_team_id": w.teams["owner"],
                                                      "dry_run": True},
        ("POST", "/api/v1/sync/dbt/impact"): lambda: {"manifest": w.dbt_manifest()},
        ("POST", "/api/v1/sync/dbt/diff"): lambda: {"manifest": w.dbt_manifest()},
        ("POST", "/api/v1/sync/uploads"): lambda: {},
        ("POST", "/api/v1/sync/dbt/jobs"): lambda: {"upload_id": w.upload(w.dbt_manifest()),
                                                    "owner_team_id": w.teams["owner"]},
    }
    make = bodies.get((m, p))
    if make is None:
        assert not route.has_body, f"{route} binds a JSON body: add a minimal valid one to routebook.body_for"
        return None
    return make()


def query_for(route: RouteInfo, w: World) -> dict:
    """Query parameters a route needs to get past validation."""
    return {
        ("POST", PROPOSAL + "/object"): {"objector_team_id": w.teams["downstream"]},
        ("GET", "/api/v1/assets/{asset_id}/contracts/diff"): {"from_version": "1.0.0", "to_version": "1.0.0"},
        ("GET", "/api/v1/assets/search"): {"q": "orders"},
        ("GET", "/api/v1/events"): {"asset_key": json.dumps(w.fqn.split("."))},
    }.get(route.key, {})


def fresh_ids(route: RouteInfo, w: World) -> dict:
    """For routes that consume their object (deletes, proposal decisions, moves): new objects, so
    each principal of a matrix acts on one that is still there. {} = the World's shared ones."""
    m, p = route.key
    make = {
        ("DELETE", "/api/v1/api-keys/{key_id}"): lambda: {"key_id": str(uuid.UUID(hex=key_hex(w.key(["read"]))))},
        ("DELETE", "/api/v1/teams/{team_id}"): lambda: {"team_id": w.http.ok(
            "POST", "/api/v1/teams", w.admin, json={"name": uniq("gone-")})["id"]},
        ("DELETE", "/api/v1/assets/{asset_id}"): lambda: {"asset_id": w.asset()},
        ("DELETE", "/api/v1/assets/{asset_id}/dependencies/{dependency_id}"): lambda: (
            lambda a: {"asset_id": a, "dependency_id": w.depend(a, w.z)})(w.asset()),
        ("DELETE", "/api/v1/registrations/{registration_id}"): lambda: {"registration_id": w.register(
            w.publish(w.asset(), BASE)["contract"]["id"])},
        ("POST", PROPOSAL + "/acknowledge"): lambda: w.proposal(),
        ("POST", PROPOSAL + "/withdraw"): lambda: w.proposal(),
        ("POST", PROPOSAL + "/force"): lambda: w.proposal(),
        ("POST", PROPOSAL + "/publish"): lambda: w.proposal(approved=True),
        ("POST", PROPOSAL + "/object"): lambda: w.proposal(downstream=True),
        ("DELETE", "/api/v1/webhooks/{webhook_id}"): lambda: {"webhook_id": w.webhook()},
        ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): lambda: w.failed_delivery(),
        ("DELETE", PROJECT): lambda: {"projectId": w.http.ok("POST", w.base + "/projects", w.admin,
                                                             json={"name": uniq("gone-")})["id"]},
        ("DELETE", PROJECT + "/connections/{connectionId}"): lambda: {"connectionId": w.cfg_connection(w.project)},
        ("DELETE", PROJECT + "/assets/{assetId}"): lambda: {"assetId": w.cfg_asset_in(w.project, w.connection)},
        ("POST", PROJECT + "/assets/move"): lambda: {"projectId": w.project2,
                                                     "moved": w.cfg_asset_in(w.project, w.global_connection)},
    }.get((m, p))
    return make() if make else {}


def request_for(route: RouteInfo, w: World, fresh: bool = False) -> tuple[str, object, dict]:
    """(path, JSON body or None, query) to call the route on the World's objects."""
    ids = dict(w.ids)
    if route.key == ("POST", PROJECT + "/assets/move"):
        ids["projectId"] = w.project2  # the path names the target project
    body = body_for(route, w)
    if fresh:
        extra = fresh_ids(route, w)
        moved = extra.pop("moved", None)
        ids.update(extra)
        if moved is not None:
            body = {"source_project_id": w.project, "source_asset_ids": [moved]}
    return fill(route.path, ids), body, query_for(route, w)


_WORLDS: dict = {}


def shared_world(runtime) -> World:
    """One World per runtime for the whole e2e session (the matrices share it: building one
    costs some forty writes). Its `expired` key is expired by the time this returns."""
    if runtime.url not in _WORLDS:
        _WORLDS[runtime.url] = World(Http(runtime.url), runtime.admin_key, expiring_key_seconds=4)
    return _WORLDS[runtime.url]


def as_json(r: requests.Response):
    try:
        return r.json()
    except ValueError:
        return None


def normalised(text: str | None, values) -> str | None:
    """A message with the ids it quotes replaced, so two calls with different ids compare."""
    if text is None:
        return None
    for v in sorted({str(v) for v in values}, key=len, reverse=True):
        text = re.sub(r"(?<![\w-])" + re.escape(v) + r"(?![\w-])", "<id>", text)
    return text


def leaves(value) -> list:
    """The scalar leaves of a JSON-ish value, in a stable order (to pair two parallel requests)."""
    if isinstance(value, dict):
        return [x for k in sorted(value) for x in leaves(value[k])]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in leaves(v)]
    return [value]


def dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
