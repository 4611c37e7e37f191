"""Issue 6 end to end through the local runtime: the Telmai seed (001) replayed field by field,
one asset seen through both views, the role matrix, bad input per type, tenant isolation."""
import re
import uuid

import pytest

from tests.e2e.conftest import Api, new_key, new_tenant

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SEED_EMAIL = "john.doe@example.com"  # the seed's created_by is an email (obfuscated in the seed text)

SEED_CREATE = {
    "name": "MyDeltaLakeAsset", "description": "a test asset for Delta Lake", "type": "DELTALAKE",
    "options": {"id_attributes": ["order_id", "item_id"], "separator": ",", "sample_fraction": 10,
                "skip_investigator": "false", "delta_only": "false", "timestamp_attribute": "event_timestamp",
                "limit": 500, "filter": {"region": ["NA", "EU"]}, "segments": {"category": ["electronics", "clothing"]},
                "only_light_scan": "true", "resolve_wildcards_to_folders": "true"},
    "payload": {"catalog": "main_catalog", "schema": "sales_data", "table": "orders"},
    "connection_id": 4567,
}
SEED_CREATED = {
    "id": 1872, "project_id": 0, "name": "MyDeltaLakeAsset", "description": "a test asset for Delta Lake",
    "type": "DELTALAKE", "options": SEED_CREATE["options"], "payload": SEED_CREATE["payload"],
    "created_by": SEED_EMAIL, "created_at": "2025-06-26T14:30:00.000Z", "connection_id": 4567, "db_type": None,
}
SEED_UPDATE = {
    "name": "MyUpdatedDeltaLakeAsset", "description": "an updated test asset for Delta Lake", "type": "DELTALAKE",
    "options": {"sample_fraction": 20, "delta_only": "true"},
    "payload": {"catalog": "analytics_catalog", "schema": "marketing_data", "table": "campaigns"},
    "connection_id": 4568,
}
SEED_UPDATED = {
    **SEED_CREATED, "name": "MyUpdatedDeltaLakeAsset", "description": "an updated test asset for Delta Lake",
    "options": {**SEED_CREATE["options"], "sample_fraction": 20, "delta_only": "true"},
    "payload": SEED_UPDATE["payload"], "connection_id": 4568,
}
SEED_LISTED_EXTRA = ("attributes", "scheduled_upload", "parents", "children")
SEED_DELETED = {"message": "Asset deleted successfully"}
SEED_MOVED = {"message": "Assets moved successfully"}

PAYLOADS = {
    "GCP": {"path": "folder1/data.parquet", "file_type": "CSV"},
    "S3": {"path": "folder1/data.parquet", "file_type": "CSV"},
    "AZURE": {"path": "folder1/data.parquet", "file_type": "CSV"},
    "BIGQUERY": {"dataset": "test_dataset", "result_dataset": "test_dataset", "table": "table1",
                 "result_table": "out_table", "query": "select * from table1"},
    "SNOWFLAKE": {"database": "db1", "schema": "test_schema", "table": "table1", "query": "select * from table1"},
    "REDSHIFT": {"database": "db1", "schema": "test_schema", "table": "table1", "query": "select * from table1"},
    "DELTALAKE": {"catalog": "cat1", "schema": "test_schema", "table": "table1", "query": "select * from table1"},
    "GENERIC_JDBC": {"table": "table1", "query": "select * from table1"},
    "HIVE_ICEBERG": {"database": "db1", "table": "table1"},
}
REQUIRED = {"GCP": ["path", "file_type"], "S3": ["path", "file_type"], "AZURE": ["path", "file_type"],
            "BIGQUERY": ["dataset", "table"], "SNOWFLAKE": ["database", "schema", "table"],
            "REDSHIFT": ["database", "schema", "table"], "DELTALAKE": ["catalog", "schema", "table"],
            "GENERIC_JDBC": ["table"], "HIVE_ICEBERG": ["database", "table"]}


