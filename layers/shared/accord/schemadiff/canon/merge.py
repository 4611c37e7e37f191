"""Folding nodes together: allOf conjuncts merged per JSON type (numeric intervals, string
constraints, array and object slots), anyOf/oneOf unions of single-type branches turned into
type sets, and enums filtered by everything else (§3.4-3.5)."""
from ..limits import MAX_BRANCHES
from ..values import (
    NUMERIC_FORMATS,
    T_ARR,
    T_BOOL,
    T_NULL,
    T_NUMBER,
    T_OBJ,
    T_STR,
    jtype,
)
from .nodes import ANY, NEVER, CNode, ObjC, is_any, is_never


def _merge_num(a, b):
    if a is None:
        return b
    if b is None:
        return a
    lo, lo_ex, hi, hi_ex, m1 = a
    lo2, lo_ex2, hi2, hi_ex2, m2 = b
    if lo2 is not None and (lo is None or lo2 > lo or (lo2 == lo and lo_ex2)):
        lo, lo_ex = lo2, lo_ex2
    if hi2 is not None and (hi is None or hi2 < hi or (hi2 == hi and hi_ex2)):
        hi, hi_ex = hi2, hi_ex2
    return (lo, lo_ex, hi, hi_ex, tuple(sorted(set(m1) | set(m2))))


def _merge_str(a, b):
    if a is None:
        return b
    if b is None:
        return a
    mx = a[1] if b[1] is None else (b[1] if a[1] is None else min(a[1], b[1]))
    return (max(a[0], b[0]), mx, a[2] | b[2])


