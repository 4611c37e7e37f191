"""Contract drift (DESIGN §10.3): a schema observed at run time against the asset's active contract.

The verdict is the publish path's own: the schema engine compares the active contract with the
contract *as observed* — under the contract's compatibility mode and the table profile — and a
breaking change is drift. "As observed" is the contract with what an observation can show laid
over it, so nothing it cannot show is reported as a change:

* the table is closed: exactly the columns seen; a contract column not seen is a removed property,
  a column seen that the contract lacks is an added one;
* a column's type replaces the contract's only when the observed type's family differs (an
  `integer` column under a `number` contract is within it; a type the mapping does not know is not
  judged), or when the contract names a date/time format the observed type does not carry;
* nullability is judged only when the source states it (Dagster's `constraints.nullable`): `true`
  adds null, `false` makes the column required; otherwise the contract's own word stands.

Drift records a failed audit run (`triggered_by: "schema_drift"`, the breaking changes in its
details) for each run that observes it; a compatible observation records nothing. Nothing is ever
published by drift. The same observed schema against the same contract version is decided once:
the verdict is kept under the schema's digest, so a repeated observation costs one lookup.
"""
import copy
import uuid
from dataclasses import dataclass

from accord import clock
from accord.ingest import observed as obs
from accord.notify import events, outbox
from accord.registry import audit
from accord.registry.contracts import DEFAULT_MODE, change_view
from accord.store import audit as audit_store, bulk as bulk_store, contracts as contract_store, ingest as store

TRIGGERED_BY = "schema_drift"
OBSERVABLE_FORMATS = frozenset({"date", "date-time", "time"})
_RUN_NS = uuid.UUID("0d5b1f2e-7c3a-4f4e-9a61-3e2f8b7c6d5a")
DIFFS = 0   # comparisons made by this process (the bench counts them)
_contracts: dict = {}   # (tenant, contract id) → contract: a version's schema never changes


def contract(tenant: str, contract_id: str) -> dict | None:
    """The contract a verdict is made against (one GetItem the first time in a warm environment)."""
    key = (tenant, contract_id)
    if key not in _contracts:
        found = contract_store.get(tenant, contract_id)
        if found is None:
            return None
        if len(_contracts) > 256:
            _contracts.clear()
        _contracts[key] = found
    return _contracts[key]


# ------------------------------------------------------------------ the observed contract
def _types(prop, root) -> set | None:
    """The JSON types a property allows (null aside), or None when it cannot be told."""
    if not isinstance(prop, dict):
        return None
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and len(prop) == 1:
        node = root
        for part in ref[2:].split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        return _types(node, root)
    t = prop.get("type")
    if isinstance(t, str):
        t = [t]
    if isinstance(t, list) and t:
        return {x for x in t if x != "null"} or None
    for key in ("anyOf", "oneOf"):
        branches = prop.get(key)
        if isinstance(branches, list) and branches:
            found = set()
            for b in branches:
                if isinstance(b, dict) and b.get("type") == "null":
                    continue
                bt = _types(b, root)
                if bt is None:
                    return None
                found |= bt
            return found or None
    return None


def _nullable(prop) -> bool:
    t = prop.get("type") if isinstance(prop, dict) else None
    return (isinstance(t, list) and "null" in t) or t == "null"


def _within(seen: set, allowed: set) -> bool:
    return seen <= allowed or (seen == {"integer"} and "number" in allowed)


def _set_null(prop: dict, null: bool) -> dict:
    t = prop.get("type")
    if isinstance(t, str) and null and t != "null":
        return {**prop, "type": [t, "null"]}
    if isinstance(t, list) and not null and "null" in t:
        rest = [x for x in t if x != "null"]
        return {**prop, "type": rest[0] if len(rest) == 1 else rest}
    return prop


def _column(prop, col: obs.Column, root) -> dict:
    """The contract's property as this column shows it."""
    seen = _types(col.schema, root) if col.fields is None else {"object"}
    if prop is None:
        return obs.column_json(col)
    allowed = _types(prop, root)
    if col.fields is not None and allowed == {"object"} and isinstance(prop.get("properties"), dict):
        out = dict(prop)
        out["properties"], out["required"] = _columns(prop["properties"], prop.get("required") or [], col.fields, root)
        if not out["required"]:
            out.pop("required")
    elif seen is None or allowed is None:
        out = prop                                       # not judged: unknown on one side
    elif not _within(seen, allowed) or (prop.get("format") in OBSERVABLE_FORMATS
                                         and prop.get("format") != col.schema.get("format")):
        out = {key: v for key, v in obs.column_json(obs.Column(col.name, col.schema, None, col.fields)).items()}
        if prop.get("description"):
            out["description"] = prop["description"]
        out = _set_null(out, _nullable(prop))
    else:
        out = prop
    if col.nullable is not None:
        out = _set_null(out, col.nullable)
    return out


