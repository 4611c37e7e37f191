"""accord.metrics: the EMF lines it writes (parsed as CloudWatch would), its catalog and its bounds."""
import json

import pytest

from accord import metrics


@pytest.fixture()
def emf(capsys, monkeypatch):
    """Flush, then the EMF documents printed since the test began."""
    monkeypatch.setattr(metrics, "DISABLED", False)
    monkeypatch.setattr(metrics, "ROUTE_METRICS", False)
    monkeypatch.setattr(metrics, "_series", {})
    metrics._pending.clear()
    metrics._metadata.clear()
    capsys.readouterr()

    def lines():
        metrics.flush()
        out = capsys.readouterr().out
        return [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line]
    return lines


def _check_emf(doc: dict) -> dict:
    """The EMF specification's rules for one document; returns {metric: values}."""
    aws = doc["_aws"]
    assert isinstance(aws["Timestamp"], int)
    (directive,) = aws["CloudWatchMetrics"]
    assert directive["Namespace"] == metrics.NAMESPACE
    for dim_set in directive["Dimensions"]:
        assert "service" in dim_set and len(dim_set) <= 30
        for name in dim_set:
            assert isinstance(doc[name], str), name
    out = {}
    for m in directive["Metrics"]:
        value = doc[m["Name"]]
        out[m["Name"]] = value if isinstance(value, list) else [value]
        assert m["Unit"] == metrics.CATALOG[m["Name"]][0]
    return out


def test_a_count_becomes_one_emf_line_with_its_dimensions(emf):
    metrics.count("ReportEvents", source="sqs", outcome="recorded")
    metrics.count("ReportEvents", 3, source="sqs", outcome="recorded")
    metrics.count("ReportEvents", source="sqs", outcome="rejected")
    metrics.annotate(tenant="acme", correlation_id="req-1")
    docs = emf()
    assert len(docs) == 2  # one line per dimension-value set
    by_outcome = {d["outcome"]: d for d in docs}
    assert _check_emf(by_outcome["recorded"]) == {"ReportEvents": [1.0, 3.0]}
    assert _check_emf(by_outcome["rejected"]) == {"ReportEvents": [1.0]}
    for d in docs:
        assert d["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["outcome", "source", "service"]]
        assert d["service"] == metrics.SERVICE and d["source"] == "sqs"
        # tenant and correlation id ride along as metadata, never as dimensions
        assert d["tenant"] == "acme" and d["correlation_id"] == "req-1"
    assert emf() == []  # flushed means gone, metadata included


def test_the_request_pair_by_family_and_outcome_class(emf):
    metrics.request("registry", "/api/v1/teams/{team_id}", 404, 12.5)
    (doc,) = emf()
    assert _check_emf(doc) == {"Requests": [1.0], "Latency": [12.5]}
    assert (doc["family"], doc["outcome"]) == ("registry", "4xx")
    assert "route" not in doc


def test_detailed_metrics_add_the_route_template_as_a_second_dimension_set(emf, monkeypatch):
    monkeypatch.setattr(metrics, "ROUTE_METRICS", True)
    metrics.request("registry", "/api/v1/teams/{team_id}", 200, 3.0)
    (doc,) = emf()
    _check_emf(doc)
    sets = sorted(sorted(s) for s in doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"])
    assert sets == [["family", "outcome", "route", "service"], ["family", "outcome", "service"]]
    assert doc["route"] == "/api/v1/teams/{team_id}"


def test_names_and_dimensions_outside_the_catalog_are_programming_errors(emf):
    with pytest.raises(ValueError, match="not in accord.metrics.CATALOG"):
        metrics.count("Requets", family="registry", outcome="2xx")
    with pytest.raises(ValueError, match="takes dimensions"):
        metrics.count("ProposalsCreated", tenant="acme")   # a tenant is never a dimension
    with pytest.raises(ValueError, match="takes dimensions"):
        metrics.count("ReportEvents", outcome="recorded")
    assert emf() == []


def test_values_that_are_not_short_tokens_become_other(emf):
    metrics.count("ProposalsResolved", outcome="a value with spaces")
    metrics.count("ProposalsResolved", outcome="x" * 500)
    metrics.count("ProposalsResolved", outcome=None)
    (doc,) = emf()
    assert doc["outcome"] == metrics.OTHER and _check_emf(doc) == {"ProposalsResolved": [1.0, 1.0, 1.0]}


def test_no_input_can_make_more_than_max_series_metrics(emf):
    for i in range(metrics.MAX_SERIES + 30):
        metrics.count("ProposalsResolved", outcome=f"o{i}")
    docs = emf()
    outcomes = {d["outcome"] for d in docs}
    assert len(outcomes) == metrics.MAX_SERIES + 1 and metrics.OTHER in outcomes
    other = next(d for d in docs if d["outcome"] == metrics.OTHER)
    assert len(_check_emf(other)["ProposalsResolved"]) == 30


def test_a_hundred_values_flush_early_as_emf_allows_no_more(emf, capsys):
    for _ in range(250):
        metrics.duration("DiffDuration", 1.0)
    docs = emf()
    assert [len(_check_emf(d)["DiffDuration"]) for d in docs] == [100, 100, 50]


def test_timed_records_duration_by_outcome_and_errors(emf):
    @metrics.timed("PublishDuration", outcome=lambda r: r["action"])
    def publish(action):
        if action == "boom":
            raise RuntimeError("boom")
        return {"action": action}

    publish("published")
    publish("unchanged")
    with pytest.raises(RuntimeError):
        publish("boom")
    docs = {d["outcome"]: _check_emf(d)["PublishDuration"] for d in emf()}
    assert set(docs) == {"published", "unchanged", "error"}
    assert all(len(v) == 1 and v[0] >= 0 for v in docs.values())


def test_flushed_handler_writes_its_metrics_even_when_it_raises(emf, capsys):
    @metrics.flushed
    def handler(event, context):
        metrics.count("AuthorizerCache", outcome="denied")
        raise Exception("Unauthorized")

    with pytest.raises(Exception, match="Unauthorized"):
        handler({}, None)
    out = capsys.readouterr().out
    (doc,) = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    assert doc["outcome"] == "denied" and _check_emf(doc) == {"AuthorizerCache": [1.0]}


def test_disabled_metrics_cost_nothing_and_print_nothing(emf, monkeypatch):
    monkeypatch.setattr(metrics, "DISABLED", True)
    metrics.request("registry", "/api/v1/teams", 200, 1.0)
    metrics.count("ProposalsCreated")
    assert metrics._pending == {} and emf() == []


def test_every_catalog_entry_is_well_formed():
    for name, (unit, dims) in metrics.CATALOG.items():
        assert name.isalnum() and name[0].isupper(), name
        assert unit in (metrics.COUNT, metrics.MILLISECONDS)
        assert set(dims) <= {"family", "outcome", "source"}, (name, dims)  # bounded by construction
