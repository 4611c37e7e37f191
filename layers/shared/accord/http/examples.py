"""Request examples of the OpenAPI document, one per operation that takes a body, and the
documented body schemas of the routes that parse their body themselves (the reports family follows
Dagster's request semantics, not a model). Only the build (tools/gen_openapi.py) reads this module.

The examples tell the README tour's story (warehouse.sales.orders, owned by Data Platform, read by
Analytics) and are proven right by tests/e2e/test_fuzz.py: each one validates against its
operation's documented schema and, with the ids of objects that exist, gets the documented success.
Ids here are placeholders of the right shape.
"""

TEAM = "3f2b8c1e-6a4d-4e1b-9c7a-2d5e8f0a1b2c"
OTHER_TEAM = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
ASSET = "0b6f4a2c-8d1e-4f3a-a5b7-c9d0e1f2a3b4"
CONTRACT = "5d8e2f1a-3b4c-4d5e-8f6a-7b8c9d0e1f2a"

ORDERS_V1 = {"type": "object", "properties": {
    "order_id": {"type": "integer"}, "customer_id": {"type": "string"}, "amount": {"type": "number"}},
    "required": ["order_id", "customer_id"]}
ORDERS_V2 = {"type": "object", "properties": {
    "order_id": {"type": "integer"}, "customer_id": {"type": "integer"}, "amount": {"type": "number"}},
    "required": ["order_id", "customer_id"]}
ORDERS_KEY = ["warehouse", "sales", "orders"]

# dbt's manifest.json, cut to what the import reads: one model with typed columns and its test
DBT_MANIFEST = {
    "metadata": {"dbt_version": "1.11.16", "invocation_id": "5f0d3c1e-8a2b-4c6d-9e7f-0a1b2c3d4e5f"},
    "nodes": {
        "model.shop.orders": {
            "resource_type": "model", "name": "orders", "database": "warehouse", "schema": "sales", "alias": "orders",
            "columns": {"order_id": {"name": "order_id", "data_type": "bigint"},
                        "customer_id": {"name": "customer_id", "data_type": "varchar"}},
            "depends_on": {"nodes": []}, "config": {"meta": {"accord": {"owner_team": "Data Platform"}}}},
        "test.shop.not_null_orders_order_id": {
            "resource_type": "test", "name": "not_null_orders_order_id", "column_name": "order_id",
            "attached_node": "model.shop.orders", "depends_on": {"nodes": ["model.shop.orders"]},
            "test_metadata": {"name": "not_null", "kwargs": {"column_name": "order_id"}}}},
    "sources": {}}

CFG = "/api/backend/{tenant}/configuration"
PROJECT = CFG + "/projects/{projectId}"
PROPOSAL = "/api/v1/proposals/{proposal_id}"

