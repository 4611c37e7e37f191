"""Recording OpenLineage events (DESIGN §10.2): one path for the HTTP route and the reports queue.

For a batch of events of one tenant (one event on HTTP, up to ten on the queue), the reads are
shared and batched, and each event is then one TransactWriteItems:

1. BatchGetItem: the registry's fqn guards of every dataset named (its environment from the
   tenant's namespace settings; the name as sent, then lower-cased) and the discovered items of
   those datasets;
2. BatchGetItem (strongly consistent): the matched assets, the dependency items each COMPLETE run
   would refresh, the lineage version (only if a new edge is possible), the column lineage of the
   outputs that carry a columnLineage facet and the drift verdicts of the outputs that carry a
   schema facet;
3. per event, everything it changes in one transaction — its guard (run id + event time + event
   type: a redelivery writes nothing), the job's run, discovered datasets, and for a COMPLETE run
   the materializations of its outputs (the reports family's items), the dependencies (new ones
   checked for cycles against the graph at the version read; existing ones refreshed), the column
   lineage, drift verdicts and the audit runs of drift and dataQualityAssertions.

Reads 1-2 go through a warm environment's cache (`_cached_get`, as the reports family caches
assets): a run repeating what is known costs the transaction alone. New edges add the upstream walk
of the cycle check (one Query per asset reached, as for an edge declared through the API). A
transaction that loses a race (an edge made meanwhile, the lineage version moved, an asset deleted)
is planned again from fresh reads, a few times.
"""
import json
import time
import uuid
from dataclasses import dataclass, field

from accord import clock, errors
from accord.ingest import drift, observed as obs
from accord.ingest.openlineage import columns as col_lineage, settings as lineage_settings
from accord.ingest.openlineage.parse import TERMINAL, Dataset, LineageEvent
from accord.log import logger
from accord.registry import audit
from accord.registry.lineage import MAX_WALK_NODES, reach
from accord.reports import parse as report_parse, record as reports
from accord.store import assets as asset_store, audit as audit_store, columns as col_store
from accord.store import db, events as event_store, ingest as store, keys as k, lineage as lineage_store

RECORDED, DUPLICATE, FAILED = "recorded", "duplicate", "failed"
MAX_TX_OPS = 100
ATTEMPTS = 6
MAX_JOBS_PER_DATASET = 50
BOOKKEEPING_SECONDS = reports.BOOKKEEPING_SECONDS
_DQ_NS = uuid.UUID("9a7f3c2e-1b4d-4e8f-a6c5-2d3e4f5a6b7c")
_written: dict = {}   # (tenant, dataset, job) → until when this warm environment need not rewrite it


def _remember_written(slots) -> None:
    until = time.monotonic() + BOOKKEEPING_SECONDS
    for slot in slots:
        _written[slot] = until
    if len(_written) > 100_000:
        _written.clear()


@dataclass
class Outcome:
    event: LineageEvent
    status: str | None = None
    error: BaseException | None = None
    summary: dict = field(default_factory=dict)


# ------------------------------------------------------------------ reads
@dataclass
class Reads:
    """What a batch read; kept up to date as its events commit, so later events plan on it."""
    tenant: str
    settings: dict
    items: dict = field(default_factory=dict)       # (PK, SK) → item
    assets: dict = field(default_factory=dict)      # asset id → asset item

    def env(self, ds: Dataset) -> str:
        return lineage_settings.environment(self.settings, ds.namespace)

    def candidates(self, ds: Dataset) -> list[tuple[str, str]]:
        if not ds.fqn:
            return []
        env = self.env(ds)
        return [(k.asset_fqn_pk(self.tenant, env, f), k.UNIQUE_SK) for f in dict.fromkeys((ds.fqn, ds.fqn.lower()))]

    def guard_of(self, ds: Dataset) -> str | None:
        """The asset id the registry's fqn guard names (the name as sent first, then lower-cased)."""
        for key in self.candidates(ds):
            guard = self.items.get(key)
            if guard and guard.get("asset_id"):
                return guard["asset_id"]
        return None

    def asset_of(self, ds: Dataset) -> dict | None:
        for key in self.candidates(ds):
            guard = self.items.get(key)
            if guard and guard.get("asset_id") in self.assets:
                return self.assets[guard["asset_id"]]
        return None

    def asset_of_ref(self, namespace: str, name: str) -> dict | None:
        return self.asset_of(Dataset(namespace, name, "ref", _fqn(name)))


