// The one place that knows where activity comes from. An asset's timeline joins what was reported
// (materializations, observations, checks: GET .../events), its audit runs (GET .../audit-history)
// and the change log of DESIGN §11 (GET /api/v1/activity?asset_id=: contracts published, proposals
// and their answers, freshness turning stale or fresh). A team's inbox is the proposals that await
// it (a state, so read from the proposals) plus the team's recent activity (GET /api/v1/activity?team_id=).
import { get } from "./api.js";

const PAGE = 50;
// Already on the asset's timeline from its own reads: a failed check is the reported check or audit run.
const SHOWN_ELSEWHERE = new Set(["accord.check.failed"]);

// An asset's timeline, newest first: [{id, time, kind, title, detail, status, link}]
//   kind: materialization | observation | check | audit | contract | proposal | freshness | ...
//   status: passed | failed | partial | stale | fresh | null;  link: a UI address (#/...) or null
export async function assetActivity(assetId) {
  const [events, audit, log] = await Promise.all([
    get(`/api/v1/assets/${assetId}/events`, { limit: PAGE }),
    get(`/api/v1/assets/${assetId}/audit-history`, { limit: PAGE }),
    get("/api/v1/activity", { asset_id: assetId, limit: PAGE }),
  ]);
  const here = `#/assets/${assetId}`;
  const items = (log.results || []).filter((e) => !SHOWN_ELSEWHERE.has(e.type)).map(changeItem)
    .map((i) => (i.link && i.link.startsWith(here) ? { ...i, link: null } : i)); // no link to this page
  const eventIds = new Set();
  for (const e of events.results || []) {
    eventIds.add(e.id);
    if (e.event_id) eventIds.add(e.event_id);
    items.push(eventItem(e));
  }
  for (const run of audit.runs || []) {
    if (run.run_id && eventIds.has(run.run_id)) continue; // a reported check is already on the timeline
    items.push({
      id: `audit-${run.id}`, time: run.run_at, kind: "audit", status: run.status,
      title: `Audit run ${run.status}`,
      detail: `${run.guarantees_passed ?? 0} of ${run.guarantees_checked ?? 0} guarantees passed` +
        (run.triggered_by ? ` · from ${run.triggered_by}` : "") +
        (run.contract_version ? ` · contract ${run.contract_version}` : ""),
    });
  }
  items.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return { items, more: Boolean(events.next || log.next) || (audit.total_runs || 0) > (audit.runs || []).length };
}

// A CloudEvent of the activity log as a timeline item: its one-line summary, a link to its page.
function changeItem(e) {
  const data = e.data || {};
  const kind = e.type.split(".")[1] || "change"; // accord.<contract|proposal|asset|check|...>.<what>
  const what = e.type.split(".").slice(2).join(".").replace(/_/g, " ");
  const ui = (data.links && data.links.ui) || "";
  const status = e.type === "accord.asset.freshness_changed" ? (data.status || null) : null;
  return { id: e.id, time: e.time, kind: kind === "asset" ? "freshness" : kind, status,
    title: data.summary || `${kind} ${what}`, detail: "", link: ui.includes("#") ? ui.slice(ui.indexOf("#")) : null };
}

// A team's latest activity (events that concern it), newest first, as timeline items.
export async function teamActivity(team) {
  const log = await get("/api/v1/activity", { team_id: team.id, limit: 20 });
  return (log.results || []).map(changeItem);
}

function eventItem(e) {
  const meta = e.metadata && Object.keys(e.metadata).length
    ? Object.entries(e.metadata).slice(0, 4).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ")
    : "";
  const where = e.partition ? ` · partition ${e.partition}` : "";
  if (e.type === "check") {
    const status = e.passed ? "passed" : "failed";
    return { id: e.id, time: e.timestamp, kind: "check", status,
      title: `Check ${e.check_name} ${status}`,
      detail: [e.passed ? "" : `severity ${e.severity}`, meta, where.slice(3)].filter(Boolean).join(" · ") };
  }
  const title = e.type === "materialization" ? "Materialized" : "Observed";
  return { id: e.id, time: e.timestamp, kind: e.type, status: null, title, detail: `${meta}${where}`.replace(/^ · /, "") };
}

// What awaits a team: open proposals it must answer, those it answered while they are still open,
// and those its own assets proposed. [{proposal, state: "waiting" | "answered" | "proposed"}]
export async function inbox(team) {
  const open = [];
  for (const status of ["pending", "approved"]) {
    for (let offset = 0; offset < 1000; offset += 100) {
      const page = await get("/api/v1/proposals", { status, limit: 100, offset });
      open.push(...page);
      if (page.length < 100) break;
    }
  }
  const items = [];
  for (const p of open) {
    const affected = (p.affected_teams || []).some((t) => t.team_id === team.id);
    const answer = (p.acknowledgments || []).find((a) => a.consumer_team_id === team.id);
    if (affected && !answer && p.lifecycle_status === "pending") items.push({ proposal: p, state: "waiting" });
    else if (answer) items.push({ proposal: p, state: "answered", answer });
    else if (p.proposed_by === team.id) items.push({ proposal: p, state: "proposed" });
  }
  items.sort((a, b) => (a.proposal.proposed_at < b.proposal.proposed_at ? 1 : -1));
  return items;
}
