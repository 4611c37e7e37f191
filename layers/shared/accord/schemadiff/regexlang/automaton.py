"""Search automata for ECMA-262 patterns, and the bounded inclusion check between two
conjunctions of them.

JSON Schema's ``pattern`` is unanchored: a string is valid if the pattern matches *anywhere* in
it. The automaton therefore recognises ``Σ* r Σ*`` (a Thompson NFA with a Σ-loop before and
after ``r``), where ``^`` and ``$`` are ε-moves guarded by the position: a ``^`` move is taken
only before the first character of the whole string, a ``$`` move only after the last. So
``^a|b$`` (= ``(^a)|(b$)``), ``(^|x)y``, ``a^b`` (matches nothing) and ``^$`` are all exact.

The NFAs are determinised lazily (subset construction on Python-int bitsets) over a shared
alphabet of *atoms*: the code-point intervals between every boundary of every character set of
both sides, so a class like ``[^a]`` costs two atoms, not a million code points. The product of
both sides' DFAs is explored breadth-first: the first reachable product state accepted by one
side and not the other gives a shortest witness string; if none is reachable, inclusion holds.
Exploration stops at a bound on product states and on time (:class:`TooLarge`).
"""
import time
from bisect import bisect_left, bisect_right
from collections import deque

from .charsets import ANY, MAX_CP

EPS, BOS, EOS = 0, 1, 2
TIME_BOUND = "time"
#: successor-table cells (DFA states x atoms) per side: bounds memory (~8 MB a side) when a
#: pattern has many distinct characters; the state bound shrinks to fit it
MAX_CELLS = 1_000_000


class TooLarge(Exception):
    """A bound was hit (message = which); the caller falls back to the conservative answer."""


class Nfa:
    """Thompson NFA of the search language ``Σ* tree Σ*`` with guarded ε-moves."""
    __slots__ = ("chars", "eps", "start", "final", "limit")

    def __init__(self, tree, limit):
        self.chars = []   # per state: [(interval set, target)]
        self.eps = []     # per state: [(EPS | BOS | EOS, target)]
        self.limit = limit
        p, f = self._new(), self._new()
        s, e = self._build(tree)
        self.chars[p].append((ANY, p))
        self.eps[p].append((EPS, s))
        self.eps[e].append((EPS, f))
        self.chars[f].append((ANY, f))
        self.start, self.final = p, f

    def _new(self):
        if len(self.chars) >= self.limit:
            raise TooLarge(f"more than {self.limit} automaton states for one pattern")
        self.chars.append([])
        self.eps.append([])
        return len(self.chars) - 1

    def _build(self, n):
        kind = n[0]
        if kind == "set":
            s, e = self._new(), self._new()
            self.chars[s].append((n[1], e))
            return s, e
        if kind == "bos" or kind == "eos":
            s, e = self._new(), self._new()
            self.eps[s].append((BOS if kind == "bos" else EOS, e))
            return s, e
        if kind == "cat":
            if not n[1]:
                s = self._new()
                return s, s
            s, e = self._build(n[1][0])
            for part in n[1][1:]:
                a, b = self._build(part)
                self.eps[e].append((EPS, a))
                e = b
            return s, e
        if kind == "alt":
            s, e = self._new(), self._new()
            for part in n[1]:
                a, b = self._build(part)
                self.eps[s].append((EPS, a))
                self.eps[b].append((EPS, e))
            return s, e
        # ("rep", node, lo, hi): lo mandatory copies, then a loop or (hi - lo) optional ones
        _, node, lo, hi = n
        s = cur = self._new()
        for _ in range(lo):
            a, b = self._build(node)
            self.eps[cur].append((EPS, a))
            cur = b
        e = self._new()
        if hi is None:
            a, b = self._build(node)
            self.eps[cur] += [(EPS, a), (EPS, e)]
            self.eps[b] += [(EPS, a), (EPS, e)]
        else:
            for _ in range(hi - lo):
                a, b = self._build(node)
                self.eps[cur] += [(EPS, a), (EPS, e)]
                cur = b
            self.eps[cur].append((EPS, e))
        return s, e

    def closure(self, mask, kinds):
        """Bitset of the states reachable from ``mask`` through ε-moves of ``kinds``."""
        todo = [q for q in range(mask.bit_length()) if mask >> q & 1]
        eps = self.eps
        while todo:
            q = todo.pop()
            for k, t in eps[q]:
                if k in kinds and not mask >> t & 1:
                    mask |= 1 << t
                    todo.append(t)
        return mask

    def closures(self, kinds):
        """The ε-closure (through moves of ``kinds``) of every state, as bitsets, in time linear
        in the moves (times a bitset OR): strongly connected components (iterative Tarjan) are
        completed in reverse topological order, so each one's successors are already closed."""
        n = len(self.eps)
        succ = [[t for k, t in moves if k in kinds] for moves in self.eps]
        index, low, on_stack = [-1] * n, [0] * n, [False] * n
        clo, stack, counter = [0] * n, [], 0
        for root in range(n):
            if index[root] != -1:
                continue
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack[root] = True
            work = [(root, 0)]
            while work:
                v, k = work[-1]
                if k < len(succ[v]):
                    work[-1] = (v, k + 1)
                    w = succ[v][k]
                    if index[w] == -1:
                        index[w] = low[w] = counter
                        counter += 1
                        stack.append(w)
                        on_stack[w] = True
                        work.append((w, 0))
                    elif on_stack[w] and index[w] < low[v]:
                        low[v] = index[w]
                    continue
                work.pop()
                if work and low[v] < low[work[-1][0]]:
                    low[work[-1][0]] = low[v]
                if low[v] == index[v]:
                    members, m = [], 0
                    while True:
                        w = stack.pop()
                        on_stack[w] = False
                        members.append(w)
                        m |= 1 << w
                        if w == v:
                            break
                    c = m
                    for x in members:
                        for y in succ[x]:
                            if not m >> y & 1:
                                c |= clo[y]
                    for x in members:
                        clo[x] = c
        return clo

    def coreachable(self, kinds, chars=True):
        """Bitset of the states from which ``final`` is reachable through ε-moves of ``kinds``
        (and character moves if ``chars``)."""
        back = [[] for _ in self.chars]
        for q, trans in enumerate(self.chars if chars else ()):
            for _, t in trans:
                back[t].append(q)
        for q, trans in enumerate(self.eps):
            for k, t in trans:
                if k in kinds:
                    back[t].append(q)
        mask, todo = 1 << self.final, [self.final]
        while todo:
            for q in back[todo.pop()]:
                if not mask >> q & 1:
                    mask |= 1 << q
                    todo.append(q)
        return mask


