"""An asset's contract line: its versions, the line's mode and profile, and the plan of a publish.

`Plan` is what publishing a schema on an asset now would do — the diff under the line's
compatibility mode (transitive modes: every earlier version too) and profile (`line_profile`:
table unless the asset is a message or interface, schema-compatibility §7), guarantees diffed as
well, the version bump. `accord.registry.publishing` carries a plan out (the one publish path),
`accord.registry.proposals` when it breaks registered consumers, `accord.registry.impact` reports
it without writing.
"""
import re

from accord import errors, metrics
from accord.http import budget
from accord.registry import assets, versions
from accord.store import contracts as store
from accord.store import registrations as reg_store
from accord.store import teams as team_store

PUBLISH_ATTEMPTS = 5
DEFAULT_MODE = "backward"
# schema-compatibility §7: the registry judges data assets (tables, views, models, files...) by the
# table profile; messages and interfaces, named by the asset's metadata.resource_type, by the event one.
DEFAULT_PROFILE = "table"
EVENT_RESOURCE_TYPES = frozenset({"event", "topic", "stream", "api_endpoint", "graphql_query", "grpc_service"})
_DIRS = {"backward": {"b"}, "forward": {"f"}, "full": {"b", "f"}, "none": set()}
_PROP = re.compile(r"\.properties(?:\.([A-Za-z_$][\w$]*)|\['((?:[^'\\]|\\.)*)'\])")


# ------------------------------------------------------------------ helpers
def _engine():
    """The schema engine, imported on first use: reads of stored contracts never need it."""
    import accord.schemadiff as engine
    return engine


@metrics.timed("DiffDuration")
def compare(old: dict, new: dict, **options):
    """One schema comparison by the engine (every registry diff goes through here: timed)."""
    return _engine().compare(old, new, **options)


def schema_error(exc, field: str = "schema") -> errors.BadRequest:
    return errors.BadRequest(f"Invalid {field}: {exc}", code="INVALID_SCHEMA",
                             detail=[{"loc": ["body", field], "msg": str(exc), "type": "schema_error",
                                      **({"path": exc.path} if getattr(exc, "path", None) else {})}])


def check_schema(schema, field: str = "schema") -> None:
    engine = _engine()
    try:
        engine.validate_schema(schema)
    except engine.SchemaError as exc:
        raise schema_error(exc, field) from None


def mode_or_422(mode: str, field: str = "compatibility_mode") -> str:
    engine = _engine()
    try:
        return engine.normalize_mode(mode)
    except engine.SchemaError as exc:
        raise errors.Unprocessable(f"{field}: {exc.message}.", detail=[
            {"loc": ["body", field], "msg": exc.message, "type": "enum"}]) from None


def covers(stronger: str, weaker: str) -> bool:
    """Does mode `stronger` promise at least what `weaker` promises?"""
    def parts(m):
        base = m[:-len("_transitive")] if m.endswith("_transitive") else m
        return _DIRS[base], m.endswith("_transitive")
    (ds, ts), (dw, tw) = parts(stronger), parts(weaker)
    return ds >= dw and (ts or not tw or not dw)


def sdk_change_type(bump: str) -> str:
    """tessera-sdk's ChangeType has no 'none': an identical schema is reported as a patch."""
    return bump if bump in ("patch", "minor", "major") else "patch"


def column_of(path: str) -> str | None:
    names = [m.group(1) or m.group(2).replace("\\'", "'").replace("\\\\", "\\") for m in _PROP.finditer(path or "")]
    return ".".join(names) or None


def change_view(change) -> dict:
    """A change as both clients read it, each field once: the seed's {type, path, description},
    tessera-sdk's BreakingChange {type, column, details}, and Accord's `reason` (why it does or
    does not break under the line's mode and profile)."""
    d = change if isinstance(change, dict) else change.to_dict()
    out = {"type": d["type"], "path": d.get("path"), "description": d.get("description", ""),
           "reason": d.get("reason", ""), "column": column_of(d.get("path")),
           "details": {"effect": d.get("effect"), "old_value": d.get("old_value"), "new_value": d.get("new_value")}}
    if d.get("against"):
        out["against"] = d["against"]
    return out


def line_profile(asset: dict, contract: dict | None = None) -> str:
    """The profile every registry diff from `contract` (the line's active, or a diff's older,
    version) is judged under — the one place that decides it: the profile the contract declared,
    else event for an asset whose metadata.resource_type names a message or interface, else table."""
    declared = (contract or {}).get("profile")
    if declared:
        return declared
    kind = ((asset or {}).get("metadata") or {}).get("resource_type")
    kind = kind.strip().lower().replace("-", "_").replace(" ", "_") if isinstance(kind, str) else None
    return "event" if kind in EVENT_RESOURCE_TYPES else DEFAULT_PROFILE


