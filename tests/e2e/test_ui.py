"""The web UI (DESIGN §12) in a real headless Chromium against the local runtime: a producer and
a consumer do what they came for — sign in with a key, find an asset, compare two versions, read
the lineage graph, check a change, answer proposals — and every answer is checked through the API.
Every page: no serious or critical axe-core violation, no horizontal scroll at 1280 px, and a
screenshot under test-output/ui/ for a person to look at."""
import re
import time
import uuid

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.conftest import ROOT
from tests.support.browser import VIEWPORT, axe_violations, horizontal_overflow, launch
from tests.support.ui_world import SMALL, SMALL_BREAKING, seed

SHOTS = ROOT / "test-output" / "ui"
expect.set_options(timeout=20_000)  # a shared 2-core machine can be slow; a real failure still fails
ORDERS = "shop.sales.orders"


@pytest.fixture(scope="module")
def world(runtime):
    return seed(runtime.url, runtime.admin_key)


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, runtime):
    context = browser.new_context(viewport=VIEWPORT, base_url=runtime.url)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    yield pg
    context.close()
    # a 401/403/404/409 the UI handled shows in the console as a failed resource; anything else is a bug
    assert not [e for e in errors if "status of 4" not in e], errors


def sign_in(page, key):
    page.goto("/ui/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Assets", level=1)).to_be_visible()


def check_page(page, name: str):
    """The page as a person sees it: a screenshot, no sideways scroll at 1280 px, axe-clean."""
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert horizontal_overflow(page) <= 0, f"{name}: scrolls sideways at 1280 px"
    bad = axe_violations(page)
    assert not bad, f"{name}: {bad}"


def open_asset(page, fqn):
    page.get_by_label("Search assets").fill(fqn)
    page.get_by_role("link", name=fqn, exact=True).click()
    expect(page.get_by_role("heading", name=fqn, level=1)).to_be_visible()


def tab(page, name):
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()