def _columns(props: dict, required, columns: list, root) -> tuple[dict, list]:
    out, req = {}, []
    for col in columns:
        out[col.name] = _column(props.get(col.name), col, root)
        if col.nullable is False or (col.nullable is None and col.name in required and col.name in props):
            req.append(col.name)
    return out, req


def as_observed(contract_schema: dict, seen: obs.Observed) -> dict:
    """The contract as the observation shows it (module docstring)."""
    if not isinstance(contract_schema, dict) or not isinstance(contract_schema.get("properties"), dict):
        props = {c.name: obs.column_json(c) for c in seen.columns}
        return {"type": "object", "properties": props, "required": [c.name for c in seen.columns if c.nullable is False]}
    out = copy.copy(contract_schema)
    out["properties"], required = _columns(contract_schema["properties"], contract_schema.get("required") or [],
                                           seen.columns, contract_schema)
    if required:
        out["required"] = required
    else:
        out.pop("required", None)
    return out


def judge(asset: dict, contract: dict, seen: obs.Observed) -> dict:
    """The verdict: the publish diff of the contract as observed, contract's mode, table profile."""
    global DIFFS
    from accord import schemadiff
    mode = asset.get("compatibility_mode") or contract.get("compatibility_mode") or DEFAULT_MODE
    base = mode[:-len("_transitive")] if mode.endswith("_transitive") else mode
    candidate = as_observed(contract["schema"], seen)
    DIFFS += 1
    try:
        result = schemadiff.compare(contract["schema"], candidate, mode=base, profile="table")
    except schemadiff.SchemaError as exc:
        return {"contract_id": contract["id"], "contract_version": contract["version"], "mode": base,
                "compatible": True, "judged": False, "reason": f"not judged: {exc}", "breaking_changes": [],
                "changes": [], "decided_at": clock.iso()}
    return {"contract_id": contract["id"], "contract_version": contract["version"], "mode": base,
            "compatible": not result.is_breaking, "judged": True,
            "breaking_changes": [change_view(c) for c in result.breaking_changes][:50],
            "changes": [change_view(c) for c in result.changes][:50], "decided_at": clock.iso()}


# ------------------------------------------------------------------ what a verdict writes
@dataclass
class Finding:
    """One observation of one asset, decided: `ops` to add to the writer's transaction."""
    asset: dict
    digest: str
    verdict: dict
    new: bool                 # decided now (the verdict item is written)
    run: dict | None = None   # the failed audit run, when it drifted

    @property
    def drifted(self) -> bool:
        return not self.verdict["compatible"]

    def summary(self) -> dict:
        return {"asset_id": self.asset["id"], "fqn": self.asset["fqn"], "schema_digest": self.digest,
                "contract_version": self.verdict["contract_version"], "drift": self.drifted,
                "breaking_changes": len(self.verdict["breaking_changes"]), "audit_run_id": (self.run or {}).get("id")}

    @property
    def writes(self) -> bool:
        """Whether recording it writes anything (then it must hold: the contract is still active)."""
        return self.new or self.run is not None

    def ops(self, tenant: str) -> list[tuple[str, dict]]:
        out = []
        if self.new:
            out.append(("verdict", store.verdict_op(tenant, self.asset["id"], self.digest, self.verdict)))
            if self.drifted and self.run is not None:
                # once per schema that drifts from a contract version (the verdict is new), in the
                # transaction of its verdict and audit run: a repeat of that schema records a run only
                v = self.verdict
                event = events.drift_detected(tenant, self.asset, {"id": v["contract_id"], "version": v["contract_version"]},
                                              self.run, v["breaking_changes"],
                                              observed_by=(self.run.get("details") or {}).get("source") or "unknown")
                out.append(("outbox", outbox.op(tenant, event)))
        return out


def drift_run(asset: dict, verdict: dict, digest: str, *, run_id: str, at: str, source: str,
              details: dict | None = None, recorded_by: str | None = None) -> dict:
    changes = verdict["breaking_changes"]
    first = changes[0]["description"] if changes else "the observed schema breaks the contract"
    return audit.build_run(
        asset, status="failed", triggered_by=TRIGGERED_BY, run_id=run_id[:255], run_at=at,
        guarantee_results=[{"guarantee_id": "schema", "passed": False,
                            "error_message": f"{len(changes)} breaking change(s): {first}"[:2000],
                            "rows_checked": None, "rows_failed": None, "metadata": {"source": source}}],
        details={"source": source, "schema_digest": digest, "compatibility_mode": verdict["mode"],
                 "contract_version": verdict["contract_version"], "changes": changes, **(details or {})},
        recorded_by=recorded_by, run_uuid=str(uuid.uuid5(_RUN_NS, f"{source}:{run_id}:{asset['id']}")))


