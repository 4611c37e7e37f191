"""`accord mcp`: Accord for agents — an MCP server on stdio (the official `mcp` SDK).

Read-only unless started with `--allow-writes`: the write tools are then registered at all (an
agent cannot call what the server does not list). Every tool answers compact JSON text, trimmed
to what an agent needs to decide (ids to call the next tool with, verdicts, reasons), and calls
the same `api.Accord` as the CLI commands.
"""
import json
import threading
from typing import Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from accord_cli import __version__
from accord_cli.api import Accord, flag_changes, parse_key
from accord_cli.errors import CliError

INSTRUCTIONS = (
    "Accord is a registry of data assets (tables, models, topics) and their contracts (JSON Schemas "
    "with a compatibility mode). Find an asset with search_assets, read it and its active contract with "
    "get_asset, and before changing a schema call check_schema_change: it says which changes break and "
    "which consumer teams are affected. Breaking changes wait in proposals that consumer teams answer.")


def _json(data) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def _asset(a: dict) -> dict:
    return {"id": a["id"], "fqn": a["fqn"], "environment": a.get("environment"),
            "owner_team": a.get("owner_team_name"), "owner_team_id": a.get("owner_team_id"),
            "active_contract_version": a.get("active_contract_version")}


def _proposal(p: dict) -> dict:
    waiting = {t.get("team_id"): t.get("team_name") for t in p.get("affected_teams") or []}
    answers = [{"team": a.get("consumer_team_name"), "response": a.get("response"), "notes": a.get("notes")}
               for a in p.get("acknowledgments") or []]
    for a in p.get("acknowledgments") or []:
        waiting.pop(a.get("consumer_team_id"), None)
    return {"id": p["id"], "asset_id": p.get("asset_id"), "asset_fqn": p.get("asset_fqn"),
            "status": p.get("lifecycle_status") or p.get("status"), "proposed_at": p.get("proposed_at"),
            "proposed_by": p.get("proposed_by_name"), "expires_at": p.get("expires_at"),
            "breaking_changes": [{"path": c.get("path"), "description": c.get("description")}
                                 for c in p.get("breaking_changes") or []],
            "waiting_for": [{"team_id": k, "team": v} for k, v in waiting.items()], "answers": answers}