class Tenant:
    def __init__(self, runtime, admin):
        created = new_tenant(admin)
        self.slug, self.runtime = created["id"], runtime
        self.admin = Api(runtime.url, created["admin_key"]["key"], "X-TLM-Key")
        self.base = f"/api/backend/{self.slug}/configuration"

    def key(self, roles: dict, scopes=("read", "write"), email=None) -> Api:
        secret = new_key(self.admin, scopes=list(scopes), project_roles=roles, email=email or f"{uuid.uuid4().hex[:8]}@ex.com")
        return Api(self.runtime.url, secret, "X-TLM-Key")

    def call(self, api, method, path, **kwargs):
        return api(method, self.base + path, **kwargs)

    def project(self, name="P") -> int:
        r = self.call(self.admin, "POST", "/projects", json={"name": name})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def connection(self, project=0, type_="DELTALAKE", **extra) -> dict:
        path = "/connections" if project is None else f"/projects/{project}/connections"
        r = self.call(self.admin, "POST", path, json={"name": f"c-{uuid.uuid4().hex[:6]}", "type": type_, **extra})
        assert r.status_code == 201, r.text
        return r.json()

    def asset(self, conn, project=0, payload=None, api=None, **extra) -> dict:
        payload = payload or {"catalog": "cat", "schema": "s", "table": f"t_{uuid.uuid4().hex[:8]}"}
        r = self.call(api or self.admin, "POST", f"/projects/{project}/assets",
                      json={"name": "a", "type": conn["type"], "payload": payload, "connection_id": conn["id"], **extra})
        assert r.status_code == 201, r.text
        return r.json()


@pytest.fixture(scope="module")
def tenant(runtime, admin):
    return Tenant(runtime, admin)


def assert_seed_fields(got: dict, expected: dict, *, generated=("id", "created_at"), subst: dict):
    """Every field of a seed response, compared one by one; ids the server assigns are
    compared against what it assigned (`subst`), timestamps by format."""
    for field, value in expected.items():
        assert field in got, f"missing seed field {field!r}"
        if field == "created_at":
            assert ISO_MS.match(got[field]), got[field]
        elif field in subst:
            assert got[field] == subst[field], (field, got[field], subst[field])
        elif field in generated:
            assert isinstance(got[field], type(value)), (field, got[field])
        else:
            assert got[field] == value, (field, got[field], value)


