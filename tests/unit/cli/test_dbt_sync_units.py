"""`accord dbt sync`'s pure pieces: reading the artefacts (plain or gzip, refused with a sentence),
the upload body in blocks (iterable again for a retry, progress as it goes), the summary and the
warnings of the import's response."""
import gzip
import json

import pytest

from accord_cli import dbt_sync
from accord_cli.errors import ApiError, CliError
from accord_cli.http import _Blocks


def test_artefacts_plain_or_gzip(tmp_path):
    doc = {"nodes": {}, "sources": {}, "metadata": {"dbt_version": "1.11.0"}}
    plain, gz = tmp_path / "m.json", tmp_path / "m.json.gz"
    plain.write_text(json.dumps(doc))
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    a, b = dbt_sync.Artefact(str(plain), "manifest"), dbt_sync.Artefact(str(gz), "manifest")
    assert a.document() == b.document() == doc and not a.gzipped and b.gzipped
    assert gzip.decompress(a.compressed()) == plain.read_bytes()
    assert b.compressed() == gz.read_bytes()  # uploaded as it came: no second compression


@pytest.mark.parametrize("content, words", [
    (b"[1, 2]", "is not a dbt manifest"),
    (b"\x1f\x8bnot really gzip", "looks gzipped but does not decompress"),
    (b"", "is not a dbt manifest"),
])
def test_bad_artefacts_are_sentences(tmp_path, content, words):
    path = tmp_path / "m.json"
    path.write_bytes(content)
    with pytest.raises(CliError, match=words):
        dbt_sync.Artefact(str(path), "manifest")


def test_missing_and_broken_json_name_the_fix(tmp_path):
    with pytest.raises(CliError, match="run `dbt build` or `dbt test` first"):
        dbt_sync.Artefact(str(tmp_path / "run_results.json"), "run_results")
    path = tmp_path / "m.json"
    path.write_bytes(b'{"nodes": ')
    with pytest.raises(CliError, match="is not JSON"):
        dbt_sync.Artefact(str(path), "manifest").document()


def test_upload_blocks_are_iterable_again_with_progress():
    data = bytes(range(256)) * 10_000   # 2.5 MB: three blocks
    seen = []
    blocks = _Blocks(data, seen.append)
    assert b"".join(blocks) == data and seen == [1 << 20, 2 << 20, len(data)]
    assert b"".join(blocks) == data   # a retry sends it all again


def test_summary_and_warnings_of_a_response():
    result = {"status": "partial_success", "environment": "production",
              "assets": {"created": 2, "updated": 0, "skipped": 1, "unchanged": 5, "refused": 1, "deleted": 0},
              "dependencies": {"synced": 3}, "contracts": {"published": 2}, "proposals": {"created": 1},
              "registrations": {"created": 0}, "audit_runs": {"recorded": 4, "already_recorded": 0},
              "ownership_warnings": ["shop.main.x: not imported: no owner"], "dependency_warnings": ["a -> b: skipped"]}
    rows = dict(dbt_sync.summary_rows(result))
    assert rows["assets"] == "2 created, 0 updated, 5 unchanged, 1 skipped, 1 refused, 0 deleted"
    assert rows["proposals"] == "1 created" and rows["test runs"] == "4 recorded, 0 already recorded"
    assert dbt_sync.warnings(result) == ["ownership: shop.main.x: not imported: no owner", "dependency: a -> b: skipped"]


class _Server:
    """The job route as a busy server answers it: `answers` in turn (an exception is raised)."""

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), 0

    def job(self, job_id):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_following_a_job_rides_out_a_busy_server(monkeypatch):
    monkeypatch.setattr(dbt_sync, "POLL_FIRST", 0.001)
    monkeypatch.setattr(dbt_sync, "POLL_MAX", 0.001)
    busy = ApiError("Storage unreachable; retry later (HTTP 503).", 503)
    server = _Server({"status": "running", "progress": {"done": 1, "total": 3}}, busy, CliError("Cannot reach Accord."),
                     {"status": "succeeded", "progress": {"done": 3, "total": 3}, "result": {}})
    assert dbt_sync.follow(server, "j")["status"] == "succeeded" and server.calls == 4
    gone = ApiError("Job j not found (HTTP 404).", 404)
    with pytest.raises(ApiError, match="not found"):
        dbt_sync.follow(_Server({"status": "running"}, gone), "j")
    with pytest.raises(ApiError, match="503"):
        dbt_sync.follow(_Server(*[busy] * (dbt_sync.MAX_HICCUPS + 1)), "j")
