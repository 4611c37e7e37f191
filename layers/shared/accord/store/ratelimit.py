"""A per-tenant request limit shared by every warm Lambda: fixed one-second windows, counted in
DynamoDB without a hot item and without a write per request.

Each warm environment *leases* tokens for the current second from one of the tenant's window
items (`T#{t}#RATE#{shard}` / `{epoch second}`: an ADD under the condition that the window's
share of the limit is not used up) and spends them locally; it leases again when they run out.
A lease is as large as what the environment used in this window so far or in the last one
(1 … MAX_LEASE: it doubles while a burst goes on), so a quiet producer costs one small write
per request and a busy one a write per MAX_LEASE requests; the
window's share of the limit is split over enough shards that no window item takes more than ~20
writes a second. Unused leased tokens lapse with their second: a tenant gets at most its limit,
never more (and, with many half-idle environments, a little less).
"""
import math
import random
import threading
import time

from accord.store import db, keys as k

MAX_LEASE = 50
WRITES_PER_SHARD = 20     # leases a second one window item takes, at most (by design)
TTL_SECONDS = 120


class Limiter:
    """One per warm environment: {tenant: (window, tokens left, used this window, used last window)}."""

    def __init__(self):
        self.state: dict[str, list] = {}
        # A Lambda environment serves one request at a time; a threaded server (the in-process
        # tests) would otherwise lease once per thread that finds no tokens and overdraw the window
        self.lock = threading.Lock()

    def admit(self, tenant: str, rate: int, now: float | None = None) -> float:
        """0 if the request may go on, else the seconds until the tenant's next window."""
        with self.lock:
            return self._admit(tenant, rate, now)

    def _admit(self, tenant: str, rate: int, now: float | None) -> float:
        now = time.time() if now is None else now
        window = int(now)
        st = self.state.get(tenant)
        if st is None or st[0] != window:
            last = st[2] if st is not None and st[0] == window - 1 else 0
            st = [window, 0, 0, last]
            self.state[tenant] = st
        if st[1] <= 0 and not self._lease(tenant, rate, st):
            return max(window + 1 - now, 0.001)
        st[1] -= 1
        st[2] += 1
        return 0.0

    def _lease(self, tenant: str, rate: int, st: list) -> bool:
        shards = shards_for(rate)
        share = math.ceil(rate / shards)
        want = max(1, min(MAX_LEASE, max(st[2], st[3]), share))
        first = random.randrange(shards)
        for shard in (first, (first + 1) % shards) if shards > 1 else (first,):
            for size in (want, 1) if want > 1 else (1,):
                try:
                    db.update(k.rate_pk(tenant, shards, shard), str(st[0]), "ADD used :n SET #ttl = :ttl",
                              condition="attribute_not_exists(used) OR used <= :max", names={"#ttl": "ttl"},
                              values={":n": size, ":ttl": st[0] + TTL_SECONDS, ":max": share - size},
                              return_new=False)
                    st[1] += size
                    return True
                except db.ConditionFailed:
                    continue
        return False


def shards_for(rate: int) -> int:
    """Window items a limit needs so that each takes ≤ WRITES_PER_SHARD leases a second."""
    return max(1, math.ceil(rate / (MAX_LEASE * WRITES_PER_SHARD)))