# ------------------------------------------------------------------ the seed, replayed
def test_seed_asset_examples_replayed_field_by_field(tenant):
    editor = tenant.key({"0": "PROJECT_EDITOR"}, email=SEED_EMAIL)
    c1, c2 = tenant.connection(), tenant.connection()  # stand-ins for the seed's 4567 and 4568
    body = {**SEED_CREATE, "connection_id": c1["id"]}

    r = tenant.call(editor, "POST", "/projects/0/assets", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert_seed_fields(created, SEED_CREATED, subst={"connection_id": c1["id"]})
    number = created["id"]

    for path in ("/projects/0/assets?with_attributes=true&with_schedules=true&with_lineage=true",
                 "/assets?with_attributes=true&with_schedules=true&with_lineage=true"):
        r = tenant.call(editor, "GET", path)
        assert r.status_code == 200 and isinstance(r.json(), list), r.text
        listed = {a["id"]: a for a in r.json()}[number]
        assert_seed_fields(listed, SEED_CREATED, subst={"id": number, "connection_id": c1["id"]})
        assert listed["created_at"] == created["created_at"]
        assert listed["attributes"] == [] and listed["scheduled_upload"] is None
        assert listed["parents"] == [] and listed["children"] == []
    plain = {a["id"]: a for a in tenant.call(editor, "GET", "/projects/0/assets").json()}[number]
    assert not set(SEED_LISTED_EXTRA) & set(plain)  # the with_* fields only when asked for

    r = tenant.call(editor, "GET", f"/projects/0/assets/{number}")
    assert r.status_code == 200
    got = r.json()
    assert_seed_fields(got, SEED_CREATED, subst={"id": number, "connection_id": c1["id"]})
    assert set(SEED_LISTED_EXTRA) <= set(got)

    r = tenant.call(editor, "PUT", f"/projects/0/assets/{number}", json={**SEED_UPDATE, "connection_id": c2["id"]})
    assert r.status_code == 200, r.text
    updated = r.json()
    assert_seed_fields(updated, SEED_UPDATED, subst={"id": number, "connection_id": c2["id"]})
    assert updated["created_at"] == created["created_at"] and updated["created_by"] == SEED_EMAIL
    assert updated["options"] == SEED_UPDATED["options"]  # merged key by key, as the seed shows

    r = tenant.call(editor, "DELETE", f"/projects/0/assets/{number}")
    assert r.status_code == 200 and r.json() == SEED_DELETED
    r = tenant.call(editor, "GET", f"/projects/0/assets/{number}")
    assert r.status_code == 404 and r.json() == {"message": f"Asset {number} not found.", "error": "ASSET_NOT_FOUND"}


def test_seed_move_example_replayed(tenant):
    target = tenant.project("target")
    editor = tenant.key({"0": "PROJECT_EDITOR", str(target): "PROJECT_EDITOR"})
    source_conn, target_conn = tenant.connection(0), tenant.connection(target)
    a, b = tenant.asset(source_conn), tenant.asset(source_conn)
    body = {"source_project_id": 0, "source_asset_ids": [str(a["id"]), str(b["id"])],
            "target_connection_id": target_conn["id"]}
    r = tenant.call(editor, "POST", f"/projects/{target}/assets/move", json=body)
    assert r.status_code == 200 and r.json() == SEED_MOVED, r.text
    moved = tenant.call(editor, "GET", f"/projects/{target}/assets").json()
    assert sorted(x["id"] for x in moved) == sorted([a["id"], b["id"]])
    assert {x["project_id"] for x in moved} == {target} and {x["connection_id"] for x in moved} == {target_conn["id"]}
    for x in (a, b):
        assert tenant.call(editor, "GET", f"/projects/0/assets/{x['id']}").status_code == 404


@pytest.mark.parametrize("asset_type", sorted(PAYLOADS))
def test_seed_payload_format_of_every_type_is_accepted(tenant, asset_type):
    conn = tenant.connection(type_=asset_type)
    payload = {**PAYLOADS[asset_type]}
    unique = f"u{uuid.uuid4().hex[:8]}"
    if "table" in payload:
        payload["table"] = unique
    else:
        payload["path"] = f"{unique}/{payload['path']}"
    made = tenant.asset(conn, payload=payload)
    assert made["payload"] == payload and made["type"] == asset_type


def test_gcs_is_accepted_for_gcp(tenant):
    conn = tenant.connection(type_="GCS")
    assert conn["type"] == "GCP"
    made = tenant.call(tenant.admin, "POST", "/projects/0/assets", json={
        "name": "g", "type": "GCS", "payload": {"path": f"b/{uuid.uuid4().hex}.csv", "file_type": "CSV"},
        "connection_id": conn["id"]})
    assert made.status_code == 201 and made.json()["type"] == "GCP"


# ------------------------------------------------------------------ one asset, two views
def test_one_asset_two_views(tenant):
    conn = tenant.connection()
    upstream = tenant.asset(conn, payload={"catalog": "lake", "schema": "raw", "table": "orders"})
    downstream = tenant.asset(conn, payload={"catalog": "lake", "schema": "mart", "table": "revenue"})
    admin = tenant.admin

    # visible in the registry with the fqn its payload gives
    r = admin("GET", "/api/v1/assets", params={"fqn": "lake"})
    assert r.status_code == 200, r.text
    by_fqn = {a["fqn"]: a for a in r.json()["results"]}
    assert by_fqn["lake.raw.orders"]["id"] == upstream["registry_asset_id"]
    assert by_fqn["lake.mart.revenue"]["id"] == downstream["registry_asset_id"]

    # a contract published in the registry gives it attributes here
    schema = {"type": "object", "properties": {"order_id": {"type": "integer"}, "region": {"type": "string"}},
              "required": ["order_id"]}
    r = admin("POST", f"/api/v1/assets/{upstream['registry_asset_id']}/contracts", json={"schema": schema})
    assert r.status_code == 201, r.text
    got = tenant.call(admin, "GET", f"/projects/0/assets/{upstream['id']}").json()
    assert [(a["id"], a["name"], a["monitored"], a["status"]) for a in got["attributes"]] == [
        ("order_id", "order_id", True, "active"), ("region", "region", True, "active")]

    # a registry dependency shows as parents / children
    r = admin("POST", f"/api/v1/assets/{downstream['registry_asset_id']}/dependencies",
              json={"target_asset_id": upstream["registry_asset_id"], "dependency_type": "transforms"})
    assert r.status_code == 201, r.text
    listed = {a["id"]: a for a in tenant.call(
        admin, "GET", "/projects/0/assets?with_attributes=true&with_schedules=true&with_lineage=true").json()}
    assert listed[downstream["id"]]["parents"] == [str(upstream["id"])] and listed[downstream["id"]]["children"] == []
    assert listed[upstream["id"]]["children"] == [str(downstream["id"])] and listed[upstream["id"]]["parents"] == []
    assert [a["name"] for a in listed[upstream["id"]]["attributes"]] == ["order_id", "region"]

    # renaming through the payload renames the registry asset
    r = tenant.call(admin, "PUT", f"/projects/0/assets/{downstream['id']}",
                    json={"payload": {"catalog": "lake", "schema": "mart", "table": "revenue_daily"}})
    assert r.status_code == 200
    assert admin("GET", f"/api/v1/assets/{downstream['registry_asset_id']}").json()["fqn"] == "lake.mart.revenue_daily"

    # deleting the configuration keeps a registry asset that has a contract and lineage
    assert tenant.call(admin, "DELETE", f"/projects/0/assets/{upstream['id']}").json() == SEED_DELETED
    assert admin("GET", f"/api/v1/assets/{upstream['registry_asset_id']}").status_code == 200


def test_configuring_a_registered_asset_attaches_to_it(tenant):
    admin = tenant.admin
    team = admin("POST", "/api/v1/teams", json={"name": f"team-{uuid.uuid4().hex[:6]}"}).json()
    fqn = f"wh.sales.t{uuid.uuid4().hex[:6]}"
    reg = admin("POST", "/api/v1/assets", json={"fqn": fqn, "owner_team_id": team["id"]}).json()
    conn = tenant.connection(type_="SNOWFLAKE")
    db, schema, table = fqn.split(".")
    made = tenant.asset(conn, payload={"database": db, "schema": schema, "table": table})
    assert made["registry_asset_id"] == reg["id"] and made["fqn"] == fqn
    r = tenant.call(admin, "POST", "/projects/0/assets", json={
        "name": "again", "type": "SNOWFLAKE", "payload": {"database": db, "schema": schema, "table": table},
        "connection_id": conn["id"]})
    assert r.status_code == 409 and r.json()["error"] == "ASSET_ALREADY_CONFIGURED"


def test_scheduled_upload_is_validated_and_listed(tenant):
    conn = tenant.connection()
    made = tenant.asset(conn, scheduled_upload={"enabled": True, "schedule": "0 2 * * MON-FRI"})
    listed = {a["id"]: a for a in tenant.call(tenant.admin, "GET", "/assets?with_schedules=true").json()}
    assert listed[made["id"]]["scheduled_upload"] == {"enabled": True, "schedule": "0 2 * * MON-FRI", "timezone": "UTC"}
    r = tenant.call(tenant.admin, "PUT", f"/projects/0/assets/{made['id']}",
                    json={"scheduled_upload": {"schedule": "0 25 * * *"}})
    assert r.status_code == 400 and r.json()["error"] == "VALIDATION_ERROR"
    assert "scheduled_upload.schedule" in r.json()["message"] and "hour" in r.json()["message"]
    r = tenant.call(tenant.admin, "PUT", f"/projects/0/assets/{made['id']}", json={"scheduled_upload": None})
    assert r.status_code == 200
    assert tenant.call(tenant.admin, "GET", f"/projects/0/assets/{made['id']}").json()["scheduled_upload"] is None


# ------------------------------------------------------------------ role matrix
ROLES = ("admin_scope", "TENANT_ADMIN", "PROJECT_EDITOR", "PROJECT_OPERATOR", "PROJECT_VIEWER", "none")
Y = {"admin_scope", "TENANT_ADMIN"}
EDIT = Y | {"PROJECT_EDITOR"}
OPERATE = EDIT | {"PROJECT_OPERATOR"}
READ = OPERATE | {"PROJECT_VIEWER"}
# operation → (roles allowed, success status)
MATRIX = {
    "list projects": (set(ROLES), 200), "get project": (READ, 200), "create project": (Y, 201),
    "rename project": (EDIT, 200), "delete project": (Y, 204),
    "create connection": (EDIT, 201), "list connections": (READ, 200), "get connection": (READ, 200),
    "update connection": (EDIT, 200), "delete connection": (EDIT, 204),
    "create global connection": (Y, 201), "list global connections": (READ, 200),
    "create asset": (EDIT, 201), "list assets": (READ, 200), "list all assets": (set(ROLES), 200),
    "get asset": (READ, 200), "update asset": (EDIT, 200), "update schedule": (OPERATE, 200),
    "delete asset": (EDIT, 200), "move assets": (EDIT, 200),
}


def _matrix_key(tenant, role, other):
    if role == "admin_scope":
        return tenant.key({}, scopes=("read", "write", "admin"))
    if role == "TENANT_ADMIN":
        return tenant.key({"0": "TENANT_ADMIN"})
    if role == "none":
        return tenant.key({})
    return tenant.key({"0": role, str(other): role})


def _operation(tenant, api, op, other, shared):
    """Run one operation; fixtures come from the tenant admin (`shared` ones for operations that
    leave them usable, fresh ones for deletes and moves)."""
    t = tenant
    conn, made = shared["conn"], shared["asset"]
    if op == "delete connection":
        conn = t.connection(0)
    if op in ("delete asset", "move assets"):
        made = t.asset(shared["global"])
    calls = {
        "list projects": lambda: t.call(api, "GET", "/projects"),
        "get project": lambda: t.call(api, "GET", "/projects/0"),
        "create project": lambda: t.call(api, "POST", "/projects", json={"name": "x"}),
        "rename project": lambda: t.call(api, "PATCH", "/projects/0", json={"name": "Default"}),
        "delete project": lambda: t.call(api, "DELETE", f"/projects/{t.project('doomed')}"),
        "create connection": lambda: t.call(api, "POST", "/projects/0/connections", json={"name": "c", "type": "S3"}),
        "list connections": lambda: t.call(api, "GET", "/projects/0/connections"),
        "get connection": lambda: t.call(api, "GET", f"/projects/0/connections/{conn['id']}"),
        "update connection": lambda: t.call(api, "PUT", f"/projects/0/connections/{conn['id']}", json={"name": "n"}),
        "delete connection": lambda: t.call(api, "DELETE", f"/projects/0/connections/{conn['id']}"),
        "create global connection": lambda: t.call(api, "POST", "/connections", json={"name": "g", "type": "S3"}),
        "list global connections": lambda: t.call(api, "GET", "/connections"),
        "create asset": lambda: t.call(api, "POST", "/projects/0/assets", json={
            "name": "a", "type": "DELTALAKE", "connection_id": conn["id"],
            "payload": {"catalog": "c", "schema": "s", "table": uuid.uuid4().hex}}),
        "list assets": lambda: t.call(api, "GET", "/projects/0/assets?with_lineage=true&limit=5"),
        "list all assets": lambda: t.call(api, "GET", "/assets?limit=5"),
        "get asset": lambda: t.call(api, "GET", f"/projects/0/assets/{made['id']}"),
        "update asset": lambda: t.call(api, "PUT", f"/projects/0/assets/{made['id']}", json={"name": "renamed"}),
        "update schedule": lambda: t.call(api, "PUT", f"/projects/0/assets/{made['id']}",
                                          json={"scheduled_upload": {"enabled": False, "schedule": "@daily"}}),
        "delete asset": lambda: t.call(api, "DELETE", f"/projects/0/assets/{made['id']}"),
        "move assets": lambda: t.call(api, "POST", f"/projects/{other}/assets/move",
                                      json={"source_project_id": 0, "source_asset_ids": [made["id"]]}),
    }
    return calls[op]()


@pytest.fixture(scope="module")
def matrix_fixtures(tenant):
    g = tenant.connection(None)
    return {"other": tenant.project("other"), "conn": tenant.connection(0), "global": g, "asset": tenant.asset(g)}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(tenant, matrix_fixtures, role):
    other = matrix_fixtures["other"]
    api = _matrix_key(tenant, role, other)
    failures = []
    for op, (allowed, status) in MATRIX.items():
        r = _operation(tenant, api, op, other, matrix_fixtures)
        want = status if role in allowed else 403
        if r.status_code != want:
            failures.append((op, r.status_code, want, r.text[:200]))
        elif want == 403:
            body = r.json()
            assert set(body) == {"message", "error"} and body["error"] == "FORBIDDEN", body
    assert not failures, failures


def test_role_limits_what_lists_show(tenant):
    other = tenant.project("mine")
    conn = tenant.connection(None)
    visible, hidden = tenant.asset(conn, project=other), tenant.asset(conn)
    viewer = tenant.key({str(other): "PROJECT_VIEWER"})
    ids = {a["id"] for a in tenant.call(viewer, "GET", "/assets").json()}
    assert visible["id"] in ids and hidden["id"] not in ids
    assert [p["id"] for p in tenant.call(viewer, "GET", "/projects").json()] == [other]
    assert tenant.call(tenant.key({}), "GET", "/assets").json() == []


def test_move_needs_editor_in_both_projects(tenant):
    target = tenant.project("t")
    g = tenant.connection(None)
    made = tenant.asset(g)
    body = {"source_project_id": 0, "source_asset_ids": [made["id"]]}
    only_source = tenant.key({"0": "PROJECT_EDITOR", str(target): "PROJECT_VIEWER"})
    r = tenant.call(only_source, "POST", f"/projects/{target}/assets/move", json=body)
    assert r.status_code == 403 and f"project {target}" in r.json()["message"] and "PROJECT_VIEWER" in r.json()["message"]
    only_target = tenant.key({str(target): "PROJECT_EDITOR", "0": "PROJECT_OPERATOR"})
    r = tenant.call(only_target, "POST", f"/projects/{target}/assets/move", json=body)
    assert r.status_code == 403 and "project 0" in r.json()["message"]
    assert tenant.call(tenant.admin, "GET", f"/projects/0/assets/{made['id']}").status_code == 200
    both = tenant.key({str(target): "PROJECT_EDITOR", "0": "PROJECT_EDITOR"})
    r = tenant.call(both, "POST", f"/projects/{target}/assets/move", json=body)
    assert r.status_code == 200 and r.json() == SEED_MOVED


def test_scopes_still_apply_on_top_of_roles(tenant):
    read_only_editor = tenant.key({"0": "PROJECT_EDITOR"}, scopes=("read",))
    assert tenant.call(read_only_editor, "GET", "/projects/0/assets").status_code == 200
    r = tenant.call(read_only_editor, "POST", "/projects", json={"name": "x"})
    assert r.status_code == 403 and "write" in r.json()["message"]


# ------------------------------------------------------------------ bad input
@pytest.fixture(scope="module")
def typed_connections(tenant):
    return {t: tenant.connection(type_=t) for t in PAYLOADS}


def _create(tenant, typed_connections, asset_type, payload, **extra):
    return tenant.call(tenant.admin, "POST", "/projects/0/assets", json={
        "name": "bad", "type": asset_type, "payload": payload, "connection_id": typed_connections[asset_type]["id"],
        **extra})


def _assert_invalid(r, *fragments):
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"message", "error"} and body["error"] == "VALIDATION_ERROR", body
    for fragment in fragments:
        assert fragment in body["message"], (fragment, body["message"])


