"""Rules for the keywords of scalar values: `type` (and nullability), `enum`/`const`, numbers
(minimum/maximum, exclusive bounds, multipleOf), strings (minLength/maxLength, `pattern`) and
`format` (§4, §5)."""
from ..canon import int_bounds
from ..values import T_ALL, T_INT, T_NULL, format_subset, jtype, type_names, vkey
from .common import BW, FW, _cap, _fmt_val, _label


def _min(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _gt(a, b):
    """a > b with None = +infinity."""
    if b is None:
        return False
    if a is None:
        return True
    return a > b


def _le(a, b):
    return a is not None and a <= b


def _cmp_lower(a, b):
    """+1 if lower bound b is tighter than a, -1 if looser, 0 if equal. None = -inf."""
    (x, xe), (y, ye) = a, b
    if x is None and y is None:
        return 0
    if y is None:
        return -1
    if x is None:
        return 1
    if y > x or (y == x and ye and not xe):
        return 1
    if y < x or (y == x and xe and not ye):
        return -1
    return 0


def _cmp_upper(a, b):
    (x, xe), (y, ye) = a, b
    if x is None and y is None:
        return 0
    if y is None:
        return -1
    if x is None:
        return 1
    if y < x or (y == x and ye and not xe):
        return 1
    if y > x or (y == x and xe and not ye):
        return -1
    return 0


def _bound(numc, i):
    v = numc[i]
    if v is None:
        return None
    return {("exclusiveMinimum" if i == 0 else "exclusiveMaximum") if numc[i + 1]
            else ("minimum" if i == 0 else "maximum"): v}


def _bound_txt(numc, i):
    v = numc[i]
    if v is None:
        return "none"
    if i == 0:
        return f"> {v}" if numc[1] else f">= {v}"
    return f"< {v}" if numc[3] else f"<= {v}"


def _num_out(m):
    return int(m) if m.denominator == 1 else float(m)


class ScalarRules:
    """type, enum/const, numeric bounds, string length and pattern, format."""

    def _cmp_types(self, ta, tb, path):
        if ta == tb:
            return 0
        if tb == T_ALL:
            self.emit("type_widened", path, FW, type_names(ta), None,
                      f"Type constraint of {_label(path)} removed (was {'/'.join(type_names(ta))})")
            return FW
        if ta == T_ALL:
            self.emit("type_narrowed", path, BW, None, type_names(tb),
                      f"{_cap(_label(path))} is now restricted to {'/'.join(type_names(tb))}")
            return BW
        bits = 0
        if (ta ^ tb) & T_NULL:
            if tb & T_NULL:
                self.emit("nullable_added", path, FW, False, True,
                          f"{_cap(_label(path))} now accepts null")
                bits |= FW
            else:
                self.emit("nullable_removed", path, BW, True, False,
                          f"{_cap(_label(path))} no longer accepts null")
                bits |= BW
        ra, rb = ta & ~T_NULL, tb & ~T_NULL
        if ra != rb:
            old, new = type_names(ra), type_names(rb)
            removed, added = ra & ~rb, rb & ~ra
            if removed and added:
                self.emit("type_changed", path, BW | FW, old, new,
                          f"Type of {_label(path)} changed from {'/'.join(old)} to {'/'.join(new)}")
                bits |= BW | FW
            elif removed:
                self.emit("type_narrowed", path, BW, old, new,
                          f"Type of {_label(path)} narrowed from {'/'.join(old)} to "
                          f"{'/'.join(new)}")
                bits |= BW
            else:
                self.emit("type_widened", path, FW, old, new,
                          f"Type of {_label(path)} widened from {'/'.join(old)} to "
                          f"{'/'.join(new)}")
                bits |= FW
        return bits

    def _cmp_enum(self, na, nb, path):
        EA, EB = na.enum, nb.enum
        if EA is not None and EB is not None:
            removed = [v for k, v in EA.items() if k not in EB]
            added = [v for k, v in EB.items() if k not in EA]
            bits = 0
            if removed:
                self.emit("enum_values_removed", path, BW, removed, None,
                          f"Enum values removed from {_label(path)}: {_fmt_val(removed)}")
                bits |= BW
            if added:
                self.emit("enum_values_added", path, FW, None, added,
                          f"Enum values added to {_label(path)}: {_fmt_val(added)}")
                bits |= FW
            return bits
        ta, tb = na.types, nb.types
        bits = self._cmp_types(ta, tb, path)
        common = ta & tb
        if not common:
            return bits
        if EA is not None:
            b = 0
            for v in EA.values():
                if jtype(v) & tb and self.db.satisfies(nb, v) is not True:
                    b |= BW
                    break
            fin = self.db.finite(nb, common)
            if fin is None or any(vkey(v) not in EA for v in fin):
                b |= FW
            if b:
                self.emit("enum_removed", path, b, list(EA.values()), None,
                          f"Enum restriction of {_label(path)} removed (was {_fmt_val(list(EA.values()))})")
            return bits | b
        b = 0
        fin = self.da.finite(na, common)
        if fin is None or any(vkey(v) not in EB for v in fin):
            b |= BW
        for v in EB.values():
            if jtype(v) & ta and self.da.satisfies(na, v) is not True:
                b |= FW
                break
        if b:
            self.emit("enum_added", path, b, None, list(EB.values()),
                      f"{_cap(_label(path))} is now restricted to {_fmt_val(list(EB.values()))}")
        return bits | b

    def _cmp_num(self, A, B, dom, path):
        if A == B:
            return 0
        A = A or (None, False, None, False, ())
        B = B or (None, False, None, False, ())
        bits = 0
        intdom = dom == T_INT
        if intdom:
            la, ha = int_bounds(A)
            lb, hb = int_bounds(B)
            lo_a, lo_b = (la, False), (lb, False)
            hi_a, hi_b = (ha, False), (hb, False)
        else:
            lo_a, lo_b = (A[0], A[1]), (B[0], B[1])
            hi_a, hi_b = (A[2], A[3]), (B[2], B[3])
        c = _cmp_lower(lo_a, lo_b)
        if c:
            if c > 0:
                self.emit("numeric_range_tightened", path, BW, _bound(A, 0), _bound(B, 0),
                          f"Lower bound of {_label(path)} raised from {_bound_txt(A, 0)} to "
                          f"{_bound_txt(B, 0)}")
                bits |= BW
            else:
                self.emit("numeric_range_loosened", path, FW, _bound(A, 0), _bound(B, 0),
                          f"Lower bound of {_label(path)} lowered from {_bound_txt(A, 0)} to "
                          f"{_bound_txt(B, 0)}")
                bits |= FW
        c = _cmp_upper(hi_a, hi_b)
        if c:
            if c > 0:
                self.emit("numeric_range_tightened", path, BW, _bound(A, 2), _bound(B, 2),
                          f"Upper bound of {_label(path)} lowered from {_bound_txt(A, 2)} to "
                          f"{_bound_txt(B, 2)}")
                bits |= BW
            else:
                self.emit("numeric_range_loosened", path, FW, _bound(A, 2), _bound(B, 2),
                          f"Upper bound of {_label(path)} raised from {_bound_txt(A, 2)} to "
                          f"{_bound_txt(B, 2)}")
                bits |= FW
        ma, mb = A[4], B[4]
        if intdom:
            ma = tuple(m for m in ma if (1 / m).denominator != 1)
            mb = tuple(m for m in mb if (1 / m).denominator != 1)
        if set(ma) != set(mb):
            bw_ok = all(any((x / y).denominator == 1 for x in ma) or
                        (intdom and (1 / y).denominator == 1) for y in mb)
            fw_ok = all(any((y / x).denominator == 1 for y in mb) or
                        (intdom and (1 / x).denominator == 1) for x in ma)
            o = [_num_out(m) for m in ma] or None
            n = [_num_out(m) for m in mb] or None
            o = o[0] if o and len(o) == 1 else o
            n = n[0] if n and len(n) == 1 else n
            if bw_ok and not fw_ok:
                self.emit("multiple_of_loosened", path, FW, o, n,
                          f"multipleOf of {_label(path)} loosened from {o} to {n}")
                bits |= FW
            elif fw_ok and not bw_ok:
                self.emit("multiple_of_tightened", path, BW, o, n,
                          f"multipleOf of {_label(path)} tightened from {o} to {n}")
                bits |= BW
            elif not bw_ok:
                self.emit("multiple_of_changed", path, BW | FW, o, n,
                          f"multipleOf of {_label(path)} changed from {o} to {n}")
                bits |= BW | FW
        return bits

    def _cmp_str(self, A, B, path):
        A = A or (0, None, frozenset())
        B = B or (0, None, frozenset())
        if A == B:
            return 0
        bits = 0
        if A[0] != B[0]:
            if B[0] > A[0]:
                self.emit("string_length_tightened", path, BW, A[0], B[0],
                          f"minLength of {_label(path)} raised from {A[0]} to {B[0]}")
                bits |= BW
            else:
                self.emit("string_length_loosened", path, FW, A[0], B[0],
                          f"minLength of {_label(path)} lowered from {A[0]} to {B[0]}")
                bits |= FW
        if A[1] != B[1]:
            if A[1] is None or (B[1] is not None and B[1] < A[1]):
                self.emit("string_length_tightened", path, BW, A[1], B[1],
                          f"maxLength of {_label(path)} "
                          + (f"set to {B[1]}" if A[1] is None else f"lowered from {A[1]} to {B[1]}"))
                bits |= BW
            else:
                self.emit("string_length_loosened", path, FW, A[1], B[1],
                          f"maxLength of {_label(path)} "
                          + ("removed" if B[1] is None else f"raised from {A[1]} to {B[1]}"))
                bits |= FW
        if A[2] != B[2]:
            bits |= self._cmp_pattern(A[2], B[2], path)
        return bits

    def _cmp_pattern(self, pa, pb, path):
        """The pattern sets differ: decided by regexlang (imported only here), with one time
        budget per comparison."""
        from ..regexlang import Budget
        from ..regexlang.change import pattern_change
        budget = self.__dict__.get("regex_budget") or self.__dict__.setdefault(
            "regex_budget", Budget())
        type_, bits, ov, nv, desc = pattern_change(pa, pb, _label(path), budget)
        self.emit(type_, path, bits, ov, nv, desc)
        return bits

    def _cmp_fmt(self, fa, fb, path):
        if fa is None:
            self.emit("format_added", path, BW, None, fb, f"Format '{fb}' added to {_label(path)}")
            return BW
        if fb is None:
            self.emit("format_removed", path, FW, fa, None,
                      f"Format '{fa}' removed from {_label(path)}")
            return FW
        if format_subset(fa, fb):
            self.emit("format_widened", path, FW, fa, fb,
                      f"Format of {_label(path)} widened from '{fa}' to '{fb}'")
            return FW
        if format_subset(fb, fa):
            self.emit("format_narrowed", path, BW, fa, fb,
                      f"Format of {_label(path)} narrowed from '{fa}' to '{fb}'")
            return BW
        self.emit("format_changed", path, BW | FW, fa, fb,
                  f"Format of {_label(path)} changed from '{fa}' to '{fb}'")
        return BW | FW
