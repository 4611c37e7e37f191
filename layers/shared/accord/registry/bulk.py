"""Bulk writes for importers (dbt, OpenLineage): many assets at once, with exactly the rules of
POST /api/v1/assets — the same request model, authorization, items and counters — but written
as few transactions as fit, each with ONE update per counter (store/assets.create_many). A 5,000-
model import is ~450 transactions instead of 5,000, and it makes no counter shard hot.

The heat model (tests/support/heat_paths.py, "asset create, bulk") holds this path to the same
budget as every other write path. Dependencies in bulk: `accord.registry.lineage.add_many`.
"""
from pydantic import ValidationError

from accord import errors
from accord.registry import assets
from accord.store import assets as store

MAX_ITEMS = 1000


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return exc.message if isinstance(exc, errors.AccordError) else str(exc)


def create_assets(principal, items: list[dict]) -> list[dict]:
    """[{index, status: created | duplicate | error, asset? , error?}] in the order given. Each item
    is an AssetCreate body; an item that fails validation, authorization or uniqueness fails alone."""
    from accord.registry.models import AssetCreate
    if len(items) > MAX_ITEMS:
        raise errors.PayloadTooLarge(f"At most {MAX_ITEMS} assets per call; send the rest in another call.")
    tenant = principal.tenant
    out: list[dict] = [{"index": i} for i in range(len(items))]
    teams: dict[str, dict | Exception] = {}
    entries, where = [], []
    for i, raw in enumerate(items):
        try:
            body = AssetCreate.model_validate(raw)
            team_id = str(body.owner_team_id)
            assets.authorize_create(principal, team_id)
            if team_id not in teams:
                try:
                    teams[team_id] = assets.owner_team(tenant, team_id)
                except errors.NotFound as exc:
                    teams[team_id] = exc
            if isinstance(teams[team_id], Exception):
                raise teams[team_id]
            asset = assets.new_asset(body, teams[team_id])
        except (ValidationError, errors.AccordError) as exc:
            out[i].update(status="error", error=_problem(exc))
            continue
        entries.append((asset, assets.search_tokens(asset["fqn"])))
        where.append(i)
    for (asset, _), i, failed in zip(entries, where, store.create_many(tenant, entries)):
        if failed is None:
            out[i].update(status="created", asset=assets.view(asset))
        elif failed == "guard":
            out[i].update(status="duplicate", error=assets.duplicate(tenant, asset["fqn"], asset["environment"]).message)
        else:
            out[i].update(status="error", error=f"Owner team {asset['owner_team_id']} not found.")
    return out
