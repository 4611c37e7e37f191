"""Base classes for request models.

`defer_build=True`: pydantic builds a model's validator on first use instead of at import.
A function with a dozen models then pays at cold start only for the one the request needs
(building all of them at import cost the teams function ~60 ms, a third of boto3's import).

Near misses: a key that is not a field of the model but is a few edits away from one
(`enviroment`) is a typo, not a field some other client sends: ignoring it would silently apply
the default (the asset lands in production). Every model answers it with an `extra_forbidden`
error naming the field it resembles — "Unknown field 'enviroment'; did you mean 'environment'?"
(422 in the registry, 400 in the configuration family). "A few edits" is Elasticsearch's AUTO
fuzziness: none for names of 1-2 characters, 1 for 3-5, 2 beyond — so short names do not swallow
unrelated keys (`sql` is not `fqn`). Edits are optimal-string-alignment ones (a transposition
counts one).
"""
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

MAX_KEYS_CHECKED = 1000  # unknown keys examined per object: bounds the work a hostile body can cause


def max_edits(name: str) -> int:
    return 0 if len(name) <= 2 else 1 if len(name) <= 5 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance of a and b, or limit + 1 once it is known to exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], before[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        before, prev = prev, cur
    return min(prev[-1], limit + 1)


def _deletions(word: str, depth: int) -> set[str]:
    out, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


class _Names:
    """The keys a model accepts, and an index of their deletion variants: two strings within k
    edits share a variant of at most k deletions of each (SymSpell), so a key is compared only
    with the few names it may be close to."""
    __slots__ = ("known", "order", "index", "longest")

    def __init__(self, model: type[BaseModel]):
        order = []
        for name, f in model.model_fields.items():  # the alias first: it is what clients send
            for key in (f.alias, f.validation_alias if isinstance(f.validation_alias, str) else None, name):
                if key and key not in order:
                    order.append(key)
        self.known, self.order, self.index = set(order), order, {}
        self.longest = max((len(n) for n in order), default=0)
        for name in order:
            for variant in _deletions(name, max_edits(name)):
                self.index.setdefault(variant, []).append(name)

    def resembled(self, key: str) -> str | None:
        """The known name `key` is a near miss of (the closest; the first on a tie), if any."""
        if not isinstance(key, str) or len(key) > self.longest + 2:
            return None
        candidates = {name for variant in _deletions(key, 2) for name in self.index.get(variant, ())}
        scored = sorted((edit_distance(key, name, max_edits(name)), self.order.index(name), name)
                        for name in candidates)
        return next((name for d, _, name in scored if d <= max_edits(name)), None)


_NAMES: dict[type, _Names] = {}


class _NearMisses(BaseModel):
    model_config = ConfigDict(defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _no_near_misses(cls, data):
        if not isinstance(data, dict):
            return data
        names = _NAMES.get(cls) or _NAMES.setdefault(cls, _Names(cls))
        misses, checked = [], 0
        for key in data:
            if key in names.known:
                continue
            checked += 1
            if checked > MAX_KEYS_CHECKED:
                break
            near = names.resembled(key)
            if near is not None:
                misses.append([key, near])
        if misses:
            field, near = misses[0]
            raise PydanticCustomError("extra_forbidden", "Unknown field '{field}'; did you mean '{near}'?",
                                      {"field": field, "near": near, "misses": misses})
        return data


class Model(_NearMisses):
    """Lenient: unknown fields are ignored (what FastAPI-based Tessera clients expect), except
    near misses of a field (a typo): those are refused, naming the field they resemble."""
    model_config = ConfigDict(defer_build=True)


class StrictModel(_NearMisses):
    """Unknown fields are rejected with a message naming them (a near miss: naming the field it
    resembles too)."""
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)
