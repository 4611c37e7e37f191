"""Accord's events: CloudEvents 1.0 (structured JSON), one per state change (DESIGN §11).

`make` builds one; the writer of the change puts it in its own transaction (`accord.notify.outbox`).
Every event's `data` holds the ids it is about, the subject asset's fqn, `teams` (the teams the
change names directly: the asset's owners, a proposal's affected consumers...), a one-line human
`summary` and `links` to the API resource and the UI page. The dispatcher adds, for routing only,
the asset's consumers and the owners of downstream assets (accord.registry.concerned).
"""
import os
import uuid

from accord import clock

SPEC_VERSION = "1.0"
CONTRACT_PUBLISHED = "accord.contract.published"
PROPOSAL_CREATED = "accord.proposal.created"
PROPOSAL_ACKNOWLEDGED = "accord.proposal.acknowledged"
PROPOSAL_APPROVED = "accord.proposal.approved"
PROPOSAL_REJECTED = "accord.proposal.rejected"
PROPOSAL_WITHDRAWN = "accord.proposal.withdrawn"
PROPOSAL_EXPIRED = "accord.proposal.expired"
PROPOSAL_PUBLISHED = "accord.proposal.published"
FRESHNESS_CHANGED = "accord.asset.freshness_changed"
CHECK_FAILED = "accord.check.failed"
DRIFT_DETECTED = "accord.contract.drift_detected"
SYNC_COMPLETED = "accord.sync.completed"
PING = "accord.ping"
WEBHOOK_DISABLED = "accord.webhook.disabled"

TYPES = (CONTRACT_PUBLISHED, PROPOSAL_CREATED, PROPOSAL_ACKNOWLEDGED, PROPOSAL_APPROVED, PROPOSAL_REJECTED,
         PROPOSAL_WITHDRAWN, PROPOSAL_EXPIRED, PROPOSAL_PUBLISHED, FRESHNESS_CHANGED, CHECK_FAILED,
         DRIFT_DETECTED, SYNC_COMPLETED, PING, WEBHOOK_DISABLED)
PROPOSAL_STATUS_EVENT = {"approved": PROPOSAL_APPROVED, "rejected": PROPOSAL_REJECTED,
                         "withdrawn": PROPOSAL_WITHDRAWN, "expired": PROPOSAL_EXPIRED,
                         "published": PROPOSAL_PUBLISHED}


def base_url() -> str:
    """ACCORD_PUBLIC_URL (the API's public address), so links work from a chat message; empty:
    links are paths."""
    return os.environ.get("ACCORD_PUBLIC_URL", "").rstrip("/")


def links(api: str, ui: str | None = None) -> dict:
    base = base_url()
    out = {"api": base + api}
    if ui:
        out["ui"] = base + ui
    return out


_last = [0, 0]  # (ms, counter) of the previous id made by this process


def new_id() -> str:
    """A UUIDv7 (RFC 9562): time-ordered, so two events made in one millisecond — an
    acknowledgment and the approval it causes — keep their order in every timeline."""
    import os
    import time
    ms = time.time_ns() // 1_000_000
    if ms <= _last[0]:
        ms, counter = _last[0], _last[1] + 1
    else:
        counter = 0
    if counter > 0xFFF:
        ms, counter = ms + 1, 0
    _last[:] = [ms, counter]
    rand = int.from_bytes(os.urandom(8), "big") & 0x3FFFFFFFFFFFFFFF
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
    return str(uuid.UUID(int=value))


def make(tenant: str, kind: str, *, subject: str, summary: str, data: dict, teams=(),
         links_: dict | None = None, at: str | None = None) -> dict:
    """A CloudEvent. `data` gets `summary`, `links` and `teams` (deduplicated, order kept)."""
    seen = []
    for team in teams:
        if team and team not in seen:
            seen.append(team)
    return {"specversion": SPEC_VERSION, "id": new_id(), "source": f"accord/{tenant}", "type": kind,
            "time": at or clock.iso(), "subject": subject, "datacontenttype": "application/json",
            "data": {**data, "tenant": tenant, "summary": summary, "teams": seen, "links": links_ or {}}}


# ------------------------------------------------------------------ summaries
def _names(names: list[str]) -> str:
    names = [n for n in names if n]
    if not names:
        return "Its consumers"
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return f"{', '.join(names[:2])} and {len(names) - 2} other teams"


_PLURAL = {"property": "properties", "subschema": "subschemas", "guarantee": "guarantees", "type": "types"}


def describe_changes(changes: list[dict], limit: int = 3) -> str:
    """'2 properties removed, customer_id type narrowed': a person's reading of a change list."""
    if not changes:
        return "no breaking change"
    if len(changes) <= 2:
        parts = []
        for c in changes:
            label = c["type"].replace("_", " ")
            parts.append(f"{c['column']} {label}" if c.get("column") else label)
        return ", ".join(parts)
    counts: dict[str, int] = {}
    for c in changes:
        counts[c["type"]] = counts.get(c["type"], 0) + 1
    parts = []
    for kind, n in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]:
        noun, _, verb = kind.partition("_")
        if n > 1:
            noun = _PLURAL.get(noun, noun + "s")
        parts.append(f"{n} {noun} {verb.replace('_', ' ')}".strip())
    return ", ".join(parts)


