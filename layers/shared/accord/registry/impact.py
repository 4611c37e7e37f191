"""Impact analysis: the publish diff without writing, and who it would affect — registered
consumer teams plus the owners of downstream assets (a depth-bounded lineage walk)."""
from accord import errors
from accord.registry import assets, columns, lineage
from accord.registry.contracts import (
    active_consumers,
    check_schema,
    mode_or_422,
    plan,
    sdk_change_type,
)

DEFAULT_IMPACT_DEPTH = 3


def downstream(tenant: str, asset_id: str, depth: int) -> tuple[list[dict], bool]:
    return lineage._walk(tenant, asset_id, "down", "source_asset_id", depth)


def impact(tenant: str, asset_id: str, body, depth: int | None) -> dict:
    """The publish diff without writing, and who it would affect: registered consumer teams plus
    the owners of downstream assets (depth-bounded lineage walk)."""
    depth = depth or body.depth or DEFAULT_IMPACT_DEPTH
    check_schema(body.proposed_schema, "proposed_schema")
    mode = mode_or_422(body.compatibility_mode) if body.compatibility_mode else None
    asset = assets.get(tenant, asset_id, consistent=False)
    p = plan(tenant, asset, body.proposed_schema, mode=mode, guarantees=body.proposed_guarantees,
             profile=body.profile)
    consumers = active_consumers(tenant, asset["id"])
    nodes, truncated = downstream(tenant, asset["id"], depth)
    touched = columns.field_impact(tenant, asset["id"], p.breaking, nodes, depth)
    teams: dict[str, dict] = {}
    for r in consumers:
        teams.setdefault(r["consumer_team_id"], {"team_id": r["consumer_team_id"], "team_name": r.get("consumer_team_name"),
                                                 "registration_id": r["id"], "pinned_version": r.get("pinned_version"),
                                                 "status": r.get("status"), "sources": [], "assets": []})["sources"].append(
            "registration")
    for n in nodes:
        t = teams.setdefault(n["owner_team_id"], {"team_id": n["owner_team_id"], "team_name": n.get("owner_team_name"),
                                                  "registration_id": None, "pinned_version": None, "status": None,
                                                  "sources": [], "assets": []})
        if "lineage" not in t["sources"]:
            t["sources"].append("lineage")
        t["assets"].append({"asset_id": n["asset_id"], "fqn": n["fqn"], "depth": n["depth"],
                            "field_impact": touched.get(n["asset_id"], "unknown")})
    for n in nodes:
        n["field_impact"] = touched.get(n["asset_id"], "unknown")
    for t in teams.values():
        t["field_impact"] = columns.team_status([a["field_impact"] for a in t["assets"]],
                                                "registration" in t["sources"])
    affected = list(teams.values())
    current = p.active["version"] if p.active else None
    try:
        suggested = str(p.version(None))
    except errors.AccordError:
        suggested = None
    return {"asset_id": asset["id"], "asset_fqn": asset["fqn"], "current_version": current,
            "suggested_version": suggested, "compatibility_mode": p.mode, "profile": p.profile,
            "is_breaking": p.is_breaking, "safe_to_publish": not p.is_breaking,
            "change_type": sdk_change_type(p.bump), "bump": p.bump, "breaking_changes": p.breaking,
            "changes": p.changes, "warnings": p.warnings,
            "affected_consumers": affected, "impacted_consumers": affected,
            "affected_assets": nodes, "depth": depth, "truncated": truncated}