@pytest.mark.parametrize("asset_type", sorted(PAYLOADS))
def test_every_type_rejects_missing_unknown_and_mistyped(tenant, typed_connections, asset_type):
    full = PAYLOADS[asset_type]
    for key in REQUIRED[asset_type]:
        missing = {k: v for k, v in full.items() if k != key}
        _assert_invalid(_create(tenant, typed_connections, asset_type, missing), f"payload.{key}", "Field required")
    _assert_invalid(_create(tenant, typed_connections, asset_type, {**full, "warehouse": "x"}),
                    "payload.warehouse", "Extra inputs are not permitted")
    _assert_invalid(_create(tenant, typed_connections, asset_type, {**full, REQUIRED[asset_type][0]: 42}),
                    f"payload.{REQUIRED[asset_type][0]}")
    for options, field in [({"delta_only": True}, "options.delta_only"), ({"sample_fraction": "10"}, "options.sample_fraction"),
                           ({"limit": "500"}, "options.limit"), ({"filter": {"region": "NA"}}, "options.filter.region"),
                           ({"colour": "red"}, "options.colour")]:
        _assert_invalid(_create(tenant, typed_connections, asset_type, full, options=options), field)
    # the same on update: payload re-validated against the type, options merged then validated
    made = tenant.asset(typed_connections[asset_type], payload=_unique(full))
    path = f"/projects/0/assets/{made['id']}"
    _assert_invalid(tenant.call(tenant.admin, "PUT", path, json={"payload": {**full, "warehouse": "x"}}),
                    "payload.warehouse")
    _assert_invalid(tenant.call(tenant.admin, "PUT", path, json={"options": {"skip_investigator": False}}),
                    "options.skip_investigator")
    assert tenant.call(tenant.admin, "GET", path).json()["payload"] == made["payload"]