# ------------------------------------------------------------------ builders, one per kind of change
def _asset_data(asset: dict) -> dict:
    return {"asset_id": asset["id"], "asset_fqn": asset["fqn"], "environment": asset.get("environment"),
            "owner_team_id": asset.get("owner_team_id")}


def _asset_links(asset_id: str, api: str | None = None) -> dict:
    return links(api or f"/api/v1/assets/{asset_id}", f"/ui/#/assets/{asset_id}")


def contract_published(tenant: str, asset: dict, contract: dict, breaking: list[dict], *,
                       proposal_id: str | None = None) -> dict:
    who = contract.get("published_by_name") or "Its owners"
    change = contract.get("change_type") or "major"
    summary = f"{who} published {asset['fqn']} {contract['version']} ({change}"
    summary += f"; breaking: {describe_changes(breaking)})" if breaking else ")"
    if contract.get("forced") and not proposal_id:
        summary += ", forced by an admin"
    return make(tenant, CONTRACT_PUBLISHED, subject=f"assets/{asset['id']}/contracts/{contract['id']}",
                summary=summary + ".", teams=[asset.get("owner_team_id"), contract.get("published_by")],
                data={**_asset_data(asset), "contract_id": contract["id"], "version": contract["version"],
                      "change_type": change, "breaking_changes": len(breaking), "forced": bool(contract.get("forced")),
                      "proposal_id": proposal_id},
                links_=_asset_links(asset["id"], f"/api/v1/contracts/{contract['id']}"), at=contract["published_at"])


def _proposal_data(p: dict) -> dict:
    return {"asset_id": p["asset_id"], "asset_fqn": p.get("asset_fqn"), "proposal_id": p["id"],
            "status": p["status"], "proposed_by": p.get("proposed_by")}


def _proposal_teams(p: dict) -> list[str]:
    return [p.get("proposed_by"), *(t["team_id"] for t in p.get("affected_teams") or []),
            *(a.get("owner_team_id") for a in p.get("affected_assets") or [])]


def _proposal_links(p: dict) -> dict:
    return links(f"/api/v1/proposals/{p['id']}", f"/ui/#/proposals/{p['id']}")


def proposal_created(tenant: str, p: dict) -> dict:
    names = [t.get("team_name") for t in p.get("affected_teams") or []]
    breaking = p.get("breaking_changes") or []
    summary = f"{_names(names)} must answer a breaking change to {p.get('asset_fqn')}: {describe_changes(breaking)}."
    return make(tenant, PROPOSAL_CREATED, subject=f"proposals/{p['id']}", summary=summary, teams=_proposal_teams(p),
                data={**_proposal_data(p), "breaking_changes": len(breaking), "expires_at": p.get("expires_at"),
                      "awaiting": [t["team_id"] for t in p.get("affected_teams") or []]},
                links_=_proposal_links(p), at=p.get("proposed_at"))


def proposal_acknowledged(tenant: str, p: dict, ack: dict, pending: int) -> dict:
    team = ack.get("consumer_team_name") or ack["consumer_team_id"]
    summary = f"{team} answered {ack['response']} on the breaking change to {p.get('asset_fqn')}"
    summary += f"; {pending} consumer team(s) still to answer." if pending else "."
    return make(tenant, PROPOSAL_ACKNOWLEDGED, subject=f"proposals/{p['id']}", summary=summary,
                teams=_proposal_teams(p),
                data={**_proposal_data(p), "consumer_team_id": ack["consumer_team_id"], "response": ack["response"],
                      "notes": ack.get("notes"), "pending_consumers": pending},
                links_=_proposal_links(p), at=ack["acknowledged_at"])


_STATUS_SENTENCE = {
    "approved": "Every consumer agreed: the breaking change to {fqn} is approved and can be published",
    "rejected": "The breaking change to {fqn} was blocked{by}",
    "withdrawn": "The breaking change to {fqn} was withdrawn",
    "expired": "The breaking change to {fqn} expired before every consumer answered",
    "published": "The breaking change to {fqn} was published as version {version}",
}


def proposal_status(tenant: str, p: dict, status: str, *, by: str | None = None, at: str | None = None) -> dict:
    """approved | rejected | withdrawn | expired | published, for proposal `p` (its new state)."""
    p = {**p, "status": status}
    text = _STATUS_SENTENCE[status].format(fqn=p.get("asset_fqn"), by=f" by {by}" if by else "",
                                           version=p.get("published_version"))
    if status == "approved" and p.get("forced"):
        text = f"An admin approved the breaking change to {p.get('asset_fqn')} without every consumer's answer"
    data = _proposal_data(p)
    if status == "published":
        data.update(contract_id=p.get("published_contract_id"), version=p.get("published_version"))
    return make(tenant, PROPOSAL_STATUS_EVENT[status], subject=f"proposals/{p['id']}", summary=text + ".",
                teams=_proposal_teams(p), data=data, links_=_proposal_links(p), at=at)