def decide(asset: dict, seen: obs.Observed, cached: dict | None, contract_of) -> Finding | None:
    """The finding for an observation of `asset` (None: no active contract). `cached` is the verdict
    item read under the observation's digest; `contract_of(id)` reads the active contract, only when
    the cached verdict is missing or was for another version."""
    contract_id = asset.get("active_contract_id")
    if not contract_id:
        return None
    digest = seen.digest
    if cached and cached.get("contract_id") == contract_id:
        return Finding(asset, digest, {n: v for n, v in cached.items() if n not in store.INDEX_KEYS}, False)
    contract = contract_of(contract_id)
    if contract is None:
        return None
    return Finding(asset, digest, judge(asset, contract, seen), True)


# ------------------------------------------------------------------ one observation, on its own
_UNREAD = object()


def observe(tenant: str, asset: dict, seen: obs.Observed, *, run_id: str, at: str, source: str,
            details: dict | None = None, recorded_by: str | None = None, cached=_UNREAD) -> Finding | None:
    """Judge and record one observation (Dagster reports, the dbt import): one GetItem for the
    verdict (none when the caller read it in a batch: `cached`), one for the contract when it must
    be decided, one transaction when anything is written."""
    from accord.store import assets as asset_store, db
    if cached is _UNREAD:
        key = store.verdict_key(tenant, asset["id"], seen.digest)
        cached = store.get_many([key]).get(key)
    for attempt in range(2):
        finding = decide(asset, seen, cached, lambda cid: contract(tenant, cid))
        if finding is None:
            return None
        if finding.drifted:
            finding.run = drift_run(asset, finding.verdict, finding.digest, run_id=run_id, at=at, source=source,
                                    details=details, recorded_by=recorded_by)
        if not finding.writes:
            return finding
        if (finding.run is not None and not finding.new
                and bulk_store.existing_runs(tenant, [(asset["id"], finding.run)])):
            return finding  # a known schema's run, recorded before (the same manifest again): one read, no write
        ops = finding.ops(tenant)
        if finding.run is not None:
            run = finding.run
            ops.append((f"audit:{asset['id']}:{run['id']}", audit_store.run_op(tenant, asset["id"], run)))
            counts = audit_store.Counts()
            counts.add(tenant, asset["id"], run)
            ops += [(f"count:{i}", op) for i, op in enumerate(counts.ops(tenant))]
        ops.append(("asset", store.judged_under_op(tenant, asset["id"], asset["active_contract_id"])))
        tx = asset_store.Tx()
        for label, op in ops:
            tx.add(label, op)
        try:
            tx.commit()
            return finding
        except db.ConditionFailed as exc:
            failed = tx.failed(exc)
            if "asset" not in failed:
                if any(label.startswith("audit:") for label in failed):
                    # this run's drift was recorded already (a redelivery): keep the verdict only
                    rest = [op for label, op in zip(tx.labels, tx.ops) if label == "verdict"]
                    if rest:
                        asset_store.transact(rest)
                return finding
        # the asset was deleted, or another contract became active since it was read: judge again
        asset = asset_store.get_many(tenant, [asset["id"]]).get(asset["id"])
        if asset is None or attempt:
            return None
    return None


def observe_reports(tenant: str, reports: list) -> list:
    """Dagster materializations that carry `dagster/column_schema`, recorded by the reports family
    (HTTP or queue): each registered asset their key names is judged (README "Drift")."""
    from accord.reports.record import RECORDED, run_id as report_run_id
    from accord.store import events as event_store
    findings = []
    for r in reports:
        if r.status != RECORDED or r.ev.type != "materialization" or obs.COLUMN_SCHEMA not in r.ev.metadata:
            continue
        fqn = event_store.fqn_of(r.ev.asset_key)
        if not fqn:
            continue
        try:
            seen = obs.from_dagster(r.ev.metadata[obs.COLUMN_SCHEMA])
        except obs.Unreadable:
            continue
        for asset in event_store.live_assets(tenant, fqn):
            if r.ev.environment is not None and asset.get("environment") != r.ev.environment:
                continue
            found = observe(tenant, asset, seen, run_id=report_run_id(r), at=r.ts, source="dagster",
                            details={"asset_key": r.ev.asset_key, "event_uid": r.uid}, recorded_by=r.recorded_by)
            if found is not None:
                findings.append(found)
    return findings