def build(api: Accord, allow_writes: bool = False) -> MCPServer:
    server = MCPServer("accord", version=__version__, instructions=INSTRUCTIONS)
    lock = threading.Lock()  # tools run in worker threads; the client keeps one connection

    def call(fn, *args, **kwargs):
        with lock:
            try:
                return _json(fn(*args, **kwargs))
            except CliError as exc:
                raise ToolError(exc.message) from None

    def tool(description: str):
        return server.tool(description=description, structured_output=False)

    @tool("Search assets by a prefix of their fqn or of any word in it (case-insensitive). Returns a JSON "
          "list of {id, fqn, environment, owner_team, owner_team_id, active_contract_version}.")
    def search_assets(query: str, limit: int = 20) -> str:
        return call(lambda: [_asset(a) for a in api.search_assets(query, max(1, min(limit, 100)))])

    @tool("Get one asset (by id or fqn) with its active contract. Returns JSON {asset: {id, fqn, "
          "environment, owner_team, active_contract_version, metadata}, contract: {id, version, "
          "compatibility_mode, profile, schema, guarantees} or null when it has no contract yet}.")
    def get_asset(asset: str, environment: str | None = None) -> str:
        def run():
            a = api.resolve_asset(asset, environment)
            c = api.get_contract(a["active_contract_id"]) if a.get("active_contract_id") else None
            contract = c and {k: c.get(k) for k in ("id", "version", "compatibility_mode", "profile", "schema",
                                                    "guarantees", "published_at")}
            return {"asset": {**_asset(a), "metadata": a.get("metadata")}, "contract": contract}
        return call(run)

    @tool("Check a proposed JSON Schema for an asset against its active contract, without publishing "
          "anything. Returns JSON {is_breaking, current_version, suggested_version, compatibility_mode, "
          "profile, changes: [{path, description, breaking, reason}], affected_consumers: [{team, "
          "team_id, via: registration|lineage}]}.")
    def check_schema_change(asset: str, proposed_schema: dict, environment: str | None = None,
                            compatibility_mode: str | None = None) -> str:
        def run():
            a = api.resolve_asset(asset, environment)
            r = api.impact(a["id"], proposed_schema, mode=compatibility_mode)
            return {"asset_id": a["id"], "fqn": a["fqn"], "is_breaking": r.get("is_breaking"),
                    "current_version": r.get("current_version"), "suggested_version": r.get("suggested_version"),
                    "compatibility_mode": r.get("compatibility_mode"), "profile": r.get("profile"),
                    "changes": [{"path": c.get("path"), "description": c.get("description"), "breaking": b,
                                 "reason": c.get("reason")} for c, b in flag_changes(r)],
                    "affected_consumers": [{"team": c.get("team_name"), "team_id": c.get("team_id"),
                                            "via": c.get("sources")} for c in r.get("affected_consumers") or []]}
        return call(run)

    @tool("List the pending proposals (breaking changes) that wait for a team's answer; team is a name "
          "or id. Returns a JSON list of {id, asset_id, asset_fqn, status, proposed_at, proposed_by, "
          "expires_at, breaking_changes: [{path, description}], waiting_for: [{team_id, team}], answers}.")
    def list_pending_proposals(team: str) -> str:
        return call(lambda: [_proposal(p) for p in api.pending_for(api.resolve_team(team)["id"])])

    @tool("Get one proposal by id. Returns the same JSON object as list_pending_proposals' items.")
    def get_proposal(proposal_id: str) -> str:
        return call(lambda: _proposal(api.get_proposal(proposal_id)))

    @tool("Get an asset's lineage (by id or fqn): the assets upstream (it reads from) and downstream "
          "(they read from it), breadth-first up to depth levels. Returns JSON {asset_id, fqn, upstream: "
          "[{asset_id, fqn, depth, owner_team}], downstream: [...], truncated}.")
    def get_lineage(asset: str, depth: int = 3, environment: str | None = None) -> str:
        def run():
            a = api.resolve_asset(asset, environment)
            g = api.lineage(a["id"], max(1, min(depth, 10)))
            nodes = lambda side: [{"asset_id": n.get("asset_id"), "fqn": n.get("fqn"), "depth": n.get("depth"),  # noqa: E731
                                   "owner_team": n.get("owner_team_name")} for n in g.get(side) or []]
            return {"asset_id": a["id"], "fqn": a["fqn"], "upstream": nodes("upstream"),
                    "downstream": nodes("downstream"), "truncated": g.get("truncated", False)}
        return call(run)

    if allow_writes:
        @tool("WRITE: answer a pending proposal for a consumer team: approved, blocked (rejects the "
              "change) or migrating. team defaults to the API key's team. Returns JSON {id, proposal_id, "
              "consumer_team_id, consumer_team_name, response, notes, acknowledged_at}.")
        def acknowledge_proposal(proposal_id: str, response: Literal["approved", "blocked", "migrating"],
                                 team: str | None = None, notes: str | None = None) -> str:
            def run():
                team_id = api.resolve_team(team)["id"] if team else api.my_team_id()
                return api.acknowledge(proposal_id, team_id, response, notes)
            return call(run)

        @tool("WRITE: report that an asset was materialized (its data was updated), as Dagster does. "
              "asset_key is the asset's fqn (a.b.c) or its key parts (a/b/c). Returns JSON {reported, "
              "asset_key}.")
        def report_materialization(asset_key: str, metadata: dict | None = None,
                                   partition: str | None = None) -> str:
            def run():
                key = parse_key(asset_key)
                api.report("materialization", key, {"metadata": metadata, "partition": partition})
                return {"reported": "materialization", "asset_key": key}
            return call(run)

    return server


def serve(api: Accord, allow_writes: bool = False) -> int:
    build(api, allow_writes).run("stdio")
    return 0
