"""dbt artefacts → what an import needs to know, node by node (pure: nothing here reads or writes).

`read(manifest)` checks the document's shape (a clear sentence for each thing that makes it no
dbt manifest) and returns one `Node` per asset — models, seeds, snapshots and sources — with
its fqn and JSON Schema from `dbt_schema` (the one column mapping, shared with `accord dbt
check`), its guarantees, its upstream nodes and its ownership hints. `tested_runs(...)` turns a
`run_results.json` into one audit run per tested node.

| dbt | Accord |
|---|---|
| a test's node | `attached_node`; else its single `depends_on` node; a `relationships` test without one belongs to the model that is not its `to` |
| `unique` test | guarantee `uniqueness: [column]` |
| `relationships` test | guarantee `custom["relationships:<column>"] = {type, column, to, field}` |
| other generic tests, singular tests | guarantee `custom["<test>:<column>"]`, `custom["singular:<name>"]` |
| source `freshness` (`warn_after`, `error_after`, `loaded_at_field`) | guarantee `freshness` |
| a test with a `where` config | no guarantee (it holds for some rows only), but its results still count |
| `meta.accord.owner_team`, `meta.tessera.owner_team` (Tessera's spelling) | the owner, winning over the request's `owner_team_id` |
| `meta.owner` | the owner when the request names none |
| `meta.accord.compatibility_mode` | the contract line's mode |
"""
import hashlib
import json
import re
from dataclasses import dataclass, field

from accord.ingest import dbt_schema