def _fqn(name: str):
    from accord.ingest.openlineage.parse import dataset_fqn
    return dataset_fqn(name)


def _datasets(ev: LineageEvent) -> list[Dataset]:
    return [*ev.inputs, *ev.outputs, *([ev.dataset] if ev.dataset else [])]


def _completes(ev: LineageEvent) -> bool:
    return ev.kind == "RunEvent" and ev.event_type == "COMPLETE"


def _links(ev: LineageEvent) -> bool:
    """Does the event say which outputs are made from which inputs? (edges)"""
    return _completes(ev) or ev.kind == "JobEvent"


# ------------------------------------------------------------------ the warm cache of reads
CACHE_SECONDS = reports.ASSET_CACHE_SECONDS
_cache: dict = {}   # (PK, SK) → (until, item or None): what a read found, or that nothing was there


def _cached_get(keys: list, projection: list[str], fresh: bool, uncached=()) -> dict:
    """Items by key, from this warm environment's cache when fresh enough (as the reports family
    caches assets; a name no asset has is always looked up again). A cached answer can only be stale
    for CACHE_SECONDS, and every write that relies
    on one is conditioned (an edge refreshed must exist, a new one must not, assets must be live):
    a stale read fails its transaction, which is planned again from fresh reads. `uncached` keys are
    always read (the lineage version a cycle check starts from)."""
    now = time.monotonic()
    out, todo = {}, []
    for key in dict.fromkeys(keys):
        hit = None if fresh or key in uncached else _cache.get(key)
        if hit is not None and hit[0] > now:
            if hit[1] is not None:
                out[key] = hit[1]
        else:
            todo.append(key)
    if todo:
        found = store.get_many(todo, projection=projection)
        until = now + CACHE_SECONDS
        if len(_cache) > 200_000:
            _cache.clear()
        for key in todo:
            item = found.get(key)
            # "no asset has this name" is never remembered: a dataset registered now matches at once
            if key not in uncached and not (item is None and key[1] == k.UNIQUE_SK):
                _cache[key] = (until, item)
            if item is not None:
                out[key] = item
    return out


def remember(key, item) -> None:
    """What this environment just wrote (or removed: None), for the next reads."""
    _cache[key] = (time.monotonic() + CACHE_SECONDS, item)


def forget() -> None:
    _cache.clear()


def read(tenant: str, events: list[LineageEvent], fresh: bool = False) -> Reads:
    r = Reads(tenant, lineage_settings.get(tenant))
    first = []
    for ev in events:
        for ds in _datasets(ev):
            first += r.candidates(ds)
            first.append(store.dataset_key(tenant, ds.key))
        for ds in ev.outputs if _completes(ev) else ():
            for ref in col_lineage.refs(ds):
                first += r.candidates(Dataset(ref[0], ref[1], "ref", _fqn(ref[1])))
    jobs = sorted({f"j_{ev.job_key}" for ev in events if ev.job_key})
    r.items.update(_cached_get(first, ["asset_id", "job_count", *jobs], fresh))
    _read_second(r, events, fresh)
    return r


# what the second read needs of each kind of item (one projection for the request: bytes, not capacity)
SECOND = ["id", "fqn", "environment", "deleted_at", "active_contract_id", "active_contract_version",
          "compatibility_mode", "hash", "upstream_asset_ids", "v", "contract_id", "contract_version", "mode",
          "compatible", "judged", "breaking_changes", "changes", "decided_at", "reason"]


