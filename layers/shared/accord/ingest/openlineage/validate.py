"""OpenLineage events against the OpenLineage project's own JSON Schemas (spec/, bundled: see
spec/SOURCE.md for the version), with jsonschema-rs (formats asserted: a `runId` must be a UUID,
`eventTime` a date-time, `producer` and `schemaURL` URIs).

* The event is judged against the definition its shape names — `run` → RunEvent, else `dataset` →
  DatasetEvent, else `job` → JobEvent — not against the spec's top-level `oneOf`, whose failure
  says only "not valid under any of the given schemas"; so a 422 names the failing path
  (`run.runId`, `eventType`, `outputs.0.name`).
* The facets Accord reads are judged against their own schemas as well (schema, columnLineage,
  dataQualityAssertions, outputStatistics, errorMessage): what we interpret must be what the spec
  says. Every other facet is held to the core spec's facet rules only (an object with `_producer`
  and `_schemaURL`): producers add facets of their own, and an event is never refused for a facet
  we do not read.
"""
import json
from functools import cache
from pathlib import Path

from accord import errors

SPEC = Path(__file__).resolve().parent / "spec"
CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
# (container, facet name) → the bundled facet file that defines it
READ_FACETS = {
    ("facets", "schema"): "SchemaDatasetFacet",
    ("facets", "columnLineage"): "ColumnLineageDatasetFacet",
    ("inputFacets", "dataQualityAssertions"): "DataQualityAssertionsDatasetFacet",
    ("outputFacets", "outputStatistics"): "OutputStatisticsOutputDatasetFacet",
    ("run", "errorMessage"): "ErrorMessageRunFacet",
}
MAX_ERRORS = 5


@cache
def _validators():
    import jsonschema_rs
    core = json.loads((SPEC / "OpenLineage.json").read_text(encoding="utf-8"))
    resources = [(core["$id"], core)]
    facets = {}
    for (container, name), file in READ_FACETS.items():
        doc = json.loads((SPEC / "facets" / f"{file}.json").read_text(encoding="utf-8"))
        resources.append((doc["$id"], doc))
        facets[(container, name)] = doc["$id"]
    registry = jsonschema_rs.Registry(resources)

    def validator(ref: str):
        return jsonschema_rs.validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": ref},
                                           registry=registry, validate_formats=True)
    events = {kind: validator(f"{CORE_ID}#/$defs/{kind}") for kind in ("RunEvent", "DatasetEvent", "JobEvent")}
    # a facet file validates the facets object it sits in ({"schema": {...}}): give it one
    facet_validators = {key: validator(ref) for key, ref in facets.items()}
    return events, facet_validators


def kind_of(event: dict) -> str:
    if "run" in event:
        return "RunEvent"
    if "dataset" in event:
        return "DatasetEvent"
    if "job" in event:
        return "JobEvent"
    raise invalid([{"loc": ["body"], "msg": "An OpenLineage event has `run` and `job` (RunEvent), `dataset` "
                                            "(DatasetEvent) or `job` alone (JobEvent).", "type": "missing"}])


def _loc(path) -> list:
    return ["body", *path]


def invalid(detail: list[dict]) -> errors.Unprocessable:
    first = detail[0]
    where = ".".join(str(p) for p in first["loc"][1:]) or "the event"
    more = f" (+{len(detail) - 1} more)" if len(detail) > 1 else ""
    return errors.Unprocessable(f"Invalid OpenLineage event at {where}: {first['msg']}{more}",
                                code="INVALID_LINEAGE_EVENT", detail=detail)


def _leaves(e) -> list:
    """The errors that say what is wrong: the spec wraps every facets object in a one-branch
    `anyOf`, whose own message ("not valid under any of the schemas") names nothing; its branch's do."""
    context = getattr(e.kind, "context", None) if type(e.kind).__name__ in ("AnyOf", "OneOfNotValid") else None
    if context and len(context) == 1 and context[0]:
        return [leaf for sub in context[0] for leaf in _leaves(sub)]
    return [e]


def _errors(validator, instance, prefix: list) -> list[dict]:
    out = []
    for found in validator.iter_errors(instance):
        for e in _leaves(found):
            out.append({"loc": _loc([*prefix, *e.instance_path]), "msg": e.message,
                        "type": type(e.kind).__name__.lower()})
        if len(out) >= MAX_ERRORS:
            break
    return out


def _facet_containers(event: dict):
    """(container kind, facets object, its path) of every facets object the event holds."""
    run = event.get("run") if isinstance(event.get("run"), dict) else {}
    if isinstance(run.get("facets"), dict):
        yield "run", run["facets"], ["run", "facets"]
    for role in ("inputs", "outputs"):
        for i, ds in enumerate(event.get(role) or []):
            if not isinstance(ds, dict):
                continue
            for container in ("facets", "inputFacets", "outputFacets"):
                if isinstance(ds.get(container), dict):
                    yield container, ds[container], [role, i, container]
    ds = event.get("dataset")
    if isinstance(ds, dict) and isinstance(ds.get("facets"), dict):
        yield "facets", ds["facets"], ["dataset", "facets"]


def validate(event) -> str:
    """The event's kind (RunEvent | DatasetEvent | JobEvent); 422 naming the failing path otherwise."""
    if not isinstance(event, dict):
        raise invalid([{"loc": ["body"], "msg": f"An OpenLineage event is a JSON object, not {type(event).__name__}.",
                        "type": "type"}])
    kind = kind_of(event)
    events, facets = _validators()
    found = _errors(events[kind], event, [])
    if not found:
        for container, facet_obj, path in _facet_containers(event):
            for name in facet_obj:
                validator = facets.get((container, name))
                if validator is not None:
                    found += _errors(validator, {name: facet_obj[name]}, path)
    if found:
        raise invalid(found[:MAX_ERRORS])
    return kind
