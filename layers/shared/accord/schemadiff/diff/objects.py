"""Rules for object keywords (§2's content models): properties, required, additionalProperties,
patternProperties, unevaluatedProperties, propertyNames, min/maxProperties, dependentRequired,
dependentSchemas — and the table profile's column rules (§7)."""
from itertools import compress, repeat
from operator import eq as _eq

from ..canon import ObjC, is_any, is_never, jseg
from ..values import regex_search
from .combinators import _has_null, _strip_null
from .common import (
    _MISSING,
    _RANK,
    BW,
    F_STRICT,
    F_TABLE,
    FALSE,
    FW,
    OPEN,
    SCHEMA,
    TRUE,
    _chg,
    _kind_txt,
    _kind_val,
    _label,
    _safe_equal,
)
from .scalars import _gt, _min

_NONPOS_OBJ = ObjC()
_NONPOS_OBJ._pos = False
_NONPOS_OBJ.addl = True


class ObjectRules:
    """Objects: what a name may hold for a reader and a writer, per position (§2)."""

    def _slot_bits(self, sa, sb, fl, path=None):
        """Bits for one name / tuple position given (kind, schema) slots of both sides."""
        ka, xa = sa
        kb, xb = sb
        if ka == OPEN or kb == OPEN:
            return 0
        if ka == SCHEMA and kb == SCHEMA:
            if path is not None:
                return self.cmp(xa, xb, path, fl)
            return self.trial(xa, xb, fl)
        a = True if ka == TRUE else (False if ka == FALSE else xa)
        b = True if kb == TRUE else (False if kb == FALSE else xb)
        if a is b:
            return 0
        return self.trial(a, b, fl & ~F_TABLE)

    def _kind(self, doc, x):
        if x is True:
            return TRUE, True
        if x is False:
            return FALSE, False
        n = doc.canon(x)
        if n.ref is None and not n.has_combinators():
            if is_any(n):
                return TRUE, True
            if is_never(n):
                return FALSE, False
        return SCHEMA, x

    def _other_slot(self, doc, o, fl):
        x = o.addl if o.addl is not None else o.uneval
        if x is not None:
            return self._kind(doc, x)
        if o.pats:
            return TRUE, True
        if getattr(o, "_pos", True) and not fl & F_STRICT:
            return OPEN, None
        return TRUE, True

    def _name_slot(self, doc, o, name, fl):
        pats = o.pats
        if name in o.props:
            x = o.props[name]
            if pats:
                for p, s in pats.items():
                    if regex_search(p, name):
                        x = doc.conj(x, s)
            return SCHEMA, x
        if pats:
            x = None
            for p, s in pats.items():
                if regex_search(p, name):
                    x = s if x is None else doc.conj(x, s)
            if x is not None:
                return SCHEMA, x
        return self._other_slot(doc, o, fl)

    def _cmp_obj(self, na, nb, path, fl):
        A = na.obj if na.obj is not None else _NONPOS_OBJ
        B = nb.obj if nb.obj is not None else _NONPOS_OBJ
        if A is B:
            return 0
        da, db = self.da, self.db
        maplike = A.pats or B.pats or (A.addl is not None and self._kind(da, A.addl)[0] == SCHEMA) \
            or (B.addl is not None and self._kind(db, B.addl)[0] == SCHEMA)
        table = bool(fl & F_TABLE) and not maplike
        cfl = fl if table else fl & ~F_TABLE
        bits = self._cmp_props(A, B, path, fl, cfl, table)
        pa, pb = A.props, B.props
        pfx = path + ".properties"
        # required
        if A.req != B.req:
            for name in sorted(B.req - A.req):
                if table and (name in pb or name in pa):
                    continue
                r = BW
                if self.opts.defaults_materialize and name in pb:
                    yn = db.deref(db.canon(pb[name]))
                    if yn.ann and "default" in yn.ann:
                        r = 0
                self.emit("required_added", pfx + jseg(name), r, False, True,
                          f"Property '{name}' is now required")
                bits |= r
            for name in sorted(A.req - B.req):
                if table and (name in pb or name in pa):
                    continue
                self.emit("required_removed", pfx + jseg(name), FW, True, False,
                          f"Property '{name}' is no longer required")
                bits |= FW
        # other names: additionalProperties / unevaluatedProperties
        sa, sb = self._other_slot(da, A, fl), self._other_slot(db, B, fl)
        if sa != sb:
            ka, kb = sa[0], sb[0]
            apath = path + (".additionalProperties" if (A.addl is not None or B.addl is not None
                                                         or A.uneval is None and B.uneval is None)
                            else ".unevaluatedProperties")
            if ka == SCHEMA and kb == SCHEMA:
                bits |= self.cmp(sa[1], sb[1], apath, cfl)
            elif table:
                if ka != kb:
                    t = ("additional_properties_narrowed" if _RANK[kb] < _RANK[ka]
                         else "additional_properties_widened")
                    self.emit(t, apath, 0, _kind_val(sa), _kind_val(sb),
                              f"Extra columns of {_label(path)}: {ka} -> {kb} "
                              "(readers tolerate extra columns)", rule="table")
            else:
                r = self._slot_bits(sa, sb, cfl)
                narrowed = _RANK[kb] < _RANK[ka] or (ka == kb == SCHEMA)
                t = "additional_properties_narrowed" if narrowed else "additional_properties_widened"
                self.emit(t, apath, r, _kind_val(sa), _kind_val(sb),
                          f"Additional properties of {_label(path)}: "
                          f"{_kind_txt(sa)} -> {_kind_txt(sb)}")
                bits |= r
        # patternProperties
        if A.pats or B.pats:
            bits |= self._cmp_patterns(A, B, path, cfl, sa, sb)
        # property counts
        if A.minp != B.minp or A.maxp != B.maxp:
            bits |= self._cmp_counts(A, B, path, fl)
        # dependentRequired / dependentSchemas
        if A.depreq or B.depreq:
            bits |= self._cmp_depreq(A, B, path, fl)
        if A.depsch or B.depsch:
            bits |= self._cmp_depsch(A, B, path, cfl)
        if A.pn is not None or B.pn is not None:
            bits |= self._cmp_sub(A.pn, B.pn, path + ".propertyNames", cfl | F_STRICT,
                                  "property names")
        return bits

    def _cmp_props(self, A, B, path, fl, cfl, table):
        """Properties declared on either side: nested comparisons, added / removed names."""
        da, db = self.da, self.db
        bits = 0
        pa, pb = A.props, B.props
        raw_skip = self.raw_skip
        removed = []
        pfx = path + ".properties"
        if pa is not pb:
            self.props_a.add(id(pa))
            self.props_b.add(id(pb))
            slow = bool(A.pats or B.pats) or table
            if slow:
                for name, x in pa.items():
                    y = pb.get(name, _MISSING)
                    if y is _MISSING:
                        removed.append(name)
                    elif x is not y or table:
                        bits |= self._cmp_prop(A, B, name, x, y, pfx + jseg(name), table, cfl)
            else:
                names = list(pa)
                xs = list(pa.values())
                if len(pa) == len(pb) and names == list(pb):  # same names, same order: no lookups
                    ys = list(pb.values())
                else:
                    ys = list(map(pb.get, names, repeat(_MISSING, len(names))))
                eq = list(map(_eq, xs, ys)) if raw_skip else [False] * len(xs)
                sx = list(compress(xs, eq))
                cmp = self._cmp_unequal if raw_skip else self.cmp
                if sx:
                    # one C-level check for all raw-equal properties of this object; only if
                    # it fails (true vs 1, $ref inside, key order) are they compared one by one
                    sy = list(compress(ys, eq))
                    if not _safe_equal(sx, sy):
                        eq = [False] * len(xs)
                        cmp = self.cmp
                i = -1
                for _ in range(eq.count(False)):  # the unequal ones (usually few), by C-level scans
                    i = eq.index(False, i + 1)
                    y = ys[i]
                    name = names[i]
                    if y is _MISSING:
                        removed.append(name)
                    elif xs[i] is not y:
                        bits |= cmp(xs[i], y, pfx + jseg(name), cfl)
            for name in removed:
                self.loose_a.append(pa[name])
                sub = pfx + jseg(name)
                if table:  # §7.3: consumers' SQL selects it, whatever the direction
                    self.emit("property_removed", sub, BW | FW, None, None,
                              f"Property '{name}' was removed", rule="table")  # the seed's words
                    bits |= BW | FW
                    continue
                r = self._slot_bits(self._name_slot(da, A, name, fl),
                                    self._name_slot(db, B, name, fl), cfl)
                self.emit("property_removed", sub, r, None, None,
                          f"Property '{name}' was removed")
                bits |= r
            for name, y in (pb.items() if removed or len(pa) != len(pb) else ()):
                if name in pa:
                    continue
                self.loose_b.append(y)
                sub = pfx + jseg(name)
                if table:
                    nullable = name not in B.req or self._nullable(db, y)
                    r = 0 if nullable else BW
                    self.emit("property_added", sub, r, None, None,
                              f"Property '{name}' was added"
                              + ("" if nullable else " (required, NOT NULL)"), rule="table")
                    bits |= r
                    continue
                r = self._slot_bits(self._name_slot(da, A, name, fl),
                                    self._name_slot(db, B, name, fl), cfl)
                req = " (required)" if name in B.req else ""
                self.emit("property_added", sub, r, None, None,
                          f"Property '{name}' was added{req}")
                bits |= r
        return bits

    def _cmp_prop(self, A, B, name, x, y, sub, table, fl):
        da, db = self.da, self.db
        if A.pats or B.pats:
            x = self._name_slot(da, A, name, fl)[1]
            y = self._name_slot(db, B, name, fl)[1]
        if not table:
            return self.cmp(x, y, sub, fl)
        xn = da.deref(da.canon(x, sub))
        yn = db.deref(db.canon(y, sub))
        null_a = name not in A.req or _has_null(da, xn)
        null_b = name not in B.req or _has_null(db, yn)
        bits = 0
        if null_a != null_b:
            req_changed = (name in A.req) != (name in B.req)
            if null_b:
                t = "required_removed" if req_changed else "nullable_added"
                self.emit(t, sub, FW, False, True, f"Column '{name}' is now nullable "
                          "(NOT NULL dropped)", rule="table")
                bits |= FW
            else:
                t = "required_added" if req_changed else "nullable_removed"
                self.emit(t, sub, BW, True, False, f"Column '{name}' is now NOT NULL",
                          rule="table")
                bits |= BW
        return bits | self.cmp(self._synth(_strip_null, da, xn), self._synth(_strip_null, db, yn),
                                sub, fl)

    def _nullable(self, doc, y):
        return _has_null(doc, doc.deref(doc.canon(y)))

    def _cmp_patterns(self, A, B, path, fl, sa, sb):
        PA, PB = A.pats or {}, B.pats or {}
        bits = 0
        for p in PA:
            sub = path + ".patternProperties" + jseg(p)
            if p in PB:
                bits |= self.cmp(PA[p], PB[p], sub, fl)
                continue
            r = self._slot_bits((SCHEMA, PA[p]), sb, fl)
            for q in PB:
                if q not in PA:
                    r |= self.trial(PA[p], PB[q], fl) & BW
            self.emit("property_removed", sub, r, None, None,
                      f"Pattern property {p!r} was removed")
            bits |= r
        for q in PB:
            if q in PA:
                continue
            sub = path + ".patternProperties" + jseg(q)
            r = self._slot_bits(sa, (SCHEMA, PB[q]), fl)
            for p in PA:
                if p not in PB:
                    r |= self.trial(PA[p], PB[q], fl) & FW
            self.emit("property_added", sub, r, None, None, f"Pattern property {q!r} was added")
            bits |= r
        return bits

    def _writer_max(self, doc, o, fl):
        k = self._other_slot(doc, o, fl)[0]
        if k in (OPEN, FALSE) and not o.pats:
            return len(o.props)
        return None

    def _cmp_counts(self, A, B, path, fl):
        bits = 0
        a_min = max(A.minp, len(A.req))
        b_min = max(B.minp, len(B.req))
        if A.minp != B.minp:
            r = (BW if a_min < B.minp else 0) | (FW if b_min < A.minp else 0)
            t = "property_count_tightened" if B.minp > A.minp else "property_count_loosened"
            self.emit(t, path, r, A.minp, B.minp,
                      _chg("minProperties", A.minp, B.minp, _label(path)))
            bits |= r
        if A.maxp != B.maxp:
            wa = self._writer_max(self.da, A, fl)
            wb = self._writer_max(self.db, B, fl)
            a_max = _min(A.maxp, wa)
            b_max = _min(B.maxp, wb)
            r = (BW if _gt(a_max, B.maxp) else 0) | (FW if _gt(b_max, A.maxp) else 0)
            tight = A.maxp is None or (B.maxp is not None and B.maxp < A.maxp)
            t = "property_count_tightened" if tight else "property_count_loosened"
            self.emit(t, path, r, A.maxp, B.maxp,
                      _chg("maxProperties", A.maxp, B.maxp, _label(path)))
            bits |= r
        return bits

    def _emits_name(self, doc, o, name, fl):
        return name in o.props or self._other_slot(doc, o, fl)[0] not in (OPEN, FALSE) \
            or bool(o.pats)

    def _cmp_depreq(self, A, B, path, fl):
        DA, DB = A.depreq or {}, B.depreq or {}
        bits = 0
        for trig in list(DA) + [t for t in DB if t not in DA]:
            sa, sb = DA.get(trig, frozenset()), DB.get(trig, frozenset())
            added = sorted(sb - sa - A.req)
            removed = sorted(sa - sb - B.req)
            sub = path + ".dependentRequired" + jseg(trig)
            if added:
                r = BW if self._emits_name(self.da, A, trig, fl) else 0
                self.emit("dependent_required_added", sub, r, sorted(sa), sorted(sb),
                          f"When '{trig}' is present, {', '.join(map(repr, added))} now required")
                bits |= r
            if removed:
                r = FW if self._emits_name(self.db, B, trig, fl) else 0
                self.emit("dependent_required_removed", sub, r, sorted(sa), sorted(sb),
                          f"When '{trig}' is present, {', '.join(map(repr, removed))} no longer "
                          "required")
                bits |= r
        return bits

    def _cmp_depsch(self, A, B, path, fl):
        DA, DB = A.depsch or {}, B.depsch or {}
        bits = 0
        for trig in list(DA) + [t for t in DB if t not in DA]:
            sub = path + ".dependentSchemas" + jseg(trig)
            x, y = DA.get(trig), DB.get(trig)
            if x is not None and y is not None:
                bits |= self.cmp(x, y, sub, fl | F_STRICT)
            elif y is not None:
                r = self.trial(True, y, fl | F_STRICT) & BW
                if not self._emits_name(self.da, A, trig, fl):
                    r = 0
                self.emit("subschema_added", sub, r, None, None,
                          f"Dependent schema for '{trig}' added")
                bits |= r
            else:
                r = self.trial(x, True, fl | F_STRICT) & FW
                if not self._emits_name(self.db, B, trig, fl):
                    r = 0
                self.emit("subschema_removed", sub, r, None, None,
                          f"Dependent schema for '{trig}' removed")
                bits |= r
        return bits

    def _cmp_sub(self, x, y, sub, fl, what):
        if x is not None and y is not None:
            return self.cmp(x, y, sub, fl)
        if y is not None:
            r = self.trial(True, y, fl) & BW
            if r or not is_any(self.db.canon(y)):
                self.emit("subschema_added", sub, r, None, None,
                          f"Schema for {what} added at {sub}")
            return r
        r = self.trial(x, True, fl) & FW
        if r or not is_any(self.da.canon(x)):
            self.emit("subschema_removed", sub, r, None, None,
                      f"Schema for {what} removed at {sub}")
        return r