# ------------------------------------------------------------------ serving
def test_ui_is_served_offline_with_a_csp_and_versioned_cache_headers(runtime):
    from local.__main__ import banner
    assert f"Web UI:       {runtime.url}/ui/" in banner(runtime, 1.0)  # make dev says where it is
    index = requests.get(runtime.url + "/ui/", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert index.status_code == 200 and index.headers["Content-Type"].startswith("text/html")
    csp = index.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert index.headers["Cache-Control"] == "no-cache" and index.headers["ETag"]
    again = requests.get(runtime.url + "/ui/", headers={"If-None-Match": index.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and not again.content
    assets = re.findall(r'(?:src|href)="(assets/app-[A-Z0-9]+\.(?:js|css))"', index.text)
    assert len(assets) == 2 and "http" not in index.text.replace("http-equiv", "")
    for path in assets:
        r = requests.get(f"{runtime.url}/ui/{path}", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert r.headers["Content-Encoding"] == "gzip"  # UiApi's MinimumCompressionSize
    redirect = requests.get(runtime.url + "/ui", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301 and redirect.headers["Location"] == "ui/"
    for missing in ("/ui/assets/nope.js", "/ui/../template.yaml", "/ui/%2e%2e/%2e%2e/template.yaml"):
        r = requests.get(runtime.url + missing, timeout=10)
        assert r.status_code == 404 and set(r.json()) == {"error"}, (missing, r.status_code, r.text[:200])


def test_every_request_stays_on_the_ui_origin(page, world, runtime):
    seen = []
    page.on("request", lambda r: seen.append(r.url))
    sign_in(page, world.consumer)
    page.goto(f"/ui/#/assets/{world.assets[ORDERS]}/lineage")
    expect(page.locator("svg.lineage")).to_be_visible()
    assert seen and all(u.startswith(runtime.url + "/") or u.startswith("data:") for u in seen), seen


# ------------------------------------------------------------------ sign-in and errors
def test_sign_in_keeps_the_key_for_the_tab_only_and_sends_it_as_bearer(page, world):
    page.goto("/ui/")
    expect(page.get_by_role("heading", name="Sign in to Accord")).to_be_visible()
    check_page(page, "01-sign-in")
    page.get_by_label("API key").fill("acc_" + uuid.uuid4().hex)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("not accepted: it is unknown, revoked or expired"))
    auth = []
    page.on("request", lambda r: "/api/" in r.url and auth.append(r.headers.get("authorization")))
    page.get_by_label("API key").fill(world.consumer)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Assets", level=1)).to_be_visible()
    expect(page.get_by_text("Analytics CI · Analytics")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('accord.apiKey')") == world.consumer
    assert page.evaluate("() => Object.keys(localStorage).length") == 0 and "acc_" not in page.url
    assert auth and set(auth) == {f"Bearer {world.consumer}"}
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You signed out.")
    assert page.evaluate("() => sessionStorage.getItem('accord.apiKey')") is None


def test_a_401_returns_to_sign_in_with_a_sentence(page, world):
    key = world.call("POST", "/api/v1/api-keys", json={"name": "soon revoked", "scopes": ["read"],
                                                        "team_id": world.teams["Analytics"]})
    sign_in(page, key["key"])
    expect(page.get_by_role("row", name=re.compile(f"^{re.escape(ORDERS)} .* fresh$"))).to_be_visible()
    expect(page.locator("td", has_text=re.compile("^…$"))).to_have_count(0)  # nothing in flight when it is revoked
    world.call("DELETE", f"/api/v1/api-keys/{key['id']}")
    page.get_by_role("link", name="Proposals").click()
    expect(page.get_by_role("heading", name="Sign in to Accord")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile("not accepted any more .* Sign in again"))


def _fresh_proposal(world, name: str) -> str:
    """A pending proposal on a new asset of Data Platform that Analytics consumes."""
    asset = world.call("POST", "/api/v1/assets", world.producer,
                       json={"fqn": f"shop.sales.{name}", "owner_team_id": world.teams["Data Platform"]})["id"]
    contract = world.call("POST", f"/api/v1/assets/{asset}/contracts", world.producer, json={"schema": SMALL})
    world.call("POST", "/api/v1/registrations", world.consumer, json={
        "contract_id": contract["contract"]["id"], "consumer_team_id": world.teams["Analytics"]})
    return world.call("POST", f"/api/v1/assets/{asset}/contracts", world.producer,
                      json={"schema": SMALL_BREAKING})["proposal"]["id"]


def test_403_404_and_409_read_as_sentences_never_json(page, world):
    sign_in(page, world.consumer_reader)  # read-only: may look, may not answer
    page.goto(f"/ui/#/assets/{uuid.uuid4()}")
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"^Asset [0-9a-f-]+ not found\.$"))
    page.get_by_role("link", name="Proposals").click()
    card = page.get_by_role("article", name=ORDERS)
    card.get_by_role("button", name="Approve").click()
    expect(card.get_by_role("alert")).to_have_text(re.compile(r"^This API key lacks the 'write' scope"))
    assert world.call("GET", f"/api/v1/proposals/{world.proposals['orders']}")["acknowledgments"] == []
    # 409: someone else of the team answered while this page was open
    proposal = _fresh_proposal(world, "returns")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, world.consumer)
    page.get_by_role("link", name="Proposals").click()
    card = page.get_by_role("article", name="shop.sales.returns")
    expect(card).to_be_visible()
    world.call("POST", f"/api/v1/proposals/{proposal}/acknowledge", world.consumer,
               json={"consumer_team_id": world.teams["Analytics"], "response": "approved"})
    card.get_by_role("button", name="Block").click()
    expect(card.get_by_role("alert")).to_have_text("Team Analytics already acknowledged this proposal (approved).")
    assert "{" not in page.locator("main").inner_text()


# ------------------------------------------------------------------ a consumer's day
def test_search_as_you_type_opens_the_asset_with_its_contract_and_freshness(page, world):
    sign_in(page, world.consumer)
    expect(page.get_by_role("link", name=ORDERS)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(f"^{re.escape(ORDERS)} .* fresh$"))).to_be_visible()  # filled in
    expect(page.locator("td", has_text=re.compile("^…$"))).to_have_count(0)
    check_page(page, "02-assets")
    searches = []
    page.on("request", lambda r: "/assets/search" in r.url and searches.append(r.url))
    box = page.get_by_label("Search assets")
    box.evaluate("el => { window.keyTimes = []; el.addEventListener('input', () => keyTimes.push(performance.now())); }")
    box.press_sequentially("refu", delay=30)
    expect(page.get_by_role("link", name="shop.sales.refunds")).to_be_visible()
    expect(page.get_by_role("link", name=ORDERS)).to_have_count(0)
    # debounced (250 ms): one search for four keystrokes, plus one per pause a loaded machine put between them
    times = page.evaluate("keyTimes")
    pauses = sum(1 for a, b in zip(times, times[1:]) if b - a >= 250)
    assert len(times) == 4 and 1 <= len(searches) <= 1 + pauses, (searches, times)
    page.get_by_label("Search assets").fill("")
    page.get_by_label("Owner team").select_option(label="Analytics")
    expect(page.get_by_role("link", name="shop.mart.revenue")).to_be_visible()
    expect(page.get_by_role("link", name=ORDERS)).to_have_count(0)
    page.get_by_label("Owner team").select_option(label="Any team")
    open_asset(page, ORDERS)
    expect(page.locator(".facts").get_by_text("fresh", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Contract", level=2)).to_be_visible()
    expect(page.locator(".tree").get_by_text("customer_id")).to_be_visible()
    expect(page.locator(".tree").get_by_text("Unique order number")).to_be_visible()
    check_page(page, "03-asset-contract")


def test_versions_show_a_side_by_side_diff_marking_breaking_changes(page, world):
    sign_in(page, world.consumer)
    page.goto(f"/ui/#/assets/{world.assets[ORDERS]}")
    tab(page, "Versions")
    expect(page.get_by_role("row", name=re.compile("2.0.0 active"))).to_be_visible()
    # default: the previous version against the active one — 1.1.0 -> 2.0.0 changed amount's type
    expect(page.locator(".verdict")).to_have_text(re.compile("^Breaking: 1 of 1 changes from 1.1.0 to 2.0.0"))
    breaking = page.locator(".changes li.breaking")
    expect(breaking).to_have_count(1)
    expect(breaking).to_contain_text("Breaking")
    expect(breaking).to_contain_text("amount")
    sides = page.locator(".side-by-side > div")
    expect(sides.nth(0).get_by_role("heading")).to_have_text("Version 1.1.0")
    expect(sides.nth(1).get_by_role("heading")).to_have_text("Version 2.0.0")
    expect(sides.nth(1).locator(".field.marked")).to_contain_text("changed · Breaking")
    check_page(page, "04-asset-versions")
    page.get_by_label("From version").select_option("1.0.0")
    page.get_by_label("To version").select_option("1.1.0")
    expect(page.locator(".verdict")).to_have_text(re.compile("^Compatible: 1 change from 1.0.0 to 1.1.0"))
    expect(page.locator(".changes li.compatible")).to_contain_text("note")
    expect(sides.nth(1).locator(".field.marked")).to_contain_text("added")
    api = world.call("GET", f"/api/v1/assets/{world.assets[ORDERS]}/contracts/diff",
                     params={"from_version": "1.0.0", "to_version": "1.1.0"})
    assert not api["is_breaking"] and [c["column"] for c in api["all_changes"]] == ["note"]


def test_lineage_is_an_svg_graph_whose_nodes_open_assets_by_keyboard(page, world):
    sign_in(page, world.consumer)
    page.goto(f"/ui/#/assets/{world.assets[ORDERS]}")
    tab(page, "Lineage")
    graph = page.get_by_role("group", name=f"Lineage graph of {ORDERS}")
    expect(graph).to_be_visible()
    assert page.locator("svg.lineage .edge").count() == 2
    upstream = graph.get_by_role("link", name=re.compile(r"^shop\.raw\.orders upstream · Data Platform$"))
    downstream = graph.get_by_role("link", name=re.compile(r"^shop\.mart\.revenue downstream · Analytics$"))
    expect(upstream).to_be_visible()
    expect(downstream).to_be_visible()
    # laid out left to right: upstream, this asset, downstream
    xs = [page.locator(sel).bounding_box()["x"] for sel in ("a.node.upstream", "g.node.self", "a.node.downstream")]
    assert xs == sorted(xs), xs
    check_page(page, "05-asset-lineage")
    upstream.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="shop.raw.orders", level=1)).to_be_visible()
    page.go_back()
    expect(page.get_by_role("group", name=f"Lineage graph of {ORDERS}")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^shop\.mart\.revenue")).click()
    expect(page.get_by_role("heading", name="shop.mart.revenue", level=1)).to_be_visible()


def test_activity_and_consumers(page, world):
    sign_in(page, world.consumer)
    page.goto(f"/ui/#/assets/{world.assets[ORDERS]}")
    tab(page, "Activity")
    timeline = page.locator("ol.timeline")
    expect(timeline.get_by_text("Check amount_positive failed")).to_be_visible()
    expect(timeline.get_by_text("Check order_id_not_null passed")).to_be_visible()
    expect(timeline.get_by_text("Materialized")).to_be_visible()
    # the activity log (DESIGN §11): each published version, and the proposal, a link to its page
    for version in ("1.0.0", "1.1.0", "2.0.0"):
        expect(timeline.get_by_text(re.compile(f"published {ORDERS} {re.escape(version)} "))).to_be_visible()
    proposal = timeline.get_by_role("link", name=re.compile(f"^Analytics must answer a breaking change to {ORDERS}"))
    expect(proposal).to_be_visible()
    # reported events 3 (a check's audit run is the check, not a second entry; nor is its failed-check event),
    # versions 3, the proposal 1
    expect(timeline.locator("li")).to_have_count(7)
    check_page(page, "06-asset-activity")
    proposal.click()
    expect(page.get_by_role("heading", name=f"Proposal for {ORDERS}", level=1)).to_be_visible()
    page.go_back()
    tab(page, "Consumers")
    expect(page.get_by_role("row", name=re.compile("^Analytics follows the active version active"))).to_be_visible()
    check_page(page, "07-asset-consumers")


def test_check_a_change_lists_breaking_changes_and_consumers_and_publishes_nothing(page, world):
    sign_in(page, world.producer)
    before = world.call("GET", f"/api/v1/assets/{world.assets[ORDERS]}/contracts")
    page.goto(f"/ui/#/assets/{world.assets[ORDERS]}")
    tab(page, "Check a change")
    box = page.get_by_label("Proposed schema (JSON Schema)")
    assert '"customer_id"' in box.input_value()  # starts from the active contract
    box.fill('{"type": "object", "properties": {')
    page.get_by_role("button", name="Check this change").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("^The proposed schema is not valid JSON"))
    box.fill('{"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "integer"}}}')
    page.get_by_role("button", name="Check this change").click()
    expect(page.locator(".verdict")).to_have_text(re.compile("^Breaking: 4 changes would break consumers"))
    expect(page.locator(".changes li.breaking").first).to_contain_text("Breaking")
    expect(page.locator(".result").get_by_text("Analytics", exact=True)).to_be_visible()
    expect(page.get_by_text("Nothing was published.")).to_be_visible()
    check_page(page, "08-asset-check-a-change")
    assert world.call("GET", f"/api/v1/assets/{world.assets[ORDERS]}/contracts") == before


def test_the_consumer_approves_blocks_and_migrates_in_the_inbox_and_the_api_agrees(page, world):
    sign_in(page, world.consumer)
    page.get_by_role("link", name="Proposals").click()
    expect(page.get_by_role("heading", name="Proposals", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting for Analytics (3)")).to_be_visible()
    check_page(page, "09-proposals-inbox")
    orders = page.get_by_role("article", name=ORDERS)
    expect(orders.locator(".changes li.breaking")).to_contain_text("customer_id")
    orders.get_by_label(re.compile("^Notes for Data Platform")).fill("We cast customer_id in revenue.")
    orders.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text(f"Analytics approved the change to {ORDERS}.")
    expect(page.get_by_role("heading", name="Waiting for Analytics (2)")).to_be_visible()
    page.get_by_role("article", name="shop.sales.refunds").get_by_role("button", name="Block").click()
    expect(page.get_by_role("status")).to_have_text("Analytics blocked the change to shop.sales.refunds.")
    page.get_by_role("article", name="shop.sales.customers").get_by_role("button", name="Migrating").click()
    expect(page.get_by_role("status")).to_have_text("Analytics is migrating the change to shop.sales.customers.")
    expect(page.get_by_role("heading", name="Waiting for Analytics (0)")).to_be_visible()
    # the team's recent activity (the dispatcher writes its copies from the table's stream)
    said = f"Analytics answered approved on the breaking change to {ORDERS}."
    deadline = time.monotonic() + 20
    while not any(e["data"]["summary"] == said for e in world.call(
            "GET", "/api/v1/activity", params={"team_id": world.teams["Analytics"], "limit": 50})["results"]):
        assert time.monotonic() < deadline, "the team's copy of the acknowledgment never came"
        time.sleep(0.2)
    page.reload()
    recent = page.get_by_role("region", name="Recent activity for Analytics")
    expect(recent.get_by_role("link", name=said)).to_be_visible()
    expect(recent.get_by_role("link", name=re.compile(f"^Analytics must answer a breaking change to {ORDERS}"))).to_be_visible()
    check_page(page, "09b-proposals-answered")
    for name, lifecycle, response in (("orders", "approved", "approved"), ("refunds", "rejected", "blocked"),
                                      ("customers", "approved", "migrating")):
        p = world.call("GET", f"/api/v1/proposals/{world.proposals[name]}")
        assert p["lifecycle_status"] == lifecycle, (name, p["lifecycle_status"])
        assert [(a["consumer_team_name"], a["response"]) for a in p["acknowledgments"]] == [("Analytics", response)]
    notes = world.call("GET", f"/api/v1/proposals/{world.proposals['orders']}")["acknowledgments"][0]["notes"]
    assert notes == "We cast customer_id in revenue."
    # the proposal page: the diff and who answered
    page.get_by_role("link", name=ORDERS).first.click()
    expect(page.get_by_role("heading", name=f"Proposal for {ORDERS}", level=1)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Analytics approved"))).to_be_visible()
    expect(page.locator(".side-by-side .field.marked").first).to_contain_text("Breaking")
    check_page(page, "10-proposal")


def test_an_admin_key_without_a_team_chooses_whose_inbox(page, world):
    sign_in(page, world.admin)
    page.get_by_role("link", name="Proposals").click()
    expect(page.get_by_text("This key belongs to no team")).to_be_visible()
    page.get_by_label("Team").select_option(label="Data Platform")
    expect(page.get_by_role("heading", name="Waiting for Data Platform (0)")).to_be_visible()
    expect(page.get_by_role("heading", name="Proposed by Data Platform")).to_be_visible()
    recent = page.get_by_role("region", name="Recent activity for Data Platform")
    expect(recent.get_by_role("link", name=re.compile(f"^Analytics must answer a breaking change to {ORDERS}"))).to_be_visible()
    check_page(page, "11-proposals-admin")


def test_the_configuration_view_is_read_only(page, world):
    sign_in(page, world.admin)
    page.get_by_role("link", name="Configuration").click()
    expect(page.get_by_role("heading", name="Configuration", level=1)).to_be_visible()
    page.get_by_role("link", name="Sales").click()
    expect(page.get_by_role("heading", name="Asset configurations in Sales")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("^orders DELTALAKE"))
    expect(row.get_by_role("link", name=ORDERS)).to_be_visible()
    assert page.get_by_role("button", name=re.compile("Delete|Save|Edit|Move")).count() == 0
    check_page(page, "12-configuration")


# ------------------------------------------------------------------ keyboard only
def test_everything_above_works_from_the_keyboard(page, world):
    page.goto("/ui/")
    expect(page.locator("#api-key")).to_be_visible()  # rendered by the bundle, after the load event on a busy machine
    page.keyboard.press("Tab")  # the key field comes first
    assert page.evaluate("() => document.activeElement.id") == "api-key"
    page.keyboard.type(world.consumer)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Assets", level=1)).to_be_visible()
    assert page.evaluate("() => document.activeElement.tagName") == "H1"  # focus moves to the new page
    page.get_by_label("Search assets").focus()
    page.keyboard.type("shop.sales.orders")
    expect(page.get_by_text("1 asset matches “shop.sales.orders”.")).to_be_visible()
    page.keyboard.press("Tab")  # owner team
    page.keyboard.press("Tab")  # environment
    page.keyboard.press("Tab")  # the first row's link
    assert page.evaluate("() => document.activeElement.textContent") == ORDERS
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=ORDERS, level=1)).to_be_visible()
    page.get_by_role("tab", name="Contract").focus()
    page.keyboard.press("ArrowRight")  # tabs: arrows move between them
    expect(page.get_by_role("heading", name="Versions", level=2)).to_be_visible()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("heading", name="Lineage", level=2)).to_be_visible()
    assert page.evaluate("() => document.activeElement.textContent") == "Lineage"
    for _ in range(10):  # Tab onward until the first graph node
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('class') || ''").startswith("node"):
            break
    assert page.evaluate("() => document.activeElement.textContent").startswith("shop.raw.orders")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="shop.raw.orders", level=1)).to_be_visible()


# ------------------------------------------------------------------ last: it adds assets to the tenant
def test_large_asset_lists_page_by_cursor(page, world):
    for i in range(22):
        world.call("POST", "/api/v1/assets", world.producer,
                   json={"fqn": f"zz.bulk.table_{i:02d}", "owner_team_id": world.teams["Data Platform"]})
    sign_in(page, world.consumer)
    total = world.call("GET", "/api/v1/assets", params={"page_size": 1})["total"]
    expect(page.get_by_text(f"{total} assets; showing 1–20.")).to_be_visible()
    first = page.locator("table.assets tbody th a").all_inner_texts()
    calls = []
    page.on("request", lambda r: "/api/v1/assets?" in r.url and calls.append(r.url))
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_text(f"{total} assets; showing 21–{min(total, 40)}.")).to_be_visible()
    second = page.locator("table.assets tbody th a").all_inner_texts()
    assert len(first) == 20 and second and not set(first) & set(second)
    assert calls and "cursor=" in calls[-1]  # the API's `next` cursor, not an offset
    page.get_by_role("button", name="Previous page").click()
    expect(page.get_by_text(f"{total} assets; showing 1–20.")).to_be_visible()
    assert page.locator("table.assets tbody th a").all_inner_texts() == first
