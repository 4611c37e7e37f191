"""Every key pattern of the Accord table, in one place (DESIGN §3).

Table: PK/SK, GSI1 (GSI1PK/GSI1SK), GSI2 (GSI2PK/GSI2SK), TTL attribute `ttl`.
Everything tenant-owned starts with `T#{tenant}#`, so no id lookup can cross tenants: an id of
another tenant simply is not under the caller's prefix (404, never 403).

| entity        | PK                                | SK        | GSI1PK / GSI1SK                         |
|---------------|-----------------------------------|-----------|-----------------------------------------|
| tenant        | TENANT#{slug}                     | TENANT    | TENANTS / {slug}                        |
| API key       | APIKEY#{key id hex}               | KEY       | T#{t}#APIKEYS / {created_at}#{id}       |
| team          | T#{t}#TEAM#{team id}              | TEAM      | T#{t}#TEAMS / {created_at}#{id}  (live) |
| team name     | T#{t}#TEAMNAME#{casefolded name}  | UNIQUE    | - (uniqueness guard, same transaction)  |
| counter       | T#{t}#COUNTER                     | {name}    | - (exact totals, same transaction)      |
| inbox message | T#{t}#INBOX                       | MSG#{id}  | - (reports worker stub)                 |

API keys are keyed by key id alone because the authorizer knows only the secret (which embeds
the id) and not yet the tenant; the tenant is an attribute checked on every read.
"""

SEP = "#"


def t(tenant: str) -> str:
    return f"T#{tenant}#"


def tenant_pk(slug: str) -> str:
    return f"TENANT#{slug}"


TENANT_SK = "TENANT"
TENANTS_GSI = "TENANTS"


def apikey_pk(key_id_hex: str) -> str:
    return f"APIKEY#{key_id_hex}"


APIKEY_SK = "KEY"


def apikeys_gsi(tenant: str) -> str:
    return f"{t(tenant)}APIKEYS"


def team_pk(tenant: str, team_id: str) -> str:
    return f"{t(tenant)}TEAM#{team_id}"


TEAM_SK = "TEAM"


def teams_gsi(tenant: str) -> str:
    return f"{t(tenant)}TEAMS"


def team_name_pk(tenant: str, name: str) -> str:
    return f"{t(tenant)}TEAMNAME#{name.casefold()}"


UNIQUE_SK = "UNIQUE"


def counter_pk(tenant: str) -> str:
    return f"{t(tenant)}COUNTER"


def inbox_pk(tenant: str) -> str:
    return f"{t(tenant)}INBOX"


def created_sort(created_at: str, ident: str) -> str:
    return f"{created_at}#{ident}"
