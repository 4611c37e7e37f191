"""The registry fqn an asset configuration derives from its payload (one asset, two views).

| type                      | fqn                                   | example                                  |
|---------------------------|---------------------------------------|------------------------------------------|
| DELTALAKE                 | catalog.schema.table                  | main_catalog.sales_data.orders           |
| SNOWFLAKE, REDSHIFT       | database.schema.table                 | db1.test_schema.table1                   |
| BIGQUERY                  | dataset.table                         | test_dataset.table1                      |
| HIVE_ICEBERG              | database.table                        | db1.table1                               |
| GENERIC_JDBC              | table (as given, dots included)       | table1, public.orders                    |
| GCP (GCS), S3, AZURE      | {gcp|s3|azure}.{path, '/' → '.'}       | s3.folder1.data.parquet                  |

Names are kept as sent (no case folding). `query`, `result_*` and `file_type` do not take part:
the fqn names the data, not how it is read. File paths drop empty segments (leading, trailing
or doubled slashes). The result must be a valid registry fqn (no control characters, at most
800 bytes), else the payload is rejected.
"""
FILE_TYPES = ("GCP", "S3", "AZURE")
_PARTS = {"DELTALAKE": ("catalog", "schema", "table"), "SNOWFLAKE": ("database", "schema", "table"),
          "REDSHIFT": ("database", "schema", "table"), "BIGQUERY": ("dataset", "table"),
          "HIVE_ICEBERG": ("database", "table"), "GENERIC_JDBC": ("table",)}


def derive(asset_type: str, payload: dict) -> str:
    """Raises ValueError (naming the payload) when the result is not a valid fqn."""
    from accord.registry.models import (
        check_fqn,  # pydantic's module: loaded by writes only
    )
    if asset_type in FILE_TYPES:
        segments = [s for s in payload["path"].split("/") if s.strip()]
        if not segments:
            raise ValueError("payload.path must name a file or folder (it has no path segments)")
        fqn = ".".join([asset_type.lower(), *segments])
    else:
        fqn = ".".join(payload[p] for p in _PARTS[asset_type])
    try:
        return check_fqn(fqn)
    except ValueError as exc:
        raise ValueError(f"payload does not name a valid asset: {exc} (derived fqn {fqn[:200]!r})") from None
