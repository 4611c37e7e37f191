"""Headless Chromium for the web UI's tests and `make bench`: Debian's `chromium` driven by
Playwright (`executable_path`: Playwright's own browser download cannot run here), with axe-core
from ui/node_modules (npm) run inside the page."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")
# no sandbox (root in CI), and none of Chromium's own calls home: this machine has no network
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-dev-shm-usage"]
AXE = ROOT / "ui" / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 900}


def launch(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
                           "(apt-get install chromium), or set ACCORD_CHROMIUM to a Chromium binary.")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's violations of the page as it is now, of the given impacts. Injected through
    the DevTools protocol (page.evaluate), which the page's CSP does not govern."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make ui` (npm ci in ui/)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
                          " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    return [v for v in found if v["impact"] in impacts]


def horizontal_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0: none)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
