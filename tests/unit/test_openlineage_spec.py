"""OpenLineage events against the bundled spec (accord.ingest.openlineage.validate) and how Accord
reads them (parse): events made by the real openlineage-python client are valid; every broken one
is a 4xx naming the failing path, never anything else."""
import gzip
import json
import uuid

import pytest
from hypothesis import given, settings, strategies as st

from accord import errors
from accord.ingest.openlineage import parse, validate
from tests.support import openlineage as ol


def _kinds():
    yield "RunEvent", ol.as_dict(ol.run_event("COMPLETE", inputs=[{"name": "a.b", "extra": {
        "dataQualityAssertions": ol.assertions(("not_null", True, "id"))}}], outputs=[{"name": "c.d", "facets": {
            "schema": ol.schema(("id", "int")), "columnLineage": ol.column_lineage({"id": [("a.b", "id")]})},
            "extra": {"outputStatistics": ol.stats(3)}}], error="boom"))
    for state in ("START", "RUNNING", "FAIL", "ABORT", "OTHER"):
        yield "RunEvent", ol.as_dict(ol.run_event(state))
    yield "JobEvent", ol.as_dict(ol.job_event(inputs=["a.b"], outputs=["c.d"]))
    yield "DatasetEvent", ol.as_dict(ol.dataset_event("a.b"))


@pytest.mark.parametrize("kind,event", list(_kinds()))
def test_events_made_by_the_client_are_valid(kind, event):
    assert validate.validate(event) == kind
    ev = parse.parse(event, kind)
    assert ev.kind == kind and ev.event_time.endswith("Z")


def test_the_bundled_spec_is_the_openlineage_projects():
    core = json.loads((validate.SPEC / "OpenLineage.json").read_text())
    assert core["$id"] == validate.CORE_ID
    assert "Apache License" in (validate.SPEC / "LICENSE").read_text()
    assert "8f02abfb7a252783b95df79f443edb13959bf52c" in (validate.SPEC / "SOURCE.md").read_text()
    for _, file in validate.READ_FACETS.items():
        assert (validate.SPEC / "facets" / f"{file}.json").exists()


def _missing(event: dict, path: list) -> dict:
    event = json.loads(json.dumps(event))
    node = event
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return event


@pytest.mark.parametrize("path", [["eventTime"], ["producer"], ["schemaURL"], ["run", "runId"], ["job", "name"],
                                  ["job", "namespace"], ["inputs", 0, "name"], ["outputs", 0, "namespace"]])
def test_a_missing_required_field_is_named(path):
    event = ol.as_dict(ol.run_event("COMPLETE", inputs=["a.b"], outputs=["c.d"]))
    with pytest.raises(errors.Unprocessable) as exc:
        validate.validate(_missing(event, path))
    first = exc.value.detail[0]
    assert first["loc"] == ["body", *path[:-1]] and f'"{path[-1]}"' in first["msg"]


def test_a_run_id_must_be_a_uuid_and_the_event_type_one_of_the_spec():
    event = ol.as_dict(ol.run_event("COMPLETE"))
    event["run"]["runId"], event["eventType"] = "42", "DONE"
    with pytest.raises(errors.Unprocessable) as exc:
        validate.validate(event)
    locs = [d["loc"] for d in exc.value.detail]
    assert ["body", "run", "runId"] in locs and ["body", "eventType"] in locs


def test_facets_we_read_are_held_to_their_own_schema_and_others_only_to_the_core():
    event = ol.as_dict(ol.run_event("COMPLETE", outputs=["c.d"]))
    base = {"_producer": "https://x", "_schemaURL": "https://y"}
    event["outputs"][0]["facets"] = {"custom": {**base, "anything": [1, {"x": None}]}}
    assert validate.validate(event) == "RunEvent"
    event["outputs"][0]["facets"] = {"columnLineage": {**base, "fields": {"a": {"inputFields": [{"name": "x"}]}}}}
    with pytest.raises(errors.Unprocessable) as exc:
        validate.validate(event)
    assert exc.value.detail[0]["loc"][:6] == ["body", "outputs", 0, "facets", "columnLineage", "fields"]


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                        st.sampled_from(["eventTime", "run", "job", "runId", "name", "namespace", "producer",
                                         "schemaURL", "eventType", "inputs", "outputs", "facets", "dataset",
                                         "schema", "fields", "x"]), kids, max_size=5), max_leaves=20))
def test_anything_is_valid_or_a_4xx(value):
    try:
        kind = validate.validate(value)
        parse.parse(value, kind)
    except errors.AccordError as exc:
        assert 400 <= exc.status < 500


# ------------------------------------------------------------------ parse
@pytest.mark.parametrize("name,fqn", [
    ("db.schema.table", "db.schema.table"),
    ("/warehouse/orders/part-0.parquet", "warehouse.orders.part-0.parquet"),
    ("bucket//a/b/", "bucket.a.b"),
    ("a..b", None),
    ("bad\x01name", None),
    ("x" * 900, None),
])
def test_dataset_names_to_fqns(name, fqn):
    assert parse.dataset_fqn(name) == fqn


@pytest.mark.parametrize("producer,short", [
    ("https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt", "dbt"),
    ("https://github.com/apache/airflow/tree/providers-openlineage/1.9.0", "airflow"),
    ("https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/spark", "spark"),
    ("https://example.com/acme-loader/v2", "acme-loader"),
    ("https://example.com/", "openlineage"),
    ("", "openlineage"),
])
def test_producer_short_names(producer, short):
    assert parse.producer_name(producer) == short


def test_gzip_bodies_and_their_limits():
    event = json.dumps(ol.as_dict(ol.run_event("START"))).encode()
    assert parse.decode(gzip.compress(event), "gzip") == event.decode()
    assert parse.decode(gzip.compress(event), None) == event.decode()     # API Gateway kept the header off
    assert parse.decode(event, "gzip") == event.decode()                   # ... or decompressed already
    with pytest.raises(errors.BadRequest):
        parse.decode(b"\x1f\x8b\x08 broken", "gzip")
    with pytest.raises(errors.BadRequest):
        parse.decode(b"\x00\x01binary", "gzip")
    with pytest.raises(errors.PayloadTooLarge):
        parse.decode(gzip.compress(b" " * (parse.MAX_JSON_BYTES + 10)), "gzip")
    with pytest.raises(errors.UnsupportedMediaType):
        parse.decode(event, "br")


def test_the_same_event_has_the_same_identity():
    run = str(uuid.uuid4())
    a = ol.as_dict(ol.run_event("COMPLETE", run_id=run, at="2024-06-01T00:00:00+00:00"))
    b = ol.as_dict(ol.run_event("COMPLETE", run_id=run, at="2024-06-01T00:00:00Z", inputs=["other.table"]))
    c = ol.as_dict(ol.run_event("START", run_id=run, at="2024-06-01T00:00:00Z"))
    ids = [parse.parse(e, "RunEvent").ident for e in (a, b, c)]
    assert ids[0] == ids[1] != ids[2]


def test_shape_tells_lineage_from_reports():
    assert parse.looks_like_lineage(ol.as_dict(ol.run_event("START")))
    assert not parse.looks_like_lineage({"type": "materialization", "asset_key": ["a"], "eventTime": "x"})
    assert not parse.looks_like_lineage([ol.as_dict(ol.run_event("START"))])
