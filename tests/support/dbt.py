"""The committed real dbt 1.11 artefacts (tests/fixtures/dbt, made by its generate.py) and helpers
the dbt-import tests share."""
import copy
import json
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dbt"
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@lru_cache(maxsize=None)
def _load(name: str) -> str:
    return (FIXTURES / name).read_text()


def artefact(name: str) -> dict:
    """A fresh copy of manifest.json, manifest_v2.json, run_results.json or run_results_failing.json."""
    return json.loads(_load(name if name.endswith(".json") else name + ".json"))


def node(manifest: dict, name: str) -> dict:
    for uid, n in {**manifest["nodes"], **manifest["sources"]}.items():
        if uid.endswith("." + name):
            return n
    raise KeyError(name)


def with_meta_owner(manifest: dict, name: str, owner: str) -> dict:
    m = copy.deepcopy(manifest)
    n = node(m, name)
    n.setdefault("config", {}).setdefault("meta", {})["accord"] = {"owner_team": owner}
    n["meta"] = {"accord": {"owner_team": owner}}
    return m


@contextmanager
def dynamodb_calls(client):
    """Every DynamoDB request `client` makes inside: a list of operation names."""
    out = []

    def after(model, **kw):
        out.append(model.name)
    client.meta.events.register("after-call.dynamodb.*", after)
    try:
        yield out
    finally:
        client.meta.events.unregister("after-call.dynamodb.*", after)


def writes(calls: list) -> int:
    return sum(1 for c in calls if c in WRITE_OPS)
