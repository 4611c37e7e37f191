"""Rules for array keywords: items / prefixItems (tuples under §2's content models), contains
and min/maxContains, min/maxItems, uniqueItems, unevaluatedItems."""
from ..canon import is_any
from .common import (
    _RANK,
    BW,
    F_STRICT,
    F_TABLE,
    FW,
    OPEN,
    SCHEMA,
    TRUE,
    _cap,
    _chg,
    _kind_txt,
    _kind_val,
    _label,
)
from .scalars import _gt, _le, _min


class _NoArr:
    prefix = None
    items = None
    contains = None
    minc = 1
    maxc = None
    mini = 0
    maxi = None
    unique = False
    uneval = None


_NO_ARR = _NoArr()


class ArrayRules:
    """Arrays: tuple positions, the additional-items slot, contains, counts, uniqueness."""

    def _cmp_arr(self, na, nb, path, fl):
        A = na.arr if na.arr is not None else _NO_ARR
        B = nb.arr if nb.arr is not None else _NO_ARR
        if A is B:
            return 0
        bits = 0
        cfl = fl
        legacy = self.db.d.legacy_items
        strict = fl & F_STRICT
        PA, PB = A.prefix, B.prefix
        wa = len(PA) if (PA is not None and A.items is None and A.uneval is None
                         and not strict) else None
        wb = len(PB) if (PB is not None and B.items is None and B.uneval is None
                         and not strict) else None
        # lengths
        if A.mini != B.mini:
            r = (BW if A.mini < B.mini else 0) | (FW if B.mini < A.mini else 0)
            t = "array_length_tightened" if B.mini > A.mini else "array_length_loosened"
            self.emit(t, path, r, A.mini, B.mini,
                      _chg("minItems", A.mini, B.mini, _label(path)))
            bits |= r
        if A.maxi != B.maxi:
            r = (BW if _gt(_min(A.maxi, wa), B.maxi) else 0) | \
                (FW if _gt(_min(B.maxi, wb), A.maxi) else 0)
            tight = A.maxi is None or (B.maxi is not None and B.maxi < A.maxi)
            t = "array_length_tightened" if tight else "array_length_loosened"
            self.emit(t, path, r, A.maxi, B.maxi,
                      _chg("maxItems", A.maxi, B.maxi, _label(path)))
            bits |= r
        if A.unique != B.unique:
            if B.unique:
                r = 0 if _le(_min(A.maxi, wa), 1) else BW
                self.emit("unique_items_added", path, r, False, True,
                          f"Items of {_label(path)} must now be unique")
            else:
                r = 0 if _le(_min(B.maxi, wb), 1) else FW
                self.emit("unique_items_removed", path, r, True, False,
                          f"Items of {_label(path)} no longer need to be unique")
            bits |= r
        # contains
        ca, cb = A.contains, B.contains
        if ca is not None and cb is not None:
            bits |= self.cmp(ca, cb, path + ".contains", (cfl & ~F_TABLE) | F_STRICT)
            if A.minc != B.minc:
                r = (BW if A.minc < B.minc else 0) | (FW if B.minc < A.minc else 0)
                t = "contains_count_tightened" if B.minc > A.minc else "contains_count_loosened"
                self.emit(t, path, r, A.minc, B.minc,
                          _chg("minContains", A.minc, B.minc, _label(path)))
                bits |= r
            if A.maxc != B.maxc:
                tight = A.maxc is None or (B.maxc is not None and B.maxc < A.maxc)
                r = BW if tight else FW
                t = "contains_count_tightened" if tight else "contains_count_loosened"
                self.emit(t, path, r, A.maxc, B.maxc,
                          _chg("maxContains", A.maxc, B.maxc, _label(path)))
                bits |= r
        elif cb is not None:
            r = BW if B.minc > 0 and not is_any(self.db.canon(cb)) or B.maxc is not None else 0
            if B.minc > 0 and is_any(self.db.canon(cb)):
                r = BW if A.mini < B.minc else 0
            self.emit("subschema_added", path + ".contains", r, None, None,
                      f"{_cap(_label(path))} must now contain a matching item")
            bits |= r
        elif ca is not None:
            r = FW if A.minc > 0 and not is_any(self.da.canon(ca)) or A.maxc is not None else 0
            if A.minc > 0 and is_any(self.da.canon(ca)):
                r = FW if B.mini < A.minc else 0
            self.emit("subschema_removed", path + ".contains", r, None, None,
                      f"{_cap(_label(path))} no longer needs to contain a matching item")
            bits |= r
        # items / tuples
        if PA is None and PB is None:
            ia, ib = A.items, B.items
            if ia is None and A.uneval is not None:
                ia = A.uneval
            if ib is None and B.uneval is not None:
                ib = B.uneval
            if ia is not None or ib is not None:
                bits |= self._cmp_items(ia, ib, path + ".items", cfl)
            return bits
        PA, PB = PA or (), PB or ()
        pname = ".items" if legacy else ".prefixItems"
        tname_ = ".additionalItems" if legacy else ".items"
        ta = self._tail_slot(self.da, A, fl)
        tb = self._tail_slot(self.db, B, fl)
        for i in range(max(len(PA), len(PB))):
            sub = f"{path}{pname}[{i}]"
            if i < len(PA) and i < len(PB):
                bits |= self.cmp(PA[i], PB[i], sub, cfl)
            elif i < len(PB):
                r = self._slot_bits(ta, (SCHEMA, PB[i]), cfl & ~F_TABLE)
                self.emit("tuple_item_added", sub, r, None, None,
                          f"Tuple position {i} added to {_label(path)}")
                bits |= r
            else:
                r = self._slot_bits((SCHEMA, PA[i]), tb, cfl & ~F_TABLE)
                self.emit("tuple_item_removed", sub, r, None, None,
                          f"Tuple position {i} removed from {_label(path)}")
                bits |= r
        if ta != tb:
            ka, kb = ta[0], tb[0]
            if ka == SCHEMA and kb == SCHEMA:
                bits |= self.cmp(ta[1], tb[1], path + tname_, cfl)
            else:
                r = self._slot_bits(ta, tb, cfl & ~F_TABLE)
                t = ("additional_items_narrowed" if _RANK[kb] < _RANK[ka]
                     else "additional_items_widened")
                self.emit(t, path + tname_, r, _kind_val(ta), _kind_val(tb),
                          f"Items after the tuple of {_label(path)}: "
                          f"{_kind_txt(ta)} -> {_kind_txt(tb)}")
                bits |= r
        return bits

    def _tail_slot(self, doc, a, fl):
        x = a.items if a.items is not None else a.uneval
        if x is not None:
            return self._kind(doc, x)
        if a.prefix is not None and not fl & F_STRICT:
            return OPEN, None
        return TRUE, True

    def _cmp_items(self, ia, ib, sub, fl):
        if ia is not None and ib is not None:
            return self.cmp(ia, ib, sub, fl)
        if ib is not None:
            r = self.trial(True, ib, fl & ~F_TABLE) & BW
            if r or not is_any(self.db.canon(ib)):
                self.emit("subschema_added", sub, r, None, None, f"Item schema added at {sub}")
            return r
        r = self.trial(ia, True, fl & ~F_TABLE) & FW
        if r or not is_any(self.da.canon(ia)):
            self.emit("subschema_removed", sub, r, None, None, f"Item schema removed at {sub}")
        return r
