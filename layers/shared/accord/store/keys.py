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
| counter shard | T#{t}#COUNTER#{shard 00-31}       | {name}    | - (exact totals: store/counters.py)     |
| sequence      | T#{t}#COUNTER                     | {name}    | - (integer ids: atomic ADD)             |
| settings      | T#{t}#SETTINGS                    | SETTINGS  | - (retention_days, report_rate_per_second) |
| rate window   | T#{t}#RATE#{shards}#{shard}       | {epoch second} | - (tokens leased in that second: store/ratelimit.py; `ttl`) |

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
| asset counters      | T#{t}#COUNTER#{shard}               | assets[|t={team}][|f={fqn prefix}] | - (exact list totals: `n` and `e#{env}`; a prefix counts the assets strictly below it) |
| dependency (up)     | T#{t}#ASSET#{source}                | DEP#{target}           | - (source depends on target) |
| dependent (down)    | T#{t}#ASSET#{target}                | DEPENDENT#{source}     | - (mirror of the edge) |
| dependency by id    | T#{t}#DEPENDENCY#{dep id}           | DEPENDENCY             | - (all three carry `pending` until the cycle check confirms them) |
| lineage version     | T#{t}#LINEAGE                       | VERSION                | - (moved by OpenLineage's edge writes only: serialises their cycle checks) |
| audit run           | T#{t}#ASSET#{a}                     | AUDIT#{run_at}#{id}    | T#{t}#AUDIT#{a}#S#{status} / {run_at}#{id} ; T#{t}#AUDIT#{a}#B#{triggered_by} / same (`ttl`) |
| audit counts        | T#{t}#ASSET#{a}                     | AUDITN#{ttl}#{shard}   | - (`n`, `s#{status}`, `b#{by}`, `sb#{status}#{by}` of the runs expiring at `ttl`; same transaction; 8 shards) |
| contract            | T#{t}#CONTRACT#{id}                 | CONTRACT               | T#{t}#ASSET#{a}#CONTRACTS / {semver sort key} ; T#{t}#CONTRACTS / {published_at}#{id} |
| contract document   | T#{t}#CONTRACT#{id}                 | DOC                    | - (compressed schema + guarantees: kept out of both GSIs; store/docs.py) |
| contract version    | T#{t}#ASSET#{a}                     | CVER#{version w/o build} | - (version uniqueness per asset line, same transaction as the publish) |
| contract counters   | T#{t}#COUNTER#{shard}               | contracts              | - (`n` and `s#{status}`, in the asset's shard) |
| admin action log    | T#{t}#ASSET#{a}                     | LOG#{at}#{id}          | - (forced publishes/approvals, with reason) |
| registration        | T#{t}#REG#{id}                      | REG                    | - |
| asset's consumer    | T#{t}#ASSET#{a}                     | REG#{consumer team}    | - (one registration per team and asset line; a copy) |
| proposal expiry     | EXPIRY#{YYYY-MM-DD of expires_at}   | {expires_at}#{t}#{id}  | - (global work list of the expiry sweep; TTL 30 days after) |
| proposal            | T#{t}#PROPOSAL#{id}                 | PROPOSAL               | T#{t}#PROPOSALS / {proposed_at}#{id} ; T#{t}#ASSET#{a}#PROPOSALS / same (small: status, dates, versions, `rev`, `ack_count`, `objection_count`) |
| proposal document   | T#{t}#PROPOSAL#{id}                 | DOC                    | - (compressed, written once: proposed schema + guarantees, breaking changes, affected teams and assets) |
| acknowledgment      | T#{t}#PROPOSAL#{id}                 | ACK#{consumer team}    | - (one per team; same transaction as the proposal's `rev` + 1) |
| objection           | T#{t}#PROPOSAL#{id}                 | OBJECTION#{team}       | - (one per team; same transaction as the proposal's `rev` + 1) |

The asset item also carries the contract line's state: `compatibility_mode`, `guarantee_mode`,
`active_contract_id/version`, `pending_proposal_id` (one open proposal per asset) and
`consumer_count` (registrations not inactive), each changed only inside the transactions above.

