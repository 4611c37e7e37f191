"""dbt `manifest.json` → Accord: which nodes are assets, the fqn of each, and the JSON Schema of
its columns (DESIGN §10.1). The one mapping: the server's dbt import and the CLI's CI gate
(`accord dbt check`) judge the same schema for the same node.

Pure on purpose — the standard library only, nothing of `accord` — because the client package
ships this very file (`clients/python/src/accord_cli/dbt_schema.py` is a symlink to it; the
client never imports the server's layer). `tests/unit/cli/test_dbt_schema.py` enforces both.

The mapping, one row per rule (README "dbt check" repeats it for users):

| dbt | JSON Schema |
|---|---|
| `relation_name` (alias, source `identifier` applied), quotes removed, lower-cased | the asset's fqn (else `database.schema.alias-or-name`) |
| a column's `data_type` | its property, by the type table below (Tessera's, extended) |
| no `data_type`, or a type we do not know | `{}`: unknown, any value (never guessed as a string) |
| `not_null` test or constraint, `primary_key` constraint | the column is `required` |
| `accepted_values` test | `enum` |
| a test with a `where` config | nothing: it holds for some rows only |
"""
import re
from functools import lru_cache

# nodes that are assets (sources live in `manifest["sources"]`, the rest in `manifest["nodes"]`)
RESOURCE_TYPES = ("model", "seed", "snapshot", "source")

_STRING = {"type": "string"}
_INTEGER = {"type": "integer"}
_NUMBER = {"type": "number"}
_BOOLEAN = {"type": "boolean"}
_OBJECT = {"type": "object"}
_DATE = {"type": "string", "format": "date"}
_DATETIME = {"type": "string", "format": "date-time"}
_TIME = {"type": "string", "format": "time"}

# Tessera's table (`dbt_columns_to_json_schema`), extended with the spellings of the common
# warehouses (Postgres, Snowflake, BigQuery, Databricks/Spark, DuckDB, Redshift, SQL Server, ClickHouse).
SCALARS = {
    **dict.fromkeys(("string", "text", "varchar", "char", "character", "character varying", "nvarchar", "nchar",
                     "bpchar", "citext", "varchar2", "nvarchar2", "uuid", "uniqueidentifier", "interval",
                     "bytes", "bytea", "binary", "varbinary", "blob", "fixedstring", "enum", "enum8", "enum16",
                     "ipv4", "ipv6", "inet", "xml", "geography", "geometry"), _STRING),
    **dict.fromkeys(("integer", "int", "bigint", "smallint", "tinyint", "byteint", "mediumint", "int1", "int2",
                     "int4", "int8", "int16", "int32", "int64", "int128", "int256", "hugeint", "uhugeint",
                     "ubigint", "uinteger", "usmallint", "utinyint", "uint8", "uint16", "uint32", "uint64",
                     "uint128", "uint256", "long", "short", "serial", "bigserial", "smallserial"), _INTEGER),
    **dict.fromkeys(("number", "numeric", "decimal", "dec", "float", "double", "double precision", "real",
                     "float4", "float8", "float32", "float64", "bignumeric", "bigdecimal", "money",
                     "smallmoney"), _NUMBER),
    **dict.fromkeys(("boolean", "bool", "logical", "bit"), _BOOLEAN),
    **dict.fromkeys(("date", "date32"), _DATE),
    **dict.fromkeys(("datetime", "datetime2", "datetime64", "smalldatetime", "datetimeoffset", "timestamp",
                     "timestamp_ntz", "timestamp_tz", "timestamp_ltz", "timestamptz", "timestamp_ns",
                     "timestamp_ms", "timestamp_s", "timestamp with time zone", "timestamp without time zone",
                     "timestamp with local time zone"), _DATETIME),
    **dict.fromkeys(("time", "timetz", "time with time zone", "time without time zone"), _TIME),
    **dict.fromkeys(("json", "jsonb", "variant", "object", "super"), _OBJECT),
}
_ARRAYS = ("array", "list")
_STRUCTS = ("struct", "record", "row", "tuple", "named_struct")
_MAPS = ("map",)
_WRAPPERS = ("nullable", "lowcardinality")  # ClickHouse: the inner type is the column's type
_DECIMALS = ("number", "numeric", "decimal", "dec")
_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\"(?:[^\"]|\"\")*\"|`[^`]*`)|(-?\d+)|(.))")


class _Unparsed(Exception):
    pass