def _read_second(r: Reads, events: list[LineageEvent], fresh: bool) -> None:
    """The assets the guards name, and — keys known from the guards alone — the edges each run
    would refresh, the lineage version, column lineage and drift verdicts: one BatchGetItem."""
    second = []
    for ev in events:
        for ds in _datasets(ev):
            a = r.guard_of(ds)
            if a:
                second.append((k.asset_pk(r.tenant, a), k.ASSET_SK))
        if _links(ev):
            for src, dst in _id_pairs(r, ev):
                second.append(lineage_store.edge_key(r.tenant, src, dst))
        if not _completes(ev):
            continue
        for ds in ev.outputs:
            a = r.guard_of(ds)
            if a is None:
                continue
            if ds.facet("columnLineage"):
                second.append((k.asset_pk(r.tenant, a), k.COLUMN_LINEAGE_SK))
            seen = _observed(ds)
            if seen is not None:
                second.append(store.verdict_key(r.tenant, a, seen.digest))
    if second:
        version = lineage_store.version_key(r.tenant)
        now = time.monotonic()
        edges = [key for key in second if key[1].startswith(k.DEP_PREFIX)]
        if fresh or any(_cache.get(key, (0, None))[0] <= now or _cache[key][1] is None for key in edges):
            second.append(version)   # a new edge is possible: its cycle check starts from this version
        found = _cached_get(second, SECOND, fresh, uncached={version})
        for key, item in found.items():
            if key[1] == k.ASSET_SK:
                if not item.get("deleted_at"):
                    r.assets[item["id"]] = item
            else:
                r.items[key] = item


def _id_pairs(r: Reads, ev: LineageEvent) -> list[tuple[str, str]]:
    out = []
    for o in ev.outputs:
        oa = r.guard_of(o)
        for i in ev.inputs:
            ia = r.guard_of(i)
            if oa and ia and oa != ia and (oa, ia) not in out:
                out.append((oa, ia))
    return out


def _pairs(r: Reads, ev: LineageEvent) -> list[tuple[dict, dict]]:
    """(output asset, input asset): the output depends on the input (registered, distinct)."""
    out = []
    for o in ev.outputs:
        oa = r.asset_of(o)
        if oa is None:
            continue
        for i in ev.inputs:
            ia = r.asset_of(i)
            if ia is not None and ia["id"] != oa["id"] and (oa, ia) not in out:
                out.append((oa, ia))
    return out


def _observed(ds: Dataset) -> obs.Observed | None:
    facet = ds.facet("schema")
    if not facet:
        return None
    try:
        return obs.from_openlineage(facet)
    except obs.Unreadable:
        return None


