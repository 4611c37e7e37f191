// The lineage graph: upstream assets on the left, downstream on the right, laid out by dagre
// (a layered, Sugiyama-style layout) and drawn as SVG. Every other asset is a link: Tab reaches
// it, Enter opens it.
import { Graph, layout } from "@dagrejs/dagre";
import { href } from "../route.js";

const CHAR = 7.2; // px per character of the 12px label font (for node widths)
const MAX_LABEL = 60; // longer names are cut at the front (the end is the table name)

const short = (s) => (s.length > MAX_LABEL ? `…${s.slice(-(MAX_LABEL - 1))}` : s);

export function lineageGraph(lineage) {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 22, ranksep: 70, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const add = (id, fqn, team, side) => {
    if (g.hasNode(id)) return;
    const label = short(fqn);
    const width = Math.max(150, Math.min(470, Math.max(label.length, (team || "").length + 14) * CHAR + 24));
    g.setNode(id, { id, fqn, label, team, side, width, height: 46 });
  };
  add(lineage.asset_id, lineage.fqn || lineage.asset_fqn, lineage.owner_team_name, "self");
  for (const u of lineage.upstream || []) {
    add(u.asset_id, u.fqn || u.asset_fqn, u.owner_team_name || u.owner_team, "upstream");
  }
  for (const d of lineage.downstream || []) {
    add(d.asset_id, d.fqn || d.asset_fqn, d.owner_team_name || d.owner_team, "downstream");
  }
  // edges follow the data: a dependency flows into the asset that depends on it
  for (const u of lineage.upstream || []) if (g.hasNode(u.via)) g.setEdge(u.asset_id, u.via);
  for (const d of lineage.downstream || []) if (g.hasNode(d.via)) g.setEdge(d.via, d.asset_id);
  layout(g);
  return g;
}

function edgePath(points) {
  const [first, ...rest] = points;
  let d = `M${first.x},${first.y}`;
  if (rest.length === 1) return `${d} L${rest[0].x},${rest[0].y}`;
  for (let i = 0; i < rest.length - 1; i += 1) {
    const mid = { x: (rest[i].x + rest[i + 1].x) / 2, y: (rest[i].y + rest[i + 1].y) / 2 };
    d += ` Q${rest[i].x},${rest[i].y} ${i === rest.length - 2 ? `${rest[i + 1].x},${rest[i + 1].y}` : `${mid.x},${mid.y}`}`;
  }
  return d;
}

export function LineageGraph({ lineage }) {
  const g = lineageGraph(lineage);
  const { width, height } = g.graph();
  const fqn = lineage.fqn || lineage.asset_fqn;
  const nodes = g.nodes().map((id) => g.node(id));
  return (
    <div class="graph-frame">
      <svg class="lineage" viewBox={`0 0 ${Math.ceil(width)} ${Math.ceil(height)}`} width={Math.ceil(width)}
        height={Math.ceil(height)} role="group" aria-label={`Lineage graph of ${fqn}`}>
        <title>{`Lineage of ${fqn}: ${(lineage.upstream || []).length} upstream, ${(lineage.downstream || []).length} downstream`}</title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
          </marker>
        </defs>
        {g.edges().map((e) => <path class="edge" d={edgePath(g.edge(e).points)} marker-end="url(#arrow)" />)}
        {nodes.map((n) => {
          const box = (
            <>
              <rect x={n.x - n.width / 2} y={n.y - n.height / 2} width={n.width} height={n.height} rx="6" />
              <text x={n.x} y={n.y - 4} text-anchor="middle" class="node-name">{n.label}{n.label !== n.fqn ? <title>{n.fqn}</title> : null}</text>
              <text x={n.x} y={n.y + 13} text-anchor="middle" class="node-team">
                {n.side === "self" ? "this asset" : `${n.side} · ${n.team || "no team"}`}
              </text>
            </>
          );
          // named by what it shows (WCAG 2.5.3: no aria-label that could differ from the text)
          if (n.side === "self") return <g class="node self" aria-current="page">{box}</g>;
          return (
            <a href={href(`/assets/${n.id}`)} class={`node ${n.side}`}>
              {box}
            </a>
          );
        })}
      </svg>
    </div>
  );
}
