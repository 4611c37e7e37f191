"""The web UI (issue 16) in headless Chromium against the local runtime:
- first load of /ui/ with a cold cache: bytes of JS + CSS on the wire (gzip, as API Gateway sends
  them with UiApi's MinimumCompressionSize) and requests (target ≤ 150 KB);
- the asset page's API calls on a fresh load (target ≤ 4), and those each tab adds;
- time to the asset page's first meaningful render (heading + contract field tree; the status fills in after), median of 5
  (target ≤ 1 s), beside the same API calls made directly: the share the browser adds."""
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KB_TARGET, CALLS_TARGET, RENDER_TARGET = 150, 4, 1.0
RUNS = 5


def _wire(page, cdp, url):
    """(requests, {url: (mime, encoded bytes on the wire, decoded body bytes)}) for one load."""
    seen, done = {}, {}
    cdp.on("Network.responseReceived", lambda e: seen.__setitem__(e["requestId"], (e["response"]["url"], e["response"]["mimeType"])))
    cdp.on("Network.dataReceived", lambda e: done.__setitem__(e["requestId"], (done.get(e["requestId"], (0, 0))[0],
                                                                              done.get(e["requestId"], (0, 0))[1] + e["dataLength"])))
    cdp.on("Network.loadingFinished", lambda e: done.__setitem__(e["requestId"], (e["encodedDataLength"],
                                                                                 done.get(e["requestId"], (0, 0))[1])))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return {seen[r][0]: (seen[r][1], done.get(r, (0, 0))[0], done.get(r, (0, 0))[1]) for r in seen}


def _api_calls(page, action) -> list[str]:
    calls = []
    listener = lambda r: "/api/" in r.url and calls.append(r.url.split("/api/", 1)[1])  # noqa: E731
    page.on("request", listener)
    action()
    page.wait_for_load_state("networkidle")
    page.remove_listener("request", listener)
    return calls


def main() -> dict:
    from playwright.sync_api import sync_playwright

    from local.runtime import LocalRuntime
    from tests.support.browser import VIEWPORT, launch
    from tests.support.ui_world import seed
    with tempfile.TemporaryDirectory() as state, \
            LocalRuntime(repo_root=str(ROOT), port=0, state_dir=state, admin_key="acc_bench_ui", quiet=True) as rt, \
            sync_playwright() as p:
        w = seed(rt.url, rt.admin_key)
        asset = w.assets["shop.sales.orders"]
        browser = launch(p)

        # 1. first load, cold cache
        ctx = browser.new_context(viewport=VIEWPORT, base_url=rt.url)
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        wire = _wire(page, cdp, rt.url + "/ui/")
        code = {u: v for u, v in wire.items() if v[0] in ("text/javascript", "application/javascript", "text/css")}
        on_wire = sum(v[1] for v in code.values())
        raw = sum(v[2] for v in code.values())
        total = sum(v[1] for v in wire.values())
        ctx.close()

        # 2. the asset page's API calls (a fresh load of its URL, signed in), then per tab
        ctx = browser.new_context(viewport=VIEWPORT, base_url=rt.url)
        page = ctx.new_page()
        page.goto("/ui/")
        page.evaluate("k => sessionStorage.setItem('accord.apiKey', k)", w.consumer)
        first = _api_calls(page, lambda: (page.goto(f"/ui/#/assets/{asset}"), page.reload(),
                                          page.locator(".tree").wait_for()))
        per_tab = {}
        for tab in ("Versions", "Consumers", "Lineage", "Activity"):
            per_tab[tab] = len(_api_calls(page, lambda t=tab: page.get_by_role("tab", name=t).click()))

        # 3. first meaningful render of the asset page, warm and cold cache, vs the same calls direct
        def render_seconds(cold: bool) -> float:
            """One navigation to the asset page, signed in, with the bundle cached (warm) or not (cold)."""
            c = browser.new_context(viewport=VIEWPORT, base_url=rt.url)
            pg = c.new_page()
            if cold:
                cdp_c = c.new_cdp_session(pg)
                cdp_c.send("Network.enable")
                cdp_c.send("Network.setCacheDisabled", {"cacheDisabled": True})
            pg.goto("/ui/")
            pg.evaluate("k => sessionStorage.setItem('accord.apiKey', k)", w.consumer)
            pg.wait_for_load_state("networkidle")
            pg.goto("about:blank")  # so the next load is a navigation of its own, nothing left in flight
            pg.goto(f"/ui/#/assets/{asset}/contract")
            pg.wait_for_function("() => document.querySelector('h1')?.textContent === 'shop.sales.orders'"
                                 " && document.querySelector('.tree')", polling="raf")
            ms = pg.evaluate("() => performance.now()")  # since this navigation started
            c.close()
            return ms / 1000
        ctx.close()
        headers = {"Authorization": f"Bearer {w.consumer}"}
        # the calls the page waits for, made directly as the page makes them: at once
        paths = ("/api/v1/me", f"/api/v1/assets/{asset}", f"/api/v1/assets/{asset}/contracts")
        call = lambda path: requests.get(rt.url + path, headers=headers, timeout=60)  # noqa: E731

        def api_seconds(pool) -> float:
            t = time.perf_counter()
            list(pool.map(call, paths))
            return time.perf_counter() - t
        warm, cold, direct = [], [], []
        with ThreadPoolExecutor(len(paths)) as pool:
            for _ in range(RUNS):  # interleaved: the machine's load changes under all three alike
                warm.append(render_seconds(False))
                cold.append(render_seconds(True))
                direct.append(api_seconds(pool))
        browser.close()

    kb = on_wire / 1000
    med_warm, med_cold, med_api = statistics.median(warm), statistics.median(cold), statistics.median(direct)
    print(f"first load of /ui/ (cold cache): {len(wire)} requests, {total / 1000:.1f} KB on the wire; JS + CSS "
          f"{kb:.1f} KB gzip of {raw / 1000:.1f} KB ({on_wire / raw:.2f}) in {len(code)} files  "
          f"{'PASS' if kb <= KB_TARGET else 'FAIL'} (≤ {KB_TARGET} KB)")
    print(f"asset page API calls on a fresh load: {len(first)} ({', '.join(sorted(first))})  "
          f"{'PASS' if len(first) <= CALLS_TARGET else 'FAIL'} (≤ {CALLS_TARGET}); each tab adds: "
          + ", ".join(f"{t} {n}" for t, n in per_tab.items()))
    print(f"asset page first meaningful render: {med_warm * 1000:.0f} ms median of {RUNS} (cached bundle), "
          f"{med_cold * 1000:.0f} ms cold cache  {'PASS' if med_cold <= RENDER_TARGET else 'FAIL'} (≤ {RENDER_TARGET} s); "
          f"the 3 calls it waits for (me, asset, contracts) made directly, at once: {med_api * 1000:.0f} ms "
          f"(render / API = {med_warm / med_api:.2f} warm, {med_cold / med_api:.2f} cold); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return {"ui_kb": round(kb, 1), "asset_calls": len(first), "render_ms": round(med_cold * 1000)}


if __name__ == "__main__":
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    main()