def _unique(payload: dict) -> dict:
    out = dict(payload)
    if "table" in out:
        out["table"] = "t" + uuid.uuid4().hex[:10]
    else:
        out["path"] = f"{uuid.uuid4().hex[:10]}/{out['path']}"
    return out


def test_connection_of_another_type_is_refused(tenant, typed_connections):
    r = _create(tenant, typed_connections, "SNOWFLAKE", PAYLOADS["SNOWFLAKE"],
                connection_id=typed_connections["REDSHIFT"]["id"])
    assert r.status_code == 400 and r.json()["error"] == "CONNECTION_TYPE_MISMATCH"
    # move with a target connection of another type: 400, nothing moves
    target = tenant.project("typed")
    s3_target = tenant.connection(target, type_="S3")
    made = tenant.asset(typed_connections["SNOWFLAKE"], payload=_unique(PAYLOADS["SNOWFLAKE"]))
    r = tenant.call(tenant.admin, "POST", f"/projects/{target}/assets/move",
                    json={"source_project_id": 0, "source_asset_ids": [made["id"]],
                          "target_connection_id": s3_target["id"]})
    assert r.status_code == 400 and r.json()["error"] == "CONNECTION_TYPE_MISMATCH" and str(made["id"]) in r.json()["message"]
    assert tenant.call(tenant.admin, "GET", f"/projects/0/assets/{made['id']}").status_code == 200
    # a connection of another project is not found from here
    r = tenant.call(tenant.admin, "POST", "/projects/0/assets", json={
        "name": "x", "type": "S3", "payload": {"path": "a/b", "file_type": "CSV"}, "connection_id": s3_target["id"]})
    assert r.status_code == 404 and r.json()["error"] == "CONNECTION_NOT_FOUND"


