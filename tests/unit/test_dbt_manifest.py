"""ingest.dbt_manifest (pure): which nodes are assets, whose tests are whose, guarantees, owners'
hints, run results → one run per tested node — on the real dbt 1.11 artefacts and on edge cases
dbt writes."""
import copy

import pytest
from hypothesis import given, settings, strategies as st

from accord.ingest import dbt_manifest as dm
from tests.support import dbt, dbt_large


@pytest.fixture(scope="module")
def real():
    return dm.read(dbt.artefact("manifest"))


def by_fqn(manifest: dm.Manifest) -> dict:
    return {n.fqn: n for n in manifest.nodes}


def test_assets_are_models_seeds_snapshots_and_sources(real):
    kinds = sorted(n.resource_type for n in real.nodes)
    assert kinds == ["model"] * 5 + ["seed"] * 2 + ["snapshot", "source"]
    fqns = by_fqn(real)
    assert "shop.main.dim_customers" in fqns and "shop.main.customers" not in fqns  # the alias
    assert "shop.raw_data.payments_v2" in fqns                                       # the identifier


def test_tests_belong_to_the_tested_node(real):
    targets = {uid.split(".")[2]: target for uid, (target, _, _) in real.tests.items()}
    assert targets["relationships_orders_customer_id__customer_id__ref_customers_"] == "model.shop.orders"
    assert targets["assert_order_amount_at_least"] == "model.shop.orders"    # singular: its one depends_on
    assert targets["source_not_null_raw_payments_id"] == "source.shop.raw.payments"  # attached_node is null


def test_relationships_without_attached_node_go_to_the_model_that_is_not_its_to():
    m = dbt.artefact("manifest")
    rel = next(n for uid, n in m["nodes"].items() if uid.startswith("test.shop.relationships_"))
    rel["attached_node"] = None  # older dbt
    parsed = dm.read(m)
    assert parsed.tests[rel["unique_id"]][0] == "model.shop.orders"
    assert "relationships:customer_id" in by_fqn(parsed)["shop.main.orders"].guarantees["custom"]
    assert "custom" not in (by_fqn(parsed)["shop.main.dim_customers"].guarantees or {})


def test_guarantees_and_schema(real):
    nodes = by_fqn(real)
    orders = nodes["shop.main.orders"]
    assert orders.guarantees["uniqueness"] == ["order_id"]
    assert set(orders.guarantees["custom"]) == {"relationships:customer_id", "singular:assert_order_amount_at_least"}
    assert orders.schema["properties"]["status"]["enum"] == ["placed", "shipped", "completed", "returned"]
    assert set(orders.schema["required"]) == {"order_id", "customer_id"}  # a not_null constraint and a test
    assert orders.compatibility_mode == "backward" and orders.owner_team == "analytics"
    payments = nodes["shop.raw_data.payments_v2"]
    assert payments.guarantees["freshness"] == {"warn_after": {"count": 12, "period": "hour"},
                                                "error_after": {"count": 24, "period": "hour"},
                                                "measured_by": "loaded_at"}
    stg = nodes["shop.main.stg_payments"]
    assert stg.schema["properties"]["amount"] == {} and "amount" not in stg.schema["required"]  # `where`: no
    assert stg.guarantees is None
    assert nodes["shop.main.raw_customers"].schema is None  # no columns declared: no contract
    assert nodes["shop.main.orders"].upstream == ["model.shop.stg_orders", "model.shop.stg_payments"]
    assert nodes["shop.main.orders"].metadata["dbt_node_id"] == "model.shop.orders"
    assert nodes["shop.raw_data.payments_v2"].metadata["dbt_source_id"] == "source.shop.raw.payments"


@pytest.mark.parametrize("manifest, words", [
    ([], "must be a JSON object"),
    ({"nodes": "x"}, "'nodes' must be an object"),
    ({"sources": [1]}, "'sources' must be an object"),
    ({"nodes": {"model.a.b": []}}, "nodes['model.a.b'] must be an object"),
    ({"metadata": {}}, "neither 'nodes' nor 'sources'"),
])
def test_not_a_manifest_says_why(manifest, words):
    with pytest.raises(dm.ManifestError) as e:
        dm.read(manifest)
    assert words in str(e.value)


