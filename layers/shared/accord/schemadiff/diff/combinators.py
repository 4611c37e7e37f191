"""Rules for combinators: anyOf/oneOf unions (branches paired by discriminator, then by best
match), allOf conjuncts, `not`, if/then/else, and switches between them — decided by trial
comparisons without side effects."""
from marshal import dumps as _dumps

from ..canon import CNode, _part, int_bounds
from ..errors import SchemaError
from ..limits import MAX_PAIRWISE
from ..values import (
    T_ALL,
    T_ARR,
    T_BOOL,
    T_INT,
    T_NULL,
    T_NUM,
    T_NUMBER,
    T_OBJ,
    T_STR,
    refs_in,
    vkey,
)
from .common import (
    _COMB_RANK,
    _LIST_SET_KW,
    BW,
    F_STRICT,
    F_TABLE,
    FW,
    _cap,
    _label,
    _raw_of,
    _raw_out,
)
from .scalars import _gt


def _dump_or(x):
    try:
        return _dumps(x)
    except (ValueError, RecursionError):
        return b"Ref"


def _rnorm(x, depth=0):
    t = type(x)
    if depth > 64:
        return ("deep", id(x))
    if t is dict:
        out = []
        for k, v in x.items():
            if k in _LIST_SET_KW and type(v) is list:
                try:
                    out.append((k, ("set", tuple(sorted(repr(vkey(e)) for e in v)))))
                except SchemaError:
                    out.append((k, repr(v)))
            elif k in ("anyOf", "oneOf", "allOf") and type(v) is list:
                out.append((k, ("ms", tuple(sorted(repr(_rnorm(e, depth + 1)) for e in v)))))
            elif k in ("examples",) and type(v) is list:
                out.append((k, ("set", tuple(sorted(repr(_rnorm(e, depth + 1)) for e in v)))))
            else:
                out.append((k, _rnorm(v, depth + 1)))
        return ("o", tuple(sorted(out, key=lambda kv: kv[0])))
    if t is list:
        return ("a", tuple(_rnorm(e, depth + 1) for e in x))
    if t is CNode:
        return ("node", id(x))
    try:
        return vkey(x)
    except SchemaError:
        return ("?", repr(x))


def _rnorm_repr(x):
    return repr(_rnorm(x))


def _fingerprint(raw):
    """Order-insensitive identity of a raw branch, or None if it holds a $ref (whose target
    may differ between the two documents) or is synthetic."""
    if type(raw) is CNode:
        return None
    if type(raw) is dict and refs_in(_dump_or(raw)):
        return None
    return _rnorm_repr(raw)


def _restrict(n, bits):
    m = n.copy()
    m.types = n.types & bits
    m.raw = None
    m.ann = None
    return m


def _split_families(doc, n):
    n0 = doc.deref(doc.canon(n)) if type(n) is not CNode else doc.deref(n)
    if n0.has_combinators() or n0.enum is not None or n0.types == T_ALL:
        return [n]
    parts = []
    for fam in (T_NULL, T_BOOL, T_OBJ, T_ARR, T_NUMBER, T_STR):
        if n0.types & fam:
            parts.append(_restrict(n0, fam))
    return parts if len(parts) > 1 else [n]


def _strip_resid(n):
    if n.allof is None and n.not_ is None and n.cond is None:
        return n
    m = n.copy()
    m.allof = m.not_ = m.cond = None
    m.raw = None
    m.ann = None
    return m


def _has_null(doc, n):
    if n.types & T_NULL:
        if n.enum is not None:
            return ("z",) in n.enum
        return True
    return False


def _strip_null(doc, n):
    if not n.types & T_NULL:
        return n
    m = n.copy()
    m.types = n.types & ~T_NULL
    if n.enum is not None:
        m.enum = {k: v for k, v in n.enum.items() if k != ("z",)}
    if n.anyof is not None:
        keep = tuple(b for b in n.anyof if doc.deref(doc.canon(b)).types & ~T_NULL)
        m.anyof = keep or None
    m.raw = None
    m.ann = None
    return m


def _discriminators(doc, x):
    """{property: set of value keys} for required properties with a const/enum."""
    n = doc.deref(doc.canon(x))
    o = n.obj
    if o is None:
        return {}
    out = {}
    for name in o.req:
        s = o.props.get(name)
        if s is None:
            continue
        try:
            sn = doc.deref(doc.canon(s))
        except SchemaError:
            continue
        if sn.enum is not None:
            out[name] = frozenset(sn.enum)
    return out


