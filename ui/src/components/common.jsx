import { useEffect, useRef, useState } from "preact/hooks";

// A page's h1: focused when the page opens (so keyboard and screen-reader users land on it),
// and the document title.
export function PageTitle({ children, title }) {
  const ref = useRef(null);
  useEffect(() => {
    document.title = `${title || (typeof children === "string" ? children : "")} · Accord`;
    ref.current?.focus({ preventScroll: true });
  }, [title]);
  return <h1 ref={ref} tabIndex={-1}>{children}</h1>;
}

// Run an async loader; re-run when deps change. [data, error, loading, reload]
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error) => live && setState({ data: null, error, loading: false }));
    return () => { live = false; };
  }, [...deps, tick]);
  return [state.data, state.error, state.loading, () => setTick((t) => t + 1)];
}

export const ErrorNote = ({ error }) => error ? <p class="error" role="alert">{error.message || String(error)}</p> : null;
export const Loading = ({ what }) => <p class="loading" role="status">Loading {what}…</p>;

export function Freshness({ status }) {
  const s = status || "unknown";
  const text = { fresh: "fresh", stale: "stale", unknown: "unknown" }[s] || s;
  return <span class={`badge fresh-${s}`} title={`Freshness: ${text}`}>{text}</span>;
}

export const when = (iso) => {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
};

// One change of the schema engine: "Breaking" is a word, not only a colour.
export function ChangeList({ changes, breaking, empty = "No changes." }) {
  const isBreaking = (c) => breaking ? breaking.some((b) => b.path === c.path && b.type === c.type) : c.breaking;
  if (!changes || !changes.length) return <p class="muted">{empty}</p>;
  return (
    <ul class="changes">
      {changes.map((c) => {
        const bad = isBreaking(c);
        return (
          <li class={bad ? "breaking" : "compatible"}>
            <span class={`badge ${bad ? "bad" : "ok"}`}>{bad ? "Breaking" : "Compatible"}</span>
            <span class="change-text"><strong>{c.column || c.path}</strong>: {c.description}
              {c.reason ? <span class="muted"> — {c.reason}</span> : null}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function Pager({ onPrev, onNext, label, position }) {
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={!onPrev} onClick={onPrev}>Previous page</button>
      <span class="muted">{position}</span>
      <button type="button" class="secondary" disabled={!onNext} onClick={onNext}>Next page</button>
    </nav>
  );
}

// A timeline of activity items (activity.js), newest first; the status is a word, not only a colour.
const GOOD = new Set(["passed", "fresh"]);
export function Timeline({ items }) {
  return (
    <ol class="timeline">
      {items.map((i) => (
        <li key={i.id} class={`kind-${i.kind} ${i.status ? `status-${i.status}` : ""}`}>
          <time datetime={i.time}>{when(i.time)}</time>
          <span class="what">{i.status ? <span class={`badge ${GOOD.has(i.status) ? "ok" : "bad"}`}>{i.status}</span> : null}
            {i.link ? <a href={i.link}><strong>{i.title}</strong></a> : <strong>{i.title}</strong>}
            {i.detail ? <span class="muted"> — {i.detail}</span> : null}</span>
        </li>
      ))}
    </ol>
  );
}
