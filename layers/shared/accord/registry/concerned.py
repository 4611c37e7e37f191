"""Which teams an event concerns (DESIGN §11): the team filter of webhooks and of the activity log.

A team is concerned when it owns the event's asset, consumes it (a registration that is not
inactive), is affected by the proposal (the event's own `data.teams`, computed when it was made),
or owns an asset downstream of it (the impact walk's depth). Computed by the dispatcher, once per
asset per batch of events (`Resolver`), never by a subscriber.
"""
from accord.registry import contracts, impact


class Resolver:
    """`resolver(tenant, event)` → set of team ids; reads each asset's consumers and downstream
    owners once per Resolver (one per dispatched batch)."""

    def __init__(self, depth: int = impact.DEFAULT_IMPACT_DEPTH):
        self.depth = depth
        self._by_asset: dict[tuple[str, str], set[str]] = {}
        self.reads = 0

    def __call__(self, tenant: str, event: dict) -> set[str]:
        data = event.get("data") or {}
        teams = {t for t in data.get("teams") or [] if t}
        if data.get("owner_team_id"):
            teams.add(data["owner_team_id"])
        asset_id = data.get("asset_id")
        if asset_id:
            teams |= self._asset_teams(tenant, asset_id)
        return teams

    def _asset_teams(self, tenant: str, asset_id: str) -> set[str]:
        slot = (tenant, asset_id)
        if slot not in self._by_asset:
            self.reads += 1
            found = {r["consumer_team_id"] for r in contracts.active_consumers(tenant, asset_id)}
            nodes, _ = impact.downstream(tenant, asset_id, self.depth)
            found |= {n["owner_team_id"] for n in nodes if n.get("owner_team_id")}
            self._by_asset[slot] = found
        return self._by_asset[slot]
