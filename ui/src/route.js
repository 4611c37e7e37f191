// Hash routes (#/assets/<id>/lineage): deep links work from the one index.html the function
// serves, with no server-side fallback to keep in step with the pages.
export function parseRoute() {
  const path = (location.hash || "#/assets").slice(1) || "/assets";
  const [, page = "assets", id, tab] = path.split("/").map(decodeURIComponent);
  const pages = { assets: id ? "asset" : "assets", proposals: id ? "proposal" : "proposals",
    configuration: "configuration", "sign-in": "sign-in" };
  return { path, page: pages[page] || "assets", id, tab };
}

export const go = (path) => { location.hash = `#${path}`; };
export const href = (path) => `#${path}`;
