"""`accord mcp` over stdio, driven by the official `mcp` client against the local runtime: the
tools it lists, each one called, write tools only with --allow-writes."""
import json

import anyio
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.e2e.cli.conftest import V1_SCHEMA

READ_TOOLS = {"search_assets", "get_asset", "check_schema_change", "list_pending_proposals", "get_proposal",
              "get_lineage"}
WRITE_TOOLS = {"acknowledge_proposal", "report_materialization"}
BREAKING = {**V1_SCHEMA, "properties": {**V1_SCHEMA["properties"], "customer_id": {"type": "integer"}}}


@pytest.fixture(scope="module")
def mcp_world(world):
    upstream = world.asset("warehouse.raw.orders", V1_SCHEMA)
    r = world.admin("POST", f"/api/v1/assets/{world.orders['id']}/dependencies",
                    json={"depends_on_asset_id": upstream["id"]})
    assert r.status_code == 201, r.text
    lines = world.asset("warehouse.sales.lines", V1_SCHEMA)
    world.register(lines)
    r = world.admin("POST", f"/api/v1/assets/{lines['id']}/contracts", json={"schema": BREAKING})
    world.proposal = r.json()["proposal"]["id"]
    world.upstream = upstream
    return world


def session(cli, world, key, *args):
    """Runs `fn(session)` against `accord mcp *args` started as a subprocess over stdio."""
    params = StdioServerParameters(command=str(cli.bin), args=["mcp", *args], env=cli.env(world.url, key))

    def run(fn):
        async def main():
            async with stdio_client(params) as (read, write):
                async with ClientSession(read, write) as s:
                    await s.initialize()
                    return await fn(s)
        return anyio.run(main)
    return run


def text(result):
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


def test_read_only_server_lists_and_answers_every_read_tool(cli, mcp_world):
    w = mcp_world

    async def scenario(s):
        tools = {t.name: t for t in (await s.list_tools()).tools}
        out = {"tools": tools}
        out["search"] = await s.call_tool("search_assets", {"query": "warehouse.sales"})
        out["get"] = await s.call_tool("get_asset", {"asset": "warehouse.sales.orders"})
        out["check"] = await s.call_tool("check_schema_change", {"asset": "warehouse.sales.orders", "proposed_schema": BREAKING})
        out["ok"] = await s.call_tool("check_schema_change", {"asset": w.orders["id"], "proposed_schema": V1_SCHEMA})
        out["pending"] = await s.call_tool("list_pending_proposals", {"team": "Analytics"})
        out["proposal"] = await s.call_tool("get_proposal", {"proposal_id": w.proposal})
        out["lineage"] = await s.call_tool("get_lineage", {"asset": "warehouse.sales.orders", "depth": 2})
        out["missing"] = await s.call_tool("get_asset", {"asset": "warehouse.nope"})
        out["write"] = await s.call_tool("report_materialization", {"asset_key": "warehouse.sales.orders"})
        return out

    out = session(cli, w, w.read_key)(scenario)
    assert set(out["tools"]) == READ_TOOLS
    for tool in out["tools"].values():
        assert "Returns" in tool.description, tool.name  # each says what it returns
    search = text(out["search"])
    assert {"warehouse.sales.orders", "warehouse.sales.lines"} <= {a["fqn"] for a in search}
    got = text(out["get"])
    assert got["asset"]["id"] == w.orders["id"] and got["contract"]["version"] == "1.0.0"
    assert got["contract"]["schema"] == V1_SCHEMA
    check = text(out["check"])
    assert check["is_breaking"] is True and check["suggested_version"] == "2.0.0"
    assert [(c["path"], c["breaking"]) for c in check["changes"]] == [("$.properties.customer_id", True)]
    assert [c["team"] for c in check["affected_consumers"]] == ["Analytics"]
    assert text(out["ok"])["is_breaking"] is False and text(out["ok"])["changes"] == []
    pending = text(out["pending"])
    assert w.proposal in [p["id"] for p in pending]
    proposal = text(out["proposal"])
    assert proposal["waiting_for"] == [{"team_id": w.consumer, "team": "Analytics"}]
    assert [c["path"] for c in proposal["breaking_changes"]] == ["$.properties.customer_id"]
    lineage = text(out["lineage"])
    assert [n["fqn"] for n in lineage["upstream"]] == ["warehouse.raw.orders"] and lineage["downstream"] == []
    assert out["missing"].is_error and "No asset 'warehouse.nope'" in out["missing"].content[0].text
    assert out["write"].is_error  # not offered, so not callable
    # compact JSON: no indentation
    assert "\n" not in out["get"].content[0].text and ": " not in out["search"].content[0].text


def test_allow_writes_adds_acknowledge_and_report(cli, mcp_world):
    w = mcp_world

    async def scenario(s):
        tools = {t.name for t in (await s.list_tools()).tools}
        ack = await s.call_tool("acknowledge_proposal", {"proposal_id": w.proposal, "response": "approved",
                                                         "team": "Analytics", "notes": "ok by us"})
        again = await s.call_tool("acknowledge_proposal", {"proposal_id": w.proposal, "response": "approved",
                                                           "team": "Analytics"})
        bad = await s.call_tool("acknowledge_proposal", {"proposal_id": w.proposal, "response": "maybe",
                                                         "team": "Analytics"})
        report = await s.call_tool("report_materialization", {"asset_key": "warehouse.sales.orders",
                                                              "metadata": {"rows": 42}, "partition": "p1"})
        return tools, ack, again, bad, report

    tools, ack, again, bad, report = session(cli, w, w.consumer_key, "--allow-writes")(scenario)
    assert tools == READ_TOOLS | WRITE_TOOLS
    assert text(ack)["response"] == "approved" and text(ack)["consumer_team_id"] == w.consumer
    assert again.is_error and "already acknowledged" in again.content[0].text
    assert bad.is_error  # not one of approved/blocked/migrating: refused before any request
    assert text(report) == {"reported": "materialization", "asset_key": ["warehouse", "sales", "orders"]}
    status = w.admin("GET", f"/api/v1/proposals/{w.proposal}/status").json()
    assert status["proposal"]["lifecycle_status"] == "approved"
    events = w.admin("GET", f"/api/v1/assets/{w.orders['id']}/events", params={"type": "materialization"}).json()
    assert {"rows": 42} in [e.get("metadata") for e in events["results"]]