def test_two_nodes_on_one_relation_are_imported_once():
    m = dbt.artefact("manifest")
    twin = copy.deepcopy(m["nodes"]["model.shop.orders"])
    twin["unique_id"] = "model.shop.orders_v2"
    m["nodes"]["model.shop.orders_v2"] = twin
    parsed = dm.read(m)
    assert [n.unique_id for n in parsed.nodes if n.fqn == "shop.main.orders"] == ["model.shop.orders"]
    assert parsed.duplicates[0][0] == "model.shop.orders_v2"


def test_meta_owners_and_consumers():
    m = dbt.artefact("manifest")
    node = m["nodes"]["model.shop.stg_orders"]
    node["config"]["meta"] = {"owner": "alice@example.com",
                              "tessera": {"owner_team": "sales", "consumers": [{"team": "finance"}, "ops"]}}
    parsed = by_fqn(dm.read(m))["shop.main.stg_orders"]
    assert parsed.owner_team == "sales" and parsed.owner_hint == "alice@example.com"
    assert parsed.consumers == ["finance", "ops"]


def test_run_results_make_one_run_per_tested_node(real):
    runs, warnings = dm.tested_runs(dbt.artefact("run_results_failing"), real)
    by = {r.node: r for r in runs}
    assert by["model.shop.orders"].status == "failed" and len(by["model.shop.orders"].results) == 5
    failed = [r for r in by["model.shop.orders"].results if not r["passed"]]
    assert [r["guarantee_id"] for r in failed] == ["assert_order_amount_at_least"] and failed[0]["rows_failed"] == 2
    assert all(r.status == "passed" for n, r in by.items() if n != "model.shop.orders")
    assert not warnings


def test_run_results_statuses():
    manifest = dm.read(dbt.artefact("manifest"))
    rr = dbt.artefact("run_results")
    tests = [r for r in rr["results"] if r["unique_id"].startswith("test.shop.unique_orders")]
    tests[0]["status"] = "error"
    rr["results"].append({"unique_id": "test.shop.gone.123", "status": "fail"})
    rr["results"].append({**tests[0], "unique_id": "test.shop.not_null_orders_customer_id.c5f02694af",
                          "status": "skipped"})
    runs, warnings = dm.tested_runs(rr, manifest)
    orders = next(r for r in runs if r.node == "model.shop.orders")
    assert orders.status == "failed"  # an error fails the run too
    assert len(warnings) == 1 and "1 test result" in warnings[0]
    with pytest.raises(dm.ManifestError, match="invocation_id"):
        dm.tested_runs({"results": [], "metadata": {}}, manifest)


def test_a_generated_project_of_1000_models():
    manifest = dbt_large.manifest(models=1000, tests=2100, target_bytes=0, sources=20)
    parsed = dm.read(manifest)
    assert len(parsed.nodes) == 1020 and len(parsed.tests) == 2100
    assert sum(1 for n in parsed.nodes if n.schema) == 1020
    assert sum(1 for n in parsed.nodes if n.upstream) == 1000
    rel = [n for n in parsed.nodes if n.guarantees and any(k.startswith("relationships:")
                                                           for k in n.guarantees.get("custom", {}))]
    assert rel and all(n.resource_type == "model" for n in rel)


@settings(max_examples=40, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=12))
def test_any_json_is_read_or_refused_with_a_sentence(doc):
    try:
        dm.read({"nodes": {"model.a.b": {"resource_type": "model", "name": "b", "schema": "s", "columns": doc,
                                         "depends_on": doc, "meta": doc, "config": doc}}})
    except dm.ManifestError as exc:
        assert len(str(exc)) > 20


def test_digest_is_stable_and_order_free():
    assert dm.digest({"a": 1, "b": [1, 2]}) == dm.digest({"b": [1, 2], "a": 1})
    assert dm.digest({"a": 1}) != dm.digest({"a": 2})