def test_move_reports_unknown_ids_and_project_connections(tenant):
    target = tenant.project("dest")
    local = tenant.connection(0)
    made = tenant.asset(local)
    r = tenant.call(tenant.admin, "POST", f"/projects/{target}/assets/move",
                    json={"source_project_id": 0, "source_asset_ids": ["T9sACQAATBg", made["id"]]})
    assert r.status_code == 404 and "T9sACQAATBg" in r.json()["message"]
    r = tenant.call(tenant.admin, "POST", f"/projects/{target}/assets/move",
                    json={"source_project_id": 0, "source_asset_ids": [made["id"]]})
    assert r.status_code == 409 and r.json()["error"] == "CONNECTION_NOT_IN_TARGET"
    assert "target_connection_id" in r.json()["message"]


@pytest.mark.parametrize("kwargs", [
    {"data": "{oops", "headers": {"Content-Type": "application/json"}},
    {"json": {"name": "x", "type": "ORACLE", "payload": {}, "connection_id": 1}},
    {"json": {"name": "x", "type": "S3", "payload": {"path": "a", "file_type": "CSV"}}},
    {"json": {"name": "x", "type": "S3", "payload": {"path": "a", "file_type": "CSV"}, "connection_id": 1,
              "owner": "me"}},
    {"json": []},
])
def test_malformed_bodies_are_400_in_the_envelope(tenant, kwargs):
    r = tenant.call(tenant.admin, "POST", "/projects/0/assets", **kwargs)
    assert r.status_code == 400 and set(r.json()) == {"message", "error"}, r.text