class _TypeParser:
    """type := words ['(' args ')'] ['<' args '>'] {'[' ']'}; args of struct are `name [:] type`."""

    def __init__(self, text: str):
        self.tokens = [m.group(1) or m.group(2) or m.group(3) or m.group(4)
                       for m in _TOKEN.finditer(text) if m.group(0).strip()]
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise _Unparsed(repr(expected) if expected else "more input")
        self.i += 1
        return tok

    def type(self) -> dict:
        words = []
        while self.peek() is not None and self.peek() not in "()<>[],:" and not self._quoted(self.peek()):
            words.append(self.take().lower())
        if not words:
            raise _Unparsed("a type name")
        name = " ".join(words)
        inner, params = None, []
        if self.peek() == "(":
            self.take("(")
            if name in _STRUCTS or name in _ARRAYS or name in _MAPS or name in _WRAPPERS:
                inner = self._args(name, ")")
            else:
                while self.peek() not in (")", None):
                    params.append(self.take())
                self.take(")")
        if self.peek() == "<":
            self.take("<")
            inner = self._args(name, ">")
        schema = self._schema(name, inner, params)
        while self.peek() == "[":
            self.take("[")
            self.take("]")
            schema = {"type": "array", "items": schema}
        return schema

    @staticmethod
    def _quoted(tok: str) -> bool:
        return tok[:1] in ('"', "`")

    def _args(self, name: str, close: str) -> list:
        out = []
        while True:
            if name in _STRUCTS:
                field = self.take()
                if field in "()<>[],:":
                    raise _Unparsed("a field name")
                if self._quoted(field):
                    field = field[1:-1].replace('""', '"')
                if self.peek() == ":":
                    self.take(":")
                out.append((field, self.type()))
            else:
                out.append(self.type())
            if self.peek() == ",":
                self.take(",")
                continue
            self.take(close)
            return out

    @staticmethod
    def _schema(name: str, inner, params) -> dict:
        if name in _ARRAYS:
            return {"type": "array", "items": inner[0]} if inner else {"type": "array"}
        if name in _STRUCTS:
            if not inner:
                return dict(_OBJECT)
            return {"type": "object", "properties": {f: s for f, s in inner}}
        if name in _MAPS:
            return {"type": "object", "additionalProperties": inner[-1] if inner else {}}
        if name in _WRAPPERS:
            return inner[0] if inner else {}
        if name in _DECIMALS and len(params) >= 3 and params[1] == "," and params[2] == "0":
            return dict(_INTEGER)  # NUMBER(38,0): integers only
        return SCALARS.get(name, {})


def column_schema(data_type) -> dict:
    """The JSON Schema of one column from dbt's `data_type` (`{}` = unknown: any value). A new
    top-level dict each call; nested parts (struct fields, array items) may be shared."""
    if not isinstance(data_type, str) or not data_type.strip():
        return {}
    return dict(_parsed(data_type.strip()))


@lru_cache(maxsize=4096)  # a project spells its types a few dozen ways: parse each once
def _parsed(data_type: str) -> dict:
    known = SCALARS.get(data_type.lower())
    if known:
        return known
    parser = _TypeParser(data_type)
    try:
        schema = parser.type()
        if parser.peek() is not None:
            raise _Unparsed("the end")
    except _Unparsed:
        # an exotic spelling: judge by its leading word(s) alone, else unknown
        base = re.split(r"[(<\[]", data_type, maxsplit=1)[0].strip().lower()
        return SCALARS.get(" ".join(base.split()), {})
    return schema


# ------------------------------------------------------------------ fqn
_PART = re.compile(r'"((?:[^"]|"")*)"|`([^`]*)`|\[([^\]]*)\]|([^."`\[\]]+)')


def relation_parts(relation_name: str) -> list[str] | None:
    """`"db"."schema"."t"`, `` `p`.`d`.`t` ``, `[db].[dbo].[t]`, `DB.SCHEMA.T` → the parts, unquoted."""
    parts, pos, text = [], 0, relation_name.strip()
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            return None
        quoted, backtick, bracket, bare = m.groups()
        part = quoted.replace('""', '"') if quoted is not None else (
            backtick if backtick is not None else bracket if bracket is not None else bare.strip())
        parts.append(part)
        pos = m.end()
        if pos < len(text):
            if text[pos] != ".":
                return None
            pos += 1
            if pos == len(text):
                return None  # a trailing dot
    return parts or None


