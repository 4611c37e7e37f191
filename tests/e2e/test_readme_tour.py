"""The README's tour, run as written against a fresh local runtime (issue 11: it had rotted).

The tour's bash blocks run in one `bash -euo pipefail` (its `make dev &` line is the runtime this
module starts, with the README's admin key), then its Python block with this interpreter. Every
`#>` block is what the commands above it print, compared line for line; output that no `#>` shows
fails the test, a failing command stops it, and an id captured with `$(curl ...)` must go through
`jq -e` (a failed call yields no id). Every request body the tour sends (logged by a `curl` wrapper,
after the shell expanded it) must match its operation's documented schema in /openapi.json.
"""
import json
import os
import re
import subprocess
import sys

import pytest

from local.runtime import LocalRuntime
from tests.conftest import ROOT
from tests.support.openapi import SPEC, assert_matches_documented_schema

README = ROOT / "README.md"
MARK = "@@@ tour step @@@"


def tour_blocks() -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the README's tour section, in order."""
    text = README.read_text()
    start = text.index("## A five-minute tour\n")
    end = re.compile(r"^#{2,3} ", re.M).search(text, start + 1)
    return re.findall(r"^```(\w+)\n(.*?)^```", text[start:end.start() if end else None], re.S | re.M)


def instrument(code: str, marker: str) -> tuple[str, list[str]]:
    """The code with `marker` where each #> block was, and the blocks' texts."""
    lines, expected, current = [], [], None
    for line in code.splitlines():
        if line.startswith("#>"):
            if current is None:
                current = []
                expected.append(current)
                lines.append(marker)
            current.append(line[3:] if line.startswith("#> ") else line[2:])
        else:
            current = None
            lines.append(line)
    return "\n".join(lines) + "\n", ["\n".join(block) for block in expected]


def logical_lines(code: str) -> list[str]:
    return code.replace("\\\n", " ").splitlines()


@pytest.fixture(scope="module")
def tour_runtime(tmp_path_factory):
    blocks = dict(tour_blocks())
    key = re.search(r"^export ACCORD_ADMIN_KEY=(\S+)$", blocks["bash"], re.M).group(1)
    rt = LocalRuntime(repo_root=str(ROOT), port=0, state_dir=str(tmp_path_factory.mktemp("tour-state")),
                      admin_key=key, quiet=True, persist=False)
    rt.start()
    yield rt
    rt.stop()


def test_the_tour_tells_the_whole_story():
    """What issue 11 asks the tour to show, so that a rewrite cannot quietly drop a part of it."""
    code = "\n".join(code for _, code in tour_blocks())
    for step in ("/api/v1/assets -H", "/contracts -H", "/api/v1/registrations", "/impact", "proposal_created",
                 "/acknowledge", "/publish", "/contracts/diff", "/report_asset_materialization/",
                 "/report_asset_check/", "/status", "TesseraClient"):
        assert step in code, step
    assert [lang for lang, _ in tour_blocks()] == ["bash", "python"]


def test_the_readme_tour_runs_as_written(tour_runtime, tmp_path):
    (_, bash), (_, python) = tour_blocks()
    assert sum(line.startswith("make dev") for line in bash.splitlines()) == 1
    for line in logical_lines(bash):
        if "$(curl" in line:
            assert "jq -e" in line, f"an id taken from a response must go through `jq -e`: {line}"
    bash = "\n".join(line for line in bash.splitlines() if not line.startswith("make dev"))
    bash, expected = instrument(bash, f"echo '{MARK}'")
    python, expected_py = instrument(python, f"print({MARK!r})")
    log = tmp_path / "curl.log"
    script = "\n".join([
        # every curl call is logged (its arguments, after expansion) before it runs
        'curl() { jq -nc \'$ARGS.positional\' --args -- "$@" >> "$TOUR_CURL_LOG"; command curl "$@"; }',
        bash,
        '"$TOUR_PYTHON" - <<\'TOUR_PYTHON_BLOCK\'', python.rstrip("\n"), "TOUR_PYTHON_BLOCK", ""])
    env = {**os.environ, "PORT": str(tour_runtime.port), "TOUR_PYTHON": sys.executable,
           "TOUR_CURL_LOG": str(log)}
    env.pop("API", None)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    chunks = done.stdout.split(MARK + "\n")
    assert done.returncode == 0, f"the tour stopped (exit {done.returncode}) after step {len(chunks) - 1}:\n" \
                                 f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert len(chunks) == len(expected) + len(expected_py) + 1, done.stdout
    assert chunks[-1] == "", f"printed but shown nowhere in the README: {chunks[-1]!r}"
    for step, (got, want) in enumerate(zip(chunks, expected + expected_py), 1):
        assert got.rstrip("\n") == want, f"step {step}: the README shows\n{want}\nbut the tour printed\n{got}"

    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) >= 15
    checked = 0
    for args in calls:
        method, path, body = _request_of(args)
        operation = _operation(method, path)
        assert operation is not None, f"the tour calls {method} {path}, which /openapi.json does not document"
        if body is not None:
            media = operation["requestBody"]["content"]["application/json"]
            assert_matches_documented_schema(json.loads(body), media["schema"], f"README: {method} {path}")
            checked += 1
    assert checked >= 10


def _request_of(args: list[str]) -> tuple[str, str, str | None]:
    url = next(a for a in args if a.startswith("http"))
    body = next((args[i + 1] for i, a in enumerate(args) if a in ("-d", "--data")), None)
    method = next((args[i + 1] for i, a in enumerate(args) if a == "-X"), "POST" if body is not None else "GET")
    path = re.sub(r"^https?://[^/]+", "", url).split("?", 1)[0]
    return method, path, body


def _operation(method: str, path: str) -> dict | None:
    """The documented operation a concrete path is an instance of (literal segments first)."""
    matches = []
    for template, ops in SPEC["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(template))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path) and method.lower() in ops:
            matches.append((template.count("{"), ops[method.lower()]))
    return min(matches, key=lambda m: m[0])[1] if matches else None