def actor_fields(item: dict, field: str, owner: dict | None = None) -> dict:
    """`<field>` is a team id; `<field>_name` names that team and `<field>_key` the API key that
    acted. Items written before the key had a field of its own hold the key in `<field>_name`."""
    if f"{field}_key" in item:
        return {f"{field}_name": item.get(f"{field}_name"), f"{field}_key": item[f"{field}_key"]}
    team = owner.get("owner_team_name") if owner and owner.get("owner_team_id") == item.get(field) else None
    return {f"{field}_name": team, f"{field}_key": item.get(f"{field}_name")}


def view(c: dict, asset: dict | None = None, schema: bool = True) -> dict:
    """tessera-sdk's Contract (+ Accord's extras); without `schema` when a list was not asked for it."""
    out = {"id": c["id"], "asset_id": c["asset_id"], "version": c["version"],
           "compatibility_mode": c["compatibility_mode"], "guarantees": c.get("guarantees"),
           "guarantee_mode": c.get("guarantee_mode", "normal"), "status": c["status"],
           "profile": c.get("profile"), "published_at": c["published_at"], "published_by": c["published_by"],
           **actor_fields(c, "published_by", asset), "change_type": c.get("change_type"),
           "forced": bool(c.get("forced")), "proposal_id": c.get("proposal_id"),
           "deprecated_at": c.get("deprecated_at")}
    if schema:
        out["schema"] = c["schema"]
    if asset is not None:
        out["asset_fqn"] = asset["fqn"]
    return out


SCHEMA_INCLUDES = (None, "", "schema")


def include_schema(include: str | None, default: bool) -> bool:
    if include not in SCHEMA_INCLUDES + ("none",):
        raise errors.Unprocessable(f"Unknown include {include!r}: use 'schema' (or 'none').",
                                   detail=[{"loc": ["query", "include"], "msg": "unknown include", "type": "enum"}])
    return default if not include else include == "schema"


def _contract_not_found(ident) -> errors.NotFound:
    return errors.NotFound(f"Contract {ident} not found.", code="CONTRACT_NOT_FOUND")


def get(tenant: str, contract_id: str) -> dict:
    ident = assets.valid_id(contract_id)
    c = store.get(tenant, ident) if ident else None
    if c is None:
        raise _contract_not_found(contract_id)
    return c


def active_consumers(tenant: str, asset_id: str) -> list[dict]:
    return [r for r in reg_store.consumers(tenant, asset_id) if r.get("status") != "inactive"]


# ------------------------------------------------------------------ the plan of a publish
class Plan:
    """What publishing `schema` on `asset` now would do (pure, given the reads)."""

    def __init__(self, asset, active, schema, guarantees, mode, guarantee_mode, history=None, profile=None):
        self.asset, self.active = asset, active
        self.line_mode = asset.get("compatibility_mode") or DEFAULT_MODE
        self.line_gmode = asset.get("guarantee_mode") or "normal"
        self.mode = mode or (self.line_mode if active else DEFAULT_MODE)
        self.guarantee_mode = guarantee_mode or self.line_gmode
        self.schema = schema
        self.guarantees = guarantees if guarantees is not None else (active or {}).get("guarantees")
        # the new version carries the profile it declares (or the one its line declared); the
        # change itself is judged under the line's profile as it stands
        self.declared_profile = profile or (active or {}).get("profile")
        self.profile = line_profile(asset, active) if active else (profile or line_profile(asset))
        self.changes, self.breaking, self.warnings = [], [], []
        if active is None:
            self.bump, self.unchanged = "major", False
            return
        weakened = not covers(self.mode, self.line_mode)
        gweakened = self.line_gmode == "strict" and self.guarantee_mode != "strict"
        diff_mode = self.line_mode if weakened else self.mode
        engine = _engine()
        try:
            result = compare(active["schema"], schema, mode=diff_mode, history=history, profile=self.profile)
        except engine.SchemaError as exc:
            raise schema_error(exc) from None
        gdiff = engine.compare_guarantees(active.get("guarantees"), self.guarantees,
                                   guarantee_mode=self.line_gmode if gweakened else self.guarantee_mode)
        self.changes = [change_view(c) for c in result.changes] + [change_view(c) for c in gdiff.changes]
        self.breaking = [change_view(c) for c in result.breaking_changes] + \
            [change_view(c) for c in gdiff.breaking_changes]
        self.warnings = [change_view(c) for c in gdiff.warnings if c not in gdiff.breaking_changes]
        switched = profile is not None and profile != self.profile
        for flag, kind, old, new, what in (
                (weakened, "compatibility_mode_weakened", self.line_mode, self.mode, "compatibility mode"),
                (gweakened, "guarantee_mode_weakened", self.line_gmode, self.guarantee_mode, "guarantee mode"),
                (switched, "profile_changed", self.profile, profile, "profile")):
            if not flag:
                continue
            breaks = kind != "profile_changed" or diff_mode != "none"
            synthetic = {"type": kind, "path": "$", "effect": "change", "old_value": old, "new_value": new,
                         "description": f"The line's {what} would change from {old} to {new}.",
                         "reason": f"breaks: consumers were promised the {old} {what}" if breaks
                         else "compatible: mode none checks nothing"}
            self.changes.append(change_view(synthetic))
            if breaks:
                self.breaking.append(change_view(synthetic))
        bump = result.bump
        if gdiff.changes and bump in ("none", "patch"):
            bump = "minor"
        if self.mode != self.line_mode or self.guarantee_mode != self.line_gmode or switched:
            bump = "minor" if bump in ("none", "patch") else bump
        if self.breaking:
            bump = "major"
        self.bump = bump
        self.unchanged = bump == "none"

    @property
    def is_breaking(self) -> bool:
        return bool(self.breaking)

    def version(self, requested: str | None) -> versions.Version:
        current = versions.parse(self.active["version"]) if self.active else None
        if requested is None:
            return versions.bump(current, self.bump)
        v = versions.parse_or_422(requested)
        if current is not None and not current < v:
            raise errors.Conflict(f"Version {v} is not greater than the current version {current} of "
                                  f"'{self.asset['fqn']}'.", code="VERSION_NOT_INCREASING")
        if not versions.satisfies(current, v, self.bump):
            need = versions.minimum(current, self.bump)
            raise errors.Unprocessable(
                f"This change is {self.bump} ({'breaking' if self.is_breaking else 'compatible'}); version {v} "
                f"is too small a step from {current} — use {need} or later.", code="VERSION_BUMP_TOO_SMALL",
                detail=[{"loc": ["body", "version"], "msg": f"needs {need} or later", "type": "value_error"}])
        return v