# ------------------------------------------------------------------ the plan of one event
class Plan:
    """Labelled transaction parts for one event, and what they mean for its run summary."""

    def __init__(self, tenant: str, ev: LineageEvent, reads: Reads, recorded_by: str | None, now: str):
        self.tenant, self.ev, self.r, self.recorded_by, self.now = tenant, ev, reads, recorded_by, now
        self.ops: list[tuple[str, dict]] = []
        self.live: set[str] = set()          # assets whose liveness the transaction checks
        self.summary: dict = {"event_type": ev.event_type or ev.kind, "event_time": ev.event_time}
        self.new_edges: list[dict] = []
        self.findings: list = []
        self.audit_runs: list[tuple[str, dict]] = []
        self.bookkeeping: list = []          # reports' key items written (their warm cache)
        self.discovered: list = []           # discovered datasets written (ours)
        self.columns: dict = {}              # column lineage items written
        self.judged_under: dict = {}         # asset id → the contract its written verdict/drift relies on

    def add(self, label: str, op: dict) -> None:
        self.ops.append((label, op))

    # -- the parts -------------------------------------------------------------------------
    def build(self, skip_audit: set) -> None:
        ev = self.ev
        self.datasets()
        if _completes(ev):
            self.materializations()
            self.column_lineage()
            self.drift(skip_audit)
        if _links(ev):
            self.edges()
        if ev.kind == "RunEvent" and ev.event_type in TERMINAL:
            self.assertions(skip_audit)
        if ev.kind == "RunEvent":
            self.run()
        counts = audit_store.Counts()
        for asset_id, run in self.audit_runs:
            self.add(f"audit:{asset_id}:{run['id']}", audit_store.run_op(self.tenant, asset_id, run))
            counts.add(self.tenant, asset_id, run)
            self.live.add(asset_id)
        for i, op in enumerate(counts.ops(self.tenant)):
            self.add(f"count:{i}", op)
        for a in sorted(self.live | set(self.judged_under)):
            self.add(f"asset:{a}", store.judged_under_op(self.tenant, a, self.judged_under[a]) if a in self.judged_under
                     else asset_store.live_op(self.tenant, a))

    def datasets(self) -> None:
        """Unmatched datasets are kept as discovered (with the job that touched them); a dataset
        that matches now leaves that list (picked up: its asset takes over)."""
        ev, seen = self.ev, time.monotonic()
        matched, found, done = [], [], set()
        for ds in _datasets(ev):
            if ds.key in done:
                continue
            done.add(ds.key)
            key = store.dataset_key(self.tenant, ds.key)
            asset = self.r.asset_of(ds)
            entry = {"namespace": ds.namespace, "name": ds.name, "fqn": ds.fqn,
                     "asset_id": asset["id"] if asset else None, "environment": self.r.env(ds)}
            (matched if asset else found).append(entry)
            existing = self.r.items.get(key)
            if asset is not None:
                if existing is not None:
                    self.add(f"picked:{ds.key}", store.dataset_delete_op(self.tenant, ds.key))
                continue
            slot = (self.tenant, ds.key, ev.job_key)
            if existing is not None and _written.get(slot, 0) > seen:
                continue
            jobs, new_jobs = {}, 0
            if ev.job_key is not None:
                attr = f"j_{ev.job_key}"
                known = existing is not None and attr in existing
                if known or int((existing or {}).get("job_count") or 0) < MAX_JOBS_PER_DATASET:
                    jobs[attr] = {"namespace": ev.job_namespace, "name": ev.job_name, "role": ds.role,
                                  "last_seen_at": ev.event_time}
                    new_jobs = 0 if known else 1
            sort = f"{ds.fqn or ds.name}"[:700] + k.US + ds.key
            attrs = {"namespace": ds.namespace, "name": ds.name, "fqn": ds.fqn, "environment": self.r.env(ds),
                     "dataset_key": ds.key}
            self.add(f"dataset:{ds.key}", store.dataset_op(self.tenant, ds.key, sort, attrs, jobs, ev.event_time,
                                                           new_jobs))
            self.discovered.append(slot)
        if found:
            self.summary["discovered"] = found
        self.summary["matched"] = len(matched)

    def materializations(self) -> None:
        """Each output gets a materialization (the reports family's event item): freshness works
        from OpenLineage alone. Outputs no asset has are kept under their key, like any report."""
        ev, made, done = self.ev, [], set()
        for ds in ev.outputs:
            if not ds.fqn or ds.fqn in done:
                continue
            done.add(ds.fqn)
            stats = ds.facet("outputStatistics") or {}
            meta = {"openlineage/run_id": ev.run_id, "openlineage/job_namespace": ev.job_namespace,
                    "openlineage/job_name": ev.job_name, "openlineage/producer": ev.producer,
                    "openlineage/namespace": ds.namespace}
            clean = {n: v for n, v in stats.items() if not n.startswith("_")}
            if clean:
                meta["outputStatistics"] = clean
            try:
                rep = report_parse.parse_typed({"type": "materialization", "asset_key": ds.fqn.split("."),
                                                "metadata": meta, "timestamp": ev.event_time,
                                                "environment": self.r.env(ds)})
            except errors.AccordError as exc:
                self.summary.setdefault("not_materialized", []).append({"fqn": ds.fqn, "reason": exc.message})
                continue
            r = reports.prepare(rep, source="openlineage", recorded_by=self.recorded_by,
                                event_id=f"openlineage:{ev.run_id}:{ds.key}", default_ts=ev.event_time)
            self.add(f"event:{ds.key}", db.put_op(event_store.event_item(self.tenant, r.key,
                                                                        reports.event_attrs(r, self.now))))
            for slot, item in reports.bookkeeping(self.tenant, [r], self.now):
                self.add(f"key:{ds.key}", db.put_op(item))
                self.bookkeeping.append(slot)
            made.append(ds.fqn)
        self.summary["materialized"] = made

    def edges(self) -> None:
        ev = self.ev
        refreshed, candidates = [], []
        for oa, ia in _pairs(self.r, ev):
            existing = self.r.items.get(lineage_store.edge_key(self.tenant, oa["id"], ia["id"]))
            if existing is not None:
                if _completes(ev):
                    self.add(f"observe:{oa['id']}:{ia['id']}",
                             lineage_store.observe_op(self.tenant, oa["id"], ia["id"], ev.event_time, 1))
                    refreshed.append(1)
                continue
            candidates.append((oa, ia))
        self.summary["dependencies_refreshed"] = len(refreshed)
        if not candidates:
            return
        accepted, skipped = check_cycles(self.tenant, candidates)
        for oa, ia in accepted:
            edge = {"id": str(uuid.uuid4()), "source_asset_id": oa["id"], "target_asset_id": ia["id"],
                    "dependency_type": "transforms", "metadata": {"job": ev.job_label}, "created_at": self.now,
                    "created_by": self.recorded_by or "openlineage", "source": "openlineage",
                    "call_count": 1 if _completes(ev) else 0,
                    "last_observed_at": ev.event_time if _completes(ev) else None}
            for label, op in lineage_store.edge_ops(self.tenant, edge):
                self.add(f"edge-{label}:{oa['id']}:{ia['id']}", op)
            self.live |= {oa["id"], ia["id"]}
            self.new_edges.append(edge)
        if accepted:
            version = self.r.items.get(lineage_store.version_key(self.tenant)) or {}
            self.add("version", lineage_store.version_op(self.tenant, int(version.get("v", 0))))
        self.summary["dependencies_added"] = [{"id": e["id"], "source_asset_id": e["source_asset_id"],
                                               "target_asset_id": e["target_asset_id"]} for e in self.new_edges]
        if skipped:
            self.summary["dependencies_skipped"] = skipped
            logger.warning("lineage cycle skipped", extra={"tenant": self.tenant, "job": ev.job_label,
                                                          "skipped": skipped})

    def column_lineage(self) -> None:
        ups: dict[str, dict] = {}       # upstream asset id → {"set": {b: doc}, "remove": [b]}
        written = []
        for ds in self.ev.outputs:
            asset = self.r.asset_of(ds)
            facet = ds.facet("columnLineage")
            if asset is None or not facet or asset["fqn"] in written:
                continue
            doc = col_lineage.document(ds, facet, asset, self.r, self.ev)
            digest = col_lineage.digest(doc)
            current = self.r.items.get((k.asset_pk(self.tenant, asset["id"]), k.COLUMN_LINEAGE_SK))
            if current is not None and current.get("hash") == digest:
                continue
            previous = current or {}
            item = col_store.up_item(self.tenant, asset["id"], doc, digest)
            self.add(f"columns:{asset['id']}", db.put_op(item))
            self.columns[(item["PK"], item["SK"])] = item
            for upstream, down in col_lineage.downstream_docs(doc).items():
                ups.setdefault(upstream, {"set": {}, "remove": []})["set"][asset["id"]] = down
            for upstream in set(previous.get("upstream_asset_ids") or []) - set(doc["upstream_asset_ids"]):
                ups.setdefault(upstream, {"set": {}, "remove": []})["remove"].append(asset["id"])
            written.append(asset["fqn"])
        for upstream, change in sorted(ups.items()):
            self.add(f"coldown:{upstream}", col_store.down_op(self.tenant, upstream, change["set"], change["remove"]))
        if written:
            self.summary["column_lineage"] = written

    def drift(self, skip_audit: set) -> None:
        judged = set()
        for ds in self.ev.outputs:
            asset = self.r.asset_of(ds)
            seen = _observed(ds)
            if asset is None or seen is None or asset["id"] in judged:
                continue
            judged.add(asset["id"])
            cached = self.r.items.get(store.verdict_key(self.tenant, asset["id"], seen.digest))
            finding = drift.decide(asset, seen, cached, lambda cid: drift.contract(self.tenant, cid))
            if finding is None:
                continue
            if finding.drifted:
                run = drift.drift_run(asset, finding.verdict, finding.digest, run_id=self.ev.run_id,
                                      at=self.ev.event_time, source="openlineage", recorded_by=self.recorded_by,
                                      details={"job": self.ev.job_label, "producer": self.ev.producer})
                if (asset["id"], run["id"]) not in skip_audit:
                    finding.run = run
                    self.audit_runs.append((asset["id"], run))
            for label, op in finding.ops(self.tenant):
                self.add(label, op)
            if finding.writes:   # the asset may come from the warm cache: its contract must still be active
                self.judged_under[asset["id"]] = asset["active_contract_id"]
            self.findings.append(finding)
        if self.findings:
            self.summary["drift"] = [f.summary() for f in self.findings]

    def assertions(self, skip_audit: set) -> None:
        """dataQualityAssertions → one audit run per dataset per run (the registry's builder)."""
        ev, runs, done = self.ev, [], set()
        for ds in _datasets(ev):
            asset = self.r.asset_of(ds)
            facet = ds.facet("dataQualityAssertions")
            if asset is None or not facet or not isinstance(facet.get("assertions"), list) or asset["id"] in done:
                continue
            done.add(asset["id"])
            results = [_assertion_result(a) for a in facet["assertions"][:500] if isinstance(a, dict)]
            if not results:
                continue
            failed = sum(not r["passed"] for r in results)
            try:
                run = audit.build_run(
                    asset, status="failed" if failed else "passed", triggered_by=ev.short_producer,
                    run_id=ev.run_id, run_at=ev.event_time, guarantee_results=results,
                    details={"source": "openlineage", "job": ev.job_label, "producer": ev.producer,
                             "namespace": ds.namespace, "name": ds.name},
                    recorded_by=self.recorded_by, run_uuid=str(uuid.uuid5(_DQ_NS, f"{ev.run_id}:{asset['id']}")),
                    now=self.now)
            except errors.AccordError as exc:
                runs.append({"asset_id": asset["id"], "skipped": exc.message})
                continue
            if (asset["id"], run["id"]) in skip_audit:
                continue
            self.audit_runs.append((asset["id"], run))
            runs.append({"asset_id": asset["id"], "audit_run_id": run["id"], "status": run["status"]})
        if runs:
            self.summary["audit_runs"] = runs

    def run(self) -> None:
        """The job's run: each event sets what it says (idempotent), the state is read from them."""
        ev = self.ev
        t = ev.event_type
        # One JSON text, not maps: the run is written by every event and read only to be shown. Its
        # identity is set by the first event; a terminal event sets it with the outcome (and a FAIL's
        # message), which an event arriving late (a RUNNING after the COMPLETE) cannot then erase.
        info = {"run_id": ev.run_id, "job_namespace": ev.job_namespace, "job_name": ev.job_name,
                "producer": ev.producer}
        if t in TERMINAL:
            info["outcome"] = self.summary
            message = (ev.run_facets.get("errorMessage") or {}).get("message") if t == "FAIL" else None
            if isinstance(message, str):
                info["error_message"] = message[:4000]
        text = json.dumps(info, separators=(",", ":"), default=str)
        sets = {"info" if t in TERMINAL else "first:info": text, f"first:{t.lower()}_at": ev.event_time}
        self.add("run", store.run_op(self.tenant, ev.job_key, ev.run_id, f"{ev.event_time}#{ev.run_id}", sets,
                                     {"event_count": 1}))


