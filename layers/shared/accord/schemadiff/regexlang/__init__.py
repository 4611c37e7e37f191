"""Exact inclusion between the languages of JSON Schema ``pattern`` keywords (ECMA-262, regular
subset), for the `pattern` decision of the diff engine (docs/schemadiff.md, "Patterns").

    >>> d = decide(["^[a-z]+$"], ["^[a-z0-9]+$"])
    >>> d.old_in_new, d.new_in_old, d.only_new
    (True, False, '0')

A side is the *conjunction* of its patterns (a string node may carry several through
``allOf``); no pattern at all = every string. Imported lazily by the engine, only when a
``pattern`` differs between the two sides.
"""
import time

from ..limits import (MAX_REGEX_COMPARE_SECONDS, MAX_REGEX_NFA_STATES, MAX_REGEX_SECONDS,
                      MAX_REGEX_STATES)
from .automaton import (TIME_BOUND, Alphabet, Dfa, Nfa, TooLarge, conjunction,
                        difference_witnesses)
from .syntax import Unsupported, parse

__all__ = ["Budget", "Decision", "clear_caches", "decide", "matcher", "show", "Unsupported",
           "TooLarge"]


class Decision:
    """``old_in_new`` / ``new_in_old``: language inclusion (``None`` = not decided, see
    ``reason``). ``only_old`` / ``only_new``: a shortest string matched by the old (new) side
    and not by the other, when one exists."""
    __slots__ = ("old_in_new", "new_in_old", "only_old", "only_new", "reason")

    def __init__(self, old_in_new, new_in_old, only_old=None, only_new=None, reason=None):
        self.old_in_new, self.new_in_old = old_in_new, new_in_old
        self.only_old, self.only_new, self.reason = only_old, only_new, reason

    @property
    def decided(self):
        return self.reason is None

    def __repr__(self):
        if self.reason:
            return f"Decision(undecided: {self.reason})"
        return (f"Decision(old_in_new={self.old_in_new}, new_in_old={self.new_in_old}, "
                f"only_old={self.only_old!r}, only_new={self.only_new!r})")


class Budget:
    """Seconds left for all the pattern decisions of one comparison (a schema with many
    changed patterns must not multiply the per-decision bound)."""
    __slots__ = ("left",)

    def __init__(self, seconds=MAX_REGEX_COMPARE_SECONDS):
        self.left = seconds


_TREES = {}
_DECISIONS = {}
_CACHE_MAX = 4096


def clear_caches():
    """Forget parsed patterns and decisions (benchmarks measure cold decisions)."""
    _TREES.clear()
    _DECISIONS.clear()


def _tree(p):
    t = _TREES.get(p)
    if t is None:
        try:
            t = parse(p)
        except Unsupported as e:
            t = e
        except RecursionError:
            t = Unsupported("nested too deeply")
        if len(_TREES) >= _CACHE_MAX:
            _TREES.clear()
        _TREES[p] = t
    if isinstance(t, Unsupported):
        raise Unsupported(f"{p!r}: {t}")
    return t


def decide(old, new, budget=None, max_states=MAX_REGEX_STATES, max_seconds=MAX_REGEX_SECONDS,
           max_nfa_states=MAX_REGEX_NFA_STATES):
    """Decide inclusion between the conjunction of the ``old`` patterns and of the ``new``.
    Never raises for a pattern it cannot handle: the decision is then undecided, with the
    reason. Decisions are cached per process, so the same pair gets the same answer within a
    comparison (including its side-effect-free trials) and costs nothing the second time;
    one cut short by an exhausted ``budget`` is not cached."""
    key = (tuple(sorted(set(old))), tuple(sorted(set(new))), max_states, max_seconds,
           max_nfa_states)
    d = _DECISIONS.get(key)
    if d is not None:
        return d
    if budget is not None and budget.left <= 0:
        return Decision(None, None, reason=_SPENT)
    seconds = max_seconds if budget is None else min(max_seconds, budget.left)
    t0 = time.perf_counter()
    d = _decide(key[0], key[1], max_states, t0 + seconds, max_nfa_states)
    if budget is not None:
        budget.left -= time.perf_counter() - t0
    if d.reason == TIME_BOUND:
        if seconds < max_seconds:
            return Decision(None, None, reason=_SPENT)   # not cached: the budget's doing
        d = Decision(None, None, reason=f"the time bound ({max_seconds:g} s) was reached")
    if len(_DECISIONS) >= _CACHE_MAX:
        _DECISIONS.clear()
    _DECISIONS[key] = d
    return d


_SPENT = f"this comparison's time budget for patterns ({MAX_REGEX_COMPARE_SECONDS:g} s) is spent"


def _decide(old, new, max_states, deadline, max_nfa_states):
    try:
        nfas_old = [Nfa(_tree(p), max_nfa_states) for p in old]
        nfas_new = [Nfa(_tree(p), max_nfa_states) for p in new]
        alphabet = Alphabet(nfas_old + nfas_new)
        only_old, only_new = difference_witnesses(
            conjunction([Dfa(n, alphabet) for n in nfas_old], alphabet),
            conjunction([Dfa(n, alphabet) for n in nfas_new], alphabet),
            alphabet, max_states, deadline)
    except Unsupported as e:
        return Decision(None, None, reason=f"unsupported pattern {e}")
    except TooLarge as e:
        return Decision(None, None, reason=str(e))
    except RecursionError:
        return Decision(None, None, reason="a pattern is nested too deeply")
    return Decision(only_old is None, only_new is None, only_old, only_new)


def show(s, limit=40):
    """A witness string for a description: its repr, cut after ``limit`` characters."""
    if len(s) <= limit:
        return repr(s)
    return f"{s[:limit]!r}… ({len(s)} characters)"


def matcher(pattern, max_nfa_states=MAX_REGEX_NFA_STATES):
    """``fn(s) -> bool``: does ``pattern`` match (anywhere in) ``s`` under the semantics this
    module decides with. For tests and diagnostics; raises Unsupported / TooLarge."""
    nfa = Nfa(_tree(pattern), max_nfa_states)
    return Dfa(nfa, Alphabet([nfa])).accepts
