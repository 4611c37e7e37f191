"""The response budget: no answer may pass what a Lambda response can carry (issue 18).

A synchronous Lambda response stops at 6 MB — the whole proxy result, in which the body is a JSON
*string*: every `"` and `\\` of the body is escaped once more, so a body of schema documents (a
fifth of it quotes) takes ~1.2x its length. Past that API Gateway answers 502. So sizes here are
counted as Lambda carries them (`size`), and every route that can return something large uses
one of three rules, each a function below:

- offset lists (`offset_page`): the page stops where the next item would pass RESPONSE_BUDGET
  (always at least one item) and `X-Next-Offset` says where the rest starts;
- cursor lists (`cursor_page`): the same, the page read again with the count that fits, so the
  `next` cursor is the store's own whatever the family's cursor format;
- one answer listing many things (a diff, an impact, a run of checks) (`cap`): each named list
  keeps its head within the budget, `truncated` is true and `omitted` counts what each cut list
  left out.

The router refuses (413, RESPONSE_TOO_LARGE) anything that still would not fit: a bug in a bound,
never a 502.
"""
import json

LAMBDA_LIMIT = 6 * 1024 * 1024   # a synchronous invocation's response payload
# What a page's items may take (as carried): the rest of the 6 MB is room for the envelope
# around them (an answer's other fields, the headers).
RESPONSE_BUDGET = 5_000_000   # read at each call (tests shrink it to page small data)


def size(value) -> int:
    """Bytes `value` takes in a Lambda response: compact JSON (as the router writes bodies), each
    `"` and `\\` counted twice (the body is itself a JSON string in the proxy result)."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return len(text) + text.count('"') + text.count("\\")


def fit(items: list, budget: int | None = None) -> list:
    """The longest prefix of `items` whose JSON array stays within `budget` (at least one item:
    each route bounds a single item, a DynamoDB item stops at 400 KB)."""
    budget = RESPONSE_BUDGET if budget is None else budget
    used = 2
    for i, item in enumerate(items):
        used += size(item) + 1
        if used > budget and i > 0:
            return items[:i]
    return items


def offset_page(items: list, offset: int, total: int, budget: int | None = None) -> tuple[list, int | None]:
    """(the items that fit, the offset the next page starts at or None at the end)."""
    kept = fit(items, budget)
    end = offset + len(kept)
    return kept, end if end < total else None


def headers(total: int, next_offset: int | None) -> dict:
    """A Registry JSON-array page's headers: X-Total-Count, and X-Next-Offset while items remain."""
    out = {"X-Total-Count": str(total)}
    if next_offset is not None:
        out["X-Next-Offset"] = str(next_offset)
    return out


def paged(items: list, offset: int, total: int) -> tuple[list, dict]:
    """(the items that fit, their headers): a Registry offset list's page within the budget."""
    page, nxt = offset_page(items, offset, total)
    return page, headers(total, nxt)


def rest_of(found: list, offset: int) -> tuple[list, dict]:
    """`paged` for a list read whole (small in count), answered from `offset`."""
    return paged(found[offset:], offset, len(found))


def cursor_page(fetch, limit: int, items=lambda answer: answer["results"], budget: int | None = None):
    """`fetch(n)` answers a page of at most n items (and its own next cursor); when its items pass
    the budget it is asked again for the count that fits. One more read, only for pages of huge
    items; a page that grew meanwhile is fitted again (twice at most: the router still guards)."""
    answer = fetch(limit)
    for _ in range(3):
        got = items(answer)
        kept = fit(got, budget)
        if len(kept) == len(got):
            break
        answer = fetch(len(kept))
    return answer


def cap(answer: dict, fields: tuple, budget: int | None = None) -> dict:
    """`answer` with each list (or map) named in `fields`, in that order of priority, cut to the
    head that fits what its other fields left; `truncated` (kept true if already so) and, when
    something was cut, `omitted` {field: entries left out}."""
    rest = {k: v for k, v in answer.items() if k not in fields}
    # room for the fields' names and for the flags this adds
    marks = size({"truncated": True, "omitted": {f: 10 ** 9 for f in fields}}) + size({f: [] for f in fields})
    left = (RESPONSE_BUDGET if budget is None else budget) - size(rest) - marks
    omitted = {}
    for name in fields:
        value = answer.get(name) or []
        entries = list(value.items()) if isinstance(value, dict) else value
        kept = fit([{k: v} for k, v in entries] if isinstance(value, dict) else entries, max(left, 0))
        if kept and size(kept) > left:  # fit keeps one entry even when none fits
            kept = []
        if len(kept) < len(entries):
            answer[name] = dict(entries[:len(kept)]) if isinstance(value, dict) else kept
            omitted[name] = len(entries) - len(kept)
        left -= size(answer.get(name) or [])
    answer["truncated"] = bool(answer.get("truncated")) or bool(omitted)
    if omitted:
        answer["omitted"] = omitted
    return answer


def too_large_message(n: int) -> str:
    return (f"The answer would take {n:,} bytes, more than a Lambda response can carry (6 MB): ask for less — "
            "a smaller `limit`, `include=none`, or narrower filters.")
