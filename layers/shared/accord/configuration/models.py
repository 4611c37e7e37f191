"""Requests of the configuration family (Telmai-compatible, seed 001).

Every model is strict: unknown keys are rejected with a message naming them. `options` keep the
seed's types exactly (flags are the strings "true"/"false", `sample_fraction` and `limit` are JSON
integers, `filter`/`segments` map an attribute to an array of strings). The asset `payload` is a
plain object here and is validated against its type's model (PAYLOADS) by the domain, because
which model applies depends on `type` — possibly the stored one, on PUT.
"""
import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictInt, StrictStr, field_validator

from accord.http.models import StrictModel

# ------------------------------------------------------------------ types
TYPES = ("DELTALAKE", "REDSHIFT", "GCP", "S3", "AZURE", "BIGQUERY", "SNOWFLAKE", "GENERIC_JDBC", "HIVE_ICEBERG")
ALIASES = {"GCS": "GCP"}  # accepted on input, stored and returned as the canonical spelling
LIGHT_SCAN_TYPES = ("SNOWFLAKE", "DELTALAKE", "BIGQUERY")


def canonical_type(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("type must be a string")
    upper = value.strip().upper()
    upper = ALIASES.get(upper, upper)
    if upper not in TYPES:
        raise ValueError(f"type must be one of {', '.join(TYPES)} (GCS is accepted for GCP), got {value!r}")
    return upper


Name = Annotated[StrictStr, Field(min_length=1, max_length=255)]
Ident = Annotated[StrictStr, Field(min_length=1, max_length=255)]   # a catalog / schema / table ... name
Query = Annotated[StrictStr, Field(min_length=1, max_length=20_000)]
Flag = Literal["true", "false"]
Values = Annotated[list[Annotated[StrictStr, Field(max_length=1000)]], Field(max_length=1000)]


# ------------------------------------------------------------------ payloads, one per type
class _Payload(StrictModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True,
                              populate_by_name=True)


class FilePayload(_Payload):
    """GCP (GCS), S3, AZURE."""
    path: Annotated[StrictStr, Field(min_length=1, max_length=1024)]
    file_type: Annotated[StrictStr, Field(min_length=1, max_length=32)]


class BigQueryPayload(_Payload):
    dataset: Ident
    table: Ident
    result_dataset: Ident | None = None
    result_table: Ident | None = None
    query: Query | None = None


class WarehousePayload(_Payload):
    """SNOWFLAKE, REDSHIFT."""
    database: Ident
    schema_: Ident = Field(alias="schema")
    table: Ident
    query: Query | None = None


class DeltaLakePayload(_Payload):
    catalog: Ident
    schema_: Ident = Field(alias="schema")
    table: Ident
    query: Query | None = None


class JdbcPayload(_Payload):
    table: Ident
    query: Query | None = None


class HiveIcebergPayload(_Payload):
    database: Ident
    table: Ident


PAYLOADS = {"GCP": FilePayload, "S3": FilePayload, "AZURE": FilePayload, "BIGQUERY": BigQueryPayload,
            "SNOWFLAKE": WarehousePayload, "REDSHIFT": WarehousePayload, "DELTALAKE": DeltaLakePayload,
            "GENERIC_JDBC": JdbcPayload, "HIVE_ICEBERG": HiveIcebergPayload}
assert set(PAYLOADS) == set(TYPES)


# ------------------------------------------------------------------ options and schedules
class Options(StrictModel):
    """The seed's option keys, with the seed's JSON types. Whitespace is kept (a separator may be
    a tab or a space)."""
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=False)

    id_attributes: Annotated[list[Annotated[StrictStr, Field(min_length=1, max_length=255)]],
                             Field(max_length=1000)] | None = None
    separator: Annotated[StrictStr, Field(min_length=1, max_length=16)] | None = None
    sample_fraction: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    skip_investigator: Flag | None = None
    delta_only: Flag | None = None
    timestamp_attribute: Annotated[StrictStr, Field(min_length=1, max_length=255)] | None = None
    limit: Annotated[StrictInt, Field(ge=1)] | None = None
    filter: Annotated[dict[Annotated[str, Field(min_length=1, max_length=255)], Values],
                      Field(max_length=1000)] | None = None
    segments: Annotated[dict[Annotated[str, Field(min_length=1, max_length=255)], Values],
                        Field(max_length=1000)] | None = None
    only_light_scan: Flag | None = None
    resolve_wildcards_to_folders: Flag | None = None


_CRON_FIELDS = (("minute", 0, 59, None), ("hour", 0, 23, None), ("day of month", 1, 31, None),
                ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                  "DEC")),
                ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")))