class Alphabet:
    """Atoms: the intervals ``[cuts[i], cuts[i+1])`` between all character-set boundaries."""
    __slots__ = ("cuts", "size", "order", "_memo")

    def __init__(self, nfas):
        cuts = {0, MAX_CP + 1}
        for nfa in nfas:
            for trans in nfa.chars:
                for cs, _ in trans:
                    for lo, hi in cs:
                        cuts.add(lo)
                        cuts.add(hi + 1)
        self.cuts = sorted(cuts)
        self.size = len(self.cuts) - 1
        self._memo = {}
        # atoms in the order the search tries them, readable ones first: witnesses come out as
        # 'a0-' rather than '\x00\x01'
        self.order = sorted(range(self.size), key=lambda i: _RANK.get(self.sample(i), 9))

    def atoms(self, cs):
        """Indices of the atoms making up the interval set ``cs``."""
        out = self._memo.get(cs)
        if out is None:
            cuts, out = self.cuts, []
            for lo, hi in cs:
                out.extend(range(bisect_left(cuts, lo), bisect_left(cuts, hi + 1)))
            self._memo[cs] = out
        return out

    def atom_of(self, ch):
        return bisect_right(self.cuts, ord(ch)) - 1

    def sample(self, i):
        """A readable code point of atom ``i`` (for witness strings)."""
        lo, hi = self.cuts[i], self.cuts[i + 1] - 1
        for a, b in _READABLE:
            if lo <= b and hi >= a:
                return chr(max(lo, a))
        return chr(lo)


_READABLE = ((0x61, 0x7A), (0x30, 0x39), (0x41, 0x5A), (0x21, 0x7E), (0x20, 0x20),
             (0xA0, 0xD7FF))
_RANK = {}
for _r, (_a, _b) in enumerate(_READABLE):
    for _c in range(_a, min(_b, 0x7F) + 1):
        _RANK.setdefault(chr(_c), _r)