def _assertion_result(a: dict) -> dict:
    name = a.get("name") or a.get("assertion") or "assertion"
    column = a.get("column")
    gid = f"{name}:{column}" if column and column not in str(name) else str(name)
    ok = a.get("success") is True
    return {"guarantee_id": gid[:255], "passed": ok,
            "error_message": (a.get("description") or f"{name} failed")[:2000] if not ok else None,
            "rows_checked": None, "rows_failed": None,
            "metadata": {n: a[n] for n in ("assertion", "column", "severity", "expected", "actual") if a.get(n) is not None}}


# ------------------------------------------------------------------ cycles
def check_cycles(tenant: str, candidates: list[tuple[dict, dict]]) -> tuple[list, list]:
    """(accepted, skipped) new edges `output depends on input`: an edge whose output is upstream of
    its input (by the graph read with strong consistency, and the edges accepted before it) would
    close a cycle, and is skipped with the path it would close."""
    up: dict[str, set] = {}
    frontier = list(dict.fromkeys(ia["id"] for _, ia in candidates))
    while frontier and len(up) <= MAX_WALK_NODES:
        found = lineage_store.edges_of_many(tenant, frontier, "up", consistent=True)
        nxt = []
        for node in frontier:
            up[node] = {e["target_asset_id"] for e in found[node]}
            nxt += [t for t in up[node] if t not in up and t not in nxt]
        frontier = nxt
    too_big = bool(frontier)
    accepted, skipped = [], []
    for oa, ia in candidates:
        path = None if too_big else reach(up, ia["id"], oa["id"])
        if too_big:
            skipped.append({"source_asset_id": oa["id"], "target_asset_id": ia["id"],
                            "reason": f"upstream lineage larger than {MAX_WALK_NODES} assets: not checked"})
        elif path is not None:
            skipped.append({"source_asset_id": oa["id"], "target_asset_id": ia["id"], "reason": "cycle",
                            "cycle": [oa["fqn"], *path]})
        else:
            accepted.append((oa, ia))
            up.setdefault(oa["id"], set()).add(ia["id"])
    if skipped:
        names = asset_store.get_many(tenant, {a for s in skipped for a in s.get("cycle", [])[1:]})
        for s in skipped:
            if "cycle" in s:
                s["cycle"] = [s["cycle"][0], *[names[a]["fqn"] if a in names else a for a in s["cycle"][1:]]]
    return accepted, skipped