def _disjoint_nodes(da, a, db, b):
    """True if no JSON value is valid under both nodes (a from doc da, b from doc db)."""
    a = da.deref(a)
    b = db.deref(b)
    common = a.types & b.types
    if not common:
        return True
    if a.enum is not None and b.enum is not None:
        return not (set(a.enum) & set(b.enum))
    if a.enum is not None or b.enum is not None:
        e, other, od = (a.enum, b, db) if a.enum is not None else (b.enum, a, da)
        return all(od.satisfies(other, v) is False for v in e.values())
    if a.anyof is not None or b.anyof is not None or a.oneof is not None or b.oneof is not None:
        return False
    for bit in (T_NULL, T_BOOL, T_OBJ, T_ARR, T_NUM, T_INT, T_STR):
        if not common & bit:
            continue
        if bit in (T_NULL, T_BOOL):
            return False
        if bit & T_NUMBER:
            if not _num_disjoint(a.num, b.num, bit == T_INT):
                return False
        elif bit == T_STR:
            sa = a.strc or (0, None, frozenset())
            sb = b.strc or (0, None, frozenset())
            if not (_gt(sa[0], sb[1]) or _gt(sb[0], sa[1])) and not \
                    (sa[1] is not None and sb[0] > sa[1]) and not \
                    (sb[1] is not None and sa[0] > sb[1]):
                return False
        elif bit == T_OBJ:
            if not _obj_disjoint(da, a, db, b):
                return False
        else:
            return False
    return True


def _num_disjoint(x, y, intdom):
    x = x or (None, False, None, False, ())
    y = y or (None, False, None, False, ())
    if intdom:
        la, ha = int_bounds(x)
        lb, hb = int_bounds(y)
        return (ha is not None and lb is not None and ha < lb) or \
            (hb is not None and la is not None and hb < la)
    def below(hi, hie, lo, loe):
        if hi is None or lo is None:
            return False
        return hi < lo or (hi == lo and (hie or loe))
    return below(x[2], x[3], y[0], y[1]) or below(y[2], y[3], x[0], x[1])


def _obj_disjoint(da, a, db, b):
    oa, ob = a.obj, b.obj
    if oa is None or ob is None:
        return False
    for name in oa.req & ob.req:
        x, y = oa.props.get(name), ob.props.get(name)
        if x is None or y is None:
            continue
        if _disjoint_nodes(da, da.canon(x), db, db.canon(y)):
            return True
    return False


