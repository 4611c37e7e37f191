// Builds the web UI into functions/ui/static/ (what UiFunction serves at /ui/):
// index.html + assets/app-<hash>.js + assets/app-<hash>.css. Content-hashed names let the
// function cache assets for a year; index.html is revalidated on every load.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "functions", "ui", "static");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });

const result = await build({
  entryPoints: [join(here, "src", "main.jsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(out, "assets"),
  entryNames: "app-[hash]",
  chunkNames: "chunk-[hash]",
  splitting: true, // the lineage graph (dagre) is its own chunk, loaded when the Lineage tab opens
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
});

const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint);
const js = basename(entry[0]);
const css = basename(entry[1].cssBundle);
const html = readFileSync(join(here, "src", "index.html"), "utf8")
  .replace("%APP_JS%", `assets/${js}`)
  .replace("%APP_CSS%", `assets/${css}`);
writeFileSync(join(out, "index.html"), html);
console.log(`ui: built ${js}, ${css} into functions/ui/static/`);
