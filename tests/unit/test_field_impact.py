"""Field-level impact (accord.registry.columns.derive, pure) and the column-lineage documents that
feed it (accord.ingest.openlineage.columns)."""
import random

from hypothesis import given, settings, strategies as st

from accord.ingest.openlineage import columns as ol_columns
from accord.ingest.openlineage.parse import Dataset, LineageEvent
from accord.registry.columns import derive, team_status


def down(b, columns, dataset=()):
    return {"asset_id": b, "fqn": b, "columns": {a: [[c, "DIRECT"] for c in cs] for a, cs in columns.items()},
            "dataset": list(dataset)}


def fetcher(graph, log=None):
    def fetch(ids):
        if log is not None:
            log.append(list(ids))
        return {a: graph.get(a, {}) for a in ids}
    return fetch


GRAPH = {
    "src": {"mid": down("mid", {"id": ["user_id"], "email": ["mail"]}),
            "other": down("other", {"email": ["address"]}),
            "filtered": down("filtered", {"email": ["e"]}, dataset=["id"])},
    "mid": {"out": down("out", {"user_id": ["uid"]})},
    "out": {"far": down("far", {"uid": ["k"]})},
}


def test_derived_columns_follow_the_changed_property_only():
    derived, indirect, known = derive("src", {"id": {0}}, fetcher(GRAPH), depth=3)
    assert {k: v[0] for k, v in derived.items()} == {("mid", "user_id"): 1, ("out", "uid"): 2, ("far", "k"): 3}
    assert set(indirect) == {"filtered"}        # `id` filters its rows: touched as a whole
    assert known["src"] == {"mid", "other", "filtered"}


def test_depth_bounds_the_walk_and_each_level_is_one_fetch():
    log = []
    derived, _, _ = derive("src", {"id": {0}}, fetcher(GRAPH, log), depth=2)
    assert ("far", "k") not in derived and len(log) == 2


def test_origins_say_which_change_each_column_comes_from():
    derived, _, _ = derive("src", {"id": {0}, "email": {1}}, fetcher(GRAPH), depth=3)
    assert derived[("mid", "user_id")][1] == {0}
    assert derived[("mid", "mail")][1] == {1}
    assert derived[("other", "address")][1] == {1}


def test_nested_paths_match_their_column():
    graph = {"src": {"b": down("b", {"address": ["addr"]})}}
    derived, _, _ = derive("src", {"address.city": {0}}, fetcher(graph), depth=1)
    assert ("b", "addr") in derived


def test_team_status():
    assert team_status(["untouched", "touched"], False) == "touched"
    assert team_status(["untouched"], False) == "untouched"
    assert team_status(["untouched"], True) == "unknown"        # a registration says nothing of columns
    assert team_status([], True) == "unknown"
    assert team_status(["unknown", "untouched"], False) == "unknown"


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=2, max_value=30), st.integers(min_value=0, max_value=10_000), st.integers(1, 6))
def test_derived_columns_are_reachable_and_never_beyond_depth(n, seed, depth):
    rng = random.Random(seed)
    cols = ["a", "b", "c"]
    graph: dict = {}
    for i in range(n):
        for j in range(i + 1, min(n, i + 4)):
            if rng.random() < 0.6:
                graph.setdefault(f"n{i}", {})[f"n{j}"] = down(f"n{j}", {c: [rng.choice(cols)] for c in cols
                                                                         if rng.random() < 0.5})
    derived, _, _ = derive("n0", {"a": {0}}, fetcher(graph), depth)
    for (node, col), (level, _, via) in derived.items():
        assert 1 <= level <= depth
        assert col in graph[via["asset_id"]][node]["columns"][via["column"]][0]


# ------------------------------------------------------------------ the facet as stored
class _Reads:
    def __init__(self, known):
        self.known = known

    def asset_of_ref(self, namespace, name):
        return self.known.get(name)


def test_documents_resolve_inputs_and_turn_around_per_upstream():
    facet = {"fields": {"uid": {"inputFields": [{"namespace": "n", "name": "raw.users", "field": "id",
                                                  "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]},
                        "x": {"inputFields": [{"namespace": "n", "name": "unknown.t", "field": "y"}]}},
             "dataset": [{"namespace": "n", "name": "raw.users", "field": "country"}]}
    ds = Dataset("n", "mart.users", "output", "mart.users")
    ev = LineageEvent("RunEvent", "COMPLETE", "2024-01-01T00:00:00.000Z", "p", run_id="r", job_namespace="j",
                      job_name="k")
    doc = ol_columns.document(ds, facet, {"id": "B", "fqn": "mart.users"}, _Reads({"raw.users": {"id": "A"}}), ev)
    assert doc["upstream_asset_ids"] == ["A"]
    assert doc["fields"]["x"][0]["asset_id"] is None and doc["fields"]["x"][0]["fqn"] == "unknown.t"
    downs = ol_columns.downstream_docs(doc)
    assert downs == {"A": {"asset_id": "B", "fqn": "mart.users", "columns": {"id": [["uid", "DIRECT"]]},
                           "dataset": ["country"], "observed_at": ev.event_time}}
    again = ol_columns.document(ds, facet, {"id": "B", "fqn": "mart.users"}, _Reads({"raw.users": {"id": "A"}}),
                                LineageEvent("RunEvent", "COMPLETE", "2025-01-01T00:00:00.000Z", "p", run_id="s"))
    assert ol_columns.digest(again) == ol_columns.digest(doc)     # another run, the same lineage
