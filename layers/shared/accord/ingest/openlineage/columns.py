"""The columnLineage facet as Accord keeps it (pure): per output asset, each column's upstream
columns (input datasets resolved to assets where they are registered), and the same edges turned
around per upstream asset, for the downstream side (store/columns.py holds both)."""
import hashlib
import json

from accord.ingest.openlineage.parse import Dataset, LineageEvent, dataset_fqn


def _inputs(facet: dict):
    fields = facet.get("fields") if isinstance(facet.get("fields"), dict) else {}
    for column, spec in fields.items():
        if isinstance(spec, dict) and isinstance(spec.get("inputFields"), list):
            for ref in spec["inputFields"]:
                if isinstance(ref, dict) and all(isinstance(ref.get(n), str) for n in ("namespace", "name", "field")):
                    yield column, ref
    if isinstance(facet.get("dataset"), list):
        for ref in facet["dataset"]:
            if isinstance(ref, dict) and all(isinstance(ref.get(n), str) for n in ("namespace", "name", "field")):
                yield None, ref


def refs(ds: Dataset) -> list[tuple[str, str]]:
    """(namespace, name) of every dataset the output's column lineage names (to resolve them)."""
    facet = ds.facet("columnLineage") or {}
    return list(dict.fromkeys((ref["namespace"], ref["name"]) for _, ref in _inputs(facet)))


def document(ds: Dataset, facet: dict, asset: dict, reads, ev: LineageEvent) -> dict:
    """What is stored under the output asset: `fields` {column: [upstream column]}, `dataset`
    [upstream columns the whole output depends on: filters, joins, grouping]."""
    fields: dict = {}
    dataset: list = []
    upstream = set()
    for column, ref in _inputs(facet):
        found = reads.asset_of_ref(ref["namespace"], ref["name"])
        transformation = next((t for t in ref.get("transformations") or [] if isinstance(t, dict)), {})
        entry = {"namespace": ref["namespace"], "name": ref["name"], "fqn": dataset_fqn(ref["name"]),
                 "asset_id": found["id"] if found else None, "field": ref["field"],
                 "type": transformation.get("type"), "subtype": transformation.get("subtype")}
        if found is not None and found["id"] != asset["id"]:
            upstream.add(found["id"])
        (fields.setdefault(column, []) if column is not None else dataset).append(entry)
    return {"asset_id": asset["id"], "fqn": asset["fqn"], "fields": fields, "dataset": dataset,
            "upstream_asset_ids": sorted(upstream), "observed_at": ev.event_time, "run_id": ev.run_id,
            "job": ev.job_label}


def digest(doc: dict) -> str:
    """Changes when the lineage does (not when only the run that showed it does)."""
    raw = json.dumps([doc["fields"], doc["dataset"]], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def downstream_docs(doc: dict) -> dict[str, dict]:
    """{upstream asset id: its columns → this output's columns}: what each upstream's COLDOWN gets."""
    out: dict[str, dict] = {}
    for column, entries in doc["fields"].items():
        for e in entries:
            if e["asset_id"] and e["asset_id"] in doc["upstream_asset_ids"]:
                d = out.setdefault(e["asset_id"], {"asset_id": doc["asset_id"], "fqn": doc["fqn"], "columns": {},
                                                   "dataset": [], "observed_at": doc["observed_at"]})
                pairs = d["columns"].setdefault(e["field"], [])
                if [column, e["type"]] not in pairs:
                    pairs.append([column, e["type"]])
    for e in doc["dataset"]:
        if e["asset_id"] and e["asset_id"] in doc["upstream_asset_ids"]:
            d = out.setdefault(e["asset_id"], {"asset_id": doc["asset_id"], "fqn": doc["fqn"], "columns": {},
                                               "dataset": [], "observed_at": doc["observed_at"]})
            if e["field"] not in d["dataset"]:
                d["dataset"].append(e["field"])
    return out