EXAMPLES = {
    # ---------------------------------------------------------------- registry: identity
    ("POST", "/api/v1/tenants"): {"name": "Globex"},
    ("POST", "/api/v1/api-keys"): {"name": "dbt CI", "scopes": ["read", "write"], "team_id": TEAM,
                                   "email": "ci@example.com"},
    ("POST", "/api/v1/teams"): {"name": "Data Platform", "metadata": {"slack": "#data"}},
    ("PATCH", "/api/v1/tenants/{tenant_id}/settings"): {"retention_days": 180, "report_rate_per_second": 200},
    ("PATCH", "/api/v1/teams/{team_id}"): {"metadata": {"oncall": "@data-oncall"}},
    # ---------------------------------------------------------------- registry: assets
    ("POST", "/api/v1/assets"): {"fqn": "warehouse.sales.orders", "owner_team_id": TEAM,
                                 "environment": "production",
                                 "metadata": {"description": "One row per order", "tags": ["core"]}},
    ("PATCH", "/api/v1/assets/{asset_id}"): {"owner_user_name": "Ada Lovelace",
                                             "metadata": {"description": "Orders, deduplicated"}},
    ("POST", "/api/v1/assets/{asset_id}/dependencies"): {"target_asset_id": ASSET, "dependency_type": "consumes"},
    ("POST", "/api/v1/assets/{asset_id}/audit-results"): {
        "status": "passed", "triggered_by": "dbt_test", "run_id": "dbt-run-42",
        "guarantee_results": [{"guarantee_id": "not_null_order_id", "passed": True, "rows_checked": 1200}]},
    # ---------------------------------------------------------------- registry: contracts
    ("POST", "/api/v1/assets/{asset_id}/contracts"): {
        "schema": ORDERS_V1, "compatibility_mode": "backward",
        "guarantees": {"freshness": {"max_staleness_minutes": 60}}},
    ("POST", "/api/v1/assets/{asset_id}/publish"): {"schema": ORDERS_V1, "version": "1.0.0"},
    ("POST", "/api/v1/assets/{asset_id}/impact"): {"proposed_schema": ORDERS_V2},
    ("POST", "/api/v1/contracts/compare"): {"old_schema": ORDERS_V1, "new_schema": ORDERS_V2,
                                            "compatibility_mode": "backward"},
    ("POST", "/api/v1/registrations"): {"contract_id": CONTRACT, "consumer_team_id": OTHER_TEAM},
    ("PATCH", "/api/v1/registrations/{registration_id}"): {"status": "migrating"},
    # ---------------------------------------------------------------- registry: proposals
    ("POST", PROPOSAL + "/acknowledge"): {"consumer_team_id": OTHER_TEAM, "response": "approved",
                                          "notes": "Our models cast customer_id already."},
    ("POST", PROPOSAL + "/withdraw"): {"reason": "Superseded by a rename."},
    ("POST", PROPOSAL + "/force"): {"reason": "Incident 123: the upstream type changed already."},
    ("POST", PROPOSAL + "/publish"): {"reason": "Every consumer approved."},
    ("POST", PROPOSAL + "/object"): {"reason": "Our mart joins on customer_id as text."},
    # ---------------------------------------------------------------- registry: webhooks
    ("POST", "/api/v1/webhooks"): {"url": "https://hooks.example.com/accord", "team_id": TEAM,
                                   "event_types": ["accord.proposal.*", "accord.contract.published"],
                                   "format": "standard", "description": "Data Platform's inbox"},
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"event_types": ["accord.proposal.created"], "enabled": True},
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): {"grace_seconds": 86400},
    # ---------------------------------------------------------------- configuration
    ("POST", CFG + "/projects"): {"name": "Sales", "description": "Sales data products"},
    ("PATCH", PROJECT): {"description": "Sales and returns"},
    ("POST", PROJECT + "/connections"): {"name": "lakehouse", "type": "DELTALAKE",
                                         "payload": {"host": "dbc-1234.cloud.databricks.com"},
                                         "credential": {"type": "TOKEN", "payload": {"token": "dapi-secret"}}},
    ("PUT", PROJECT + "/connections/{connectionId}"): {"name": "lakehouse-prod"},
    ("POST", CFG + "/connections"): {"name": "shared-bucket", "type": "S3", "scope": "GLOBAL",
                                     "payload": {"region": "eu-west-1"}},
    ("POST", PROJECT + "/assets"): {
        "name": "orders", "type": "DELTALAKE", "connection_id": 1,
        "payload": {"catalog": "main", "schema": "sales", "table": "orders"},
        "options": {"id_attributes": ["order_id"], "delta_only": "true"},
        "scheduled_upload": {"schedule": "0 3 * * *", "timezone": "Europe/Paris"}},
    ("PUT", PROJECT + "/assets/{assetId}"): {"description": "Orders, one row each",
                                             "options": {"sample_fraction": 50}},
    ("POST", PROJECT + "/assets/move"): {"source_project_id": 1, "source_asset_ids": [2]},
    # ---------------------------------------------------------------- reports (Dagster)
    ("POST", "/report_asset_materialization"): {"asset_key": ORDERS_KEY, "metadata": {"rows": 1200},
                                                "data_version": "v42", "partition": "2024-06-01"},
    ("POST", "/report_asset_materialization/{asset_key+}"): {"metadata": {"rows": 1200}},
    ("POST", "/report_asset_observation"): {"asset_key": ORDERS_KEY,
                                            "metadata": {"dagster/last_updated_timestamp": 1717200000}},
    ("POST", "/report_asset_observation/{asset_key+}"): {"metadata": {"rows": 1180}},
    ("POST", "/report_asset_check"): {"asset_key": ORDERS_KEY, "check_name": "not_null_order_id", "passed": True,
                                      "metadata": {"null_rows": 0}},
    ("POST", "/report_asset_check/{asset_key+}"): {"check_name": "row_count_above_1000", "passed": False,
                                                   "severity": "WARN"},
    ("POST", "/report_asset_events"): [
        {"type": "materialization", "asset_key": ORDERS_KEY, "metadata": {"rows": 1200}},
        {"type": "check", "asset_key": ORDERS_KEY, "check_name": "not_null_order_id", "passed": True,
         "event_id": "run-123/not_null_order_id"}],
    # ---------------------------------------------------------------- OpenLineage
    ("POST", "/api/v1/lineage"): {
        "eventType": "COMPLETE", "eventTime": "2024-06-01T03:00:00.000Z",
        "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0190c4a8-5b1e-7f3a-9c2d-4e5f6a7b8c9d"},
        "job": {"namespace": "dbt", "name": "sales.orders"},
        "inputs": [{"namespace": "postgres://warehouse:5432", "name": "warehouse.raw.orders"}],
        "outputs": [{"namespace": "postgres://warehouse:5432", "name": "warehouse.sales.orders", "outputFacets": {
            "outputStatistics": {"_producer": "https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt",
                                 "_schemaURL": "https://openlineage.io/spec/facets/1-0-2/"
                                               "OutputStatisticsOutputDatasetFacet.json",
                                 "rowCount": 1200}}}]},
    ("PUT", "/api/v1/lineage/settings"): {"namespaces": {"postgres://warehouse:5432": "production",
                                                         "postgres://staging-*": "staging"},
                                          "default_environment": "production"},
    # ---------------------------------------------------------------- dbt (Tessera's sync routes)
    ("POST", "/api/v1/sync/dbt/upload"): {"manifest": DBT_MANIFEST, "owner_team_id": TEAM, "conflict_mode": "ignore",
                                          "auto_publish_contracts": True},
    ("POST", "/api/v1/sync/dbt/impact"): {"manifest": DBT_MANIFEST},
    ("POST", "/api/v1/sync/dbt/diff"): {"manifest": DBT_MANIFEST},
    ("POST", "/api/v1/sync/uploads"): {"content_encoding": "gzip"},
    ("POST", "/api/v1/sync/dbt/jobs"): {"upload_id": "9a1b2c3d4e5f40718293a4b5c6d7e8f9", "owner_team_id": TEAM,
                                       "auto_publish_contracts": True},
}

