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

Registry family (assets, lineage, audit). `␟` is U+001F, which fqn/environment may not contain;
`{fqnkey}` is the fqn followed by `.␟`, so `begins_with(fqn + ".")` matches an fqn exactly *and*
every fqn below it (`a.b` → `a.b`, `a.b.c`; never `a.bc`), and exact names sort before children
(␟ sorts before every character an fqn may hold).

| entity              | PK                                  | SK                     | GSI1PK / GSI1SK ; GSI2PK / GSI2SK |
|---------------------|-------------------------------------|------------------------|-----------------------------------|
| asset               | T#{t}#ASSET#{id}                    | ASSET                  | T#{t}#ASSETS / {fqnkey}{env}␟{id} ; T#{t}#TEAMASSETS#{team} / same (live only) |
| asset env view      | T#{t}#ASSET#{id}                    | ASSET#ENV              | T#{t}#ASSETS#ENV#{env} / {fqnkey}{id} ; T#{t}#TEAMASSETS#{team}#ENV#{env} / same (live only; a full copy) |
| asset fqn guard     | T#{t}#ASSETFQN#{env}#{fqn}          | UNIQUE                 | - (live fqn+environment uniqueness, same transaction) |
| asset search token  | T#{t}#ASSETSEARCH                   | {token}␟{id}           | - (lower-cased fqn suffixes at word boundaries) |
| asset counters      | T#{t}#COUNTER                       | assets[|t={team}][|e={env}][|f={fqn prefix}] | - (exact list totals) |
| dependency (up)     | T#{t}#ASSET#{source}                | DEP#{target}           | - (source depends on target) |
| dependent (down)    | T#{t}#ASSET#{target}                | DEPENDENT#{source}     | - (mirror of the edge) |
| dependency by id    | T#{t}#DEPENDENCY#{dep id}           | DEPENDENCY             | - |
| lineage version     | T#{t}#LINEAGE                       | VERSION                | - (serialises cycle checks of edge adds) |
| audit run           | T#{t}#ASSET#{a}                     | AUDIT#{run_at}#{id}    | T#{t}#AUDIT#{a}#S#{status} / {run_at}#{id} ; T#{t}#AUDIT#{a}#B#{triggered_by} / same |
| audit counters      | T#{t}#ASSET#{a}                     | AUDITCOUNT[#S#{s}][#B#{by}] | - (exact `total_runs`, same transaction) |

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


# ------------------------------------------------------------------ registry: assets
US = "\x1f"  # separator inside sort keys; never part of an fqn, environment or id


def asset_pk(tenant: str, asset_id: str) -> str:
    return f"{t(tenant)}ASSET#{asset_id}"


ASSET_SK = "ASSET"
ASSET_VIEW_SK = "ASSET#ENV"


def fqn_key(fqn: str) -> str:
    """The sort-key form of an fqn (exactly this fqn)."""
    return f"{fqn}.{US}"


def fqn_prefix_key(fqn: str) -> str:
    """`begins_with` this: the fqn exactly or any fqn below it (`a.b` → `a.b`, `a.b.c`; not `a.bc`)."""
    return f"{fqn}."


def assets_gsi(tenant: str) -> str:
    return f"{t(tenant)}ASSETS"


def assets_env_gsi(tenant: str, env: str) -> str:
    return f"{t(tenant)}ASSETS#ENV#{env}"


def team_assets_gsi(tenant: str, team_id: str) -> str:
    return f"{t(tenant)}TEAMASSETS#{team_id}"


def team_env_assets_gsi(tenant: str, team_id: str, env: str) -> str:
    return f"{t(tenant)}TEAMASSETS#{team_id}#ENV#{env}"


def asset_sort(fqn: str, env: str, asset_id: str) -> str:
    return f"{fqn_key(fqn)}{env}{US}{asset_id}"


def asset_env_sort(fqn: str, asset_id: str) -> str:
    return f"{fqn_key(fqn)}{asset_id}"


def asset_fqn_pk(tenant: str, env: str, fqn: str) -> str:
    return f"{t(tenant)}ASSETFQN#{env}#{fqn}"


def asset_search_pk(tenant: str) -> str:
    return f"{t(tenant)}ASSETSEARCH"


def asset_search_sk(token: str, asset_id: str) -> str:
    return f"{token}{US}{asset_id}"


def asset_counter(team: str | None = None, env: str | None = None, fqn: str | None = None) -> str:
    name = "assets"
    if team:
        name += f"|t={team}"
    if env:
        name += f"|e={env}"
    if fqn:
        name += f"|f={fqn}"
    return name


# ------------------------------------------------------------------ registry: lineage
def dep_sk(target_id: str) -> str:
    return f"DEP#{target_id}"


DEP_PREFIX = "DEP#"


def dependent_sk(source_id: str) -> str:
    return f"DEPENDENT#{source_id}"


DEPENDENT_PREFIX = "DEPENDENT#"


def dependency_pk(tenant: str, dep_id: str) -> str:
    return f"{t(tenant)}DEPENDENCY#{dep_id}"


DEPENDENCY_SK = "DEPENDENCY"


def lineage_pk(tenant: str) -> str:
    return f"{t(tenant)}LINEAGE"


LINEAGE_SK = "VERSION"


# ------------------------------------------------------------------ registry: audit runs
AUDIT_PREFIX = "AUDIT#"


def audit_sk(run_at: str, run_id: str) -> str:
    return f"AUDIT#{run_at}#{run_id}"


def audit_status_gsi(tenant: str, asset_id: str, status: str) -> str:
    return f"{t(tenant)}AUDIT#{asset_id}#S#{status}"


def audit_source_gsi(tenant: str, asset_id: str, triggered_by: str) -> str:
    return f"{t(tenant)}AUDIT#{asset_id}#B#{triggered_by}"


def audit_counter_sk(status: str | None = None, triggered_by: str | None = None) -> str:
    sk = "AUDITCOUNT"
    if status:
        sk += f"#S#{status}"
    if triggered_by:
        sk += f"#B#{triggered_by}"
    return sk