# ------------------------------------------------------------------ commit
def _commit(tenant: str, plan: Plan) -> int:
    """One transaction, or (more than 100 parts) several, each with a guard of its own."""
    ev = plan.ev
    chunks, chunk = [], []
    for item in plan.ops:
        if len(chunk) >= MAX_TX_OPS - 1:
            chunks.append(chunk)
            chunk = []
        chunk.append(item)
    chunks.append(chunk)
    written = 0
    for n, part in enumerate(chunks):
        tx = asset_store.Tx()
        tx.add("guard", store.guard_op(tenant, ev.ident, n, {"kind": ev.kind, "event_type": ev.event_type,
                                                             "run_id": ev.run_id, "recorded_at": plan.now}))
        for label, op in part:
            tx.add(label, op)
        try:
            tx.commit()
            written += 1
        except db.ConditionFailed as exc:
            exc.failed = tx.failed(exc)
            if "guard" in exc.failed:
                continue  # this part was recorded already (a redelivery, or a concurrent delivery)
            raise
    return written


def record(tenant: str, events: list[LineageEvent], *, recorded_by: str | None = None) -> list[Outcome]:
    """Record every event (each stands alone: one failing does not stop the others)."""
    outcomes = [Outcome(ev) for ev in events]
    if not events:
        return outcomes
    try:
        reads = read(tenant, events)
    except Exception as exc:  # noqa: BLE001 - transient: every event fails (retried by the caller)
        for o in outcomes:
            o.status, o.error = FAILED, exc
        return outcomes
    for o in outcomes:
        _record_one(tenant, o, reads, recorded_by)
    return outcomes