NODE_TYPES = ("model", "seed", "snapshot")
RUN_FAILED = ("fail", "error", "runtime error")
RUN_COUNTED = ("pass", "success", "warn", *RUN_FAILED)
MAX_WARNING_CHARS = 300
_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]""")


class ManifestError(ValueError):
    """The document is not a dbt manifest (or run results) we can read: the message says why."""


@dataclass
class Node:
    unique_id: str
    resource_type: str
    name: str
    fqn: str
    schema: dict | None            # None: the node declares no columns (no contract)
    guarantees: dict | None
    upstream: list[str]            # unique ids of the asset nodes it depends on
    owner_team: str | None         # meta.accord.owner_team / meta.tessera.owner_team (name or id)
    owner_hint: str | None         # meta.owner (a team name or id, or a person: only a hint)
    compatibility_mode: str | None
    consumers: list[str] = field(default_factory=list)  # meta.accord.consumers: team names or ids
    metadata: dict = field(default_factory=dict)
    enforced: bool = False         # config.contract.enforced: dbt builds exactly these columns (drift)
    columns: list[tuple[str, str | None]] = field(default_factory=list)  # (name, data_type), in order


@dataclass
class Manifest:
    nodes: list[Node]
    tests: dict                    # test unique id -> (tested node unique id, short name, column)
    invocation_id: str | None
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (unique id, why it is not imported)
    generated_at: str | None = None  # metadata.generated_at: when dbt wrote it (drift runs are dated by it)


def _section(manifest: dict, name: str) -> dict:
    found = manifest.get(name)
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise ManifestError(f"The manifest's '{name}' must be an object keyed by unique_id, "
                            f"not {type(found).__name__}.")
    for unique_id, node in found.items():
        if not isinstance(node, dict):
            raise ManifestError(f"The manifest's {name}['{unique_id}'] must be an object, not "
                                f"{type(node).__name__}.")
    return found


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _meta(node: dict) -> dict:
    """dbt ≥ 1.10 writes meta under `config`; older manifests at the node. Both, config winning."""
    out = {}
    for where in (node.get("meta"), _dict(node.get("config")).get("meta")):
        if isinstance(where, dict):
            out.update(where)
    return out


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _ours(meta: dict) -> dict:
    for key in ("accord", "tessera"):
        if isinstance(meta.get(key), dict):
            return meta[key]
    return {}


def _consumers(value) -> list[str]:
    """`consumers: [{team: marketing}, finance]` (Tessera's spelling and the short one)."""
    out = []
    for c in value if isinstance(value, list) else []:
        team = c.get("team") if isinstance(c, dict) else c
        if isinstance(team, str) and team.strip():
            out.append(team.strip())
    return list(dict.fromkeys(out))


def _test_target(test: dict, names: dict) -> str | None:
    attached = test.get("attached_node")
    if isinstance(attached, str) and attached:
        return attached
    deps = [d for d in _list(_dict(test.get("depends_on")).get("nodes")) if isinstance(d, str)]
    if len(deps) == 1:
        return deps[0]
    meta = _dict(test.get("test_metadata"))
    m = _REF.search(str(_dict(meta.get("kwargs")).get("to") or ""))
    if meta.get("name") == "relationships" and m:
        others = [d for d in deps if names.get(d) != m.group(1)]
        return others[0] if len(others) == 1 else None
    return None


def _short(test_id: str, test: dict) -> str:
    return str(test.get("name") or test_id.split(".")[-1])


def _guarantees(tests: list[dict]) -> dict | None:
    unique, custom = [], {}
    for test in tests:
        if _dict(test.get("config")).get("where"):
            continue
        meta = test.get("test_metadata") if isinstance(test.get("test_metadata"), dict) else None
        name = meta.get("name") if meta and isinstance(meta.get("name"), str) else None
        kwargs = _dict((meta or {}).get("kwargs"))
        column = test.get("column_name") or kwargs.get("column_name")
        column = column if isinstance(column, str) else None
        if name in ("not_null", "accepted_values"):
            continue  # required / enum in the schema (dbt_schema)
        if name == "unique" and isinstance(column, str):
            unique.append(column)
        elif name == "relationships":
            to = _REF.search(str(kwargs.get("to") or ""))
            custom[f"relationships:{column}"] = {"type": "relationships", "column": column,
                                                 "to": to.group(1) if to else kwargs.get("to"),
                                                 "field": kwargs.get("field")}
        elif name:
            full = f"{meta['namespace']}.{name}" if meta.get("namespace") else name
            custom[f"{full}:{column}" if column else full] = {"type": full, "column": column}
        else:
            short = str(test.get("name") or "")
            custom[f"singular:{short}"] = {"type": "singular", "name": short,
                                          "description": test.get("description") or ""}
    out = {}
    if unique:
        out["uniqueness"] = sorted(set(unique))
    if custom:
        out["custom"] = dict(sorted(custom.items()))
    return out or None


def _freshness(source: dict) -> dict | None:
    spec = source.get("freshness")
    if not isinstance(spec, dict):
        return None
    out = {k: spec[k] for k in ("warn_after", "error_after")
           if isinstance(spec.get(k), dict) and spec[k].get("count") is not None and spec[k].get("period")}
    if not out:
        return None
    if _text(source.get("loaded_at_field")):
        out["measured_by"] = source["loaded_at_field"]
    return out


def _metadata(unique_id: str, node: dict, upstream_fqns: list[str]) -> dict:
    kind = node.get("resource_type")
    config = _dict(node.get("config"))
    description = node.get("description")
    out = {"description": description if isinstance(description, str) else "", "resource_type": kind,
           "tags": [t for t in _list(node.get("tags")) if isinstance(t, str)],
           ("dbt_source_id" if kind == "source" else "dbt_node_id"): unique_id,
           "dbt_fqn": [p for p in _list(node.get("fqn")) if isinstance(p, str)],
           "depends_on": upstream_fqns}
    for key in ("package_name", "original_file_path"):
        if _text(node.get(key)):
            out[key] = node[key]
    if _text(config.get("materialized")):
        out["materialized"] = config["materialized"]
    if isinstance(node.get("columns"), dict):
        out["columns"] = {str(k): {"description": c.get("description") if isinstance(c, dict) and
                                   isinstance(c.get("description"), str) else "",
                                   "data_type": c.get("data_type") if isinstance(c, dict) and
                                   isinstance(c.get("data_type"), str) else None}
                          for k, c in node["columns"].items()}
    return out


def read(manifest) -> Manifest:
    """The asset nodes of a manifest (or ManifestError naming what is wrong with it)."""
    if not isinstance(manifest, dict):
        raise ManifestError(f"manifest must be a JSON object (dbt's target/manifest.json), not "
                            f"{type(manifest).__name__}.")
    nodes, sources = _section(manifest, "nodes"), _section(manifest, "sources")
    if not nodes and not sources:
        raise ManifestError("The manifest has neither 'nodes' nor 'sources': send dbt's target/manifest.json "
                            "(after dbt parse, compile or build).")
    names = {uid: n.get("name") for uid, n in nodes.items()}
    assets = {uid: n for uid, n in nodes.items() if n.get("resource_type") in NODE_TYPES}
    assets.update({uid: {**n, "resource_type": "source"} for uid, n in sources.items()})
    fqns = {}
    for uid, n in assets.items():
        try:
            fqns[uid] = dbt_schema.node_fqn(n)
        except (AttributeError, TypeError, ValueError) as exc:
            raise ManifestError(f"The manifest's node '{uid}' has a name of an unexpected type ({exc}).") from None
    tests, by_node = {}, {}
    for uid, test in nodes.items():
        if test.get("resource_type") != "test":
            continue
        target = _test_target(test, names)
        column = test.get("column_name") or _dict(_dict(test.get("test_metadata")).get("kwargs")).get("column_name")
        tests[uid] = (target, _short(uid, test), column if isinstance(column, str) else None)
        if target in assets:
            by_node.setdefault(target, []).append(test)
    try:
        columns = dbt_schema.column_tests(manifest)
    except (AttributeError, TypeError, ValueError) as exc:
        raise ManifestError(f"The manifest's tests have fields of unexpected types ({exc}); send the manifest "
                            "dbt wrote.") from None
    out, seen, duplicates = [], {}, []
    for uid, node in assets.items():
        try:
            _node(uid, node, assets, fqns, columns, by_node, seen, duplicates, out)
        except (AttributeError, TypeError, ValueError) as exc:
            raise ManifestError(f"The manifest's node '{uid}' has fields of unexpected types ({exc}); send the "
                                "manifest dbt wrote.") from None
    meta = _dict(manifest.get("metadata"))
    invocation, generated = meta.get("invocation_id"), meta.get("generated_at")
    return Manifest(out, tests, invocation if isinstance(invocation, str) else None, duplicates,
                    generated if isinstance(generated, str) else None)


def _node(uid: str, node: dict, assets: dict, fqns: dict, columns: dict, by_node: dict, seen: dict,
          duplicates: list, out: list) -> None:
    fqn = fqns[uid]
    if fqn is None:
        duplicates.append((uid, "it has no relation name, database, schema or name to make an fqn of"))
        return
    if fqn in seen:
        duplicates.append((uid, f"its relation {fqn} is also {seen[fqn]}'s: imported once, as {seen[fqn]}"))
        return
    seen[fqn] = uid
    deps = [d for d in _list(_dict(node.get("depends_on")).get("nodes"))
            if isinstance(d, str) and d in assets and fqns.get(d) and d != uid]
    has_columns = isinstance(node.get("columns"), dict) and bool(node["columns"])
    guarantees = _guarantees(by_node.get(uid, []))
    if node["resource_type"] == "source" and _freshness(node):
        guarantees = {**(guarantees or {}), "freshness": _freshness(node)}
    meta = _meta(node)
    ours = _ours(meta)
    owner_hint = meta.get("owner")
    out.append(Node(
        unique_id=uid, resource_type=node["resource_type"], name=str(node.get("name") or uid), fqn=fqn,
        schema=dbt_schema.node_schema(node, columns.get(uid)) if has_columns else None,
        guarantees=guarantees, upstream=list(dict.fromkeys(deps)),
        owner_team=_text(str(ours["owner_team"])) if ours.get("owner_team") is not None else None,
        owner_hint=_text(owner_hint) if isinstance(owner_hint, str) else None,
        compatibility_mode=_text(ours.get("compatibility_mode")) if isinstance(ours.get("compatibility_mode"), str)
        else None,
        consumers=_consumers(ours.get("consumers")),
        metadata=_metadata(uid, node, [fqns[d] for d in deps]),
        enforced=_dict(_dict(node.get("config")).get("contract")).get("enforced") is True,
        columns=[(str(name), c.get("data_type") if isinstance(c, dict) and isinstance(c.get("data_type"), str)
                  else None) for name, c in node["columns"].items()] if has_columns else []))


# ------------------------------------------------------------------ hashes (an unchanged node costs no write)
def digest(value) -> str:
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


# ------------------------------------------------------------------ run_results.json → audit runs
@dataclass
class TestedRun:
    node: str                      # the tested node's unique id
    run_id: str                    # dbt's invocation id
    run_at: str | None
    results: list[dict]            # guarantee_results
    status: str                    # passed | failed


def tested_runs(run_results, manifest: Manifest) -> tuple[list[TestedRun], list[str]]:
    """One run per tested node (failed if any of its tests failed or errored), and warnings for
    results that name no test of this manifest. Skipped tests are not counted."""
    if not isinstance(run_results, dict):
        raise ManifestError(f"run_results must be a JSON object (dbt's target/run_results.json), not "
                            f"{type(run_results).__name__}.")
    meta = run_results.get("metadata") if isinstance(run_results.get("metadata"), dict) else {}
    results = run_results.get("results")
    if not isinstance(results, list):
        raise ManifestError("run_results.results must be a list (dbt's target/run_results.json).")
    invocation = meta.get("invocation_id")
    if not isinstance(invocation, str) or not invocation.strip():
        raise ManifestError("run_results.metadata.invocation_id is missing: it names the dbt run (the audit "
                            "runs' run_id), so the same results sent again add nothing.")
    run_at = meta.get("generated_at") if isinstance(meta.get("generated_at"), str) else None
    by_node: dict[str, list[dict]] = {}
    unknown = 0
    for i, r in enumerate(results):
        if not isinstance(r, dict):
            raise ManifestError(f"run_results.results[{i}] must be an object, not {type(r).__name__}.")
        uid = r.get("unique_id")
        if not isinstance(uid, str) or not uid.startswith(("test.", "unit_test.")):
            continue  # models, seeds, hooks: not checks
        status = str(r.get("status") or "").lower()
        if status not in RUN_COUNTED:
            continue
        target, short, column = manifest.tests.get(uid, (None, None, None))
        if target is None:
            unknown += 1
            continue
        failures = r.get("failures") if isinstance(r.get("failures"), int) and r["failures"] >= 0 else None
        message = r.get("message") if isinstance(r.get("message"), str) else None
        by_node.setdefault(target, []).append({
            "guarantee_id": short[:255], "passed": status not in RUN_FAILED,
            "error_message": message[:2000] if message and status != "pass" else None,
            "rows_failed": failures, "metadata": {"unique_id": uid, "status": status, "column": column}})
    runs = [TestedRun(node, invocation, run_at, found,
                      "failed" if any(not r["passed"] for r in found) else "passed")
            for node, found in by_node.items()]
    warnings = [f"run_results: {unknown} test result(s) name no test of this manifest; they were not recorded."] \
        if unknown else []
    return runs, warnings
