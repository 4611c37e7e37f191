"""The client's pure pieces: error sentences from each family's envelope, asset keys, the config
file's permissions, the Markdown summary's and the annotations' escaping."""
import os
import stat

import pytest

from accord_cli import config, dbt_check
from accord_cli.api import flag_changes, parse_key
from accord_cli.errors import CliError
from accord_cli.http import error_message


@pytest.mark.parametrize("status, body, message, code", [
    (404, {"detail": "Asset x not found.", "error": {"code": "ASSET_NOT_FOUND", "message": "Asset x not found.",
                                                     "request_id": "r"}}, "Asset x not found (HTTP 404).", "ASSET_NOT_FOUND"),
    (422, {"detail": [{"loc": ["body", "schema", "type"], "msg": "Field required", "type": "missing"},
                      {"loc": ["query", "q"], "msg": "x", "type": "y"}], "error": {"code": "VALIDATION_ERROR", "message": "m"}},
     "schema.type: Field required (and 1 more) (HTTP 422).", "VALIDATION_ERROR"),
    (400, {"message": "payload.table: Field required", "error": "VALIDATION_ERROR"},
     "payload.table: Field required (HTTP 400).", "VALIDATION_ERROR"),
    (400, {"error": "Empty asset key"}, "Empty asset key (HTTP 400).", None),
    (502, "<html>Bad gateway</html>", "Bad Gateway (HTTP 502).", None),
    (401, None, "the API key was refused (HTTP 401).", None),
])
def test_error_sentences_from_every_envelope(status, body, message, code):
    assert error_message(status, body) == (message, code)


@pytest.mark.parametrize("text, key", [("warehouse.sales.orders", ["warehouse", "sales", "orders"]),
                                       ("warehouse/sales.v2/orders", ["warehouse", "sales.v2", "orders"]),
                                       ("orders", ["orders"])])
def test_asset_keys(text, key):
    assert parse_key(text) == key


@pytest.mark.parametrize("text", ["", "a..b", "a//b", "/a", "a."])
def test_bad_asset_keys(text):
    with pytest.raises(CliError):
        parse_key(text)


def test_flag_changes_marks_the_breaking_ones():
    a, b = {"path": "$.a", "type": "x"}, {"path": "$.b", "type": "y"}
    assert flag_changes({"changes": [a, b], "breaking_changes": [b]}) == [(a, False), (b, True)]
    assert flag_changes({"all_changes": [a], "breaking_changes": []}) == [(a, False)]
    # an impact answer's breaking changes carry more fields (`downstream`): still the same change
    assert flag_changes({"changes": [a, b], "breaking_changes": [{**b, "downstream": []}]}) == [(a, False), (b, True)]


def test_config_file_is_private_whatever_the_umask(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "config.json"
    monkeypatch.setenv("ACCORD_CONFIG", str(path))
    old = os.umask(0)
    try:
        path.parent.mkdir(mode=0o777)
        path.write_text("{}")
        os.chmod(path, 0o644)
        config.save({"url": "http://x", "api_key": "k"})
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.load() == {"url": "http://x", "api_key": "k"}
    assert [p.name for p in path.parent.iterdir()] == ["config.json"]  # no temporary file left


def test_canonical_ignores_key_order_only():
    assert dbt_check.canonical({"a": 1, "b": [1, 2]}) == dbt_check.canonical({"b": [1, 2], "a": 1})
    assert dbt_check.canonical({"required": ["a", "b"]}) != dbt_check.canonical({"required": ["b", "a"]})


def _result_with(change: dict, consumers=("Ana|lytics",)):
    model = dbt_check.Model("model.p.m", "model", "db.s.m", {}, "models/a,b:c.yml")
    model.asset = {"id": "1", "active_contract_version": "1.0.0"}
    model.status = dbt_check.BREAKING
    model.consumers = list(consumers)
    model.impact = {"changes": [change], "breaking_changes": [change], "suggested_version": "2.0.0"}
    return dbt_check.Result("production", [model], 4, 0.1)


def test_markdown_cells_cannot_break_the_table():
    change = {"path": "$.properties.a|b", "description": "line one\nline two | more", "reason": "breaks: x"}
    md = dbt_check.markdown(_result_with(change), "consumers")
    row = next(line for line in md.splitlines() if line.startswith("| `model.p.m`"))
    assert row.count(" | ") == 4 and "\\|" in row and "\n" not in row
    assert "Ana\\|lytics" in row


def test_annotations_escape_workflow_command_text():
    change = {"path": "$.a", "description": "50% gone\nreally", "reason": "breaks: x"}
    (line,) = dbt_check.annotations(_result_with(change), "consumers")
    assert line.startswith("::error file=models/a%2Cb%3Ac.yml,title=Breaking change in model.p.m::")
    assert "50%25 gone%0Areally" in line and "\n" not in line
    (warning,) = dbt_check.annotations(_result_with(change, consumers=()), "consumers")
    assert warning.startswith("::warning ")
