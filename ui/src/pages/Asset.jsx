import { useEffect, useRef, useState } from "preact/hooks";
import { get, post } from "../api.js";
import { assetActivity } from "../activity.js";
import { ChangeList, ErrorNote, Freshness, Loading, PageTitle, Timeline, useLoad, when } from "../components/common.jsx";
import { SchemaTree, diffMarks } from "../components/SchemaTree.jsx";
import { go, href } from "../route.js";

const TABS = [["contract", "Contract"], ["versions", "Versions"], ["consumers", "Consumers"],
  ["lineage", "Lineage"], ["activity", "Activity"], ["check", "Check a change"]];

// First render: the asset and its contract versions; its status (freshness, last materialization:
// several reads on the server) arrives beside them and fills in — three calls. Each tab loads
// what only it shows the first time it is opened.
export function AssetPage({ id, tab }) {
  const [asset, error] = useLoad(() => get(`/api/v1/assets/${id}`), [id]);
  const [status] = useLoad(() => get(`/api/v1/assets/${id}/status`).catch(() => null), [id]);
  const [versions, versionsError] = useLoad(() => get(`/api/v1/assets/${id}/contracts`), [id]);
  const current = TABS.some(([t]) => t === tab) ? tab : "contract";
  if (error) return <><PageTitle title="Asset">Asset</PageTitle><ErrorNote error={error} /></>;
  if (!asset) return <Loading what="the asset" />;
  const active = (versions || []).find((v) => v.status === "active");
  return (
    <>
      <p class="crumbs"><a href={href("/assets")}>Assets</a> /</p>
      <PageTitle title={asset.fqn}>{asset.fqn}</PageTitle>
      <dl class="facts">
        <div><dt>Freshness</dt><dd>{status ? <Freshness status={status.freshness?.status} /> : <span class="muted">…</span>}
          {status?.freshness?.max_staleness_minutes ? <span class="muted"> (within {status.freshness.max_staleness_minutes} min)</span> : null}</dd></div>
        <div><dt>Owner team</dt><dd>{asset.owner_team_name || "—"}</dd></div>
        <div><dt>Environment</dt><dd>{asset.environment}</dd></div>
        <div><dt>Active version</dt><dd>{asset.active_contract_version || "no contract yet"}</dd></div>
        <div><dt>Last materialized</dt><dd>{status ? when(status.last_materialization?.timestamp) : "…"}</dd></div>
      </dl>
      {asset.metadata?.description ? <p class="lead">{asset.metadata.description}</p> : null}
      <Tabs current={current} onSelect={(t) => go(`/assets/${id}/${t}`)} />
      <section role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`} class="panel">
        <ErrorNote error={versionsError} />
        {current === "contract" ? <ContractTab active={active} versions={versions} /> : null}
        {current === "versions" ? <VersionsTab id={id} versions={versions} /> : null}
        {current === "consumers" ? <ConsumersTab active={active} versions={versions} /> : null}
        {current === "lineage" ? <LineageTab id={id} /> : null}
        {current === "activity" ? <ActivityTab id={id} /> : null}
        {current === "check" ? (versions ? <CheckTab id={id} active={active} /> : <Loading what="the contract" />) : null}
      </section>
    </>
  );
}

function Tabs({ current, onSelect }) {
  const refs = useRef({});
  const move = (e, i) => {
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const [t] = TABS[(next + TABS.length) % TABS.length];
    onSelect(t);
    refs.current[t]?.focus(); // at once: a second key press must act on the new tab
  };
  return (
    <div role="tablist" aria-label="Asset sections" class="tabs">
      {TABS.map(([t, label], i) => (
        <button type="button" role="tab" id={`tab-${t}`} aria-selected={t === current ? "true" : "false"}
          aria-controls={`panel-${t}`} tabIndex={t === current ? 0 : -1} ref={(el) => { refs.current[t] = el; }}
          onClick={() => onSelect(t)} onKeyDown={(e) => move(e, i)}>{label}</button>
      ))}
    </div>
  );
}

function ContractTab({ active, versions }) {
  if (!versions) return <Loading what="the contract" />;
  if (!active) return <><h2>Contract</h2><p>This asset has no contract yet.</p></>;
  return (
    <>
      <h2>Contract</h2>
      <p>What this asset promises its consumers: the fields below, and the guarantees after them.</p>
      <p class="muted">Version {active.version}, published {when(active.published_at)} by {active.published_by_name || "—"}
        {" "}· compatibility mode <strong>{active.compatibility_mode}</strong></p>
      <SchemaTree schema={active.schema} label={`Fields of version ${active.version}`} />
      {active.guarantees && Object.keys(active.guarantees).length ? (
        <>
          <h3>Guarantees</h3>
          <ul class="plain">{Object.entries(active.guarantees).map(([k, v]) => <li>{guarantee(k, v)}</li>)}</ul>
        </>
      ) : null}
    </>
  );
}

function guarantee(name, value) {
  const minutes = value?.max_staleness_minutes ?? (value?.max_staleness_hours ? value.max_staleness_hours * 60 : null);
  if (name === "freshness" && minutes) return <><strong>Freshness</strong>: updated at least every {minutes} minutes</>;
  return <><strong>{name}</strong>: <code>{JSON.stringify(value)}</code></>;
}

function VersionsTab({ id, versions }) {
  const list = versions || [];
  const [to, setTo] = useState("");
  const [from, setFrom] = useState("");
  useEffect(() => {
    if (list.length >= 2 && !to) { setTo(list[0].version); setFrom(list[1].version); }
  }, [versions]);
  const [diff, error, loading] = useLoad(
    () => (from && to && from !== to ? get(`/api/v1/assets/${id}/contracts/diff`, { from_version: from, to_version: to }) : Promise.resolve(null)),
    [from, to]);
  if (!versions) return <Loading what="versions" />;
  const schemaOf = (v) => list.find((c) => c.version === v)?.schema;
  const marks = diff ? diffMarks(diff.all_changes, diff.breaking_changes) : null;
  return (
    <>
      <h2>Versions</h2>
      <p>Every version the owner published, newest first. Compare two to see what changed and what breaks.</p>
      <table>
        <thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Change</th><th scope="col">Published</th><th scope="col">By</th></tr></thead>
        <tbody>{list.map((c) => (
          <tr><th scope="row">{c.version}</th><td>{c.status}</td><td>{c.change_type || "—"}{c.forced ? " (forced)" : ""}</td>
            <td>{when(c.published_at)}</td><td>{c.published_by_name || "—"}</td></tr>))}</tbody>
      </table>
      {list.length < 2 ? <p>There is only one version: nothing to compare yet.</p> : (
        <>
          <h3>Compare two versions</h3>
          <div class="filters">
            <div class="field-group"><label for="from-version">From version</label>
              <select id="from-version" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
                {list.map((c) => <option value={c.version}>{c.version}</option>)}</select></div>
            <div class="field-group"><label for="to-version">To version</label>
              <select id="to-version" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
                {list.map((c) => <option value={c.version}>{c.version}</option>)}</select></div>
          </div>
          <ErrorNote error={error} />
          {from === to ? <p>Pick two different versions.</p> : null}
          {loading && from !== to ? <Loading what="the diff" /> : null}
          {diff ? (
            <div aria-live="polite">
              <p class={`verdict ${diff.is_breaking ? "bad" : "ok"}`}>
                {diff.is_breaking
                  ? `Breaking: ${diff.breaking_changes.length} of ${diff.all_changes.length} changes from ${diff.from_version} to ${diff.to_version} can break consumers (${diff.change_type} version).`
                  : `Compatible: ${diff.all_changes.length} ${diff.all_changes.length === 1 ? "change" : "changes"} from ${diff.from_version} to ${diff.to_version}, none breaking (${diff.change_type} version).`}
              </p>
              <ChangeList changes={diff.all_changes} breaking={diff.breaking_changes} />
              <div class="side-by-side">
                <div><h4>Version {diff.from_version}</h4><SchemaTree schema={schemaOf(diff.from_version)} marks={marks.from} label={`Fields of version ${diff.from_version}`} /></div>
                <div><h4>Version {diff.to_version}</h4><SchemaTree schema={schemaOf(diff.to_version)} marks={marks.to} label={`Fields of version ${diff.to_version}`} /></div>
              </div>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}

function ConsumersTab({ active, versions }) {
  const [regs, error] = useLoad(() => (active ? get(`/api/v1/contracts/${active.id}/registrations`) : Promise.resolve([])), [active?.id]);
  if (!versions || (!regs && !error)) return <Loading what="consumers" />;
  return (
    <>
      <h2>Consumers</h2>
      <p>Teams that registered as consumers of this contract: a breaking change waits for their answer.</p>
      <ErrorNote error={error} />
      {regs && regs.length ? (
        <table>
          <thead><tr><th scope="col">Team</th><th scope="col">Pinned version</th><th scope="col">Status</th><th scope="col">Registered</th></tr></thead>
          <tbody>{regs.map((r) => <tr><th scope="row">{r.consumer_team_name || r.consumer_team_id}</th>
            <td>{r.pinned_version || "follows the active version"}</td><td>{r.status}</td><td>{when(r.registered_at)}</td></tr>)}</tbody>
        </table>
      ) : <p>No team has registered as a consumer{active ? "" : " (there is no contract yet)"}.</p>}
    </>
  );
}

function LineageTab({ id }) {
  // the graph code (dagre) is loaded with the tab: most visits never open it
  const [loaded, error] = useLoad(() => Promise.all([get(`/api/v1/assets/${id}/lineage`, { depth: 3 }),
    import("../components/Lineage.jsx")]), [id]);
  if (error) return <><h2>Lineage</h2><ErrorNote error={error} /></>;
  if (!loaded) return <Loading what="lineage" />;
  const [lineage, { LineageGraph }] = loaded;
  const none = !(lineage.upstream || []).length && !(lineage.downstream || []).length;
  return (
    <>
      <h2>Lineage</h2>
      <p class="muted">Data flows left to right: what this asset reads from (upstream), then what reads from it
        (downstream), three levels each way. Select an asset to open it.</p>
      {none ? <p>No dependencies are recorded for this asset.</p> : <LineageGraph lineage={lineage} />}
      {lineage.truncated ? <p class="notice">The graph is cut at three levels; open an asset at the edge to see further.</p> : null}
    </>
  );
}

function ActivityTab({ id }) {
  const [activity, error] = useLoad(() => assetActivity(id), [id]);
  if (error) return <><h2>Activity</h2><ErrorNote error={error} /></>;
  if (!activity) return <Loading what="activity" />;
  return (
    <>
      <h2>Activity</h2>
      {activity.items.length ? (
        <Timeline items={activity.items} />
      ) : <p>Nothing has been reported for this asset yet.</p>}
      {activity.more ? <p class="muted">Showing the latest 50 of each: reported events, audit runs, changes.</p> : null}
    </>
  );
}

function CheckTab({ id, active }) {
  const [text, setText] = useState(active ? JSON.stringify(active.schema, null, 2) : "");
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const check = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    let schema;
    try { schema = JSON.parse(text); } catch (err) {
      setError(new Error(`The proposed schema is not valid JSON: ${err.message}.`));
      return;
    }
    setBusy(true);
    try { setResult(await post(`/api/v1/assets/${id}/impact`, { proposed_schema: schema })); } catch (err) { setError(err); }
    setBusy(false);
  };
  return (
    <>
      <h2>Check a change</h2>
      <p class="muted">Paste the schema you want to publish. Accord compares it with the active contract and lists
        what would break and whom it affects. Nothing is published.</p>
      <form onSubmit={check}>
        <label for="proposed-schema">Proposed schema (JSON Schema)</label>
        <textarea id="proposed-schema" rows={12} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? "Checking…" : "Check this change"}</button>
      </form>
      <ErrorNote error={error} />
      {result ? (
        <div aria-live="polite" class="result">
          <p class={`verdict ${result.is_breaking ? "bad" : "ok"}`}>
            {result.is_breaking
              ? `Breaking: ${result.breaking_changes.length} ${result.breaking_changes.length === 1 ? "change" : "changes"} would break consumers. Publishing would ${result.affected_consumers?.length ? "open a proposal for them to answer" : `make version ${result.suggested_version}`}.`
              : (result.changes || []).length
                ? `Safe to publish: no breaking change. It would become version ${result.suggested_version}.`
                : "No change: this is the active contract."}
          </p>
          <ChangeList changes={result.changes} breaking={result.breaking_changes} />
          <h3>Affected consumers</h3>
          {(result.affected_consumers || []).length ? (
            <ul class="plain">{result.affected_consumers.map((c) => (
              <li><strong>{c.team_name || c.team_id}</strong>
                <span class="muted"> — {(c.sources || []).includes("registration") ? "registered consumer" : "owns a downstream asset"}
                  {(c.assets || []).length ? `: ${c.assets.map((a) => a.fqn).join(", ")}` : ""}</span></li>))}</ul>
          ) : <p>No consumer is affected.</p>}
          <p class="muted">Nothing was published.</p>
        </div>
      ) : null}
    </>
  );
}
