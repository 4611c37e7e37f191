"""`pattern` changes decided exactly (regexlang), checked against a real ECMA-262 engine.

The oracle is `regress` (Rust's ECMAScript regex engine, Python bindings) with the ``u`` flag:
JSON Schema's ``pattern`` is an ECMA-262 regex matched *anywhere* in the string (``find``).
Three kinds of check:

* explicit cases through ``compare`` (type, effect, verdict, description);
* membership: the automaton matches exactly the strings the oracle matches;
* verdicts: for generated pattern pairs, no string may contradict the decision (old ⊆ new ⇒ no
  string matched by old and not by new, and so on), and every witness in a decision must be
  confirmed by the oracle. Witnesses come from the decisions themselves, so an "incomparable"
  verdict is always checked; inclusion claims are checked on random strings plus strings built
  from the patterns (their literal parts, with random context) so they hit the languages.
"""
import random

import pytest
import regress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.schemadiff import SchemaError, compare
from accord.schemadiff.regexlang import Budget, decide, matcher
from accord.schemadiff.regexlang.charsets import DIGIT, DOT, SPACE, WORD
from accord.schemadiff.regexlang.syntax import parse

SETTINGS = dict(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

_ORACLE = {}


def oracle(p, s):
    rx = _ORACLE.get(p)
    if rx is None:
        rx = _ORACLE[p] = regress.Regex(p, "u")
    return rx.find(s) is not None


def S(p):
    return {"type": "string", "pattern": p}


def changes(old, new):
    r = compare(old, new, mode="full")
    return r, [(c.type, c.effect) for c in r.changes]


# ---------------------------------------------------------------------------------------------
# explicit cases
# ---------------------------------------------------------------------------------------------

WIDEN, NARROW, EQUAL, CHANGE = "widen", "narrow", "neutral", "change"

CASES = [
    # the examples
    ("^[a-z]+$", "^[a-z0-9]+$", WIDEN),
    ("^[a-z0-9]+$", "^[a-z]+$", NARROW),
    ("^a", "^b", CHANGE),
    # anchoring: unanchored search, '^a|b$' is '(^a)|(b$)'
    ("^a|b$", "(^a)|(b$)", EQUAL),
    ("^a|b$", "^(a|b)$", NARROW),
    ("^(?:a|b)$", "^a$|^b$", EQUAL),
    ("abc", "^abc", NARROW),
    ("abc$", "abc", WIDEN),
    ("^abc$", "abc", WIDEN),
    ("a", ".*a.*", EQUAL),             # unanchored: '.*' around a match adds nothing
    ("a", "^.*a", NARROW),             # '.' stops at line terminators: '\na'
    ("(^|x)y", "^y|xy", EQUAL),
    ("a^b", "[^\\s\\S]", EQUAL),       # both match nothing
    ("^$", "^(?:)$", EQUAL),
    ("x|^", "^", EQUAL),               # '^' matches every string
    ("a$", "a\\n?$", WIDEN),           # ECMA '$' is the end of the string only: 'a\n'
    # character classes
    ("[a-c]", "[abc]", EQUAL),
    ("^[a-c]$", "^(a|b|c)$", EQUAL),
    ("^\\d+$", "^[0-9]+$", EQUAL),     # ECMA \d is ASCII
    ("^\\w+$", "^[A-Za-z0-9_]+$", EQUAL),
    ("^\\s$", "^[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f"
     "\\u3000\\ufeff]$", EQUAL),
    ("^.$", "^[^\\n]$", WIDEN),        # '.' excludes \r, U+2028, U+2029 too
    ("[^a]", ".", CHANGE),
    ("^[\\d-]+$", "^[-0-9]+$", EQUAL),
    ("^[^\\W_]+$", "^[A-Za-z0-9]+$", EQUAL),
    ("^\\u00e9$", "^\\xe9$", EQUAL),
    ("^\\u{1F600}$", "^\\uD83D\\uDE00$", EQUAL),
    ("^[\\u{1F600}-\\u{1F64F}]$", "^.$", WIDEN),
    # quantifiers
    ("^a{2,4}$", "^a{2,5}$", WIDEN),
    ("^a{3}$", "^aaa$", EQUAL),
    ("^a{2,}$", "^aa+$", EQUAL),
    ("^a{0,2}$", "^a?a?$", EQUAL),
    ("^(ab)?c$", "^c$|^abc$", EQUAL),
    ("^[0-9]{5}$", "^[0-9]{5}(-[0-9]{4})?$", WIDEN),
    ("^a*?b$", "^a*b$", EQUAL),        # lazy quantifiers match the same strings
    ("^(?<year>\\d{4})-\\d{2}$", "^\\d{4}-\\d{2}$", EQUAL),
    ("^[A-Z]{2}-\\d{4}$", "^[A-Z]{2,3}-\\d{4,6}$", WIDEN),
    ("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
     "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", WIDEN),
]


@pytest.mark.parametrize("old,new,effect", CASES, ids=[f"{o} -> {n}" for o, n, _ in CASES])
def test_pattern_change_verdicts(old, new, effect):
    r, got = changes(S(old), S(new))
    want = {WIDEN: [("pattern_changed", "widen")], NARROW: [("pattern_changed", "narrow")],
            EQUAL: [("schema_refactored", "neutral")],
            CHANGE: [("pattern_changed", "change")]}[effect]
    assert got == want, [c.to_dict() for c in r.changes]
    assert (r.backward_breaking, r.forward_breaking) == {
        WIDEN: (False, True), NARROW: (True, False), EQUAL: (False, False),
        CHANGE: (True, True)}[effect]
    assert r.bump == ("patch" if effect == EQUAL else "major")   # full: a one-way break is major
    if effect != EQUAL:
        assert compare(S(old), S(new), mode="backward").is_breaking == (effect != WIDEN)
        assert compare(S(old), S(new), mode="forward").is_breaking == (effect != NARROW)
    # the decision's witnesses are real: the oracle agrees
    d = decide([old], [new])
    if d.only_old is not None:
        assert oracle(old, d.only_old) and not oracle(new, d.only_old)
    if d.only_new is not None:
        assert oracle(new, d.only_new) and not oracle(old, d.only_new)


def test_descriptions_name_a_witness():
    r, _ = changes(S("^[a-z]+$"), S("^[a-z0-9]+$"))
    assert r.changes[0].description == (
        "Pattern of the schema widened from '^[a-z]+$' to '^[a-z0-9]+$': every string that "
        "matched still matches, and e.g. '0' now matches")
    assert r.changes[0].old_value == "^[a-z]+$" and r.changes[0].new_value == "^[a-z0-9]+$"
    r, _ = changes(S("^a"), S("^b"))
    assert "e.g. 'a' no longer matches and 'b' now matches" in r.changes[0].description
    r, _ = changes(S("^\\d+$"), S("^[0-9]+$"))
    assert r.changes[0].description.endswith("the same strings match")
    r, _ = changes(S("^.{0,60}$"), S("^.{0,59}$"))      # long witnesses are cut
    assert "… (60 characters) no longer matches" in r.changes[0].description


def test_nested_path_and_bump():
    old = {"type": "object", "properties": {"zip": S("^[0-9]{5}$")}}
    new = {"type": "object", "properties": {"zip": S("^[0-9]{5}(-[0-9]{4})?$")}}
    r = compare(old, new, mode="backward")
    assert not r.is_breaking and r.bump == "minor"
    [c] = r.changes
    assert (c.type, c.effect, c.path) == ("pattern_changed", "widen", "$.properties.zip")
    r = compare(new, old, mode="backward")
    assert r.is_breaking and r.bump == "major"


def test_added_and_removed_patterns_are_decided_too():
    # a pattern that every string matches adds nothing
    _, got = changes({"type": "string"}, S("x*"))
    assert got == [("schema_refactored", "neutral")]
    _, got = changes({"type": "string"}, S("^[a-z]"))
    assert got == [("pattern_added", "narrow")]
    _, got = changes(S("^[a-z]"), {"type": "string"})
    assert got == [("pattern_removed", "widen")]
    # a conjunct implied by the one already there
    _, got = changes(S("^ab"), {"allOf": [S("^ab"), S("a")]})
    assert got == [("schema_refactored", "neutral")]
    _, got = changes(S("^a"), {"allOf": [S("^a"), S("b")]})
    assert got == [("pattern_added", "narrow")]


def test_several_patterns_on_a_side_are_a_conjunction():
    r, got = changes({"allOf": [S("^a"), S("b$")]}, S("^a.*b$"))
    assert ("pattern_changed", "narrow") in got, [c.to_dict() for c in r.changes]
    d = decide(["^a", "b$"], ["^a.*b$"])
    assert d.new_in_old and not d.old_in_new and d.only_old == "a\nb"
    assert decide(["^a", "b$"], ["^a[^]*b$".replace("[^]", "[\\s\\S]"), "^a"]).old_in_new


@pytest.mark.parametrize("pattern,reason", [
    ("(a)\\1", "backreferences"),
    ("(a)(b)\\2", "backreferences"),
    ("a(?=b)", "lookaround"),
    ("a(?!b)", "lookaround"),
    ("(?<=a)b", "lookaround"),
    ("(?<!a)b", "lookaround"),
    ("\\bword\\b", "word boundary"),
    ("^\\p{L}+$", "Unicode property"),
    # Python-only or engine-dependent spellings: never guessed at
    ("\\Aabc\\Z", "different things"),
    ("(?P<n>a)", "not ECMA-262"),
    ("(?i)abc", "not ECMA-262"),
    ("a{,2}", "different things"),
    ("[]a]", "different things"),
    ("\\01", "octal"),
])
def test_unsupported_constructs_fall_back_and_say_why(pattern, reason):
    r, got = changes(S("^[a-z]+$"), S(pattern))
    assert got == [("pattern_changed", "change")]
    assert r.backward_breaking and r.forward_breaking
    desc = r.changes[0].description
    assert "inclusion not decided" in desc and reason in desc
    assert "treated as a change in both directions" in desc
    # added / removed keep today's one-way answers, with the note
    r, got = changes({"type": "string"}, S(pattern))
    assert got == [("pattern_added", "narrow")] and "not decided" in r.changes[0].description
    r, got = changes(S(pattern), {"type": "string"})
    assert got == [("pattern_removed", "widen")] and "not decided" in r.changes[0].description


def test_state_bound_falls_back_and_says_so():
    # (a|b)*a(a|b){14}: the DFA needs 2^15 states
    old, new = "(a|b)*a(a|b){14}", "(?:a|b)*a[ab]{14}"
    d = decide([old], [new])
    assert not d.decided and ("automaton states" in d.reason or "time bound" in d.reason)
    r, got = changes(S(old), S(new))
    assert got == [("pattern_changed", "change")]
    assert "inclusion not decided" in r.changes[0].description
    # the same shape within the bound is decided (equal languages)
    d = decide(["(a|b)*a(a|b){6}"], ["(?:a|b)*a[ab]{6}"])
    assert d.old_in_new and d.new_in_old
    d = decide(["(a|b)*a(a|b){6}"], ["(?:a|b)*a[ab]{6}"], max_states=50)
    assert not d.decided and d.reason == "more than 50 automaton states"


def test_pattern_size_and_time_bounds_fall_back():
    d = decide(["^a{6000}$"], ["^a+$"])
    assert not d.decided and "states for one pattern" in d.reason
    d = decide(["^(a|b)*a(a|b){9}$"], ["^(a|b)*a(a|b){9}b?$"], max_seconds=0.0)
    assert not d.decided and d.reason == "the time bound (0 s) was reached"


def test_comparison_budget_is_shared_and_not_cached():
    b = Budget(0.0)
    d = decide(["^q1$"], ["^q2$"], budget=b)
    assert not d.decided and "time budget for patterns" in d.reason
    # without the spent budget the same pair is decided (the budget's refusal was not cached)
    assert decide(["^q1$"], ["^q2$"]).decided
    b = Budget(10.0)
    decide(["^r1+$"], ["^r1*$"], budget=b)
    assert b.left < 10.0


def test_many_changed_patterns_stay_bounded(monkeypatch):
    """A schema whose every property's pattern changed to a hard pair: each decision stops at
    its bound, and once the comparison's budget is spent the rest are not even attempted; all
    are reported conservatively, with the reason."""
    props_old = {f"p{i}": S(f"(a|b)*a(a|b){{{14 + i % 3}}}q{i}") for i in range(12)}
    props_new = {f"p{i}": S(f"(?:a|b)*a[ab]{{{14 + i % 3}}}q{i}") for i in range(12)}
    old = {"type": "object", "properties": props_old}
    new = {"type": "object", "properties": props_new}
    r = compare(old, new, mode="full")
    assert r.backward_breaking and r.forward_breaking
    assert len(r.changes) == 12
    assert all(c.type == "pattern_changed" and c.effect == "change" and
               "inclusion not decided" in c.description for c in r.changes)
    # with the budget already spent nothing is attempted (and nothing cached)
    import accord.schemadiff.regexlang as regexlang

    class Spent(regexlang.Budget):
        def __init__(self):
            super().__init__(0.0)

    monkeypatch.setattr(regexlang, "Budget", Spent)
    r = compare(S("^[k-y]+$"), S("^[k-y0-9]+$"), mode="full")
    [c] = r.changes
    assert (c.type, c.effect) == ("pattern_changed", "change")
    assert "time budget for patterns (1 s) is spent" in c.description
    monkeypatch.undo()
    r = compare(S("^[k-y]+$"), S("^[k-y0-9]+$"), mode="full")
    assert [(c.type, c.effect) for c in r.changes] == [("pattern_changed", "widen")]


# ---------------------------------------------------------------------------------------------
# generated patterns, checked against the oracle
# ---------------------------------------------------------------------------------------------

# a small alphabet on which the classes below differ: letters, digits, '_', spaces and line
# terminators (ECMA '.' excludes \n \r U+2028 U+2029), NBSP (in ECMA \s), a non-ASCII letter
# (not in ECMA \w), an astral code point (one character with the u flag)
MAX_LEN = 12          # candidates stay short: the oracle backtracks
CHARS = ["a", "b", "c", "0", "1", "_", "-", " ", "\n", "\r", "\u2028", "\xa0", "é", "\U0001F600"]
ATOMS = ["a", "b", "c", "0", "-", ".", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "[ab]",
         "[^a]", "[a-c0]", "[^\\s]", "[\\d_]", "\\n", "\\u00e9", "[é\\u{1F600}]", "\\.", "x"]


@st.composite
def regexes(draw, depth=3):
    """Patterns from a small grammar. Backtracking engines (the oracle included) loop on
    '(a*)*' and run out of memory on deeply nested counted groups, so a group that can match
    the empty string takes only bounded quantifiers and variable repetition nests at most two
    deep (see _oracle_safe)."""
    def alt(d):
        n = draw(st.integers(1, 3 if d > 0 else 1))
        parts = [seq(d) for _ in range(n)]
        return ("|".join(p for p, _, _ in parts), any(e for _, e, _ in parts),
                max(v for _, _, v in parts))

    def seq(d):
        out, nullable, var = [], True, 0
        for _ in range(draw(st.integers(0, 4))):
            k = draw(st.integers(0, 9))
            if k == 0:
                out.append(draw(st.sampled_from(["^", "$"])))
                continue
            if k == 1 and d > 0:
                inner, empty, v = alt(d - 1)
                atom = draw(st.sampled_from(["(", "(?:"])) + inner + ")"
            else:
                atom, empty, v = draw(st.sampled_from(ATOMS)), False, 0
            choices = FIXED if v >= 2 else BOUNDED if empty else BOUNDED + UNBOUNDED
            q = draw(st.sampled_from(choices))
            out.append(atom + q)
            nullable = nullable and (empty or q in ("?", "*", "{0,2}", "??"))
            var = max(var, v + (q not in ("", "{2}")))
        return "".join(out), nullable, var

    return alt(depth)[0]


FIXED = ["", "", "{2}"]
BOUNDED = ["", "", "", "?", "{2}", "{0,2}", "{1,3}", "??"]
UNBOUNDED = ["*", "+", "{1,}", "+?"]


def _nullable(t):
    kind = t[0]
    if kind == "set":
        return False
    if kind in ("bos", "eos"):
        return True
    if kind == "cat":
        return all(_nullable(x) for x in t[1])
    if kind == "alt":
        return any(_nullable(x) for x in t[1])
    return t[2] == 0 or _nullable(t[1])


def _var_depth(t):
    """Nesting depth of repetitions with a variable count."""
    kind = t[0]
    if kind in ("cat", "alt"):
        return max((_var_depth(x) for x in t[1]), default=0)
    if kind == "rep":
        return _var_depth(t[1]) + (t[2] != t[3])
    return 0


def _oracle_safe(t):
    """What the oracle runs without blowing up (see regexes())."""
    def no_loop_on_empty(t):
        kind = t[0]
        if kind in ("cat", "alt"):
            return all(no_loop_on_empty(x) for x in t[1])
        if kind == "rep":
            return no_loop_on_empty(t[1]) and not (t[3] is None and _nullable(t[1]))
        return True
    return no_loop_on_empty(t) and _var_depth(t) <= 2


def _sample(tree, rnd):
    """A string built from a pattern's tree (anchors ignored): candidates near its language."""
    kind = tree[0]
    if kind == "set":
        inside = [c for c in CHARS if any(lo <= ord(c) <= hi for lo, hi in tree[1])]
        if inside:
            return rnd.choice(inside)
        lo, hi = rnd.choice(tree[1])
        return chr(rnd.randint(lo, min(hi, lo + 3)))
    if kind in ("bos", "eos"):
        return ""
    if kind == "cat":
        return "".join(_sample(t, rnd) for t in tree[1])
    if kind == "alt":
        return _sample(rnd.choice(tree[1]), rnd)
    _, node, lo, hi = tree
    n = rnd.randint(lo, lo + 2 if hi is None else min(hi, lo + 2))
    return "".join(_sample(node, rnd) for _ in range(n))


def _candidates(patterns, rnd, n=40):
    out = ["", "\n"]
    trees = [parse(p) for p in patterns]
    for _ in range(n):
        s = _sample(rnd.choice(trees), rnd)
        k = rnd.randint(0, 3)
        if k == 1:
            s = rnd.choice(CHARS) + s
        elif k == 2:
            s = s + rnd.choice(CHARS)
        elif k == 3 and s:
            i = rnd.randrange(len(s))
            s = s[:i] + rnd.choice(CHARS) + s[i + 1:]
        out.append(s[:MAX_LEN])
    out += ["".join(rnd.choice(CHARS) for _ in range(rnd.randint(0, 6))) for _ in range(n // 2)]
    return out


def _supported(p):
    """In the regular subset, accepted by the oracle, and safe to run on it."""
    try:
        tree = parse(p)
        regress.Regex(p, "u")
    except Exception:
        return False
    return _oracle_safe(tree)


@settings(max_examples=300, **SETTINGS)
@given(regexes(), st.integers(0, 2 ** 32))
def test_automaton_matches_like_ecma(p, seed):
    """Membership: the automaton and the ECMA-262 engine agree on every candidate string."""
    if not _supported(p):
        return
    m = matcher(p)
    for s in _candidates([p], random.Random(seed)):
        assert m(s) == oracle(p, s), (p, s)


def _check_decision(old, new, d, strings):
    for s in (d.only_old, d.only_new):
        if s is not None:
            strings.append(s)
    # witnesses are shortest strings, so short for these small patterns
    if d.only_old is not None:
        assert all(oracle(p, d.only_old) for p in old), (old, new, d)
        assert not all(oracle(p, d.only_old) for p in new), (old, new, d)
    if d.only_new is not None:
        assert all(oracle(p, d.only_new) for p in new), (old, new, d)
        assert not all(oracle(p, d.only_new) for p in old), (old, new, d)
    assert (d.only_old is None) == d.old_in_new and (d.only_new is None) == d.new_in_old
    for s in strings:
        in_old = all(oracle(p, s) for p in old)
        in_new = all(oracle(p, s) for p in new)
        if d.old_in_new:
            assert not (in_old and not in_new), f"{s!r} matches {old} but not {new}: {d}"
        if d.new_in_old:
            assert not (in_new and not in_old), f"{s!r} matches {new} but not {old}: {d}"


@settings(max_examples=400, **SETTINGS)
@given(regexes(), regexes(), st.integers(0, 2 ** 32))
def test_verdicts_agree_with_ecma_on_independent_pairs(p, q, seed):
    if not (_supported(p) and _supported(q)):
        return
    d = decide([p], [q])
    if not d.decided:          # only the bounds may refuse a supported pair
        assert "states" in d.reason or "time" in d.reason, d
        return
    _check_decision([p], [q], d, _candidates([p, q], random.Random(seed)))


def _mutate(p, rnd):
    """A nearby pattern: pairs that are often included in one another or equal."""
    ops = [lambda s: "^" + s, lambda s: s + "$", lambda s: f"(?:{s})?", lambda s: f"(?:{s})+",
           lambda s: f"{s}|a", lambda s: f"(?:{s})b", lambda s: s.replace("a", "[ab]"),
           lambda s: s.replace("\\d", "[0-9]"), lambda s: s.replace("+", "*"),
           lambda s: s.replace("*", "+"), lambda s: s.replace("{0,2}", "{0,3}"),
           lambda s: s.replace("^", ""), lambda s: s.replace("$", ""),
           lambda s: s.replace(".", "[^\\n]"), lambda s: s.replace("\\w", "[A-Za-z0-9_]")]
    for _ in range(rnd.randint(1, 2)):
        p = rnd.choice(ops)(p)
    return p


@settings(max_examples=400, **SETTINGS)
@given(regexes(depth=2), st.integers(0, 2 ** 32))
def test_verdicts_agree_with_ecma_on_mutations(p, seed):
    rnd = random.Random(seed)
    q = _mutate(p, rnd)
    if not (_supported(p) and _supported(q)):
        return
    d = decide([p], [q])
    if not d.decided:
        assert "states" in d.reason or "time" in d.reason, d
        return
    _check_decision([p], [q], d, _candidates([p, q], rnd))
    # and through compare(): the reported effect is the decision's
    try:
        r = compare(S(p), S(q), mode="full")
    except SchemaError:      # the engine's validity check refuses e.g. '(?:)?' (Python and Rust do)
        return
    assert (r.backward_breaking, r.forward_breaking) == (not d.old_in_new, not d.new_in_old)


@settings(max_examples=150, **SETTINGS)
@given(st.lists(regexes(depth=1), min_size=1, max_size=2),
       st.lists(regexes(depth=1), min_size=1, max_size=2), st.integers(0, 2 ** 32))
def test_verdicts_agree_with_ecma_on_conjunctions(old, new, seed):
    if not all(_supported(p) for p in old + new):
        return
    d = decide(old, new)
    if not d.decided:
        assert "states" in d.reason or "time" in d.reason, d
        return
    _check_decision(old, new, d, _candidates(old + new, random.Random(seed)))


def test_class_escapes_match_ecma():
    """\\s \\S . \\d \\w \\W agree with the oracle around every boundary of the ECMA sets and on
    a stride through all code points (lone surrogates excluded: a string parsed from JSON text
    with a valid encoding never holds one, and the oracle takes UTF-8)."""
    edges = {c + k for lo, hi in SPACE + DOT + WORD + DIGIT for c in (lo, hi + 1) for k in (-1, 0, 1)}
    cps = sorted(c for c in edges | set(range(0, 0x110000, 61)) | set(range(0x180))
                 if 0 <= c <= 0x10FFFF and not 0xD800 <= c <= 0xDFFF)
    for p in ("^\\s$", "^\\S$", "^.$", "^\\d$", "^\\w$", "^\\W$", "^[^\\s\\d]$", "^\\D$"):
        m = matcher(p)
        bad = [hex(c) for c in cps if m(chr(c)) != oracle(p, chr(c))]
        assert not bad, (p, bad[:10])