def node_fqn(node: dict) -> str | None:
    """The relation the warehouse knows, lower-cased: `relation_name` (dbt applied alias and
    identifier), else `database.schema.<identifier | alias | name>`. None when it has no name."""
    parts = None
    relation = node.get("relation_name")
    if isinstance(relation, str) and relation.strip():
        parts = relation_parts(relation)
    if not parts:
        leaf = node.get("identifier") if node.get("resource_type") == "source" else node.get("alias")
        parts = [p for p in (node.get("database"), node.get("schema"), leaf or node.get("name"))
                 if isinstance(p, str) and p.strip()]
    parts = [p.strip().lower() for p in parts]
    if not parts or any(not p for p in parts):
        return None
    return ".".join(parts)


# ------------------------------------------------------------------ tests → required, enum
def _tested_node(test: dict) -> str | None:
    attached = test.get("attached_node")
    if isinstance(attached, str):
        return attached
    deps = [d for d in ((test.get("depends_on") or {}).get("nodes") or []) if isinstance(d, str)]
    return deps[0] if len(deps) == 1 else None


def column_tests(manifest: dict) -> dict:
    """{node id: {column: {"not_null": True, "accepted_values": [...]}}} from the manifest's
    generic tests; a test with a `where` config holds for some rows only and says nothing here."""
    out: dict = {}
    nodes = manifest.get("nodes") if isinstance(manifest.get("nodes"), dict) else {}
    for test in nodes.values():
        if not isinstance(test, dict) or test.get("resource_type") != "test":
            continue
        meta = test.get("test_metadata") if isinstance(test.get("test_metadata"), dict) else {}
        name = meta.get("name")
        if name not in ("not_null", "accepted_values"):
            continue
        if (test.get("config") or {}).get("where"):
            continue
        kwargs = meta.get("kwargs") if isinstance(meta.get("kwargs"), dict) else {}
        column = test.get("column_name") or kwargs.get("column_name")
        target = _tested_node(test)
        if not isinstance(column, str) or not target:
            continue
        facts = out.setdefault(target, {}).setdefault(column, {})
        if name == "not_null":
            facts["not_null"] = True
        elif isinstance(kwargs.get("values"), list):
            facts["accepted_values"] = kwargs["values"]
    return out


def _not_null_by_constraint(node: dict, column: str, info: dict) -> bool:
    for c in info.get("constraints") or []:
        if isinstance(c, dict) and c.get("type") in ("not_null", "primary_key"):
            return True
    for c in node.get("constraints") or []:  # model-level constraints name their columns
        if isinstance(c, dict) and c.get("type") in ("not_null", "primary_key") and column in (c.get("columns") or []):
            return True
    return False


def node_schema(node: dict, tests: dict | None = None) -> dict:
    """The JSON Schema of a node's columns (`tests`: this node's entry of `column_tests`)."""
    tests = tests or {}
    properties, required = {}, []
    columns = node.get("columns") if isinstance(node.get("columns"), dict) else {}
    for key, info in columns.items():
        info = info if isinstance(info, dict) else {}
        name = info.get("name") if isinstance(info.get("name"), str) and info.get("name") else key
        prop = column_schema(info.get("data_type"))
        facts = tests.get(name) or tests.get(key) or {}
        if "accepted_values" in facts:
            prop["enum"] = list(facts["accepted_values"])
        if isinstance(info.get("description"), str) and info["description"].strip():
            prop["description"] = info["description"]
        properties[name] = prop
        if facts.get("not_null") or _not_null_by_constraint(node, name, info):
            required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def contract_nodes(manifest: dict):
    """Every asset node that has columns, as (unique_id, resource_type, fqn, schema, path); nodes
    without a usable name are skipped (fqn None is never yielded)."""
    if not isinstance(manifest, dict):
        raise ValueError("a dbt manifest is a JSON object")
    tests = column_tests(manifest)
    for section in ("nodes", "sources"):
        found = manifest.get(section)
        if found is None:
            continue
        if not isinstance(found, dict):
            raise ValueError(f"the manifest's '{section}' is not an object")
        for unique_id, node in found.items():
            if not isinstance(node, dict) or node.get("resource_type") not in RESOURCE_TYPES:
                continue
            if not isinstance(node.get("columns"), dict) or not node["columns"]:
                continue
            fqn = node_fqn(node)
            if fqn is None:
                continue
            path = node.get("patch_path") or node.get("original_file_path")
            if isinstance(path, str) and "://" in path:
                path = path.split("://", 1)[1]  # patch_path is "project://models/schema.yml"
            yield unique_id, node["resource_type"], fqn, node_schema(node, tests.get(unique_id)), path
