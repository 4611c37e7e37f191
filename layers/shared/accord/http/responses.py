"""Success-body schemas for the OpenAPI document (OpenAPI 3.0: `nullable`), named by routes as
`response="accord.http.responses:NAME"`. Only the build (tools/gen_openapi.py) reads this module,
never a cold start. Objects stay open (`additionalProperties` allowed): clients must ignore fields
they do not know, and the fuzzer checks what each field must be."""

S = {"type": "string"}
NS = {"type": "string", "nullable": True}
I = {"type": "integer"}
OBJ = {"type": "object"}


def _obj(required: dict, optional: dict | None = None) -> dict:
    return {"type": "object", "required": sorted(required),
            "properties": {**required, **(optional or {})}}


def _array(item: dict) -> dict:
    return {"type": "array", "items": item}


# `rename`: while a new name is still being copied onto the team's assets (a queued job)
TEAM = _obj({"id": S, "name": S, "metadata": OBJ, "created_at": S, "updated_at": S},
            {"rename": _obj({"job_id": S, "status": {"type": "string", "enum": ["queued", "running", "failed"]},
                             "progress": {"type": "object", "nullable": True}}, {"error": OBJ})})
TEAMS = _array(TEAM)

ME = _obj({"id": S, "name": S, "tenant": S, "team_id": NS,
            "team": {"type": "object", "nullable": True, "required": ["id", "name"], "properties": {"id": S, "name": S}},
            "scopes": _array(S), "effective_scopes": _array(S), "is_admin": {"type": "boolean"},
            "platform_admin": {"type": "boolean"}, "project_roles": OBJ}, {"email": NS})

ASSET = _obj({"id": S, "fqn": S, "environment": S, "metadata": OBJ, "created_at": S, "updated_at": S},
             {"owner_team_id": NS, "owner_team_name": NS, "owner_user_id": NS, "owner_user_name": NS,
              "active_contract_id": NS, "active_contract_version": NS,
              "last_materialization": {"type": "object", "nullable": True},
              "last_observation": {"type": "object", "nullable": True}, "checks": OBJ, "freshness": OBJ})

PROJECT = _obj({"id": I, "name": S, "asset_count": I, "connection_count": I},
               {"description": NS, "created_by": NS, "created_at": NS, "updated_at": NS})
PROJECTS = _array(PROJECT)

CONNECTION = _obj({"id": I, "project_id": {"type": "integer", "nullable": True}, "name": S, "type": S,
                   "payload": OBJ, "scope": S, "created_at": S, "updated_at": S,
                   "has_credential": {"type": "boolean"}},
                  {"created_by": NS, "db_type": NS})
CONNECTIONS = _array(CONNECTION)

CONFIGURED_ASSET = _obj({"id": I, "project_id": I, "name": S, "type": S, "options": OBJ, "payload": OBJ,
                         "created_at": S, "connection_id": I, "fqn": S, "registry_asset_id": S, "updated_at": S},
                        {"description": NS, "created_by": NS, "db_type": NS,
                         "attributes": _array(OBJ), "scheduled_upload": {"type": "object", "nullable": True},
                         "parents": _array(S), "children": _array(S)})
CONFIGURED_ASSETS = _array(CONFIGURED_ASSET)
MESSAGE = _obj({"message": S})

# Dagster answers a report with exactly `{}`
REPORTED = {"type": "object", "maxProperties": 0}
BATCH = _obj({"results": _array(_obj({"index": I, "status": {"type": "string", "enum": [
                  "recorded", "duplicate", "rejected", "failed"]}}, {"error": S})),
              "recorded": I, "duplicates": I, "rejected": I, "failed": I})
