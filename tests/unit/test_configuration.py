"""Configuration family: pure rules (fqn per type, payload/option models, cron, roles)."""
import pytest
from accord import errors
from accord.auth.principal import Principal
from accord.configuration import access, fqn
from accord.configuration.models import (
    PAYLOADS,
    TYPES,
    AssetCreate,
    AssetMove,
    Options,
    ScheduledUpload,
    canonical_type,
    check_cron,
)
from pydantic import ValidationError


@pytest.mark.parametrize("asset_type,payload,expected", [
    ("DELTALAKE", {"catalog": "main_catalog", "schema": "sales_data", "table": "orders"},
     "main_catalog.sales_data.orders"),
    ("SNOWFLAKE", {"database": "db1", "schema": "test_schema", "table": "table1", "query": "select 1"},
     "db1.test_schema.table1"),
    ("REDSHIFT", {"database": "db1", "schema": "s", "table": "t"}, "db1.s.t"),
    ("BIGQUERY", {"dataset": "test_dataset", "table": "table1", "result_table": "out"}, "test_dataset.table1"),
    ("HIVE_ICEBERG", {"database": "db1", "table": "table1"}, "db1.table1"),
    ("GENERIC_JDBC", {"table": "public.orders"}, "public.orders"),
    ("S3", {"path": "folder1/data.parquet", "file_type": "CSV"}, "s3.folder1.data.parquet"),
    ("GCP", {"path": "/bucket//folder1/x.csv/", "file_type": "CSV"}, "gcp.bucket.folder1.x.csv"),
    ("AZURE", {"path": "container/a", "file_type": "PARQUET"}, "azure.container.a"),
])
def test_fqn_rule_per_type(asset_type, payload, expected):
    assert fqn.derive(asset_type, payload) == expected


def test_fqn_rule_covers_every_type_and_rejects_unusable_names():
    assert set(fqn._PARTS) | set(fqn.FILE_TYPES) == set(TYPES)
    with pytest.raises(ValueError, match="payload"):
        fqn.derive("S3", {"path": "///", "file_type": "CSV"})
    with pytest.raises(ValueError, match="payload"):
        fqn.derive("GENERIC_JDBC", {"table": "a..b"})
    with pytest.raises(ValueError, match="800 bytes"):
        fqn.derive("GENERIC_JDBC", {"table": "x" * 900})


def test_types_and_alias():
    assert canonical_type("GCS") == "GCP" and canonical_type("deltalake") == "DELTALAKE"
    with pytest.raises(ValueError, match="must be one of"):
        canonical_type("ORACLE")


def _errors(model, data):
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return {(".".join(map(str, e["loc"])), e["type"]) for e in exc.value.errors()}


@pytest.mark.parametrize("asset_type", TYPES)
def test_each_payload_model_requires_its_keys_and_forbids_others(asset_type):
    model = PAYLOADS[asset_type]
    required = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
    full = {name: "x" for name in required}
    assert model.model_validate(full).model_dump(by_alias=True, exclude_unset=True) == full
    for name in required:
        assert (name, "missing") in _errors(model, {k: v for k, v in full.items() if k != name})
    assert ("bogus", "extra_forbidden") in _errors(model, {**full, "bogus": 1})
    assert (required[0], "string_type") in _errors(model, {**full, required[0]: 5})


def test_options_keep_the_seed_types():
    seed = {"id_attributes": ["order_id", "item_id"], "separator": ",", "sample_fraction": 10,
            "skip_investigator": "false", "delta_only": "false", "timestamp_attribute": "event_timestamp",
            "limit": 500, "filter": {"region": ["NA", "EU"]}, "segments": {"category": ["electronics", "clothing"]},
            "only_light_scan": "true", "resolve_wildcards_to_folders": "true"}
    assert Options.model_validate(seed).model_dump(exclude_none=True) == seed
    assert Options.model_validate({"separator": "\t"}).separator == "\t"  # whitespace kept
    for bad, where in [({"delta_only": True}, "delta_only"), ({"skip_investigator": "yes"}, "skip_investigator"),
                       ({"sample_fraction": "10"}, "sample_fraction"), ({"sample_fraction": 101}, "sample_fraction"),
                       ({"limit": 1.5}, "limit"), ({"limit": True}, "limit"),
                       ({"filter": {"region": "NA"}}, "filter.region"), ({"segments": ["a"]}, "segments"),
                       ({"colour": "red"}, "colour")]:
        assert where in {loc for loc, _ in _errors(Options, bad)}, bad


