import { useState } from "preact/hooks";
import { get, post } from "../api.js";
import { inbox, teamActivity } from "../activity.js";
import { ChangeList, ErrorNote, Loading, PageTitle, Timeline, useLoad, when } from "../components/common.jsx";
import { SchemaTree, diffMarks } from "../components/SchemaTree.jsx";
import { href } from "../route.js";

const ANSWERS = [["approved", "Approve"], ["blocked", "Block"], ["migrating", "Migrating"]];
const SAID = { approved: "approved", blocked: "blocked", migrating: "is migrating" };
const TEAM_KEY = "accord.inboxTeam";

// Whose inbox: the key's team; an admin key without a team picks one (kept for the session).
function useInboxTeam(me, teams) {
  const [chosen, setChosen] = useState(sessionStorage.getItem(TEAM_KEY) || "");
  if (me.team) return [me.team, null];
  const team = (teams || []).find((t) => t.id === chosen) || null;
  return [team, (id) => { sessionStorage.setItem(TEAM_KEY, id); setChosen(id); }];
}

export function ProposalsPage({ me }) {
  const [teams] = useLoad(() => (me.team ? Promise.resolve(null) : get("/api/v1/teams", { limit: 1000 })), [me.id]);
  const [team, choose] = useInboxTeam(me, teams);
  const [items, error, loading, reload] = useLoad(() => (team ? inbox(team) : Promise.resolve(null)), [team?.id]);
  const [said, setSaid] = useState("");
  const groups = { waiting: [], answered: [], proposed: [] };
  for (const i of items || []) groups[i.state].push(i);
  return (
    <>
      <PageTitle>Proposals</PageTitle>
      {choose ? (
        <div class="filters">
          <div class="field-group">
            <label for="inbox-team">Team</label>
            <select id="inbox-team" value={team?.id || ""} onChange={(e) => choose(e.currentTarget.value)}>
              <option value="">Choose the team whose proposals to show</option>
              {(teams || []).map((t) => <option value={t.id}>{t.name}</option>)}
            </select>
          </div>
          <p class="muted">This key belongs to no team: choose which team's proposals to show.</p>
        </div>
      ) : <p class="muted">Breaking changes that concern <strong>{team.name}</strong>.</p>}
      {said ? <p class="notice" role="status">{said}</p> : null}
      <ErrorNote error={error} />
      {team && loading && !items ? <Loading what="proposals" /> : null}
      {items ? (
        <>
          <section aria-labelledby="waiting">
            <h2 id="waiting">Waiting for {team.name} ({groups.waiting.length})</h2>
            {groups.waiting.length ? groups.waiting.map((i) => (
              <ProposalCard p={i.proposal} team={team} onAnswered={(msg) => { setSaid(msg); reload(); }} />
            )) : <p>Nothing waits for {team.name}'s answer.</p>}
          </section>
          {groups.answered.length ? (
            <section aria-labelledby="answered">
              <h2 id="answered">Answered by {team.name}, still open</h2>
              {groups.answered.map((i) => <ProposalCard p={i.proposal} team={team} answer={i.answer} />)}
            </section>
          ) : null}
          {groups.proposed.length ? (
            <section aria-labelledby="proposed">
              <h2 id="proposed">Proposed by {team.name}</h2>
              {groups.proposed.map((i) => <ProposalCard p={i.proposal} team={team} />)}
            </section>
          ) : null}
          <RecentActivity team={team} stamp={items} />
        </>
      ) : null}
    </>
  );
}

// What happened lately that concerns the team (DESIGN §11's activity log), below what awaits it.
function RecentActivity({ team, stamp }) {
  const [items, error] = useLoad(() => teamActivity(team), [team.id, stamp]);
  return (
    <section aria-labelledby="recent">
      <h2 id="recent">Recent activity for {team.name}</h2>
      <ErrorNote error={error} />
      {!items && !error ? <Loading what="activity" /> : null}
      {items && items.length ? <Timeline items={items} /> : null}
      {items && !items.length ? <p>Nothing has happened yet that concerns {team.name}.</p> : null}
    </section>
  );
}

function AnswerForm({ p, team, onAnswered }) {
  const [notes, setNotes] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const answer = async (response) => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/v1/proposals/${p.id}/acknowledge`, { consumer_team_id: team.id, response, notes: notes.trim() || undefined });
      onAnswered(`${team.name} ${SAID[response]} the change to ${p.asset_fqn}.`);
    } catch (err) { setError(err); }
    setBusy(false);
  };
  const notesId = `notes-${p.id}`;
  return (
    <div class="answer">
      <label for={notesId}>Notes for {p.proposed_by_name || "the producer"} (optional)</label>
      <input id={notesId} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      <div class="buttons">
        {ANSWERS.map(([response, label]) => (
          <button type="button" class={response === "blocked" ? "danger" : response === "approved" ? "" : "secondary"}
            disabled={busy} onClick={() => answer(response)}>{label}</button>
        ))}
      </div>
      <ErrorNote error={error} />
    </div>
  );
}

function ProposalCard({ p, team, answer, onAnswered }) {
  const n = (p.breaking_changes || []).length;
  return (
    <article class="card" aria-labelledby={`p-${p.id}`}>
      <h3 id={`p-${p.id}`}><a href={href(`/proposals/${p.id}`)}>{p.asset_fqn}</a></h3>
      <p class="muted">{p.proposed_by_name || "A team"} proposed a breaking change {when(p.proposed_at)}
        {p.base_version ? ` to version ${p.base_version}` : ""} · status <strong>{p.lifecycle_status}</strong>
        {p.expires_at ? ` · expires ${when(p.expires_at)}` : ""}</p>
      <p><span class="badge bad">Breaking</span> {n} {n === 1 ? "change" : "changes"}:</p>
      <ChangeList changes={p.breaking_changes} breaking={p.breaking_changes} />
      {answer ? <p>{team.name} answered <strong>{answer.response}</strong> {when(answer.acknowledged_at)}{answer.notes ? `: “${answer.notes}”` : "."}</p> : null}
      {onAnswered ? <AnswerForm p={p} team={team} onAnswered={onAnswered} /> : null}
    </article>
  );
}

export function ProposalPage({ id, me }) {
  const [data, error, , reload] = useLoad(async () => {
    const status = await get(`/api/v1/proposals/${id}/status`);
    const versions = await get(`/api/v1/assets/${status.proposal.asset_id}/contracts`);
    return { status, base: versions.find((c) => c.version === status.proposal.base_version) };
  }, [id]);
  const [said, setSaid] = useState("");
  if (error) return <><PageTitle title="Proposal">Proposal</PageTitle><ErrorNote error={error} /></>;
  if (!data) return <Loading what="the proposal" />;
  const { status, base } = data;
  const p = status.proposal;
  const marks = diffMarks(p.breaking_changes, p.breaking_changes);
  const mine = me.team && status.pending_consumers.some((c) => c.team_id === me.team.id) && p.lifecycle_status === "pending";
  return (
    <>
      <p class="crumbs"><a href={href("/proposals")}>Proposals</a> /</p>
      <PageTitle title={`Proposal for ${p.asset_fqn}`}>Proposal for {p.asset_fqn}</PageTitle>
      <p>{p.proposed_by_name || "A team"} proposed {when(p.proposed_at)} a breaking change to{" "}
        <a href={href(`/assets/${p.asset_id}`)}>{p.asset_fqn}</a> · status <strong>{p.lifecycle_status}</strong>
        {p.published_version ? ` · published as ${p.published_version}` : ""}</p>
      {said ? <p class="notice" role="status">{said}</p> : null}
      {mine ? <AnswerForm p={p} team={me.team} onAnswered={(msg) => { setSaid(msg); reload(); }} /> : null}
      <h2>Changes</h2>
      <ChangeList changes={p.breaking_changes} breaking={p.breaking_changes} />
      <div class="side-by-side">
        <div><h3>Active version {p.base_version || "(none)"}</h3>
          {base ? <SchemaTree schema={base.schema} marks={marks.from} label={`Fields of version ${p.base_version}`} /> : <p>No earlier version.</p>}</div>
        <div><h3>Proposed</h3><SchemaTree schema={p.proposed_schema} marks={marks.to} label="Fields of the proposed schema" /></div>
      </div>
      <h2>Who answered</h2>
      {status.acknowledged_consumers.length ? (
        <table>
          <thead><tr><th scope="col">Team</th><th scope="col">Answer</th><th scope="col">When</th><th scope="col">Notes</th></tr></thead>
          <tbody>{status.acknowledged_consumers.map((a) => (
            <tr><th scope="row">{a.team_name || a.team_id}</th><td>{a.response}</td><td>{when(a.acknowledged_at)}</td><td>{a.notes || "—"}</td></tr>))}</tbody>
        </table>
      ) : <p>No team has answered yet.</p>}
      {status.pending_consumers.length ? (
        <p>Still waiting for: {status.pending_consumers.map((c) => c.team_name || c.team_id).join(", ")}.</p>
      ) : null}
      {(status.objections || []).length ? (
        <><h3>Objections from downstream owners</h3>
          <ul class="plain">{status.objections.map((o) => <li><strong>{o.team_name || o.team_id}</strong>: {o.reason}</li>)}</ul></>
      ) : null}
    </>
  );
}