def _merge_arr(doc, a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a.prefix is not None or b.prefix is not None or (a.contains is not None and
                                                         b.contains is not None) \
            or a.uneval is not None or b.uneval is not None:
        return None
    r = a.copy()
    if b.items is not None:
        r.items = b.items if a.items is None else doc.conj(a.items, b.items)
    if b.contains is not None:
        r.contains, r.minc, r.maxc = b.contains, b.minc, b.maxc
    r.mini = max(a.mini, b.mini)
    r.maxi = b.maxi if a.maxi is None else (a.maxi if b.maxi is None else min(a.maxi, b.maxi))
    r.unique = a.unique or b.unique
    return r


def _merge_obj(doc, a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a.pats or b.pats or (a.pn is not None and b.pn is not None) \
            or (a.uneval is not None and b.uneval is not None):
        return None
    r = ObjC()
    props = {}
    for name, x in a.props.items():
        y = b.props.get(name)
        if y is not None:
            props[name] = doc.conj(x, y)
        elif b.addl is not None:
            props[name] = doc.conj(x, b.addl)
        else:
            props[name] = x
    for name, y in b.props.items():
        if name not in a.props:
            props[name] = doc.conj(a.addl, y) if a.addl is not None else y
    r.props = props
    r.req = a.req | b.req
    if a.addl is not None and b.addl is not None:
        r.addl = doc.conj(a.addl, b.addl)
    else:
        r.addl = a.addl if a.addl is not None else b.addl
    r.uneval = a.uneval if a.uneval is not None else b.uneval
    if r.addl is not None and a.addl is None and a.props and b.addl is not None:
        pass
    r.pn = a.pn if a.pn is not None else b.pn
    r.minp = max(a.minp, b.minp)
    r.maxp = b.maxp if a.maxp is None else (a.maxp if b.maxp is None else min(a.maxp, b.maxp))
    if a.depreq or b.depreq:
        dr = dict(a.depreq or {})
        for k, v in (b.depreq or {}).items():
            dr[k] = dr.get(k, frozenset()) | v
        r.depreq = dr
    if a.depsch or b.depsch:
        ds = dict(a.depsch or {})
        for k, v in (b.depsch or {}).items():
            ds[k] = doc.conj(ds[k], v) if k in ds else v
        r.depsch = ds
    return r


def _part(**kw):
    m = CNode()
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def merge(doc, a, b):
    """The conjunction of two canonical nodes (unfoldable parts go to the residual allOf)."""
    if a is None or b is None:
        return a if b is None else b
    if b.ref is not None or a.ref is not None:
        # a pure $ref node that could not be dereferenced yet stays a residual conjunct
        x, r = (a, b) if b.ref is not None else (b, a)
        n = x.copy()
        n.allof = tuple(n.allof or ()) + (r,)
        return n
    if not b.constrained():
        if b.ann and a.ann is None:
            n = a.copy()
            n.ann = b.ann
            return n
        return a
    if not a.constrained() and a.ann is None:
        return b
    n = CNode()
    n.raw = a.raw
    n.types = a.types & b.types
    if a.ann or b.ann:
        n.ann = dict(a.ann or {}, **(b.ann or {}))
    residual = list(a.allof or ()) + list(b.allof or ())
    if a.enum is not None or b.enum is not None:
        if a.enum is not None and b.enum is not None:
            e = {k: v for k, v in a.enum.items() if k in b.enum}
            other = None
        else:
            e, other = (a.enum, b) if a.enum is not None else (b.enum, a)
        if other is not None:
            probe = other.copy()
            probe.enum = None
            e = {k: v for k, v in e.items() if doc.satisfies(probe, v) is not False}
        n.enum = e
        n.types = 0
        for v in e.values():
            n.types |= jtype(v)
        return n
    n.num = _merge_num(a.num, b.num)
    n.strc = _merge_str(a.strc, b.strc)
    if a.fmt is not None and b.fmt is not None and a.fmt != b.fmt:
        n.fmt = a.fmt
        residual.append(_part(fmt=b.fmt))
    else:
        n.fmt = a.fmt if a.fmt is not None else b.fmt
    arr = _merge_arr(doc, a.arr, b.arr)
    if arr is None and a.arr is not None and b.arr is not None:
        n.arr = a.arr
        residual.append(_part(arr=b.arr))
    else:
        n.arr = arr
    obj = _merge_obj(doc, a.obj, b.obj)
    if obj is None and a.obj is not None and b.obj is not None:
        n.obj = a.obj
        residual.append(_part(obj=b.obj))
    else:
        n.obj = obj
    for attr in ("anyof", "oneof", "not_", "cond"):
        x, y = getattr(a, attr), getattr(b, attr)
        if x is not None and y is not None:
            setattr(n, attr, x)
            residual.append(_part(**{attr: y}))
        else:
            setattr(n, attr, x if x is not None else y)
    if residual:
        n.allof = tuple(residual)
    if not n.types & T_OBJ:
        n.obj = None
    if not n.types & T_ARR:
        n.arr = None
    if not n.types & T_NUMBER and (n.fmt is None or n.fmt in NUMERIC_FORMATS):
        n.num = None
    if not n.types & T_STR:
        n.strc = None
    return n


_FAMILIES = ((T_NULL, ()), (T_BOOL, ()), (T_OBJ, ("obj",)), (T_ARR, ("arr",)),
             (T_NUMBER, ("num",)), (T_STR, ("strc",)))


def _family_constrained(n, fam):
    if fam == T_OBJ:
        return n.obj is not None
    if fam == T_ARR:
        return n.arr is not None
    if fam == T_NUMBER:
        return n.num is not None or (n.fmt is not None and n.fmt in NUMERIC_FORMATS)
    if fam == T_STR:
        return n.strc is not None or (n.fmt is not None and n.fmt not in NUMERIC_FORMATS)
    return False


def union_merge(doc, alts, exclusive):
    """Fold anyOf/oneOf branches into one node when they form a type set (§3.4), else None."""
    alts = [a for a in alts if not is_never(a)]
    if not alts:
        return NEVER
    if len(alts) == 1:
        a = alts[0]
        if a.ann:
            a = a.copy()
            a.ann = None
        return a
    for a in alts:
        if a.has_combinators() or a.ref is not None:
            return None
    if not exclusive and any(is_any(a) for a in alts):
        return ANY
    enums = [a for a in alts if a.enum is not None]
    plain = [a for a in alts if a.enum is None]
    if exclusive:
        seen = 0
        for a in alts:
            if a.types & seen:
                return None
            seen |= a.types
    if enums:
        e = {}
        if exclusive:
            count = {}
            for a in enums:
                for k, v in a.enum.items():
                    e.setdefault(k, v)
                    count[k] = count.get(k, 0) + 1
            e = {k: v for k, v in e.items() if count[k] == 1}
        else:
            for a in enums:
                e.update(a.enum)
        if not plain:
            n = CNode()
            n.enum = e
            n.types = 0
            for v in e.values():
                n.types |= jtype(v)
            return n
        # an enum branch folds into a type set only if it is a whole type (null, booleans)
        extra = 0
        ks = set(e)
        if ("z",) in ks:
            extra |= T_NULL
            ks.discard(("z",))
        if ("b", True) in ks and ("b", False) in ks:
            extra |= T_BOOL
            ks -= {("b", True), ("b", False)}
        if ks:
            return None
        nb = CNode()
        nb.types = extra
        plain = plain + [nb]
    n = CNode()
    n.types = 0
    for fam, _attrs in _FAMILIES:
        having = [a for a in plain if a.types & fam]
        if not having:
            continue
        bits = 0
        for a in having:
            bits |= a.types & fam
        owner = None
        if len(having) == 1:
            owner = having[0]
        else:
            free = [a for a in having if not _family_constrained(a, fam)
                    and a.types & fam == bits]
            if free:
                owner = free[0]
            elif all(not _family_constrained(a, fam) for a in having):
                owner = having[0]
            else:
                return None
        n.types |= bits
        if fam == T_OBJ:
            n.obj = owner.obj
        elif fam == T_ARR:
            n.arr = owner.arr
        elif fam == T_NUMBER:
            n.num = owner.num
            if owner.fmt in NUMERIC_FORMATS:
                n.fmt = owner.fmt
        elif fam == T_STR:
            n.strc = owner.strc
            if owner.fmt is not None and owner.fmt not in NUMERIC_FORMATS:
                if n.fmt is not None:
                    return None
                n.fmt = owner.fmt
    return n


class Folding:
    """Enums and unions folded into a node while it is built."""

    def _fold_enum(self, n, enum):
        if not (n.num is not None or n.strc is not None or n.fmt is not None
                or n.arr is not None or n.obj is not None or n.has_combinators()):
            types = n.types
            keep = {}
            tb = 0
            for kk, v in enum.items():
                t = jtype(v)
                if t & types:
                    keep[kk] = v
                    tb |= t
            e = CNode()
            e.types = tb
            e.enum = keep
            if n.ann is not None:
                e.ann = n.ann
            e.raw = n.raw
            return e
        probe = n.copy()
        probe.enum = None
        probe.ann = None
        keep = {}
        tb = 0
        for kk, v in enum.items():
            if self.satisfies(probe, v) is not False:
                keep[kk] = v
                tb |= jtype(v)
        e = CNode()
        e.types = tb
        e.enum = keep
        e.ann = n.ann
        e.raw = n.raw
        return e

    def _fold_union(self, n, branches, exclusive, path):
        if len(branches) > MAX_BRANCHES:
            raise self.err(f"too many branches: more than {MAX_BRANCHES}", path)
        alts = []
        for b in branches:
            cn = self.canon_try(b, path)
            if cn is None:
                alts = None
                break
            alts.append(cn)
        merged = union_merge(self, alts, exclusive) if alts is not None else None
        if merged is not None:
            return merge(self, n, merged)
        n = n.copy()
        if exclusive:
            if n.oneof is not None:
                m = CNode()
                m.oneof = tuple(branches)
                n.allof = tuple(n.allof or ()) + (m,)
            else:
                n.oneof = tuple(branches)
        else:
            if n.anyof is not None:
                m = CNode()
                m.anyof = tuple(branches)
                n.allof = tuple(n.allof or ()) + (m,)
            else:
                n.anyof = tuple(branches)
        return n
