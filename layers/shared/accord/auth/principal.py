"""The caller, as the authorizer resolved it and API Gateway passes it to each function.

API Gateway only carries string/number/boolean context values, so collections travel as
comma-separated or JSON strings.
"""
import json
from dataclasses import dataclass, field

READ, WRITE, ADMIN = "read", "write", "admin"
SCOPES = (READ, WRITE, ADMIN)
# admin implies write implies read: a key that may change something may also look at it.
_IMPLIED = {ADMIN: {READ, WRITE, ADMIN}, WRITE: {READ, WRITE}, READ: {READ}}

TENANT_ADMIN = "TENANT_ADMIN"
PROJECT_ROLES = ("TENANT_ADMIN", "PROJECT_EDITOR", "PROJECT_OPERATOR", "PROJECT_VIEWER")


@dataclass(frozen=True)
class Principal:
    tenant: str
    key_id: str
    name: str = ""
    email: str | None = None
    scopes: frozenset = frozenset()
    team_id: str | None = None
    project_roles: dict = field(default_factory=dict)
    platform_admin: bool = False

    def has(self, scope: str) -> bool:
        return any(scope in _IMPLIED[s] for s in self.scopes if s in _IMPLIED)

    @property
    def is_admin(self) -> bool:
        return self.has(ADMIN)

    @property
    def display(self) -> str:
        """Who to show as `created_by`: the key's email, else its name."""
        return self.email or self.name or self.key_id

    def to_context(self) -> dict:
        return {
            "tenant": self.tenant,
            "key_id": self.key_id,
            "name": self.name,
            "email": self.email or "",
            "scopes": ",".join(sorted(self.scopes)),
            "team_id": self.team_id or "",
            "project_roles": json.dumps(self.project_roles, separators=(",", ":")),
            "platform_admin": "true" if self.platform_admin else "false",
        }

    @classmethod
    def from_context(cls, ctx: dict | None) -> "Principal | None":
        if not ctx or not ctx.get("tenant") or not ctx.get("key_id"):
            return None
        try:
            roles = json.loads(ctx.get("project_roles") or "{}")
        except ValueError:
            roles = {}
        return cls(
            tenant=str(ctx["tenant"]),
            key_id=str(ctx["key_id"]),
            name=str(ctx.get("name") or ""),
            email=str(ctx.get("email") or "") or None,
            scopes=frozenset(s for s in str(ctx.get("scopes") or "").split(",") if s),
            team_id=str(ctx.get("team_id") or "") or None,
            project_roles=roles if isinstance(roles, dict) else {},
            platform_admin=str(ctx.get("platform_admin")).lower() == "true",
        )