Configuration family (Telmai view, accord/configuration). `{n}` is an integer id zero-padded to 12
digits in sort keys, so key order is numeric order. Project 0 is implicit: its item exists only
once something was counted in it or it was renamed, and it is never in the projects index.

| entity                | PK                                  | SK        | GSI1PK / GSI1SK ; GSI2PK / GSI2SK |
|-----------------------|-------------------------------------|-----------|-----------------------------------|
| project               | T#{t}#CFGPROJECT#{id}               | PROJECT   | T#{t}#CFGPROJECTS / {n} (not project 0) ; - (`asset_count`, `connection_count` counted in the same transactions) |
| connection            | T#{t}#CFGCONN#{id}                  | CONN      | T#{t}#CFGCONNS#P#{project} or T#{t}#CFGCONNS#GLOBAL / {n} (`asset_count` = assets using it) |
| connection credential | T#{t}#CFGSECRET#{random ref}        | SECRET    | - (write-only; read by no route; the connection holds the ref) |
| asset configuration   | T#{t}#ASSETCFG#{number}             | CFG       | T#{t}#CFGASSETS#P#{project} / {n} ; T#{t}#CFGASSETS / {n} |
| id sequences          | T#{t}#COUNTER                       | cfg-seq:{project, connection or asset} | - (atomic ADD; numbers never reused) |
| configured assets     | T#{t}#COUNTER#{shard}               | cfg-assets | - (tenant-wide total, same transaction) |