def plan(tenant: str, asset: dict, schema: dict, *, mode=None, guarantees=None, guarantee_mode=None,
         profile=None) -> Plan:
    """Reads the active contract (and, for transitive modes, the line's history) and plans."""
    active = store.get(tenant, asset["active_contract_id"]) if asset.get("active_contract_id") else None
    line = asset.get("compatibility_mode") or DEFAULT_MODE
    effective = line if (mode is None or not covers(mode, line)) else mode
    history = None
    if active is not None and effective.endswith("_transitive"):
        history = [c["schema"] for c in store.for_asset(tenant, asset["id"], newest_first=False)
                   if c["id"] != active["id"]]
    return Plan(asset, active, schema, guarantees, mode, guarantee_mode, history, profile)


# ------------------------------------------------------------------ what a publish writes
def team_name(tenant: str, asset: dict, team_id: str) -> str | None:
    """The name of a (live) team; the asset's owners need no read."""
    if team_id == asset.get("owner_team_id") and asset.get("owner_team_name"):
        return asset["owner_team_name"]
    team = team_store.get(tenant, team_id)
    return team["name"] if team else None


def freshness_allowance(guarantees) -> float | int | None:
    """`guarantees.freshness.max_staleness_minutes` (or `max_staleness_hours` × 60), if positive."""
    fresh = (guarantees or {}).get("freshness") if isinstance(guarantees, dict) else None
    if not isinstance(fresh, dict):
        return None
    for name, factor in (("max_staleness_minutes", 1), ("max_staleness_hours", 60)):
        value = fresh.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return value * factor
    return None


def asset_fields(c: dict, p: Plan) -> dict:
    """What a publish sets on the asset: the active contract, the line's modes, and the freshness
    allowance (so the reports path and the freshness sweep need no contract read)."""
    return {"active_contract_id": c["id"], "active_contract_version": c["version"],
            "compatibility_mode": p.mode, "guarantee_mode": p.guarantee_mode,
            "max_staleness_minutes": freshness_allowance(p.guarantees)}


# ------------------------------------------------------------------ reads
def for_asset(tenant: str, asset_id: str, status: str | None = None, *, offset: int = 0, limit: int | None = None,
              schema: bool = True) -> tuple[list[dict], int, int | None]:
    """(a page of the asset's versions, newest first, within the response budget (accord.http.budget); how many match; the
    offset the next page starts at, None at the end)."""
    asset = assets.get(tenant, asset_id, consistent=False)
    found = [c for c in store.for_asset(tenant, asset["id"]) if status is None or c["status"] == status]
    chosen = found[offset:offset + limit if limit else None]
    page, nxt = budget.offset_page([view(c, asset, schema) for c in chosen], offset, len(found))
    return page, len(found), nxt