# ------------------------------------------------------------------ reports bodies (Dagster's fields)
_S = {"type": "string"}
_KEY = {"description": "the asset key: a list of parts, or one string (one part)",
        "anyOf": [{"type": "array", "items": _S, "minItems": 1}, _S]}
_COMMON = {"asset_key": _KEY, "metadata": {"type": "object"}, "partition": _S, "description": _S,
           "environment": {"type": "string", "description": "which registered asset (ours)"}}
_ASSET_EVENT = {"type": "object", "properties": {**_COMMON, "data_version": _S}}
_CHECK = {"type": "object", "properties": {
    **_COMMON, "check_name": _S, "passed": {"type": "boolean"},
    "severity": {"type": "string", "enum": ["WARN", "ERROR"]}}}
_TYPED = {"type": "object", "required": ["type", "asset_key"], "properties": {
    **_CHECK["properties"], "data_version": _S,
    "type": {"type": "string", "enum": ["materialization", "observation", "check"]},
    "event_id": {"type": "string", "description": "dedupes across messages and routes"},
    "timestamp": {"description": "event time: ISO-8601 or epoch seconds", "anyOf": [_S, {"type": "number"}]}}}
_TYPED_LIST = {"type": "array", "items": _TYPED, "maxItems": 100}

# An OpenLineage event: the spec's own schema (bundled: accord/ingest/openlineage/spec) is what the
# route validates; documented here in short (the three event kinds' required fields).
_OL = {"type": "object", "description": "an OpenLineage RunEvent, DatasetEvent or JobEvent (spec 2-0-x)",
       "required": ["eventTime", "producer", "schemaURL"], "properties": {
           "eventTime": {"type": "string", "format": "date-time"}, "producer": _S, "schemaURL": _S,
           "eventType": {"type": "string", "enum": ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]},
           "run": {"type": "object", "required": ["runId"], "properties": {"runId": {"type": "string", "format": "uuid"},
                                                                          "facets": {"type": "object"}}},
           "job": {"type": "object", "required": ["namespace", "name"], "properties": {
               "namespace": _S, "name": _S, "facets": {"type": "object"}}},
           "inputs": {"type": "array", "items": {"type": "object"}},
           "outputs": {"type": "array", "items": {"type": "object"}},
           "dataset": {"type": "object"}}}

REQUEST_SCHEMAS = {
    ("POST", "/api/v1/lineage"): _OL,
    **{("POST", path): _ASSET_EVENT for path in (
        "/report_asset_materialization", "/report_asset_materialization/{asset_key+}",
        "/report_asset_observation", "/report_asset_observation/{asset_key+}")},
    ("POST", "/report_asset_check"): _CHECK,
    ("POST", "/report_asset_check/{asset_key+}"): _CHECK,
    ("POST", "/report_asset_events"): {"anyOf": [_TYPED_LIST, {
        "type": "object", "required": ["events"], "properties": {"events": _TYPED_LIST}}]},
}
