"""The heat model at small scale (tests/support/heat.py, heat_paths.py): every write path, run on
moto through its real entry point, keeps its hottest item within 1,000 write units per second and
no item held by more than ~50 transactions per second at the path's target rate. A new write path
joins heat_paths.PATHS; a write route nobody claimed fails here."""
import pytest

from accord.store import db
from tests.conftest import ROOT
from tests.support import heat, heat_paths

N = 12   # operations per path: enough for every item pattern to show, small enough for `make test`
# Over budget in the code as issue 18 found it; each leaves this list with its fix. A listed path
# that passes fails the test, so the list cannot go stale.
KNOWN_HOT: set = set()   # paths over budget (none: every path is within it)
PENDING: set = set()   # paths not written yet


def _run(path: heat_paths.WritePath) -> heat.Row:
    ctx = heat_paths.Ctx(ROOT)
    with heat.Recorder(db.client(), heat_paths.TENANT) as rec:
        # a bulk path runs two batches: only across calls can the model tell a batch's own items
        # (an asset its create and settle transactions both hold) from items every batch shares
        heat_paths.run(ctx, rec, path, max(N, 2 * path.batch))
    return heat.analyse(rec.ops[path.name], path.rate, path.spread, heat_paths.TENANT)


@pytest.mark.parametrize("path", heat_paths.PATHS, ids=[p.name for p in heat_paths.PATHS])
def test_write_path_has_no_hot_item(aws, path):
    if path.name in PENDING:
        assert not heat_paths.available(path), "written: take it out of PENDING"
        return
    assert heat_paths.available(path), f"{path.requires} is missing"
    row = _run(path)
    if path.name in KNOWN_HOT:
        assert not row.ok, f"{path.name} is within budget now: take it out of KNOWN_HOT"
        return
    assert row.n >= N and row.wru > 0, row
    detail = "\n".join(f"  {p}: {w:.1f} WCU/op, {h:.2f} tx/op → {ws:,.0f} WCU/s" for p, w, h, ws in row.items[:8])
    assert row.hottest_wcu_s <= heat.ITEM_WCU_BUDGET, (
        f"{path.name}: {row.hottest} takes {row.hottest_wcu_s:,.0f} WCU/s at {path.rate:,}/s "
        f"(budget {heat.ITEM_WCU_BUDGET:,})\n{detail}")
    assert row.holds_s <= heat.HOLD_BUDGET, (
        f"{path.name}: {row.hold_item} is held by {row.holds_s:,.0f} transactions/s at {path.rate:,}/s "
        f"(budget {heat.HOLD_BUDGET})\n{detail}")


def test_the_model_sees_a_hot_item_when_there_is_one(aws):
    """The model can fail: a path that bumps one tenant-wide item on every operation is hot."""
    def bump(ctx, state, i):
        db.update("T#default#HEATPROBE", "ONE", "ADD n :one", values={":one": 1})
    probe = heat_paths.WritePath("probe", 2000, 1, heat_paths._none, bump)
    row = _run(probe)
    assert row.hottest_wcu_s == pytest.approx(2000) and not row.ok
    assert row.hottest.startswith("T#{t}#HEATPROBE / ONE")


def test_every_write_route_joins_the_model():
    import routes
    claimed = {r for p in heat_paths.PATHS for r in p.routes}
    unclaimed = []
    for _, (code_uri, declared) in routes.template_routes().items():
        router = routes.load_router(code_uri)
        for method, path, _, _ in declared:
            name = f"{method} {path}"
            if method not in ("POST", "PUT", "PATCH", "DELETE") or router.routes[(method, path)].status == 405:
                continue
            if name not in claimed and name not in heat_paths.LOW_RATE and name not in heat_paths.READ_ONLY:
                unclaimed.append(name)
    assert not unclaimed, f"write routes outside the heat model (add a path or a LOW_RATE reason): {unclaimed}"
    stale = (set(heat_paths.LOW_RATE) | heat_paths.READ_ONLY | claimed) - {
        f"{m} {p}" for _, (_, declared) in routes.template_routes().items() for m, p, _, _ in declared}
    assert not stale, f"routes named in the heat model that the template does not declare: {stale}"


@pytest.mark.parametrize("size,units", [(0, 1), (1024, 1), (1025, 2), (20_000, 20)])
def test_write_units_follow_dynamodb(size, units):
    assert heat.write_units(size) == units


def test_item_size_follows_dynamodb():
    # name bytes + value bytes; numbers ~1 byte per two significant digits + 1; maps/lists 3 + 1 per element
    assert heat.item_size({"PK": {"S": "abc"}}) == 5
    assert heat.item_size({"n": {"N": "12345"}}) == 1 + 4
    assert heat.item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + (1 + 2 + 1)
    assert heat.item_size({"l": {"L": [{"BOOL": True}, {"NULL": True}]}}) == 1 + 3 + 2 + 2