_CRON_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_CRON_ITEM = re.compile(r"^(?:(\*|\?)|([A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?)(?:/([0-9]+))?$")


def check_cron(expr: str) -> str:
    """A standard 5-field cron expression (minute hour day-of-month month day-of-week; lists,
    ranges, steps, month and weekday names, `?` in the day fields) or one of the @ macros."""
    expr = " ".join(expr.split())
    if expr.lower() in _CRON_MACROS:
        return expr.lower()
    fields = expr.split(" ")
    if len(fields) != 5:
        raise ValueError(f"schedule must be a 5-field cron expression (minute hour day-of-month month "
                         f"day-of-week) or one of {', '.join(sorted(_CRON_MACROS))}; got {len(fields)} field(s)")
    for text, (name, lo, hi, names) in zip(fields, _CRON_FIELDS):
        for item in text.split(","):
            m = _CRON_ITEM.match(item)
            if not m:
                raise ValueError(f"schedule: {name} field {text!r} is not valid cron syntax")
            star, first, last, step = m.groups()
            if star == "?" and name not in ("day of month", "day of week"):
                raise ValueError(f"schedule: '?' is only allowed in the day fields, not in {name}")
            if step is not None and int(step) < 1:
                raise ValueError(f"schedule: {name} step must be at least 1")
            for part in (first, last):
                if part is None:
                    continue
                value = _cron_value(part, names)
                if value is None or not lo <= value <= hi:
                    raise ValueError(f"schedule: {name} value {part!r} is out of range {lo}-{hi}")
            if last is not None and _cron_value(last, names) < _cron_value(first, names):
                raise ValueError(f"schedule: {name} range {first}-{last} is reversed")
    return expr


def _cron_value(part: str, names) -> int | None:
    if part.isascii() and part.isdigit():  # "²".isdigit() is True, int("²") fails
        return int(part)
    if names and part.upper() in names:
        return names.index(part.upper()) + (1 if len(names) == 12 else 0)
    return None


class ScheduledUpload(StrictModel):
    enabled: bool = True
    schedule: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    timezone: Annotated[StrictStr, Field(min_length=1, max_length=64)] = "UTC"

    @field_validator("schedule")
    @classmethod
    def _cron(cls, v: str):
        return check_cron(v)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone must be an IANA time zone name such as UTC or Europe/Paris, got {v!r}") \
                from None
        return v


# ------------------------------------------------------------------ assets
class _TypeField:
    @field_validator("type", mode="before", check_fields=False)
    @classmethod
    def _type(cls, v):
        return v if v is None else canonical_type(v)


class AssetCreate(_TypeField, StrictModel):
    name: Name
    description: Annotated[StrictStr, Field(max_length=4000)] | None = None
    type: str
    options: Options = Field(default_factory=Options)
    payload: dict[str, Any]
    connection_id: StrictInt
    scheduled_upload: ScheduledUpload | None = None


class AssetUpdate(_TypeField, StrictModel):
    """PUT: every field optional; `options` merge key by key (an option sent as null is removed);
    `payload` is replaced; `scheduled_upload: null` removes the schedule."""
    name: Name | None = None
    description: Annotated[StrictStr, Field(max_length=4000)] | None = None
    type: str | None = None
    options: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    connection_id: StrictInt | None = None
    scheduled_upload: ScheduledUpload | None = None


class AssetMove(StrictModel):
    source_project_id: Annotated[StrictInt, Field(ge=0)]
    source_asset_ids: Annotated[list[StrictInt | StrictStr], Field(min_length=1)]
    target_connection_id: StrictInt | None = None


# ------------------------------------------------------------------ projects
class ProjectCreate(StrictModel):
    name: Name
    description: Annotated[StrictStr, Field(max_length=4000)] | None = None


class ProjectUpdate(StrictModel):
    name: Name | None = None
    description: Annotated[StrictStr, Field(max_length=4000)] | None = None


# ------------------------------------------------------------------ connections
class Credential(StrictModel):
    """Write-only: stored apart from the connection and never returned or logged."""
    type: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    payload: dict[str, Any] = Field(default_factory=dict)


class ConnectionCreate(_TypeField, StrictModel):
    name: Name
    type: str
    credential: Credential | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    scope: Literal["PROJECT", "GLOBAL"] | None = None
    db_type: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None


class ConnectionUpdate(_TypeField, StrictModel):
    """PUT: every field optional; `payload` and `credential` are replaced when sent."""
    name: Name | None = None
    type: str | None = None
    credential: Credential | None = None
    payload: dict[str, Any] | None = None
    db_type: Annotated[StrictStr, Field(min_length=1, max_length=64)] | None = None
