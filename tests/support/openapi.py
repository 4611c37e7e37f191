"""The committed OpenAPI document (what /openapi.json serves) and checks against its schemas."""
import json

from tests.conftest import ROOT

SPEC = json.loads((ROOT / "functions" / "platform" / "openapi.json").read_text())


def assert_matches_documented_schema(value, schema: dict, where: str) -> None:
    """`value` is valid under a schema of the document (its refs resolved in the document)."""
    import jsonschema
    validator = jsonschema.Draft202012Validator({**schema, "components": SPEC["components"]},
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    problems = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    assert not problems, f"{where}: {[(list(e.absolute_path), e.message) for e in problems[:5]]}"
