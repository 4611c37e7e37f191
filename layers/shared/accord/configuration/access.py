"""Who may do what in the configuration family (DESIGN §6).

* The `{tenant}` of the path must be the key's tenant. Any other tenant — unknown or someone
  else's — is answered with the same 404, so a key cannot tell the two apart.
* TENANT_ADMIN = a key with the `admin` scope, or a key holding the TENANT_ADMIN role (in
  `project_roles`, under any project id): every project, project lifecycle, global connections.
* Per project, from the key's `project_roles` {project id: role}:
    PROJECT_VIEWER   reads the project, its connections and assets
    PROJECT_OPERATOR reads, and runs the asset's schedule: it may change `scheduled_upload`
                     (enable, disable, reschedule) — nothing else
    PROJECT_EDITOR   everything inside the project: assets, connections, moves, renaming it
  Route scopes still apply on top (reads need `read`, writes `write`).
"""
from accord import errors
from accord.auth.principal import TENANT_ADMIN

VIEWER, OPERATOR, EDITOR = "PROJECT_VIEWER", "PROJECT_OPERATOR", "PROJECT_EDITOR"
READ, OPERATE, WRITE = "read", "operate", "write"
_LEVELS = {READ: {VIEWER, OPERATOR, EDITOR}, OPERATE: {OPERATOR, EDITOR}, WRITE: {EDITOR}}
_NEEDS = {READ: "a project role (PROJECT_VIEWER or above)", OPERATE: "PROJECT_OPERATOR or PROJECT_EDITOR",
          WRITE: "PROJECT_EDITOR"}


def tenant_not_found(tenant: str) -> errors.NotFound:
    return errors.NotFound(f"Tenant '{tenant}' not found.", code="TENANT_NOT_FOUND")


def check_tenant(principal, tenant: str) -> None:
    if principal is None or principal.tenant != tenant:
        raise tenant_not_found(tenant)


def is_tenant_admin(principal) -> bool:
    return principal.is_admin or TENANT_ADMIN in principal.project_roles.values()


def role(principal, project_id: int) -> str | None:
    return principal.project_roles.get(str(project_id))


def can(principal, project_id: int, level: str) -> bool:
    return is_tenant_admin(principal) or role(principal, project_id) in _LEVELS[level]


def require(principal, project_id: int, level: str, action: str = "") -> None:
    if can(principal, project_id, level):
        return
    has = role(principal, project_id)
    raise errors.Forbidden(
        f"This API key needs {_NEEDS[level]} (or TENANT_ADMIN) in project {project_id}"
        f"{' to ' + action if action else ''}; its role there: {has or 'none'}.", code="FORBIDDEN")


def require_admin(principal, action: str) -> None:
    if not is_tenant_admin(principal):
        raise errors.Forbidden(f"Only a TENANT_ADMIN key may {action}.", code="FORBIDDEN")


def readable_projects(principal) -> list[int] | None:
    """Project ids the key may read; None = all (tenant admin)."""
    if is_tenant_admin(principal):
        return None
    return sorted(int(p) for p, r in principal.project_roles.items() if r in _LEVELS[READ] and _digits(str(p)))


def _digits(text: str) -> bool:
    """ASCII digits only: "²".isdigit() is True but int("²") fails."""
    return text.isascii() and text.isdigit()


MAX_ID = 10 ** 12 - 1  # ids are zero-padded to 12 digits in sort keys


def parse_id(raw, not_found: errors.AccordError) -> int:
    """A path id: a non-negative integer, else the entity simply does not exist (404)."""
    text = str(raw).strip()
    if not _digits(text) or len(text) > 12:
        raise not_found
    return int(text)