# ------------------------------------------------------------------ tenants
def test_foreign_tenant_is_exactly_like_an_unknown_tenant(tenant, runtime, admin):
    conn = tenant.connection()
    made = tenant.asset(conn)
    stranger = Api(runtime.url, new_tenant(admin)["admin_key"]["key"], "X-TLM-Key")
    for path in (f"/projects/0/assets/{made['id']}", "/projects/0/assets", "/assets", "/projects",
                 f"/projects/0/connections/{conn['id']}", "/connections"):
        theirs = stranger("GET", f"{tenant.base}{path}")
        unknown = stranger("GET", f"/api/backend/no-such-{uuid.uuid4().hex[:6]}/configuration{path}")
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["error"] == unknown.json()["error"] == "TENANT_NOT_FOUND"
        assert set(theirs.json()) == {"message", "error"}
    r = stranger("DELETE", f"{tenant.base}/projects/0/assets/{made['id']}")
    assert r.status_code == 404
    assert admin("GET", f"{tenant.base}/projects/0/assets/{made['id']}").status_code == 404  # bootstrap: tenant default
    assert tenant.call(tenant.admin, "GET", f"/projects/0/assets/{made['id']}").status_code == 200


def test_no_key_is_401_in_the_configuration_envelope(anon, tenant):
    r = anon("GET", f"{tenant.base}/projects")
    assert r.status_code == 401 and r.json()["error"] == "UNAUTHORIZED" and set(r.json()) == {"message", "error"}


def test_tessera_sdk_lists_assets_the_configuration_view_created(tenant):
    """Registry clients parse every asset on a page: one the configuration view made must have an owner
    team (the tenant's "unassigned" team for a key without one)."""
    from tessera_sdk import TesseraClient
    made = tenant.asset(tenant.connection())
    secret = tenant.admin.headers["X-TLM-Key"]
    with TesseraClient(base_url=tenant.runtime.url, headers={"Authorization": f"Bearer {secret}"}) as client:
        listed = {str(a.id): a for a in client.assets.list(limit=100)}
        got = listed[made["registry_asset_id"]]
        assert client.teams.get(got.owner_team_id).name == "unassigned"
        assert str(client.assets.get(made["registry_asset_id"]).owner_team_id) == str(got.owner_team_id)
