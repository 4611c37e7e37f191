import { useEffect, useState } from "preact/hooks";
import { get, request } from "../api.js";
import { ErrorNote, Freshness, Loading, PageTitle, Pager, useLoad } from "../components/common.jsx";
import { go, href } from "../route.js";

const PAGE_SIZE = 20;

function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => { const t = setTimeout(() => setV(value), ms); return () => clearTimeout(t); }, [value, ms]);
  return v;
}

// Freshness comes from each asset's status: fetched for the rows on screen only, and only for
// assets with a contract (without one there is no freshness guarantee: "unknown").
function useFreshness(rows) {
  const [fresh, setFresh] = useState({});
  useEffect(() => {
    let live = true;
    for (const a of rows || []) {
      if (fresh[a.id]) continue;
      if (!a.active_contract_id) { setFresh((f) => ({ ...f, [a.id]: "unknown" })); continue; }
      get(`/api/v1/assets/${a.id}/status`).then((s) => live && setFresh((f) => ({ ...f, [a.id]: s.freshness?.status })))
        .catch(() => live && setFresh((f) => ({ ...f, [a.id]: "unknown" })));
    }
    return () => { live = false; };
  }, [rows]);
  return fresh;
}

export function AssetsPage() {
  const [q, setQ] = useState("");
  const [team, setTeam] = useState("");
  const [env, setEnv] = useState("");
  const [cursors, setCursors] = useState([null]); // cursor of each page seen: Previous pops
  const query = useDebounced(q.trim(), 250);
  const environment = useDebounced(env.trim(), 250);
  const [teams] = useLoad(() => get("/api/v1/teams", { limit: 1000 }), []);
  useEffect(() => setCursors([null]), [query, team, environment]);
  const cursor = cursors[cursors.length - 1];
  const [page, error, loading] = useLoad(async () => {
    if (query) {
      const found = await get("/api/v1/assets/search", { q: query, limit: 100 });
      const rows = found.filter((a) => (!team || a.owner_team_id === team) && (!environment || a.environment === environment));
      return { results: rows, total: rows.length, next: null, searched: true };
    }
    const { data } = await request("GET", "/api/v1/assets", { query: {
      page_size: PAGE_SIZE, cursor: cursor || undefined, page: cursor ? undefined : 1,
      owner_team_id: team || undefined, environment: environment || undefined } });
    return data;
  }, [query, team, environment, cursor]);
  const fresh = useFreshness(page?.results);
  const shown = page?.results || [];
  const first = (cursors.length - 1) * PAGE_SIZE;
  return (
    <>
      <PageTitle>Assets</PageTitle>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div class="field-group grow">
          <label for="q">Search assets</label>
          <input id="q" type="search" value={q} placeholder="e.g. orders or warehouse.sales" autocomplete="off"
            onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        <div class="field-group">
          <label for="team">Owner team</label>
          <select id="team" value={team} onChange={(e) => setTeam(e.currentTarget.value)}>
            <option value="">Any team</option>
            {(teams || []).map((t) => <option value={t.id}>{t.name}</option>)}
          </select>
        </div>
        <div class="field-group">
          <label for="env">Environment</label>
          <input id="env" value={env} placeholder="any" onInput={(e) => setEnv(e.currentTarget.value)} />
        </div>
      </form>
      <ErrorNote error={error} />
      <p class="muted" role="status" aria-live="polite">
        {loading ? "Loading assets…" : page ? (page.searched
          ? `${page.total} ${page.total === 1 ? "asset matches" : "assets match"} “${query}”.`
          : `${page.total} ${page.total === 1 ? "asset" : "assets"}${page.total > PAGE_SIZE ? `; showing ${first + 1}–${first + shown.length}` : ""}.`) : ""}
      </p>
      {shown.length ? (
        <table class="assets">
          <caption class="visually-hidden">Assets: select a name to open the asset</caption>
          <thead><tr><th scope="col">Asset</th><th scope="col">Owner team</th><th scope="col">Environment</th>
            <th scope="col">Active version</th><th scope="col">Freshness</th></tr></thead>
          <tbody>
            {shown.map((a) => (
              <tr class="clickable" onClick={(e) => { if (e.target.tagName !== "A") go(`/assets/${a.id}`); }}>
                <th scope="row"><a href={href(`/assets/${a.id}`)}>{a.fqn}</a>
                  {a.metadata?.description ? <span class="row-desc">{a.metadata.description}</span> : null}</th>
                <td>{a.owner_team_name || "—"}</td>
                <td>{a.environment}</td>
                <td>{a.active_contract_version || <span class="muted">no contract</span>}</td>
                <td>{fresh[a.id] ? <Freshness status={fresh[a.id]} /> : <span class="muted">…</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : !loading && !error ? <p>No assets {query ? "match your search" : "yet"}.</p> : null}
      {!page?.searched && (cursors.length > 1 || page?.next) ? (
        <Pager label="Asset pages" position={`Page ${cursors.length}`}
          onPrev={cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : null}
          onNext={page?.next ? () => setCursors((c) => [...c, page.next]) : null} />
      ) : null}
      {loading && !page ? <Loading what="assets" /> : null}
    </>
  );
}
