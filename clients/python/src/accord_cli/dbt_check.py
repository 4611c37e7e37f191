"""`accord dbt check`: every model of a manifest against its asset's active contract — the CI
gate. Nothing is written.

Requests are bounded by what changed, not by the manifest's size:
1. fqn → asset: one asset list per schema (`fqn=<database.schema>` pages of 100), or one lookup
   per model where that is fewer requests;
2. the active contracts' schemas: the tenant's active contracts in pages, or one read per asset
   where that is fewer;
3. a model whose schema (`dbt_schema.node_schema`, the server's own mapping) equals its active
   contract's costs nothing more; only a changed one is sent, to `POST /assets/{id}/impact`.
"""
import gzip
import json
import math
import time
from concurrent.futures import ThreadPoolExecutor

from accord_cli import dbt_schema
from accord_cli.api import ASSET_PAGE, MAX_OFFSET, Accord, flag_changes
from accord_cli.errors import CliError
from accord_cli.http import Http

CONTRACT_PAGE = 250     # active contracts per bulk page (schemas included: keep responses small)
IMPACT_WORKERS = 4      # impact requests in flight at once
TABLE_ROWS = 100        # rows per Markdown section (GitHub caps a step summary at 1 MiB)

UNCHANGED, COMPATIBLE, BREAKING, NEW, NO_CONTRACT = "unchanged", "compatible", "breaking", "not_registered", "no_contract"


