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

from ..limits import MAX_REGEX_NFA_STATES, MAX_REGEX_SECONDS, MAX_REGEX_STATES
from .automaton import Alphabet, Dfa, Nfa, TooLarge, difference_witnesses
from .syntax import Unsupported, parse

__all__ = ["Decision", "decide", "matcher", "Unsupported", "TooLarge"]


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


_TREES = {}
_DECISIONS = {}
_CACHE_MAX = 4096


def _tree(p):
    t = _TREES.get(p)
    if t is None:
        try:
            t = parse(p)
        except Unsupported as e:
            t = e
        except RecursionError:
            t = Unsupported("nested too deeply")
        if len(_TREES) < _CACHE_MAX:
            _TREES[p] = t
    if isinstance(t, Unsupported):
        raise Unsupported(f"{p!r}: {t}")
    return t


def decide(old, new, max_states=MAX_REGEX_STATES, max_seconds=MAX_REGEX_SECONDS,
           max_nfa_states=MAX_REGEX_NFA_STATES):
    """Decide inclusion between the conjunction of the ``old`` patterns and of the ``new``.
    Never raises for a pattern it cannot handle: the decision is then undecided, with the
    reason. Decisions are cached per process (the same pair gets the same answer within a
    comparison, including its side-effect-free trials)."""
    key = (tuple(sorted(set(old))), tuple(sorted(set(new))), max_states, max_seconds,
           max_nfa_states)
    d = _DECISIONS.get(key)
    if d is None:
        d = _decide(key[0], key[1], max_states, max_seconds, max_nfa_states)
        if len(_DECISIONS) >= _CACHE_MAX:
            _DECISIONS.clear()
        _DECISIONS[key] = d
    return d


def _decide(old, new, max_states, max_seconds, max_nfa_states):
    deadline = time.perf_counter() + max_seconds
    try:
        nfas_old = [Nfa(_tree(p), max_nfa_states) for p in old]
        nfas_new = [Nfa(_tree(p), max_nfa_states) for p in new]
        alphabet = Alphabet(nfas_old + nfas_new)
        only_old, only_new = difference_witnesses(
            [Dfa(n, alphabet) for n in nfas_old], [Dfa(n, alphabet) for n in nfas_new],
            alphabet, max_states, deadline)
    except Unsupported as e:
        return Decision(None, None, reason=f"unsupported pattern {e}")
    except TooLarge as e:
        return Decision(None, None, reason=str(e))
    except RecursionError:
        return Decision(None, None, reason="a pattern is nested too deeply")
    return Decision(only_old is None, only_new is None, only_old, only_new)


def matcher(pattern, max_nfa_states=MAX_REGEX_NFA_STATES):
    """``fn(s) -> bool``: does ``pattern`` match (anywhere in) ``s`` under the semantics this
    module decides with. For tests and diagnostics; raises Unsupported / TooLarge."""
    nfa = Nfa(_tree(pattern), max_nfa_states)
    return Dfa(nfa, Alphabet([nfa])).accepts
