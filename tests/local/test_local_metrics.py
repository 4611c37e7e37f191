"""The local runtime's view of the functions' EMF lines: parsed as CloudWatch parses them, kept
for tests, summed per minute for `make dev`, and never echoed raw."""
import json

from local.metrics import EmfSink, data_points, parse_emf, totals
from local.runtime import LocalRuntime


def _emf(metrics: dict, dims: dict, sets=None, unit="Count", **meta) -> str:
    return json.dumps({"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{
        "Namespace": "Accord", "Dimensions": sets or [list(dims)],
        "Metrics": [{"Name": n, "Unit": unit} for n in metrics]}]}, **dims, **metrics, **meta})


def test_only_emf_lines_are_taken():
    assert parse_emf('{"level":"INFO","message":"request"}') is None
    assert parse_emf("START RequestId: 1") is None
    assert parse_emf('{"_aws": "not a directive"}') is None
    assert parse_emf('{"_aws": {broken') is None
    assert parse_emf(_emf({"Requests": 1}, {"service": "s"}))["Requests"] == 1


def test_every_dimension_set_is_a_data_point_as_in_cloudwatch():
    line = _emf({"Requests": [1, 1], "Latency": 5.0}, {"service": "s", "family": "registry", "route": "/x"},
                sets=[["service", "family"], ["service", "family", "route"]])
    points = data_points(parse_emf(line))
    assert len(points) == 4
    assert ("Accord", "Requests", {"service": "s", "family": "registry"}, [1.0, 1.0], "Count") in points
    assert ("Accord", "Latency", {"service": "s", "family": "registry", "route": "/x"}, [5.0], "Count") in points
    assert totals([parse_emf(line)])[("Requests", (("family", "registry"), ("service", "s")))] == 2


def test_the_summary_is_per_interval_and_compact():
    sink = EmfSink()
    sink.feed("F", _emf({"Requests": 1}, {"service": "s", "family": "registry", "outcome": "2xx"}))
    sink.feed("F", _emf({"Requests": 3}, {"service": "s", "family": "registry", "outcome": "2xx"}))
    sink.feed("F", _emf({"Latency": [10.0, 30.0]}, {"service": "s", "family": "registry", "outcome": "2xx"},
                        unit="Milliseconds"))
    text = sink.summary()
    lines = text.splitlines()
    assert lines[0].startswith("metrics ") and len(lines) == 3
    assert lines[1].split() == ["Latency", "family=registry", "outcome=2xx", "n=2", "avg", "20.0", "ms", "max", "30.0", "ms"]
    assert lines[2].split() == ["Requests", "family=registry", "outcome=2xx", "4"]
    assert sink.summary() is None           # the next minute starts empty
    assert len(sink.documents("F")) == 3 and sink.documents("G") == []


def test_make_dev_prints_the_summary_instead_of_raw_emf_lines(tmp_path, capsys):
    rt = LocalRuntime(repo_root=str(tmp_path), quiet=False, log_file=None)
    rt._worker_log("TeamsFunction", '{"level":"INFO","message":"request"}')
    rt._worker_log("TeamsFunction", _emf({"Requests": 1}, {"service": "s", "family": "registry", "outcome": "2xx"}))
    err = capsys.readouterr().err
    assert '[TeamsFunction] {"level":"INFO","message":"request"}' in err and "_aws" not in err
    rt.print_metrics()
    assert "Requests  family=registry outcome=2xx  1" in capsys.readouterr().err
    rt.print_metrics()
    assert capsys.readouterr().err == ""      # nothing new: nothing printed


def test_the_log_file_keeps_every_line(tmp_path):
    rt = LocalRuntime(repo_root=str(tmp_path), quiet=True, log_file=str(tmp_path / "functions.log"))
    rt._log_fh = open(rt.log_file, "a", encoding="utf-8")  # what start() opens
    rt._worker_log("F", "plain")
    rt._worker_log("F", _emf({"Requests": 1}, {"service": "s"}))
    rt._log_fh.close()
    lines = (tmp_path / "functions.log").read_text().splitlines()
    assert lines[0] == "[F] plain" and '"_aws"' in lines[1]