def load_manifest(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        manifest = json.loads(raw)
    except FileNotFoundError:
        raise CliError(f"No manifest at {path!r}: run `dbt parse` (or compile/build) first.") from None
    except (OSError, EOFError) as exc:
        raise CliError(f"Cannot read the manifest {path!r}: {getattr(exc, 'strerror', None) or exc}.") from exc
    except ValueError as exc:
        raise CliError(f"The manifest {path!r} is not JSON ({exc}).") from exc
    if not isinstance(manifest, dict):
        raise CliError(f"The manifest {path!r} is not a dbt manifest (a JSON object).")
    return manifest


def canonical(schema) -> str:
    return json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Model:
    __slots__ = ("unique_id", "resource_type", "fqn", "schema", "path", "asset", "status", "impact", "consumers")

    def __init__(self, unique_id, resource_type, fqn, schema, path):
        self.unique_id, self.resource_type, self.fqn, self.schema, self.path = unique_id, resource_type, fqn, schema, path
        self.asset, self.status, self.impact, self.consumers = None, None, None, []

    def changes(self) -> list[tuple[dict, bool]]:
        return flag_changes(self.impact) if self.impact else []

    def as_json(self) -> dict:
        out = {"unique_id": self.unique_id, "resource_type": self.resource_type, "fqn": self.fqn,
               "status": self.status, "asset_id": self.asset and self.asset["id"],
               "current_version": self.asset and self.asset.get("active_contract_version"),
               "consumers": self.consumers}
        if self.impact:
            out.update(suggested_version=self.impact.get("suggested_version"),
                       changes=[{**c, "breaking": b} for c, b in self.changes()])
        return out


class Result:
    def __init__(self, environment: str, models: list[Model], requests: int, seconds: float):
        self.environment, self.models, self.requests, self.seconds = environment, models, requests, seconds

    def by_status(self, status: str) -> list[Model]:
        return [m for m in self.models if m.status == status]

    def failing(self, fail_on: str) -> list[Model]:
        return [m for m in self.by_status(BREAKING) if fail_on == "breaking" or m.consumers]

    def fails(self, fail_on: str) -> bool:
        return bool(self.failing(fail_on))

    def counts(self) -> dict:
        return {s: len(self.by_status(s)) for s in (UNCHANGED, COMPATIBLE, BREAKING, NEW, NO_CONTRACT)}

    def as_json(self, fail_on: str) -> dict:
        return {"environment": self.environment, "fail_on": fail_on, "failed": self.fails(fail_on),
                "models_checked": len(self.models), "counts": self.counts(), "requests": self.requests,
                "seconds": round(self.seconds, 3), "models": [m.as_json() for m in self.models]}


# ------------------------------------------------------------------ the check
def run(api: Accord, manifest: dict, environment: str = "production") -> Result:
    start, before = time.perf_counter(), api.requests
    try:
        models = [Model(*n) for n in dbt_schema.contract_nodes(manifest)]
    except ValueError as exc:
        raise CliError(f"The manifest is not one dbt wrote: {exc}.") from exc
    assets = resolve_assets(api, {m.fqn for m in models}, environment)
    contracts = active_contracts(api, [a for a in assets.values() if a.get("active_contract_id")])
    changed = []
    for m in models:
        m.asset = assets.get(m.fqn)
        if m.asset is None:
            m.status = NEW
        elif not m.asset.get("active_contract_id"):
            m.status = NO_CONTRACT
        elif canonical(contracts[m.asset["active_contract_id"]].get("schema")) == canonical(m.schema):
            m.status = UNCHANGED
        else:
            changed.append(m)
    extra = _impacts(api, changed)
    return Result(environment, models, api.requests - before + extra, time.perf_counter() - start)


def resolve_assets(api: Accord, fqns: set[str], environment: str) -> dict[str, dict]:
    """fqn → asset: per schema prefix, list the prefix while that costs fewer requests than
    looking each remaining model up."""
    groups: dict[str, set[str]] = {}
    for fqn in fqns:
        groups.setdefault(fqn.rpartition(".")[0] or fqn, set()).add(fqn)
    found: dict[str, dict] = {}
    for prefix, wanted in sorted(groups.items()):
        missing = set(wanted)
        if len(wanted) > 1:
            cursor, pages = None, 0
            while missing:
                page, total, cursor = api.list_assets(fqn=prefix, environment=environment, cursor=cursor)
                pages += 1
                for a in page:
                    if a["fqn"] in missing:
                        found[a["fqn"]] = a
                        missing.discard(a["fqn"])
                if not cursor or not page:
                    missing = set()  # listed them all: the rest are not registered
                    break
                if math.ceil(max(total - pages * ASSET_PAGE, 0) / ASSET_PAGE) > len(missing):
                    break  # fewer requests to look the rest up one by one
        for fqn in sorted(missing):
            a = next((a for a in api.iter_assets(fqn=fqn, environment=environment) if a["fqn"] == fqn), None)
            if a is not None:
                found[fqn] = a
    return found


def active_contracts(api: Accord, assets: list[dict]) -> dict[str, dict]:
    """contract id → contract, for these assets' active contracts: the tenant's active contracts
    in pages while that costs fewer requests than one read per remaining asset."""
    wanted = {a["active_contract_id"] for a in assets}
    out: dict[str, dict] = {}
    if len(wanted) > 2:
        offset = 0
        while True:
            page, total = api.active_contracts(offset, CONTRACT_PAGE)
            for c in page:
                if c["id"] in wanted:
                    out[c["id"]] = c
            offset += len(page)
            missing = len(wanted) - len(out)
            left = math.ceil(max(total - offset, 0) / CONTRACT_PAGE)
            if not page or not missing or left > missing or offset > MAX_OFFSET:
                break
    for cid in sorted(wanted - out.keys()):
        out[cid] = api.get_contract(cid)
    return out


def _impacts(api: Accord, changed: list[Model]) -> int:
    """Impact for each changed model, a few at a time (each worker its own connection); returns
    the requests the workers made."""
    if not changed:
        return 0

    def one(chunk: list[Model]) -> int:
        http = Http(api.http.base_url, api.http.api_key, api.http.timeout)
        worker = Accord(http)
        try:
            for m in chunk:
                m.impact = worker.impact(m.asset["id"], m.schema)
                m.consumers = sorted({c.get("team_name") or c.get("team_id")
                                      for c in m.impact.get("affected_consumers") or []
                                      if "registration" in (c.get("sources") or ["registration"])})
                breaking = bool(m.impact.get("is_breaking"))
                m.status = BREAKING if breaking else (COMPATIBLE if m.impact.get("changes") else UNCHANGED)
        finally:
            http.close()
        return http.requests

    n = min(IMPACT_WORKERS, len(changed))
    chunks = [changed[i::n] for i in range(n)]
    with ThreadPoolExecutor(n) as pool:
        return sum(pool.map(one, chunks))


# ------------------------------------------------------------------ reporting
def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def markdown(result: Result, fail_on: str) -> str:
    c = result.counts()
    failing = result.failing(fail_on)
    if failing:
        head = (f"❌ {_plural(len(failing), 'model')} with breaking changes"
                + (" for registered consumers" if fail_on == "consumers" else ""))
    else:
        head = "✅ No breaking changes" + (" for registered consumers" if c[BREAKING] and fail_on == "consumers" else "")
    lines = [f"## Accord contract check: {head}", "",
             f"{_plural(len(result.models), 'model')} with columns checked against their active contracts in "
             f"`{result.environment}`: {c[UNCHANGED]:,} unchanged, {_plural(c[COMPATIBLE], 'compatible change')}, "
             f"{c[BREAKING]:,} breaking, {c[NEW]:,} not registered, {c[NO_CONTRACT]:,} without a contract "
             f"({_plural(result.requests, 'request')}, {result.seconds:.1f} s).", ""]
    breaking = result.by_status(BREAKING)
    if breaking:
        lines += ["### Breaking changes", "", "| Model | Asset (version) | Change | Why | Registered consumers |",
                  "|---|---|---|---|---|"]
        rows = [(m, ch) for m in breaking for ch, b in m.changes() if b]
        for m, ch in rows[:TABLE_ROWS]:
            lines.append(f"| `{_cell(m.unique_id)}` | `{_cell(m.fqn)}` ({_cell(m.asset.get('active_contract_version'))}) "
                         f"| `{_cell(ch.get('path'))}`: {_cell(ch.get('description'))} | {_cell(ch.get('reason'))} "
                         f"| {_cell(', '.join(m.consumers) or 'none: publishes as a new major version')} |")
        lines += _more(len(rows)) + [""]
    compatible = result.by_status(COMPATIBLE)
    if compatible:
        lines += ["### Compatible changes", "", "| Model | Asset | Changes | Next version |", "|---|---|---|---|"]
        for m in compatible[:TABLE_ROWS]:
            changes = "; ".join(f"`{_cell(ch.get('path'))}` {_cell(ch.get('description'))}" for ch, _ in m.changes()[:5])
            lines.append(f"| `{_cell(m.unique_id)}` | `{_cell(m.fqn)}` | {changes} | {_cell(m.impact.get('suggested_version'))} |")
        lines += _more(len(compatible)) + [""]
    for status, title in ((NEW, "not registered in Accord (nothing to break)"),
                          (NO_CONTRACT, "registered without a contract (nothing to break)")):
        found = result.by_status(status)
        if found:
            lines += [f"<details><summary>{_plural(len(found), 'model')} {title}</summary>", ""]
            lines += [f"- `{_cell(m.unique_id)}` → `{_cell(m.fqn)}`" for m in found[:TABLE_ROWS]]
            lines += _more(len(found)) + ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


def _more(n: int) -> list[str]:
    return [f"", f"… and {n - TABLE_ROWS:,} more (`accord dbt check --json` lists them all)."] if n > TABLE_ROWS else []


def _escape(text: str, prop: bool = False) -> str:
    text = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotations(result: Result, fail_on: str) -> list[str]:
    """GitHub workflow commands: an error (or a warning, when it does not fail the run) on the file
    that declares each model with a breaking change."""
    failing = {m.unique_id for m in result.failing(fail_on)}
    out = []
    for m in result.by_status(BREAKING):
        level = "error" if m.unique_id in failing else "warning"
        where = f"file={_escape(m.path, True)}," if m.path else ""
        for ch, b in m.changes():
            if b:
                msg = f"{m.fqn}: {ch.get('description')} ({ch.get('reason')})"
                if m.consumers:
                    msg += f"; registered consumers: {', '.join(m.consumers)}"
                out.append(f"::{level} {where}title={_escape('Breaking change in ' + m.unique_id, True)}::{_escape(msg)}")
    return out