def _record_one(tenant: str, o: Outcome, reads: Reads, recorded_by: str | None) -> None:
    skip_audit: set = set()
    for attempt in range(ATTEMPTS):
        now = clock.iso()
        try:
            if attempt:
                reads = read(tenant, [o.event], fresh=True)
            plan = Plan(tenant, o.event, reads, recorded_by, now)
            plan.build(skip_audit)
            written = _commit(tenant, plan)
        except db.ConditionFailed as exc:
            failed = getattr(exc, "failed", set())
            skip_audit |= {(p[1], p[2]) for p in (f.split(":") for f in failed if f.startswith("audit:"))}
            time.sleep(0.005 * (attempt + 1))
            continue
        except errors.AccordError as exc:
            if exc.status >= 500 or exc.status == 429 or exc.code == "TRANSACTION_CONFLICT":
                time.sleep(0.01 * (attempt + 1))
                if attempt < ATTEMPTS - 1:
                    continue
            o.status, o.error = FAILED, exc
            return
        except Exception as exc:  # noqa: BLE001 - storage trouble: the caller retries the event
            o.status, o.error = FAILED, exc
            return
        if not written:
            o.status = DUPLICATE
            return
        reports.written(plan.bookkeeping)
        _remember_written(plan.discovered)
        _remember(reads, plan)
        o.status, o.summary = RECORDED, plan.summary
        return
    o.status, o.error = FAILED, errors.Conflict("The lineage kept changing while this event was recorded; retry.",
                                                code="CONCURRENT_UPDATE")