The registry asset item (`T#{t}#ASSET#{id}` / ASSET and its ASSET#ENV copy) carries
`config_number` while a configuration points at it; the configuration item carries `asset_id`.
Both sides change in the same transaction.

Reports family (accord/reports, store/events.py). `{key}` is the canonical asset key: the parts
as a compact JSON list (`["warehouse","orders"]`), unambiguous whatever the parts hold; an asset's
events are those of `fqn.split(".")`. `{seq}` is `{timestamp}#{uid}` (ISO-8601 ms, then the event's
uid): event-time order. "Latest" (per type, per check, per partition) is the first item of the matching
index read newest first — a pointer that only moves forward in event time, with nothing to regress.

| entity              | PK                                  | SK                     | GSI1PK / GSI1SK ; GSI2PK / GSI2SK |
|---------------------|-------------------------------------|------------------------|-----------------------------------|
| reported key        | T#{t}#EVK#{key}                     | KEY                    | T#{t}#EVKEYS / {parts joined by ␟} ; - (last seen: the unregistered list, a key before the keys below it) |
| event               | T#{t}#EVK#{key}                     | EV#{seq}               | T#{t}#EVK#{key}#T#{type} / {seq} ; T#{t}#EVK#{key}#C#{check name} (checks) or #P#{partition} / {seq} |
| reported check      | T#{t}#EVK#{key}                     | CHK#{check name}       | - (the key's check names: the status lists each one's latest evaluation) |
| event id guard      | T#{t}#EVID#{event id}               | EVID                   | - (producer `event_id` / `Idempotency-Key` / SQS message id + index; `ttl` 30 days) |
| rejected report     | T#{t}#REJECTED                      | {at}#{rid}             | - (invalid SQS reports with their reason; `ttl`: the tenant's retention) |

Checks also write audit runs (the audit run rows above) in the same transaction as the event.
Events, reported keys and checks, audit runs and their counts, and rejected reports carry `ttl`
(store/retention.py: when it was recorded + the tenant's retention, rounded up to a week); every
read of them filters on it.

OpenLineage and drift (accord/ingest, store/ingest.py; column lineage: store/columns.py). `{h}` is a
hex SHA-256 prefix: of the event's (run id, event time, event type) for a guard, of (namespace, name)
for a dataset, of (namespace, name) for a job, of the observed schema for a verdict. Hashes keep keys
short whatever the names hold.

| entity              | PK                                  | SK                     | GSI1PK / GSI1SK                   |
|---------------------|-------------------------------------|------------------------|-----------------------------------|
| lineage event guard | T#{t}#OLEV#{h}                      | OLEV[#{chunk}]         | - (the event was recorded; `ttl` 30 days) |
| job run             | T#{t}#OLJOB#{h}                     | RUN#{run id}           | T#{t}#OLJOB#{h}#RUNS / {first event time}#{run id} |
| discovered dataset  | T#{t}#OLDS#{h}                      | DATASET                | T#{t}#OLDISCOVERED / {fqn or name}␟{h} (one attribute `j_{job h}` per job that touched it) |
| lineage settings    | T#{t}#OLSETTINGS                    | SETTINGS               | - (namespace → environment) |
| column lineage (up) | T#{t}#ASSET#{b}                     | COLLINEAGE             | - (b's columns ← upstream columns: the latest columnLineage facet) |
| column lineage (down) | T#{t}#ASSET#{a}                   | COLDOWN                | - (one attribute `d_{b}` per downstream asset b: a's columns → b's) |
| drift verdict       | T#{t}#ASSET#{a}                     | DRIFT#{h}              | - (an observed schema judged against a contract: decided once) |

Jobs (accord/jobs, store/jobs.py) run long work off the request: a dbt import, a team rename.
A team mid-rename carries `rename_job_id` (its current rename job) until that job has succeeded.
Imports (accord/ingest): a large manifest is uploaded to the import bucket under
`uploads/{tenant}/{upload id}` (S3, transient: the bucket's lifecycle expires it), then imported by
a job. Assets an importer wrote carry `import_asset_hash`, `import_run`, `import_hash`,
`import_contract_id` (what dbt said, so an unchanged re-import writes nothing).

| entity              | PK                                  | SK                     | GSI1PK / GSI1SK ; GSI2PK / GSI2SK |
|---------------------|-------------------------------------|------------------------|-----------------------------------|
| job (queued work)   | T#{t}#JOB#{id}                      | JOB                    | - (`kind` dbt_import or team_rename; status, progress, checkpoint, options, result; `ttl` 30 days) |
| job wake marker     | JOBWAKE#{YYYY-MM-DD of wake_at}     | {wake_at}#{t}#{id}     | - (global work list: written with the job, deleted once its message is sent; the sweep re-sends a queued job whose marker outlived `wake_at`; `ttl` 30 days) |

Notifications (accord/notify, store/outbox.py, store/webhooks.py). An event is written in the same
transaction (or conditional write) as the change it describes: the outbox. DynamoDB Streams read it
(INSERT of SK `OUTBOX`, the event source mapping's filter); the same item is the activity log.

| entity              | PK                                  | SK                     | GSI1PK / GSI1SK ; GSI2PK / GSI2SK |
|---------------------|-------------------------------------|------------------------|-----------------------------------|
| event (outbox)      | T#{t}#EVENT#{event id}              | OUTBOX                 | T#{t}#ACTIVITY / {time}#{id} ; T#{t}#ACTIVITY#A#{asset id} / same (`ttl` 90 days) |
| event of a team     | T#{t}#ACTIVITY#TEAM#{team id}       | {time}#{event id}      | - (a copy, written by the dispatcher for each concerned team; `ttl` 90 days) |
| webhook             | T#{t}#WEBHOOK#{id}                  | WEBHOOK                | T#{t}#WEBHOOKS / {created_at}#{id} (the dispatcher reads these once per batch) |
| webhook delivery    | T#{t}#WEBHOOK#{webhook id}          | DLV#{delivery id}      | T#{t}#WEBHOOK#{webhook id}#DLV / {created_at}#{delivery id} (`ttl` 30 days) |
| asset freshness     | T#{t}#ASSET#{a}                     | FRESHNESS              | - (status fresh/stale, last update, due time, rev) |
| freshness due       | FRESHDUE#{YYYY-MM-DDTHH of due}     | {due_at}#{t}#{asset}   | - (global work list of the freshness sweep; `ttl` 7 days) |

API keys are keyed by key id alone because the authorizer knows only the secret (which embeds
the id) and not yet the tenant; the tenant is an attribute checked on every read.
"""

import re

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


def settings_pk(tenant: str) -> str:
    return f"{t(tenant)}SETTINGS"


SETTINGS_SK = "SETTINGS"


def rate_pk(tenant: str, shards: int, shard: int) -> str:
    """One of the `shards` window items a tenant's limit is split over (the count is in the key so
    that a limit changed mid-second never mixes two splits, and the heat model sees the shards)."""
    return f"{t(tenant)}RATE#{shards}#{shard}"


def counter_pk(tenant: str) -> str:
    """The tenant's sequences (integer ids that must be unique: one item each, never sharded)."""
    return f"{t(tenant)}COUNTER"


COUNTER_SHARDS = 32


def counter_shard_pk(tenant: str, shard: int) -> str:
    return f"{t(tenant)}COUNTER#{shard:02d}"


_COUNTER_SHARD = re.compile(r"^(T#.+#COUNTER)#(\d\d)$")
_AUDIT_COUNT_SHARD = re.compile(r"^(AUDITN#\d+)#(\d+)$")
_RATE_SHARD = re.compile(r"^(T#.+#RATE#(\d+))#(\d+)$")


def shard_of(pk: str, sk: str) -> tuple[tuple[str, str], int] | None:
    """((logical key), shard count) if (pk, sk) is one shard of a sharded item, else None — how
    the heat model (tests/support/heat.py) sees one counter spread over its shards."""
    m = _COUNTER_SHARD.match(pk)
    if m:
        return (m.group(1) + "#{shard}", sk), COUNTER_SHARDS
    m = _AUDIT_COUNT_SHARD.match(sk)
    if m:
        return (pk, m.group(1) + "#{shard}"), AUDIT_COUNT_SHARDS
    m = _RATE_SHARD.match(pk)
    if m:
        return (m.group(1) + "#{shard}", sk), int(m.group(2))
    return None


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


def asset_counter(team: str | None = None, fqn: str | None = None) -> str:
    """The counter of live assets (of a team; strictly below an fqn prefix); parts `n` and `e#{env}`."""
    name = "assets"
    if team:
        name += f"|t={team}"
    if fqn:
        name += f"|f={fqn}"
    return name


def env_part(env: str) -> str:
    return f"e#{env}"


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


AUDIT_COUNT_PREFIX = "AUDITN#"
AUDIT_COUNT_SHARDS = 8


def audit_count_sk(ttl: int, shard: int) -> str:
    return f"{AUDIT_COUNT_PREFIX}{ttl}#{shard}"


# ------------------------------------------------------------------ registry: contracts
def contract_pk(tenant: str, contract_id: str) -> str:
    return f"{t(tenant)}CONTRACT#{contract_id}"


CONTRACT_SK = "CONTRACT"
DOC_SK = "DOC"   # an entity's big write-once part (store/docs.py), an item of its own: no index copies it


def asset_contracts_gsi(tenant: str, asset_id: str) -> str:
    return f"{t(tenant)}ASSET#{asset_id}#CONTRACTS"


def contracts_gsi(tenant: str) -> str:
    return f"{t(tenant)}CONTRACTS"


def contract_version_sk(canonical_version: str) -> str:
    return f"CVER#{canonical_version}"


CONTRACT_COUNTER = "contracts"


def status_part(status: str) -> str:
    return f"s#{status}"


def action_log_sk(at: str, ident: str) -> str:
    return f"LOG#{at}#{ident}"


# ------------------------------------------------------------------ registry: consumers
def registration_pk(tenant: str, reg_id: str) -> str:
    return f"{t(tenant)}REG#{reg_id}"


REGISTRATION_SK = "REG"
CONSUMER_PREFIX = "REG#"


def consumer_sk(team_id: str) -> str:
    return f"REG#{team_id}"


def registration_counter(team_id: str) -> str:
    """A consumer team's registrations (sharded; doubles as the team's liveness guard)."""
    return f"registrations|t={team_id}"


# ------------------------------------------------------------------ registry: proposals
def expiry_pk(day: str) -> str:
    """Proposals due to expire on `day` (YYYY-MM-DD), across tenants: the scheduled sweep's work list."""
    return f"EXPIRY#{day}"


def expiry_sk(expires_at: str, tenant: str, proposal_id: str) -> str:
    return f"{expires_at}#{tenant}#{proposal_id}"


def proposal_pk(tenant: str, proposal_id: str) -> str:
    return f"{t(tenant)}PROPOSAL#{proposal_id}"


PROPOSAL_SK = "PROPOSAL"
ACK_PREFIX = "ACK#"
OBJECTION_PREFIX = "OBJECTION#"


def ack_sk(team_id: str) -> str:
    """A consumer team's acknowledgment, in its proposal's partition (one per team: the key says so)."""
    return f"{ACK_PREFIX}{team_id}"


def objection_sk(team_id: str) -> str:
    return f"{OBJECTION_PREFIX}{team_id}"


def proposals_gsi(tenant: str) -> str:
    return f"{t(tenant)}PROPOSALS"


def asset_proposals_gsi(tenant: str, asset_id: str) -> str:
    return f"{t(tenant)}ASSET#{asset_id}#PROPOSALS"


# ------------------------------------------------------------------ configuration (Telmai view)
def num_sort(n: int) -> str:
    """An integer id as a sort key: zero-padded, so key order is numeric order."""
    return f"{int(n):012d}"


def cfg_project_pk(tenant: str, project_id: int) -> str:
    return f"{t(tenant)}CFGPROJECT#{project_id}"


CFG_PROJECT_SK = "PROJECT"


def cfg_projects_gsi(tenant: str) -> str:
    return f"{t(tenant)}CFGPROJECTS"


def cfg_connection_pk(tenant: str, connection_id: int) -> str:
    return f"{t(tenant)}CFGCONN#{connection_id}"


CFG_CONNECTION_SK = "CONN"


def cfg_connections_gsi(tenant: str, project_id: int | None) -> str:
    """A project's connections, or the tenant's global ones (project_id None)."""
    return f"{t(tenant)}CFGCONNS#" + ("GLOBAL" if project_id is None else f"P#{project_id}")


def cfg_secret_pk(tenant: str, ref: str) -> str:
    return f"{t(tenant)}CFGSECRET#{ref}"


CFG_SECRET_SK = "SECRET"


def cfg_asset_pk(tenant: str, number: int) -> str:
    return f"{t(tenant)}ASSETCFG#{number}"


CFG_ASSET_SK = "CFG"


def cfg_project_assets_gsi(tenant: str, project_id: int) -> str:
    return f"{t(tenant)}CFGASSETS#P#{project_id}"


def cfg_assets_gsi(tenant: str) -> str:
    return f"{t(tenant)}CFGASSETS"


def cfg_sequence(kind: str) -> str:
    return f"cfg-seq:{kind}"


CFG_ASSETS_COUNTER = "cfg-assets"


# ------------------------------------------------------------------ reports: events
def event_key_pk(tenant: str, key: str) -> str:
    return f"{t(tenant)}EVK#{key}"


EVENT_KEY_SK = "KEY"
EVENT_PREFIX = "EV#"


def event_keys_gsi(tenant: str) -> str:
    return f"{t(tenant)}EVKEYS"


def event_sk(seq: str) -> str:
    return f"EV#{seq}"


def event_type_gsi(tenant: str, key: str, kind: str) -> str:
    return f"{event_key_pk(tenant, key)}#T#{kind}"


def event_check_gsi(tenant: str, key: str, check_name: str) -> str:
    return f"{event_key_pk(tenant, key)}#C#{check_name}"


def event_partition_gsi(tenant: str, key: str, partition: str) -> str:
    return f"{event_key_pk(tenant, key)}#P#{partition}"


def reported_check_sk(check_name: str) -> str:
    return f"CHK#{check_name}"


REPORTED_CHECK_PREFIX = "CHK#"


def event_id_pk(tenant: str, event_id: str) -> str:
    return f"{t(tenant)}EVID#{event_id}"


EVENT_ID_SK = "EVID"


def rejected_pk(tenant: str) -> str:
    return f"{t(tenant)}REJECTED"


# ------------------------------------------------------------------ OpenLineage and drift (accord/ingest)
def lineage_guard_pk(tenant: str, event_hash: str) -> str:
    return f"{t(tenant)}OLEV#{event_hash}"


def lineage_guard_sk(chunk: int = 0) -> str:
    return "OLEV" if chunk == 0 else f"OLEV#{chunk}"


def job_pk(tenant: str, job_hash: str) -> str:
    return f"{t(tenant)}OLJOB#{job_hash}"


def job_run_sk(run_id: str) -> str:
    return f"RUN#{run_id}"


def job_runs_gsi(tenant: str, job_hash: str) -> str:
    return f"{t(tenant)}OLJOB#{job_hash}#RUNS"


def dataset_pk(tenant: str, dataset_hash: str) -> str:
    return f"{t(tenant)}OLDS#{dataset_hash}"


DATASET_SK = "DATASET"


def discovered_gsi(tenant: str) -> str:
    return f"{t(tenant)}OLDISCOVERED"


def lineage_settings_pk(tenant: str) -> str:
    return f"{t(tenant)}OLSETTINGS"


LINEAGE_SETTINGS_SK = "SETTINGS"
COLUMN_LINEAGE_SK = "COLLINEAGE"
COLUMN_DOWN_SK = "COLDOWN"


def drift_sk(schema_hash: str) -> str:
    return f"DRIFT#{schema_hash}"


# ------------------------------------------------------------------ queued jobs and imports
def job_record_pk(tenant: str, job_id: str) -> str:
    return f"{t(tenant)}JOB#{job_id}"


JOB_SK = "JOB"


def job_wake_pk(day: str) -> str:
    """Job messages due to be sent by `day` (YYYY-MM-DD), across tenants: the job sweep's work list."""
    return f"JOBWAKE#{day}"


def job_wake_sk(wake_at: str, tenant: str, job_id: str) -> str:
    return f"{wake_at}#{tenant}#{job_id}"


def upload_key(tenant: str, upload_id: str) -> str:
    """The S3 object key of an upload (the tenant in the key: no upload id crosses tenants)."""
    return f"uploads/{tenant}/{upload_id}"


# ------------------------------------------------------------------ notifications
OUTBOX_SK = "OUTBOX"


def event_pk(tenant: str, event_id: str) -> str:
    return f"{t(tenant)}EVENT#{event_id}"


def activity_gsi(tenant: str) -> str:
    return f"{t(tenant)}ACTIVITY"


def asset_activity_gsi(tenant: str, asset_id: str) -> str:
    return f"{t(tenant)}ACTIVITY#A#{asset_id}"


def team_activity_pk(tenant: str, team_id: str) -> str:
    return f"{t(tenant)}ACTIVITY#TEAM#{team_id}"


def webhook_pk(tenant: str, webhook_id: str) -> str:
    return f"{t(tenant)}WEBHOOK#{webhook_id}"


WEBHOOK_SK = "WEBHOOK"


def webhooks_gsi(tenant: str) -> str:
    return f"{t(tenant)}WEBHOOKS"


def delivery_sk(delivery_id: str) -> str:
    return f"DLV#{delivery_id}"


def deliveries_gsi(tenant: str, webhook_id: str) -> str:
    return f"{webhook_pk(tenant, webhook_id)}#DLV"


FRESHNESS_SK = "FRESHNESS"


def fresh_due_pk(hour: str) -> str:
    """Freshness deadlines falling in `hour` (YYYY-MM-DDTHH), across tenants: the sweep's work list."""
    return f"FRESHDUE#{hour}"


def fresh_due_sk(due_at: str, tenant: str, asset_id: str) -> str:
    return f"{due_at}#{tenant}#{asset_id}"