class Dfa:
    """Lazily determinised search automaton of one pattern. States are interned ids; the start
    (position 0, where ``^`` holds) is its own state. A DFA state is the set of NFA states with
    character moves that can still reach ``final`` (ε-only states are folded into the closure
    and the accept bit), so equivalent subsets share an id; one holding ``final`` is universal
    (every extension matches), an empty non-accepting one is dead."""
    __slots__ = ("alphabet", "trans", "keep", "accept", "final_bit", "ids", "masks", "rows",
                 "acc", "univ", "dead", "init")

    def __init__(self, nfa, alphabet):
        self.alphabet = alphabet
        self.final_bit = 1 << nfa.final
        # after the first character a '^' move never holds again: liveness ignores BOS moves
        live = nfa.coreachable((EPS, EOS))
        self.keep = live & sum(1 << q for q, trans in enumerate(nfa.chars) if trans)
        # accepting at the end of the string: final reachable through ε- and '$'-moves only
        self.accept = nfa.coreachable((EPS, EOS), chars=False)
        clo = nfa.closures((EPS,))
        self.trans = [[(alphabet.atoms(cs), clo[t]) for cs, t in trans] for trans in nfa.chars]
        self.ids, self.masks, self.rows = {}, [], []
        self.acc, self.univ, self.dead = [], [], []
        m0 = nfa.closure(1 << nfa.start, (EPS, BOS))
        acc0 = bool(nfa.closure(m0, (EPS, BOS, EOS)) & self.final_bit)
        self.init = self._add("start", self._norm(m0), acc0)

    def _norm(self, mask):
        return self.final_bit if mask & self.final_bit else mask & self.keep

    def _add(self, key, mask, acc):
        i = len(self.masks)
        self.ids[key] = i
        self.masks.append(mask)
        self.rows.append(None)
        self.acc.append(acc)
        self.univ.append(mask == self.final_bit)
        self.dead.append(mask == 0 and not acc)
        return i

    def state(self, closed):
        """Id of the state for an ε-closed NFA state set (after a character)."""
        key = (self._norm(closed), bool(closed & self.accept))
        i = self.ids.get(key)
        if i is None:
            i = self._add(key, *key)
        return i

    def row(self, i):
        """Successor ids of state ``i``, one per atom."""
        r = self.rows[i]
        if r is None:
            mask, n = self.masks[i], self.alphabet.size
            if self.univ[i] or mask == 0:
                r = [self.state(mask)] * n
            else:
                acc = [0] * n
                trans = self.trans
                while mask:
                    low = mask & -mask
                    for atoms, tgt in trans[low.bit_length() - 1]:
                        for a in atoms:
                            acc[a] |= tgt
                    mask ^= low
                memo = {}
                r = []
                for m in acc:
                    j = memo.get(m)
                    if j is None:
                        j = memo[m] = self.state(m)
                    r.append(j)
            self.rows[i] = r
        return r

    def accepts(self, s):
        i, atom_of = self.init, self.alphabet.atom_of
        for ch in s:
            i = self.row(i)[atom_of(ch)]
        return self.acc[i]


class Everything:
    """The conjunction of no pattern: one universal accepting state."""
    __slots__ = ("row_", "init", "acc", "univ", "dead")

    def __init__(self, alphabet):
        self.row_ = [0] * alphabet.size
        self.init, self.acc, self.univ, self.dead = 0, [True], [True], [False]

    def row(self, i):
        return self.row_


class Intersection:
    """The conjunction of several DFAs (a string node with several patterns), lazily."""
    __slots__ = ("parts", "ids", "states", "rows", "acc", "univ", "dead", "init")

    def __init__(self, parts):
        self.parts = parts
        self.ids, self.states, self.rows = {}, [], []
        self.acc, self.univ, self.dead = [], [], []
        self.init = self._state(tuple(d.init for d in parts))

    def _state(self, st):
        i = self.ids.get(st)
        if i is None:
            i = self.ids[st] = len(self.states)
            self.states.append(st)
            self.rows.append(None)
            ps = list(zip(self.parts, st))
            self.acc.append(all(d.acc[j] for d, j in ps))
            self.univ.append(all(d.univ[j] for d, j in ps))
            self.dead.append(any(d.dead[j] for d, j in ps))
        return i

    def row(self, i):
        r = self.rows[i]
        if r is None:
            r = self.rows[i] = [self._state(st) for st in
                                zip(*(d.row(j) for d, j in zip(self.parts, self.states[i])))]
        return r


def conjunction(dfas, alphabet):
    if not dfas:
        return Everything(alphabet)
    return dfas[0] if len(dfas) == 1 else Intersection(dfas)


def difference_witnesses(da, db, alphabet, max_states, deadline):
    """Shortest strings accepted by ``da`` and not ``db``, and vice versa: ``(only_a, only_b)``,
    ``None`` where no such string exists (then inclusion holds). Breadth-first over the
    product; raises :class:`TooLarge` past ``max_states`` product states or ``deadline``."""
    max_states = min(max_states, max(1, MAX_CELLS // alphabet.size))
    start = (da.init, db.init)
    parent = {start: None}
    queue = deque([start])
    only_a = only_b = None
    a_acc, a_univ, a_dead, a_row = da.acc, da.univ, da.dead, da.row
    b_acc, b_univ, b_dead, b_row = db.acc, db.univ, db.dead, db.row
    order = alphabet.order
    clock = time.perf_counter
    while queue:
        st = queue.popleft()
        i, j = st
        if clock() > deadline:
            raise TooLarge(TIME_BOUND)
        if a_acc[i] != b_acc[j]:
            if a_acc[i]:
                if only_a is None:
                    only_a = _path(parent, st, alphabet)
            elif only_b is None:
                only_b = _path(parent, st, alphabet)
            if only_a is not None and only_b is not None:
                break
        if not ((only_a is None and not a_dead[i] and not b_univ[j])
                or (only_b is None and not b_dead[j] and not a_univ[i])):
            continue            # nothing below this state can still tell the sides apart
        ra, rb = a_row(i), b_row(j)
        for a in order:
            succ = (ra[a], rb[a])
            if succ not in parent:
                parent[succ] = (st, a)
                queue.append(succ)
        if len(parent) > max_states:
            raise TooLarge(f"more than {max_states} automaton states")
    return only_a, only_b


def _path(parent, st, alphabet):
    out = []
    while parent[st] is not None:
        st, a = parent[st]
        out.append(alphabet.sample(a))
    return "".join(reversed(out))
