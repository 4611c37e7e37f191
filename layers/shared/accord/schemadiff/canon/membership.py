"""Does a JSON value satisfy a canonical node? Used to filter enums by the other constraints
and to decide finite value sets; `format` checked as an assertion (§4)."""
from ..limits import MAX_FINITE
from ..values import (
    NUMERIC_FORMATS,
    T_ARR,
    T_BOOL,
    T_INT,
    T_NULL,
    T_NUMBER,
    T_OBJ,
    T_STR,
    frac,
    jtype,
    regex_search,
    vkey,
)
from .nodes import _InProgress, int_bounds


def check_format(fmt, v):
    import re as _re
    if fmt == "date":
        return bool(_re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", v))
    if fmt == "date-time":
        return bool(_re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)",
                                  v))
    if fmt == "uuid":
        return bool(_re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", v))
    if fmt == "ipv4":
        parts = v.split(".")
        return len(parts) == 4 and all(p.isascii() and p.isdigit() and len(p) <= 3 and int(p) < 256 and
                                       (p == "0" or not p.startswith("0")) for p in parts)
    if fmt == "int32" and type(v) in (int, float):
        return float(v).is_integer() and -2 ** 31 <= v < 2 ** 31
    if fmt == "int64" and type(v) in (int, float):
        return float(v).is_integer() and -2 ** 63 <= v < 2 ** 63
    return None


class Membership:
    """Value membership and finite value sets."""

    def satisfies(self, n, v, depth=0):
        """True / False if `v` is (not) valid under node `n`; None when not decidable here."""
        try:
            return self._satisfies(n, v, depth)
        except _InProgress:   # a node of a recursive schema still being canonicalised
            return None

    def _satisfies(self, n, v, depth=0):
        if depth > 32:
            return None
        if n.ref is not None:
            n = self.deref(n)
        t = jtype(v)
        if not n.types & t:
            return False
        if n.enum is not None:
            return vkey(v) in n.enum
        res = True
        if t & T_NUMBER and n.num is not None:
            lo, lo_ex, hi, hi_ex, mults = n.num
            x = v
            if lo is not None and (x < lo or (lo_ex and x == lo)):
                return False
            if hi is not None and (x > hi or (hi_ex and x == hi)):
                return False
            for m in mults:
                try:
                    if (frac(x) / m).denominator != 1:
                        return False
                except (ValueError, OverflowError):
                    res = None
        if t == T_STR:
            if n.strc is not None:
                minl, maxl, pats = n.strc
                ln = len(v)
                if ln < minl or (maxl is not None and ln > maxl):
                    return False
                for p in pats:
                    r = regex_search(p, v)
                    if r is False:
                        return False
                    if r is None:
                        res = None
            if n.fmt is not None and n.fmt not in NUMERIC_FORMATS:
                r = check_format(n.fmt, v)
                if r is False:
                    return False
                if r is None:
                    res = None
        if t & T_NUMBER and n.fmt in NUMERIC_FORMATS:
            r = check_format(n.fmt, v)
            if r is False:
                return False
            if r is None:
                res = None
        if t == T_ARR and n.arr is not None:
            r = self._sat_arr(n.arr, v, depth)
            if r is False:
                return False
            if r is None:
                res = None
        if t == T_OBJ and n.obj is not None:
            r = self._sat_obj(n.obj, v, depth)
            if r is False:
                return False
            if r is None:
                res = None
        if n.anyof is not None:
            rs = [self._satisfies(self.canon(b), v, depth + 1) for b in n.anyof]
            r = True if True in rs else (False if all(x is False for x in rs) else None)
            if r is False:
                return False
            if r is None:
                res = None
        if n.oneof is not None:
            rs = [self._satisfies(self.canon(b), v, depth + 1) for b in n.oneof]
            if None in rs:
                res = None
            elif rs.count(True) != 1:
                return False
        for c in n.allof or ():
            r = self._satisfies(self.canon(c), v, depth + 1)
            if r is False:
                return False
            if r is None:
                res = None
        if n.not_ is not None:
            r = self._satisfies(self.canon(n.not_), v, depth + 1)
            if r is True:
                return False
            if r is None:
                res = None
        if n.cond is not None:
            ci, ct, ce = n.cond
            r = self._satisfies(self.canon(ci), v, depth + 1)
            if r is None:
                res = None
            else:
                br = ct if r else ce
                if br is not None:
                    r2 = self._satisfies(self.canon(br), v, depth + 1)
                    if r2 is False:
                        return False
                    if r2 is None:
                        res = None
        return res

    def _sat_arr(self, a, v, depth):
        res = True
        if len(v) < a.mini or (a.maxi is not None and len(v) > a.maxi):
            return False
        if a.unique:
            keys = [vkey(x) for x in v]
            if len(set(keys)) != len(keys):
                return False
        pre = a.prefix or ()
        for i, x in enumerate(v):
            s = pre[i] if i < len(pre) else a.items
            if s is None:
                if a.uneval is not None and i >= len(pre):
                    s = a.uneval
                else:
                    continue
            r = self._satisfies(self.canon(s), x, depth + 1)
            if r is False:
                return False
            if r is None:
                res = None
        if a.contains is not None:
            cn = self.canon(a.contains)
            rs = [self._satisfies(cn, x, depth + 1) for x in v]
            if None in rs:
                res = None
            else:
                c = rs.count(True)
                if c < a.minc or (a.maxc is not None and c > a.maxc):
                    return False
        return res

    def _sat_obj(self, o, v, depth):
        res = True
        for r in o.req:
            if r not in v:
                return False
        if len(v) < o.minp or (o.maxp is not None and len(v) > o.maxp):
            return False
        for name, x in v.items():
            matched = False
            if name in o.props:
                matched = True
                r = self._satisfies(self.canon(o.props[name]), x, depth + 1)
                if r is False:
                    return False
                if r is None:
                    res = None
            for p, s in (o.pats or {}).items():
                m = regex_search(p, name)
                if m is None:
                    res = None
                    matched = True
                elif m:
                    matched = True
                    r = self._satisfies(self.canon(s), x, depth + 1)
                    if r is False:
                        return False
                    if r is None:
                        res = None
            if not matched:
                s = o.addl if o.addl is not None else o.uneval
                if s is not None:
                    r = self._satisfies(self.canon(s), x, depth + 1)
                    if r is False:
                        return False
                    if r is None:
                        res = None
            if o.pn is not None:
                r = self._satisfies(self.canon(o.pn), name, depth + 1)
                if r is False:
                    return False
                if r is None:
                    res = None
        for trig, names in (o.depreq or {}).items():
            if trig in v and any(nm not in v for nm in names):
                return False
        for trig, s in (o.depsch or {}).items():
            if trig in v:
                r = self._satisfies(self.canon(s), v, depth + 1)
                if r is False:
                    return False
                if r is None:
                    res = None
        return res

    def finite(self, n, types):
        """The values of `n` whose type is in `types`, if few and decidable; else None."""
        n = self.deref(n)
        if n.enum is not None:
            return [v for v in n.enum.values() if jtype(v) & types]
        if n.has_combinators():
            return None
        t = n.types & types
        if t & ~(T_NULL | T_BOOL | T_INT):
            return None
        out = []
        if t & T_NULL:
            out.append(None)
        if t & T_BOOL:
            out += [True, False]
        if t & T_INT:
            lo, hi = int_bounds(n.num)
            if lo is None or hi is None or hi - lo > MAX_FINITE:
                return None
            mults = n.num[4] if n.num else ()
            for i in range(lo, hi + 1):
                if all((frac(i) / m).denominator == 1 for m in mults):
                    out.append(i)
        return out
