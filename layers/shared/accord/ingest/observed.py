"""Schemas observed at run time (DESIGN §10.3), as one shape: a table's columns, each with the JSON
Schema of its warehouse type, its nullability when the source says it, and nested struct fields.

Sources: an OpenLineage `schema` facet (`fields: [{name, type, description, fields}]`: no
nullability), Dagster's `dagster/column_schema` metadata — the plain JSON its REST clients send,
`{"columns": [{"name", "type", "description", "constraints": {"nullable", "unique", "other"},
"tags"}], "constraints": {"other": []}}`, or the typed `{"type": "table_schema", "raw_value": ...}`
wrapper of Dagster Pipes — and a dbt manifest's columns of a model whose contract dbt enforces
(`config.contract.enforced`: dbt builds exactly those columns and types).

Warehouse types are mapped by the one table the dbt import uses (`accord.ingest.dbt_schema`,
README "Drift" repeats it): `int`/`bigint`/`integer` → integer, `float`/`double`/`numeric` →
number, `varchar`/`text`/`string` → string, `boolean`, `date`/`timestamp` → string with a format;
a type the table does not know is `{}` (unknown: not judged). `nullable: true` adds null.
"""
import hashlib
import json
from dataclasses import dataclass, field

from accord.ingest.dbt_schema import column_schema

MAX_COLUMNS = 5_000          # per table (nested fields count); beyond: not judged
MAX_DEPTH = 8                # nested struct levels


class Unreadable(ValueError):
    """Not an observed schema Accord can read (the reason says why)."""


@dataclass
class Column:
    name: str
    schema: dict                      # the mapped type ({} = unknown)
    nullable: bool | None = None      # None: the source does not say
    fields: list | None = None        # nested struct fields, when observed

    def canonical(self) -> dict:
        out = {"n": self.name, "s": self.schema, "null": self.nullable}
        if self.fields is not None:
            out["f"] = [c.canonical() for c in self.fields]
        return out


@dataclass
class Observed:
    columns: list = field(default_factory=list)
    source: str = "openlineage"

    @property
    def digest(self) -> str:
        """The same table observed again has the same digest (column order kept: it is what was seen)."""
        raw = json.dumps([c.canonical() for c in self.columns], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _struct(fields: list) -> dict:
    return {"type": "object", "properties": {c.name: column_json(c) for c in fields}}


def column_json(c: Column) -> dict:
    """The column as a JSON Schema property (nullable adds null)."""
    schema = _struct(c.fields) if c.fields is not None else dict(c.schema)
    if c.nullable and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    return schema


def _count(columns, seen=0) -> int:
    for c in columns:
        seen += 1 + (_count(c.fields) if c.fields else 0)
    return seen


def _bounded(columns: list, source: str) -> Observed:
    if _count(columns) > MAX_COLUMNS:
        raise Unreadable(f"more than {MAX_COLUMNS} columns")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise Unreadable("a column name appears twice")
    return Observed(columns, source)


# ------------------------------------------------------------------ OpenLineage `schema` facet
def _ol_fields(fields, depth: int) -> list:
    if depth > MAX_DEPTH:
        raise Unreadable(f"struct fields nested deeper than {MAX_DEPTH} levels")
    out = []
    for f in fields:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise Unreadable("every field needs a name")
        nested = f.get("fields")
        sub = _ol_fields(nested, depth + 1) if isinstance(nested, list) and nested else None
        out.append(Column(f["name"], column_schema(f.get("type")), None, sub))
    return out


def from_openlineage(facet: dict) -> Observed:
    fields = facet.get("fields")
    if not isinstance(fields, list):
        raise Unreadable("the schema facet has no `fields` list")
    return _bounded(_ol_fields(fields, 0), "openlineage")


# ------------------------------------------------------------------ Dagster `dagster/column_schema`
COLUMN_SCHEMA = "dagster/column_schema"


def _dagster_columns(columns) -> list:
    if not isinstance(columns, list):
        raise Unreadable("`columns` must be a list")
    out = []
    for c in columns:
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c["name"]:
            raise Unreadable("every column needs a name")
        constraints = c.get("constraints") if isinstance(c.get("constraints"), dict) else {}
        nullable = constraints.get("nullable")
        out.append(Column(c["name"], column_schema(c.get("type")), nullable if isinstance(nullable, bool) else None))
    return out


def from_dagster(value) -> Observed:
    if isinstance(value, str):  # some clients send metadata values as JSON text
        try:
            value = json.loads(value)
        except ValueError:
            raise Unreadable("not JSON") from None
    if isinstance(value, dict) and "raw_value" in value and "columns" not in value:
        value = value["raw_value"]
        if isinstance(value, dict) and "schema" in value and "columns" not in value:  # TableSchemaMetadataValue
            value = value["schema"]
    if not isinstance(value, dict) or "columns" not in value:
        raise Unreadable('expected {"columns": [...]}')
    return _bounded(_dagster_columns(value["columns"]), "dagster")


# ------------------------------------------------------------------ dbt: an enforced model's columns
def from_dbt(columns: list[tuple[str, str | None]]) -> Observed:
    """(name, data_type) pairs of the manifest (a column without `data_type` is unknown: not judged)."""
    return _bounded([Column(name, column_schema(data_type), None) for name, data_type in columns], "dbt")