@pytest.mark.parametrize("expr", ["*/5 * * * *", "0 2 * * MON-FRI", "15 3 1,15 JAN-JUN ?", "@daily", "0 0 1 */2 7"])
def test_cron_accepts(expr):
    assert check_cron(expr)


@pytest.mark.parametrize("expr,fragment", [("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"),
                                           ("* * * 13 *", "month"), ("* * * * 8", "day of week"),
                                           ("* * *", "5-field"), ("*/0 * * * *", "step"), ("? * * * *", "only"),
                                           ("5-1 * * * *", "reversed"), ("a b c d e", "minute"), ("@often", "5-field")])
def test_cron_rejects(expr, fragment):
    with pytest.raises(ValueError, match=fragment):
        check_cron(expr)


def test_scheduled_upload_model():
    s = ScheduledUpload.model_validate({"schedule": "0 * * * *"})
    assert s.model_dump() == {"enabled": True, "schedule": "0 * * * *", "timezone": "UTC"}
    assert ("timezone", "value_error") in _errors(ScheduledUpload, {"schedule": "@daily", "timezone": "Mars/Base"})
    assert ("every", "extra_forbidden") in _errors(ScheduledUpload, {"schedule": "@daily", "every": 5})


def test_asset_and_move_bodies():
    body = {"name": "a", "type": "GCS", "payload": {}, "connection_id": 1}
    assert AssetCreate.model_validate(body).type == "GCP"
    assert ("connection_id", "int_type") in _errors(AssetCreate, {**body, "connection_id": "x"})
    assert ("owner", "extra_forbidden") in _errors(AssetCreate, {**body, "owner": "me"})
    move = AssetMove.model_validate({"source_project_id": 0, "source_asset_ids": ["12", 13]})
    assert move.source_asset_ids == ["12", 13]
    assert ("source_asset_ids", "too_short") in _errors(AssetMove, {"source_project_id": 0, "source_asset_ids": []})


def _key(roles=None, scopes=("read", "write")):
    return Principal(tenant="acme", key_id="k", scopes=frozenset(scopes), project_roles=roles or {})


@pytest.mark.parametrize("role,read,operate,write", [
    ("PROJECT_VIEWER", True, False, False), ("PROJECT_OPERATOR", True, True, False),
    ("PROJECT_EDITOR", True, True, True), (None, False, False, False)])
def test_project_role_levels(role, read, operate, write):
    key = _key({"3": role} if role else {})
    assert [access.can(key, 3, lvl) for lvl in (access.READ, access.OPERATE, access.WRITE)] == [read, operate, write]
    assert not access.can(key, 4, access.READ)


def test_tenant_admins_and_messages():
    for admin in (_key(scopes=("admin",)), _key({"9": "TENANT_ADMIN"})):
        assert access.is_tenant_admin(admin) and access.can(admin, 12345, access.WRITE)
        assert access.readable_projects(admin) is None
    viewer = _key({"3": "PROJECT_VIEWER", "0": "PROJECT_EDITOR"})
    assert access.readable_projects(viewer) == [0, 3]
    with pytest.raises(errors.Forbidden, match="project 3.*PROJECT_VIEWER"):
        access.require(viewer, 3, access.WRITE)
    with pytest.raises(errors.NotFound) as exc:
        access.check_tenant(viewer, "globex")
    assert exc.value.code == "TENANT_NOT_FOUND"