def history(tenant: str, asset_id: str, limit: int) -> list[dict]:
    asset = assets.get(tenant, asset_id, consistent=False)
    return [{"id": c["id"], "version": c["version"], "status": c["status"], "published_at": c["published_at"],
             "published_by": c["published_by"], **actor_fields(c, "published_by", asset),
             "compatibility_mode": c["compatibility_mode"], "change_type": c.get("change_type"),
             "breaking_changes_count": len(c.get("breaking_changes") or []), "changes_count": len(c.get("changes") or []),
             "forced": bool(c.get("forced")), "proposal_id": c.get("proposal_id"),
             "deprecated_at": c.get("deprecated_at")}
            for c in store.for_asset(tenant, asset["id"])[:limit]]


def _diff_versions(tenant: str, asset: dict, from_version: str | None, to_version: str | None) -> tuple:
    """(old, new) contracts: `to_version` defaults to the active version, `from_version` to the
    version just before `to_version` on the asset's line."""
    def named(text: str, field: str) -> dict:
        c = store.get_version(tenant, asset["id"], versions.parse_or_422(text, field).canonical)
        if c is None:
            raise errors.NotFound(f"Version {text} of '{asset['fqn']}' not found.", code="CONTRACT_NOT_FOUND")
        return c

    if to_version:
        new = named(to_version, "to_version")
    elif asset.get("active_contract_id"):
        new = get(tenant, asset["active_contract_id"])
    else:
        raise errors.NotFound(f"'{asset['fqn']}' has no contract yet: there is nothing to diff.",
                              code="CONTRACT_NOT_FOUND")
    if from_version:
        return named(from_version, "from_version"), new
    old = store.version_before(tenant, asset["id"], new["id"], versions.parse(new["version"]).sort_key())
    if old is None:
        raise errors.NotFound(f"Version {new['version']} is the first version of '{asset['fqn']}': there is no "
                              "previous version to diff it against (pass from_version).", code="NO_PREVIOUS_VERSION")
    return old, new


def diff(tenant: str, asset_id: str, from_version: str | None = None, to_version: str | None = None) -> dict:
    asset = assets.get(tenant, asset_id, consistent=False)
    old, new = _diff_versions(tenant, asset, from_version, to_version)
    profile = line_profile(asset, old)  # as a publish from `old` is judged
    result = compare(old["schema"], new["schema"], mode=new["compatibility_mode"], profile=profile)
    return {"asset_id": asset["id"], "from_version": old["version"], "to_version": new["version"],
            "compatibility_mode": new["compatibility_mode"], "profile": profile, "is_breaking": result.is_breaking,
            "change_type": sdk_change_type(result.bump), "bump": result.bump,
            "breaking_changes": [change_view(c) for c in result.breaking_changes],
            "all_changes": [change_view(c) for c in result.changes]}


def compare_schemas(old: dict, new: dict, mode: str, profile: str = DEFAULT_PROFILE) -> dict:
    """Two schemas, no asset: judged under `profile` (default: the registry's default, table, so
    the answer agrees with a publish on an asset without a message resource_type)."""
    mode = mode_or_422(mode)
    check_schema(old, "old_schema")
    check_schema(new, "new_schema")
    engine = _engine()
    try:
        result = compare(old, new, mode=mode, profile=profile)
    except engine.SchemaError as exc:
        raise schema_error(exc, "new_schema") from None
    return {"compatibility_mode": mode, "profile": profile, "is_breaking": result.is_breaking,
            "is_compatible": not result.is_breaking, "change_type": sdk_change_type(result.bump), "bump": result.bump,
            "breaking_changes": [change_view(c) for c in result.breaking_changes],
            "all_changes": [change_view(c) for c in result.changes]}


def list_page(tenant: str, *, asset_id: str | None, status: str | None, limit: int, offset: int,
              schema: bool = True) -> tuple[list, int, int | None]:
    """(a page, the total, the next page's offset or None), within the response budget (accord.http.budget)."""
    if status is not None and status not in ("active", "deprecated", "archived"):
        raise errors.Unprocessable("Query parameter 'status' must be active, deprecated or archived.",
                                   detail=[{"loc": ["query", "status"], "msg": "invalid status", "type": "enum"}])
    if asset_id:
        return for_asset(tenant, asset_id, status, offset=offset, limit=limit, schema=schema)
    items = store.list_page(tenant, status=status, offset=offset, limit=limit)
    total = store.count(tenant, status)
    page, nxt = budget.offset_page([view(c, schema=schema) for c in items], offset, total)
    return page, total, nxt
