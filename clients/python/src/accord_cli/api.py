"""Accord's registry as Python calls: what the CLI commands and the MCP tools share (one place
that knows the routes, how an fqn or a team name resolves, and what "pending for a team" means)."""
import re

from accord_cli.errors import ApiError, CliError
from accord_cli.http import Http, idempotency_key

V1 = "/api/v1"
UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
ASSET_PAGE = 100        # the registry's largest asset page
LIST_PAGE = 1000        # contracts, proposals, teams
MAX_OFFSET = 10_000     # the registry pages by offset up to here
REPORT_KINDS = ("materialization", "observation", "check")


def is_uuid(text: str) -> bool:
    return bool(UUID.match(text or ""))


class Accord:
    def __init__(self, http: Http, reports: Http | None = None):
        self.http = http
        self.reports = reports or http

    @property
    def requests(self) -> int:
        return self.http.requests + (self.reports.requests if self.reports is not self.http else 0)

    def close(self):
        self.http.close()
        if self.reports is not self.http:
            self.reports.close()

    # ------------------------------------------------------------------ identity
    def me(self) -> dict | None:
        """`GET /api/v1/me` (who the key is), or None where the server does not have it yet."""
        try:
            return self.http.get(V1 + "/me").body
        except ApiError as exc:
            if exc.status in (404, 405):
                return None
            raise

    def verify_key(self) -> dict:
        """Who the key is, by `/me`; on a server without it, a cheap authenticated read proves the
        key is valid (a 401 raises either way)."""
        who = self.me()
        if who is not None:
            return who
        self.http.get(V1 + "/teams", limit=1)
        return {}

    def teams(self) -> list[dict]:
        return self._pages(V1 + "/teams", {})

    def resolve_team(self, ref: str) -> dict:
        """A team by id, or by name (case-insensitive)."""
        if is_uuid(ref):
            return self.http.get(f"{V1}/teams/{ref}").body
        wanted = ref.strip().casefold()
        for team in self.teams():
            if str(team.get("name", "")).casefold() == wanted:
                return team
        raise CliError(f"No team named {ref!r}: use its id or exact name (see `accord teams`).")

    def my_team_id(self) -> str:
        who = self.me()
        if who is None:
            raise CliError("This server cannot say which team the key belongs to (no GET /api/v1/me): pass --team.")
        if not who.get("team_id"):
            raise CliError("The API key belongs to no team: pass --team.")
        return who["team_id"]

    # ------------------------------------------------------------------ assets
    def list_assets(self, *, fqn=None, owner_team_id=None, environment=None, limit=ASSET_PAGE,
                    cursor=None) -> tuple[list[dict], int, str | None]:
        """One page (array form): (assets, total, next cursor)."""
        r = self.http.get(V1 + "/assets", fqn=fqn, owner_team_id=owner_team_id, environment=environment,
                          limit=min(limit, ASSET_PAGE), cursor=cursor)
        return r.body, int(r.header("X-Total-Count") or len(r.body)), r.header("X-Next-Cursor")

    def iter_assets(self, limit: int | None = None, **filters):
        cursor, seen = None, 0
        while True:
            page, _, cursor = self.list_assets(cursor=cursor, **filters)
            for a in page:
                yield a
                seen += 1
                if limit is not None and seen >= limit:
                    return
            if not cursor or not page:
                return

    def search_assets(self, q: str, limit: int = 20) -> list[dict]:
        return self.http.get(V1 + "/assets/search", q=q, limit=limit).body

    def get_asset(self, asset_id: str, include_status: bool = False) -> dict:
        return self.http.get(f"{V1}/assets/{asset_id}", include="status" if include_status else None).body

    def resolve_asset(self, ref: str, environment: str | None = None, include_status: bool = False) -> dict:
        """An asset by id, or by fqn (+ environment when the fqn lives in several)."""
        if is_uuid(ref):
            return self.get_asset(ref, include_status)
        found = [a for a in self.iter_assets(fqn=ref, environment=environment) if a["fqn"] == ref]
        if not found:
            where = f" in environment {environment!r}" if environment else ""
            raise CliError(f"No asset {ref!r}{where}: check the fqn (`accord assets search`) or pass its id.")
        if len(found) > 1:
            envs = ", ".join(sorted(a["environment"] for a in found))
            raise CliError(f"{ref!r} exists in several environments ({envs}): pass --environment.")
        return self.get_asset(found[0]["id"], True) if include_status else found[0]

    def lineage(self, asset_id: str, depth: int = 3) -> dict:
        return self.http.get(f"{V1}/assets/{asset_id}/lineage", depth=depth).body

    # ------------------------------------------------------------------ contracts
    def contracts_of(self, asset_id: str, status: str | None = None) -> list[dict]:
        return self.http.get(f"{V1}/assets/{asset_id}/contracts", status=status).body

    def get_contract(self, contract_id: str) -> dict:
        return self.http.get(f"{V1}/contracts/{contract_id}").body

    def active_contracts(self, offset: int = 0, limit: int = LIST_PAGE) -> tuple[list[dict], int]:
        r = self.http.get(V1 + "/contracts", status="active", limit=limit, offset=offset)
        return r.body, int(r.header("X-Total-Count") or len(r.body))

    def publish(self, asset_id: str, body: dict, dry_run: bool = False) -> dict:
        return self.http.post(f"{V1}/assets/{asset_id}/contracts", body,
                              **({"query": {"dry_run": "true"}} if dry_run else {})).body

    def impact(self, asset_id: str, schema: dict, *, mode: str | None = None, profile: str | None = None,
               guarantees: dict | None = None) -> dict:
        body = {"proposed_schema": schema}
        for k, v in (("compatibility_mode", mode), ("profile", profile), ("proposed_guarantees", guarantees)):
            if v is not None:
                body[k] = v
        return self.http.post(f"{V1}/assets/{asset_id}/impact", body, idempotent=True).body  # a read

    # ------------------------------------------------------------------ proposals
    def proposals(self, status: str | None = None, asset_id: str | None = None) -> list[dict]:
        return self._pages(V1 + "/proposals", {"status": status, "asset_id": asset_id})

    def get_proposal(self, proposal_id: str) -> dict:
        return self.http.get(f"{V1}/proposals/{proposal_id}").body

    def proposal_status(self, proposal_id: str) -> dict:
        return self.http.get(f"{V1}/proposals/{proposal_id}/status").body

    def pending_for(self, team_id: str, asset_id: str | None = None) -> list[dict]:
        """Pending proposals that wait for this team's answer (it is an affected consumer and has
        not acknowledged yet)."""
        out = []
        for p in self.proposals("pending", asset_id):
            waiting = {t.get("team_id") for t in p.get("affected_teams") or []}
            answered = {a.get("consumer_team_id") for a in p.get("acknowledgments") or []}
            if team_id in waiting and team_id not in answered:
                out.append(p)
        return out

    def acknowledge(self, proposal_id: str, team_id: str, response: str, notes: str | None = None) -> dict:
        body = {"consumer_team_id": team_id, "response": response}
        if notes:
            body["notes"] = notes
        return self.http.post(f"{V1}/proposals/{proposal_id}/acknowledge", body).body

    # ------------------------------------------------------------------ reports
    def report(self, kind: str, key: list[str], fields: dict) -> dict:
        """Dagster's report routes; an Idempotency-Key makes a retried report count once."""
        if kind not in REPORT_KINDS:
            raise CliError(f"Unknown report type {kind!r}: use one of {', '.join(REPORT_KINDS)}.")
        body = {"asset_key": key, **{k: v for k, v in fields.items() if v is not None}}
        r = self.reports.post(f"/report_asset_{kind}", body, idempotent=True,
                              headers={"Idempotency-Key": idempotency_key()})
        return r.body if isinstance(r.body, dict) else {}

    # ------------------------------------------------------------------ dbt import (sync)
    def dbt_upload(self, body: dict) -> tuple[int, dict]:
        """Tessera's direct import: (status, response) — 207 when any warning list is non-empty."""
        r = self.http.post(V1 + "/sync/dbt/upload", body)
        return r.status, r.body

    def create_upload(self, gzipped: bool) -> dict:
        """A presigned PUT for a large file: {upload_id, url, method, expires_at, max_bytes}."""
        return self.http.post(V1 + "/sync/uploads", {"content_encoding": "gzip" if gzipped else "identity"}).body

    def create_dbt_job(self, body: dict) -> dict:
        return self.http.post(V1 + "/sync/dbt/jobs", body).body

    def job(self, job_id: str) -> dict:
        return self.http.get(f"{V1}/sync/jobs/{job_id}").body

    # ------------------------------------------------------------------ paging
    def _pages(self, path: str, query: dict) -> list[dict]:
        out, offset = [], 0
        while True:
            r = self.http.get(path, limit=LIST_PAGE, offset=offset, **query)
            out.extend(r.body)
            total = int(r.header("X-Total-Count") or 0)
            offset += len(r.body)
            if not r.body or offset >= total or offset > MAX_OFFSET:
                return out


def flag_changes(result: dict) -> list[tuple[dict, bool]]:
    """Each change of an impact/publish/diff answer with whether it breaks (the answer lists all
    changes, and the breaking ones again in `breaking_changes`, with more fields: `downstream` on an
    impact answer). A change is matched by its type, path and description."""
    def key(c: dict) -> tuple:
        return c.get("type"), c.get("path"), c.get("description")

    breaking = {key(c) for c in result.get("breaking_changes") or []}
    return [(c, key(c) in breaking) for c in result.get("changes") or result.get("all_changes") or []]


def parse_key(text: str) -> list[str]:
    """`warehouse.sales.orders` or `warehouse/sales/orders` → Dagster's key parts (an asset's key
    is its fqn split on dots; a `/` means the parts were given as a path)."""
    parts = text.strip().split("/") if "/" in text else text.strip().split(".")
    if not parts or any(not p for p in parts):
        raise CliError(f"{text!r} is not an asset key: give its fqn (a.b.c) or its parts (a/b/c), none empty.")
    return parts