def _remember(reads: Reads, plan: Plan) -> None:
    """What this event wrote, so the next events (of the batch, and of this warm environment) plan on it."""
    t = reads.tenant
    written: dict = {}
    for e in plan.new_edges:
        written[lineage_store.edge_key(t, e["source_asset_id"], e["target_asset_id"])] = {"source": "openlineage"}
    if plan.new_edges:
        key = lineage_store.version_key(t)
        reads.items[key] = {"v": int((reads.items.get(key) or {}).get("v", 0)) + 1}
    for f in plan.findings:
        written[store.verdict_key(t, f.asset["id"], f.digest)] = f.verdict
    written.update({key: {n: item[n] for n in ("hash", "upstream_asset_ids")} for key, item in plan.columns.items()})
    for label, op in plan.ops:
        if label.startswith("picked:"):
            key = (op["Delete"]["Key"]["PK"]["S"], op["Delete"]["Key"]["SK"]["S"])
            reads.items.pop(key, None)
            remember(key, None)
        elif label.startswith("dataset:"):
            key = (op["Update"]["Key"]["PK"]["S"], op["Update"]["Key"]["SK"]["S"])
            item = dict(reads.items.get(key) or {"job_count": 0})
            job = f"j_{plan.ev.job_key}"
            if plan.ev.job_key and job not in item:
                item[job] = True
                item["job_count"] = int(item.get("job_count") or 0) + 1
            written[key] = item
    reads.items.update(written)
    for key, item in written.items():
        remember(key, item)
