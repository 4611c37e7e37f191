"""`GET /api/v1/me`: who an API key is (DESIGN §12) — what the web UI shows and whose inbox it
opens, what `accord login` verifies. Built from the principal the authorizer resolved; the secret
and its hash are never part of it."""
from accord.auth.principal import SCOPES, Principal
from accord.identity import teams


def whoami(p: Principal) -> dict:
    """The key's identity. `team` is its team ({id, name}) or null: a key without a team (an admin
    key, say) acts for no team, and a team deleted since the key was made reads as null too."""
    team = None
    if p.team_id:
        found = teams.lookup(p.tenant, p.team_id)
        team = {"id": found["id"], "name": found["name"]} if found else None
    return {"id": p.key_id, "name": p.name, "email": p.email, "tenant": p.tenant,
            "team_id": team["id"] if team else None, "team": team,
            # the scopes it holds, and what they allow (admin implies write implies read)
            "scopes": sorted(p.scopes), "effective_scopes": [s for s in SCOPES if p.has(s)],
            "is_admin": p.is_admin, "platform_admin": p.platform_admin,
            "project_roles": dict(sorted(p.project_roles.items()))}