def freshness_changed(tenant: str, asset: dict, old: str, new: str, *, last_updated_at: str | None,
                      stale_since: str | None, max_staleness_minutes, at: str | None = None) -> dict:
    if new == "stale":
        summary = (f"{asset['fqn']} is stale: no update since {last_updated_at or 'ever'} "
                   f"(allowed: {max_staleness_minutes} minutes).")
    else:
        summary = f"{asset['fqn']} is fresh again (updated at {last_updated_at})."
    return make(tenant, FRESHNESS_CHANGED, subject=f"assets/{asset['id']}", summary=summary,
                teams=[asset.get("owner_team_id")],
                data={**_asset_data(asset), "previous_status": old, "status": new, "last_updated_at": last_updated_at,
                      "stale_since": stale_since, "max_staleness_minutes": max_staleness_minutes},
                links_=_asset_links(asset["id"], f"/api/v1/assets/{asset['id']}/status"), at=at)


def check_failed(tenant: str, asset: dict, run: dict, check_name: str, severity: str | None,
                 description: str | None) -> dict:
    summary = f"Check {check_name} failed on {asset['fqn']}"
    summary += f" ({severity})" if severity else ""
    summary += f": {description[:200]}" if description else "."
    if not summary.endswith("."):
        summary += "."
    return make(tenant, CHECK_FAILED, subject=f"assets/{asset['id']}/audit-runs/{run['id']}", summary=summary,
                teams=[asset.get("owner_team_id")],
                data={**_asset_data(asset), "audit_run_id": run["id"], "check_name": check_name, "severity": severity,
                      "run_at": run["run_at"], "triggered_by": run.get("triggered_by")},
                links_=_asset_links(asset["id"], f"/api/v1/assets/{asset['id']}/audit-history"),
                at=run.get("recorded_at"))


def drift_detected(tenant: str, asset: dict, contract: dict, run: dict, changes: list[dict], *,
                   observed_by: str) -> dict:
    """DESIGN §10.3: a schema observed at runtime (`observed_by`: dagster, openlineage, dbt) breaks the
    active contract; `run` is the failed audit run (`triggered_by: schema_drift`) the drift check records
    in the same transaction. For the ingestion paths (issues 13, 14) to add to that transaction."""
    summary = (f"{asset['fqn']} no longer matches its contract {contract['version']} "
               f"(seen by {observed_by}): {describe_changes(changes)}.")
    return make(tenant, DRIFT_DETECTED, subject=f"assets/{asset['id']}/audit-runs/{run['id']}", summary=summary,
                teams=[asset.get("owner_team_id")],
                data={**_asset_data(asset), "contract_id": contract["id"], "version": contract["version"],
                      "audit_run_id": run["id"], "observed_by": observed_by, "changes": len(changes)},
                links_=_asset_links(asset["id"], f"/api/v1/assets/{asset['id']}/audit-history"),
                at=run.get("recorded_at"))


def sync_completed(tenant: str, job: dict, counts: dict[str, int], *, source: str = "dbt", errors: int = 0,
                   team_id: str | None = None) -> dict:
    """An import (`source`: dbt, ...) finished: `counts` such as {"assets created": 3, "contracts
    published": 2}, zero counts left out of the summary. Written with the job's final state."""
    done = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing changed"
    summary = f"The {source} sync finished: {done}"
    summary += f"; {errors} node(s) failed." if errors else "."
    return make(tenant, SYNC_COMPLETED, subject=f"sync/jobs/{job['id']}", summary=summary, teams=[team_id],
                data={"job_id": job["id"], "source": source, "counts": dict(counts), "errors": errors,
                      "status": job.get("status")},
                links_=links(f"/api/v1/sync/jobs/{job['id']}"), at=job.get("finished_at"))


def ping(tenant: str, hook: dict) -> dict:
    return make(tenant, PING, subject=f"webhooks/{hook['id']}",
                summary=f"Test event for webhook {hook.get('description') or hook['id']}: deliveries work.",
                teams=[hook.get("team_id")], data={"webhook_id": hook["id"]},
                links_=links(f"/api/v1/webhooks/{hook['id']}"))


def webhook_disabled(tenant: str, hook: dict, since: str) -> dict:
    return make(tenant, WEBHOOK_DISABLED, subject=f"webhooks/{hook['id']}",
                summary=f"Webhook {hook.get('description') or hook['url']} was disabled: its endpoint has failed "
                        f"since {since}.",
                teams=[hook.get("team_id")], data={"webhook_id": hook["id"], "url": hook["url"], "failing_since": since},
                links_=links(f"/api/v1/webhooks/{hook['id']}"))