class CombinatorRules:
    """Unions, conjunctions, negation and conditionals."""

    def _alts(self, doc, n):
        hit = doc.alt_cache.get(id(n))
        if hit is not None:
            return hit[0]
        if n.anyof is not None:
            kw, branches, exclusive = "anyOf", n.anyof, False
            base = n.copy()
            base.anyof = None
        elif n.oneof is not None:
            kw, branches, exclusive = "oneOf", n.oneof, True
            base = n.copy()
            base.oneof = None
        else:
            out = ([n], None, False, [n.raw])
            doc.alt_cache[id(n)] = (out, n)
            return out
        base.ann = None
        base.raw = None
        from ..canon import merge
        alts = []
        constrained = base.constrained()
        for br in branches:
            cb = doc.canon(br)
            if not constrained:
                alts.append(cb)
                continue
            tb = doc.deref(cb)
            if tb.ref is not None or tb.has_combinators():
                # base AND a branch that is itself a union / reference: kept as a lazy
                # conjunction (merging would unfold a recursive union without end)
                alts.append(_part(allof=(base, br)))
            else:
                alts.append(merge(doc, base, tb))
        out = (alts, kw, exclusive, list(branches))
        doc.alt_cache[id(n)] = (out, n)
        return out

    def _covered(self, x, ys, exclusive, fl, direction, xs_doc_is_old, hint=None):
        """x ⊆ union(ys) (writer x, reader ys) in the given direction. `hint` = indices of ys
        worth trying first (an identical branch); with many branches only the hinted ones
        and the discriminator-compatible ones are tried (otherwise: not covered)."""
        def incl(y):
            if direction == BW:
                return not (self.trial(x, y, fl) & BW)
            return not (self.trial(y, x, fl) & FW)
        order = list(hint or ())
        if len(ys) <= MAX_PAIRWISE:
            order += [j for j in range(len(ys)) if j not in order]
        else:
            xd = self._discs(self.da if direction == BW else self.db, x)
            if xd:
                _, index, _ = self._disc_idx(ys, direction)
                cands = set()
                for name, vals in xd.items():
                    for v in vals:
                        cands |= index.get((name, v), set())
                order += sorted(cands - set(order))
        for j in order:
            y = ys[j]
            if incl(y):
                if exclusive and len(ys) > 1:
                    if len(ys) > MAX_PAIRWISE:
                        return self._disjoint_by_discriminator(x, ys, j, direction)
                    for k, z in enumerate(ys):
                        if k != j and not self._disjoint(x, z, direction):
                            return False
                return True
        # split x by JSON type and cover each part separately
        doc = self.da if direction == BW else self.db
        xn = doc.deref(doc.canon(x))
        if exclusive or xn.has_combinators() or len(ys) > MAX_PAIRWISE:
            return False
        t = xn.types
        parts = [b for b in (T_NULL, T_BOOL, T_OBJ, T_ARR, T_NUM, T_INT, T_STR) if t & b]
        if len(parts) < 2:
            return False
        for b in parts:
            xp = self._synth(_restrict, None, xn, b)
            ok = False
            for y in ys:
                r = self.trial(xp, y, fl) & BW if direction == BW else self.trial(y, xp, fl) & FW
                if not r:
                    ok = True
                    break
            if not ok:
                return False
        return True

    def _discs(self, doc, x):
        key = id(x)
        hit = self.discs.get(key)
        if hit is None:
            hit = self.discs[key] = (_discriminators(doc, x), x)
        return hit[0]

    def _disc_idx(self, ys, direction):
        """(names that discriminate every branch, (name, value) -> branch indices) of ys."""
        key = (id(ys), direction)
        hit = self.disc_index.get(key)
        if hit is None:
            ydoc = self.db if direction == BW else self.da
            per = [self._discs(ydoc, y) for y in ys]
            common = set(per[0]).intersection(*per[1:]) if per else set()
            index = {}
            for k, d in enumerate(per):
                for name, vals in d.items():
                    for v in vals:
                        index.setdefault((name, v), set()).add(k)
            hit = self.disc_index[key] = (common, index, ys)
        return hit

    def _disjoint_by_discriminator(self, x, ys, j, direction):
        """Large oneOf: x is disjoint from every branch but ys[j] if some discriminator
        property of x is a discriminator of every branch, with values no other branch uses."""
        xdoc = self.da if direction == BW else self.db
        common, index, _ = self._disc_idx(ys, direction)
        xd = self._discs(xdoc, x)
        for name in common & set(xd):
            if all(index.get((name, v), set()) <= {j} for v in xd[name]):
                return True
        return False

    def _disjoint(self, x, z, direction):
        """x (a side's node) and z (a node of the other side) provably share no value."""
        if direction == BW:
            return _disjoint_nodes(self.da, self.da.canon(x), self.db, self.db.canon(z))
        return _disjoint_nodes(self.db, self.db.canon(x), self.da, self.da.canon(z))

    def _combinator_switch(self, na, nb, path, fl):
        ra, rb = na.raw, nb.raw
        if type(ra) is not dict or type(rb) is not dict:
            return None
        if not (("anyOf" in ra or "oneOf" in ra or "allOf" in ra)
                and ("anyOf" in rb or "oneOf" in rb or "allOf" in rb)):
            return None
        ka = [k for k in ("allOf", "anyOf", "oneOf") if k in ra]
        kb = [k for k in ("allOf", "anyOf", "oneOf") if k in rb]
        if len(ka) != 1 or len(kb) != 1 or ka[0] == kb[0]:
            return None
        la, lb = ra[ka[0]], rb[kb[0]]
        if type(la) is not list or type(lb) is not list or len(la) < 2 or len(la) != len(lb):
            return None
        if sorted(map(_rnorm_repr, la)) != sorted(map(_rnorm_repr, lb)):
            return None
        saved = self.sink
        self.sink = None
        try:
            if na.anyof is not None or na.oneof is not None or nb.anyof is not None \
                    or nb.oneof is not None:
                bits = self._cmp_union(na, nb, path, fl)
            else:
                bits = self._cmp_residual(na, nb, path, fl) | self._cmp_plain(na, nb, path, fl)
        finally:
            self.sink = saved
        if not bits:
            return 0
        wider = _COMB_RANK[kb[0]] > _COMB_RANK[ka[0]]
        self.emit("combinator_widened" if wider else "combinator_narrowed", path, bits, ka[0],
                  kb[0], f"{_cap(_label(path))}: {ka[0]} changed to {kb[0]}")
        return bits

    def _cmp_union(self, na, nb, path, fl):
        A, kwa, exA, rawA = self._alts(self.da, na)
        B, kwb, exB, rawB = self._alts(self.db, nb)
        # a side folded into one node spanning several JSON types pairs better with the other
        # side's branches when split back per type family (same value set)
        if len(A) == 1 and len(B) > 1:
            A = self._synth(_split_families, self.da, A[0])
            rawA = A if len(A) > 1 else rawA
        elif len(B) == 1 and len(A) > 1:
            B = self._synth(_split_families, self.db, B[0])
            rawB = B if len(B) > 1 else rawB
        # verdict (an identical branch on the other side is tried first)
        fpa = [_fingerprint(r) for r in rawA]
        fpb = [_fingerprint(r) for r in rawB]
        ib, ia = {}, {}
        for j, f in enumerate(fpb):
            if f is not None:
                ib.setdefault(f, j)
        for i, f in enumerate(fpa):
            if f is not None:
                ia.setdefault(f, i)
        bw_ok = all(self._covered(a, B, exB, fl, BW, True,
                                  (ib[fpa[i]],) if fpa[i] in ib else None)
                    for i, a in enumerate(A))
        fw_ok = all(self._covered(b, A, exA, fl, FW, False,
                                  (ia[fpb[j]],) if fpb[j] in ia else None)
                    for j, b in enumerate(B))
        bits = (0 if bw_ok else BW) | (0 if fw_ok else FW)
        if self.sink is None:
            return bits
        # report: pair branches (fingerprint, discriminator, best match)
        pairs, unA, unB = self._pair(A, B, rawA, rawB, fl)
        for i, j in pairs:
            sub = f"{path}.{kwb}[{j}]" if kwb else path
            self.cmp(A[i], B[j], sub, fl)
        for j in unB:
            r = 0 if self._covered(B[j], A, exA, fl, FW, False,
                                   (ia[fpb[j]],) if fpb[j] in ia else None) else FW
            sub = f"{path}.{kwb}[{j}]" if kwb else path
            self.emit("union_branch_added", sub, r, None, _raw_out(rawB[j]),
                      f"A branch was added to {_label(path)}")
        for i in unA:
            r = 0 if self._covered(A[i], B, exB, fl, BW, True,
                                   (ib[fpa[i]],) if fpa[i] in ib else None) else BW
            sub = f"{path}.{kwa}[{i}]" if kwa else path
            self.emit("union_branch_removed", sub, r, _raw_out(rawA[i]), None,
                      f"A branch was removed from {_label(path)}")
        if exB and len(B) > 1:
            ov_b = self._overlaps(self.db, B, fpb)
            ov_a = self._overlaps(self.da, A, fpa) if exA else set()
            new = ov_b - ov_a
            if new:
                self.emit("oneof_overlap_introduced", path + f".{kwb}", BW | FW, None, None,
                          f"Branches of oneOf at {_label(path)} now overlap: a value matching "
                          "two branches is invalid")
        return bits

    def _overlaps(self, doc, alts, fps):
        out = set()
        if len(alts) > MAX_PAIRWISE:   # reported for unions of moderate size only
            return out
        nodes = [doc.canon(a) for a in alts]
        for i in range(len(alts)):
            for j in range(i + 1, len(alts)):
                if not _disjoint_nodes(doc, nodes[i], doc, nodes[j]):
                    out.add(frozenset((fps[i] or ("#", i), fps[j] or ("#", j))))
        return out

    def _pair(self, A, B, rawA, rawB, fl):
        pairs = []
        if len(A) == 1 and len(B) == 1:
            return [(0, 0)], [], []
        ua = dict.fromkeys(range(len(A)))     # ordered sets
        ub = dict.fromkeys(range(len(B)))
        # 1. identical branches
        fa = {}
        for i in ua:
            fa.setdefault(_rnorm_repr(rawA[i]), []).append(i)
        for j in list(ub):
            lst = fa.get(_rnorm_repr(rawB[j]))
            if lst:
                i = lst.pop(0)
                pairs.append((i, j))
                del ua[i]
                del ub[j]
        # 2. discriminator (a const / enum on a required property), through an index
        if ua and ub:
            idx = {}
            for j in ub:
                for name, vals in _discriminators(self.db, B[j]).items():
                    for v in vals:
                        idx.setdefault((name, v), []).append(j)
            if idx:
                for i in list(ua):
                    found = None
                    for name, vals in _discriminators(self.da, A[i]).items():
                        for v in vals:
                            for j in idx.get((name, v), ()):
                                if j in ub:
                                    found = j
                                    break
                            if found is not None:
                                break
                        if found is not None:
                            break
                    if found is not None:
                        pairs.append((i, found))
                        del ua[i]
                        del ub[found]
        ua, ub = list(ua), list(ub)
        # 3. best compatibility match
        if ua and ub and len(ua) <= MAX_PAIRWISE and len(ub) <= MAX_PAIRWISE:
            scored = []
            for i in ua:
                ta = self.da.deref(self.da.canon(A[i])).types
                dai = self._discs(self.da, A[i])
                for j in ub:
                    tb = self.db.deref(self.db.canon(B[j])).types
                    if not ta & tb:
                        continue
                    dbj = self._discs(self.db, B[j])
                    shared = set(dai) & set(dbj)
                    if shared and all(not (dai[k] & dbj[k]) for k in shared):
                        continue   # different variants of a discriminated union
                    r = self.trial(A[i], B[j], fl)
                    score = {0: 0, BW: 1, FW: 1, BW | FW: 2}[r]
                    scored.append((score, i, j))
            scored.sort()
            for score, i, j in scored:
                if i in ua and j in ub:
                    pairs.append((i, j))
                    ua.remove(i)
                    ub.remove(j)
        pairs.sort(key=lambda p: p[1])
        return pairs, ua, ub

    def _cmp_residual(self, na, nb, path, fl):
        bits = 0
        sfl = (fl & ~F_TABLE) | F_STRICT
        RA, RB = na.allof or (), nb.allof or ()
        if RA or RB:
            baseA = self._synth(_strip_resid, None, na)
            baseB = self._synth(_strip_resid, None, nb)
            partsA = [baseA] + list(RA)
            partsB = [baseB] + list(RB)
            bw_ok = all(any(not (self.trial(p, rb, sfl) & BW) for p in partsA) for rb in RB)
            fw_ok = all(any(not (self.trial(ra, p, sfl) & FW) for p in partsB) for ra in RA)
            bits |= (0 if bw_ok else BW) | (0 if fw_ok else FW)
            if self.sink is not None:
                rawA = [_raw_of(x) for x in RA]
                rawB = [_raw_of(x) for x in RB]
                pairs, ua, ub = self._pair(list(RA), list(RB), rawA, rawB, sfl) \
                    if RA and RB else ([], list(range(len(RA))), list(range(len(RB))))
                for i, j in pairs:
                    self.cmp(RA[i], RB[j], f"{path}.allOf[{j}]", sfl)
                for j in ub:
                    r = 0 if any(not (self.trial(p, RB[j], sfl) & BW) for p in partsA) else BW
                    self.emit("allof_conjunct_added", f"{path}.allOf[{j}]", r, None,
                              _raw_out(rawB[j]), f"A conjunct (allOf) was added to {_label(path)}")
                for i in ua:
                    r = 0 if any(not (self.trial(RA[i], p, sfl) & FW) for p in partsB) else FW
                    self.emit("allof_conjunct_removed", f"{path}.allOf[{i}]", r,
                              _raw_out(rawA[i]), None,
                              f"A conjunct (allOf) was removed from {_label(path)}")
        XA, XB = na.not_, nb.not_
        if XA is not None or XB is not None:
            if XA is not None and XB is not None:
                r = self.trial(XA, XB, sfl)
                b = (BW if r & FW else 0) | (FW if r & BW else 0)
            elif XB is not None:
                b = 0 if _disjoint_nodes(self.da, _strip_resid(na), self.db,
                                         self.db.canon(XB)) else BW
            else:
                b = 0 if _disjoint_nodes(self.db, _strip_resid(nb), self.da,
                                         self.da.canon(XA)) else FW
            if b:
                t = "not_narrowed" if b & BW else "not_widened"
                self.emit(t, path + ".not", b, _raw_out(XA), _raw_out(XB),
                          f"The 'not' exclusion of {_label(path)} "
                          + ("now excludes more values" if t == "not_narrowed"
                             else "now excludes fewer values"))
            bits |= b
        CA, CB = na.cond, nb.cond
        if CA is not None or CB is not None:
            if CA is not None and CB is not None and _rnorm_repr(CA[0]) == _rnorm_repr(CB[0]) \
                    and not refs_in(_dump_or(CA[0])):
                ta = CA[1] if CA[1] is not None else True
                tb = CB[1] if CB[1] is not None else True
                bits |= self.cmp(ta, tb, path + ".then", sfl)
                ea = CA[2] if CA[2] is not None else True
                eb = CB[2] if CB[2] is not None else True
                bits |= self.cmp(ea, eb, path + ".else", sfl)
            else:
                b = (BW | FW) if (CA is not None and CB is not None) else \
                    (BW if CB is not None else FW)
                self.emit("conditional_changed", path, b, None, None,
                          f"Conditional (if/then/else) of {_label(path)} "
                          + ("changed" if b == BW | FW else ("added" if b == BW else "removed")))
                bits |= b
        return bits
