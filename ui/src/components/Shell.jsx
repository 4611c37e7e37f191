import { href } from "../route.js";

const NAV = [["assets", "Assets", ["assets", "asset"]], ["proposals", "Proposals", ["proposals", "proposal"]],
  ["configuration", "Configuration", ["configuration"]]];

export function Shell({ me, route, onSignOut, children }) {
  const who = !me ? "…" : me.team ? `${me.name} · ${me.team.name}` : me.name;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href={href("/assets")}>Accord</a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([path, label, pages]) => (
              <li><a href={href(`/${path}`)} aria-current={pages.includes(route.page) ? "page" : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span title={me ? `API key ${me.id}` : undefined}>Signed in as <strong>{who}</strong>
            {me ? <span class="muted"> (tenant {me.tenant}{me.is_admin ? ", admin" : ""})</span> : null}</span>
          <button type="button" class="secondary" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
