// The one place that knows where activity comes from. Today: the existing reads (an asset's
// reported events and audit runs; the tenant's pending proposals). When notifications land
// (DESIGN §11, `GET /api/v1/activity?asset_id=&team_id=&type=`), these two functions switch to
// it and nothing else in the UI changes: both already return the shapes the pages render.
import { get } from "./api.js";

const PAGE = 50;

// An asset's timeline, newest first: [{id, time, kind, title, detail, status}]
//   kind: materialization | observation | check | audit;  status: passed | failed | partial | null
export async function assetActivity(assetId) {
  const [events, audit] = await Promise.all([
    get(`/api/v1/assets/${assetId}/events`, { limit: PAGE }),
    get(`/api/v1/assets/${assetId}/audit-history`, { limit: PAGE }),
  ]);
  const items = [];
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
  return { items, more: Boolean(events.next) || (audit.total_runs || 0) > (audit.runs || []).length };
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
