import { useState } from "preact/hooks";
import { request } from "../api.js";
import { ErrorNote, Loading, PageTitle, Pager, useLoad, when } from "../components/common.jsx";
import { href } from "../route.js";

// The configuration view (Telmai's family), read-only: projects, and each project's asset
// configurations, paged by the X-Next-Cursor header.
export function ConfigurationPage({ me, projectId }) {
  const base = `/api/backend/${encodeURIComponent(me.tenant)}/configuration`;
  const [projects, error] = useLoad(async () => (await request("GET", `${base}/projects`)).data, [me.tenant]);
  return (
    <>
      <PageTitle>Configuration</PageTitle>
      <p class="muted">Projects and the asset configurations in them (read-only here; change them through the
        configuration API).</p>
      <ErrorNote error={error} />
      {!projects && !error ? <Loading what="projects" /> : null}
      {projects ? (
        projects.length ? (
          <table>
            <thead><tr><th scope="col">Project</th><th scope="col">Assets</th><th scope="col">Connections</th><th scope="col">Description</th></tr></thead>
            <tbody>{projects.map((p) => (
              <tr aria-current={String(p.id) === projectId ? "true" : undefined}>
                <th scope="row"><a href={href(`/configuration/${p.id}`)}>{p.name}</a></th>
                <td>{p.asset_count}</td><td>{p.connection_count}</td><td>{p.description || "—"}</td></tr>))}</tbody>
          </table>
        ) : <p>This key holds no role in any project.</p>
      ) : null}
      {projectId === undefined && projects?.length ? <p>Select a project to see its asset configurations.</p> : null}
      {projectId !== undefined && projects ? <ProjectAssets base={base} project={projects.find((p) => String(p.id) === projectId)} id={projectId} /> : null}
    </>
  );
}

function ProjectAssets({ base, project, id }) {
  const [cursors, setCursors] = useState([null]);
  const cursor = cursors[cursors.length - 1];
  const [page, error] = useLoad(async () => {
    const { data, headers } = await request("GET", `${base}/projects/${encodeURIComponent(id)}/assets`,
      { query: { limit: 50, cursor: cursor || undefined, with_schedules: "true" } });
    return { rows: data, next: headers.get("X-Next-Cursor"), total: headers.get("X-Total-Count") };
  }, [id, cursor]);
  return (
    <section aria-labelledby="project-assets">
      <h2 id="project-assets">Asset configurations in {project ? project.name : `project ${id}`}</h2>
      <ErrorNote error={error} />
      {!page && !error ? <Loading what="asset configurations" /> : null}
      {page ? (page.rows.length ? (
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Registry asset</th><th scope="col">Schedule</th><th scope="col">Created</th></tr></thead>
          <tbody>{page.rows.map((a) => (
            <tr><th scope="row">{a.name}</th><td>{a.type}{a.db_type ? ` (${a.db_type})` : ""}</td>
              <td>{a.registry_asset_id ? <a href={href(`/assets/${a.registry_asset_id}`)}>{a.fqn}</a> : a.fqn}</td>
              <td>{a.scheduled_upload ? `${a.scheduled_upload.schedule}${a.scheduled_upload.enabled ? "" : " (off)"}` : "—"}</td>
              <td>{when(a.created_at)}{a.created_by ? ` by ${a.created_by}` : ""}</td></tr>))}</tbody>
        </table>
      ) : <p>No asset configurations in this project.</p>) : null}
      {cursors.length > 1 || page?.next ? (
        <Pager label="Asset configuration pages" position={`Page ${cursors.length}${page?.total ? ` · ${page.total} in all` : ""}`}
          onPrev={cursors.length > 1 ? () => setCursors((c) => c.slice(0, -1)) : null}
          onNext={page?.next ? () => setCursors((c) => [...c, page.next]) : null} />
      ) : null}
    </section>
  );
}
