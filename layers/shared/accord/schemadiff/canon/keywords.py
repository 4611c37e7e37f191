"""Reading a schema object's keywords into a canonical node: one pass over its keys (types,
enum/const, numbers, strings, format, array and object keywords, combinators, `$ref` siblings
by dialect), then the combinators folded in."""
from ..limits import MAX_BRANCHES, MAX_ENUM
from ..values import (
    T_ALL,
    T_ARR,
    T_NULL,
    T_NUMBER,
    T_OBJ,
    T_STR,
    TYPE_BITS,
    check_pattern,
    frac,
    nonneg_int,
    num,
    tname,
    vkey,
)
from .dialects import D04
from .merge import merge
from .nodes import (
    _FAST_ANN,
    ANNOTATIONS,
    NEVER,
    STRUCTURAL_IGNORED,
    ArrC,
    CNode,
    ObjC,
    is_any,
    is_never,
)


class KeywordReading:
    """One schema object -> one canonical node."""

    def _build(self, d, path):
        D = self.d
        n = CNode()
        n.raw = d
        # ---- $ref ------------------------------------------------------------------------
        refnode = None
        if "$ref" in d or "$dynamicRef" in d or "$recursiveRef" in d:
            rk = "$ref" if "$ref" in d else ("$dynamicRef" if "$dynamicRef" in d
                                              else "$recursiveRef")
            target, tpath = self.resolve(d[rk], path)
            refnode = CNode()
            refnode.ref = (target, tpath, d[rk])
            refnode.raw = d
        if refnode is not None:
            if D.ref_siblings_ignored:
                return refnode
            if all(k in ANNOTATIONS or k in STRUCTURAL_IGNORED or k.startswith("x-")
                   or k in ("$ref", "$dynamicRef", "$recursiveRef") for k in d):
                ann = {k: v for k, v in d.items()
                       if k not in STRUCTURAL_IGNORED and k not in ("$ref", "$dynamicRef",
                                                                    "$recursiveRef")}
                if ann:
                    refnode.ann = ann
                return refnode
        types = T_ALL
        type_given = False
        enum = None
        nullable = False
        lo = hi = None
        lo_ex = hi_ex = False
        ex_lo = ex_hi = None
        mults = ()
        minl, maxl, pats = 0, None, ()
        fmt = None
        arr = None
        obj = None
        ann = None
        allof = []
        anyof = oneof = not_ = None
        cond_if = cond_then = cond_else = None
        has_if = False
        bool_exmin = bool_exmax = False
        for k, v in d.items():
            if k in _FAST_ANN:
                if ann is None:
                    ann = {}
                ann[k] = v
                continue
            if k == "type":
                type_given = True
                if type(v) is str:
                    b = TYPE_BITS.get(v)
                    if b is None:
                        raise self.err(f"unknown type {v!r}", path)
                    types = b
                elif type(v) is list:
                    if not v:
                        raise self.err("'type' must not be an empty array", path)
                    types = 0
                    for e in v:
                        b = TYPE_BITS.get(e) if type(e) is str else None
                        if b is None:
                            raise self.err(f"unknown type {e!r}", path)
                        types |= b
                else:
                    raise self.err(f"'type' must be a string or an array, got {tname(v)}", path)
            elif k == "properties":
                if type(v) is not dict:
                    raise self.err("'properties' must be an object", path)
                obj = obj or ObjC()
                obj.props = v
            elif k == "required":
                if type(v) is bool and D is D04:
                    continue
                if type(v) is not list:
                    raise self.err("'required' must be an array of strings", path)
                for e in v:
                    if type(e) is not str:
                        raise self.err("'required' must be an array of strings", path)
                obj = obj or ObjC()
                obj.req = frozenset(v)
            elif k == "enum":
                if type(v) is not list:
                    raise self.err("'enum' must be an array", path)
                if len(v) > MAX_ENUM:
                    raise self.err(f"enum too large: more than {MAX_ENUM} values", path)
                e = {}
                for x in v:
                    e.setdefault(vkey(x), x)
                enum = e if enum is None else {kk: vv for kk, vv in enum.items() if kk in e}
            elif k == "const" and D.const:
                e = {vkey(v): v}
                enum = e if enum is None else {kk: vv for kk, vv in enum.items() if kk in e}
            elif k == "maxLength":
                maxl = nonneg_int(v, k, path)
            elif k == "minLength":
                minl = nonneg_int(v, k, path)
            elif k == "pattern":
                check_pattern(v, path)
                pats = pats + (v,)
            elif k == "format":
                if type(v) is not str:
                    raise self.err("'format' must be a string", path)
                if self.fmt_assert:
                    fmt = v
                else:
                    ann = ann or {}
                    ann[k] = v
            elif k == "minimum":
                lo = num(v, k, path)
            elif k == "maximum":
                hi = num(v, k, path)
            elif k == "exclusiveMinimum":
                if type(v) is bool and D.bool_exclusive:
                    bool_exmin = v
                else:
                    ex_lo = num(v, k, path)
            elif k == "exclusiveMaximum":
                if type(v) is bool and D.bool_exclusive:
                    bool_exmax = v
                else:
                    ex_hi = num(v, k, path)
            elif k == "multipleOf":
                m = num(v, k, path)
                if m <= 0:
                    raise self.err("'multipleOf' must be greater than 0", path)
                mults = mults + (frac(m),)
            elif k == "items":
                arr = arr or ArrC()
                if type(v) is list:
                    if not D.legacy_items:
                        raise self.err("'items' must be a schema in 2020-12 (use prefixItems "
                                       "for tuples)", path)
                    arr.prefix = tuple(v)
                    ai = d.get("additionalItems")
                    if ai is not None:
                        arr.items = ai
                else:
                    self._schema_child(v, k, path)
                    arr.items = v
            elif k == "prefixItems" and D.prefix:
                if type(v) is not list:
                    raise self.err("'prefixItems' must be an array", path)
                arr = arr or ArrC()
                arr.prefix = tuple(v)
            elif k == "additionalItems" and D.legacy_items:
                arr = arr or ArrC()  # only meaningful with an items array (handled above)
            elif k == "maxItems":
                arr = arr or ArrC()
                arr.maxi = nonneg_int(v, k, path)
            elif k == "minItems":
                arr = arr or ArrC()
                arr.mini = nonneg_int(v, k, path)
            elif k == "uniqueItems":
                if type(v) is not bool:
                    raise self.err("'uniqueItems' must be a boolean", path)
                arr = arr or ArrC()
                arr.unique = v
            elif k == "contains" and D.const:
                self._schema_child(v, k, path)
                arr = arr or ArrC()
                arr.contains = v
            elif k == "minContains" and D.new_kw:
                arr = arr or ArrC()
                arr.minc = nonneg_int(v, k, path)
            elif k == "maxContains" and D.new_kw:
                arr = arr or ArrC()
                arr.maxc = nonneg_int(v, k, path)
            elif k == "unevaluatedItems" and D.new_kw:
                self._schema_child(v, k, path)
                arr = arr or ArrC()
                arr.uneval = v
            elif k == "additionalProperties":
                self._schema_child(v, k, path)
                obj = obj or ObjC()
                obj.addl = v
            elif k == "patternProperties":
                if type(v) is not dict:
                    raise self.err("'patternProperties' must be an object", path)
                for p in v:
                    check_pattern(p, path)
                obj = obj or ObjC()
                obj.pats = v or None
            elif k == "propertyNames" and D.const:
                self._schema_child(v, k, path)
                obj = obj or ObjC()
                obj.pn = v
            elif k == "minProperties":
                obj = obj or ObjC()
                obj.minp = nonneg_int(v, k, path)
            elif k == "maxProperties":
                obj = obj or ObjC()
                obj.maxp = nonneg_int(v, k, path)
            elif k == "dependentRequired" and D.new_kw:
                obj = obj or ObjC()
                obj.depreq = self._depreq(v, path, obj.depreq)
            elif k == "dependentSchemas" and D.new_kw:
                if type(v) is not dict:
                    raise self.err("'dependentSchemas' must be an object", path)
                obj = obj or ObjC()
                obj.depsch = dict(obj.depsch or {}, **v)
            elif k == "dependencies" and D.dependencies:
                if type(v) is not dict:
                    raise self.err("'dependencies' must be an object", path)
                obj = obj or ObjC()
                dr = {kk: vv for kk, vv in v.items() if type(vv) is list}
                ds = {kk: vv for kk, vv in v.items() if type(vv) is not list}
                if dr:
                    obj.depreq = self._depreq(dr, path, obj.depreq)
                if ds:
                    obj.depsch = dict(obj.depsch or {}, **ds)
            elif k == "unevaluatedProperties" and D.new_kw:
                self._schema_child(v, k, path)
                obj = obj or ObjC()
                obj.uneval = v
            elif k == "allOf":
                allof.extend(self._schema_list(v, k, path))
            elif k == "anyOf":
                anyof = self._schema_list(v, k, path)
            elif k == "oneOf":
                oneof = self._schema_list(v, k, path)
            elif k == "not":
                self._schema_child(v, k, path)
                not_ = v
            elif k == "if" and D.cond:
                self._schema_child(v, k, path)
                has_if = True
                cond_if = v
            elif k == "then" and D.cond:
                self._schema_child(v, k, path)
                cond_then = v
            elif k == "else" and D.cond:
                self._schema_child(v, k, path)
                cond_else = v
            elif k == "nullable":
                nullable = v is True
            elif k in STRUCTURAL_IGNORED or k in ("$ref", "$dynamicRef", "$recursiveRef"):
                continue
            else:
                # annotations (§4), x-* and unknown keywords: never constrain data
                if ann is None:
                    ann = {}
                ann[k] = v
        if nullable and type_given:
            types |= T_NULL
        if types != T_ALL:
            n.types = types
        if ann:
            n.ann = ann
        if lo is not None or hi is not None or mults or ex_lo is not None or ex_hi is not None:
            if types & T_NUMBER:
                # numbers: effective interval
                if bool_exmin and lo is not None:
                    lo_ex = True
                if bool_exmax and hi is not None:
                    hi_ex = True
                if ex_lo is not None and (lo is None or ex_lo >= lo):
                    lo, lo_ex = ex_lo, True
                if ex_hi is not None and (hi is None or ex_hi <= hi):
                    hi, hi_ex = ex_hi, True
                n.num = (lo, lo_ex, hi, hi_ex, tuple(sorted(set(mults))) if mults else ())
        if fmt is not None:
            n.fmt = fmt
        if (minl or maxl is not None or pats) and types & T_STR:
            n.strc = (minl, maxl, frozenset(pats))
        if arr is not None and types & T_ARR:
            if arr.contains is None:
                arr.minc, arr.maxc = 1, None
            n.arr = arr
        if types & T_OBJ and (obj is not None or type_given):
            n.obj = obj or ObjC()
        # combinators -------------------------------------------------------------------
        if not (has_if or refnode is not None or allof or anyof is not None
                or oneof is not None or not_ is not None):
            if enum is not None:
                return self._fold_enum(n, enum)
            return n
        if has_if:
            n.cond = (cond_if, cond_then, cond_else)
        if refnode is not None:
            allof.insert(0, refnode)
        residual = []
        for c in allof:
            cn = self.canon_try(c, path)
            if cn is None:
                residual.append(c)
            else:
                n = merge(self, n, cn)
        if anyof is not None:
            n = self._fold_union(n, anyof, False, path)
        if oneof is not None:
            n = self._fold_union(n, oneof, True, path)
        if not_ is not None:
            nn = self.canon_try(not_, path)
            if nn is not None and is_any(nn):
                n = merge(self, n, NEVER)
            elif nn is not None and is_never(nn):
                pass
            else:
                n = n.copy() if n is not None else n
                if n.not_ is None:
                    n.not_ = not_
                else:
                    m = CNode()
                    m.not_ = not_
                    residual.append(m)
        if residual:
            n = n.copy()
            n.allof = tuple(n.allof or ()) + tuple(residual)
        if n.raw is not d:
            n = n.copy() if n.raw is not None else n
            n.raw = d
        # enum: the value set is the enum filtered by everything else
        if enum is not None:
            n = self._fold_enum(n, enum)
        return n

    def _schema_child(self, v, k, path):
        if type(v) is not dict and type(v) is not bool:
            raise self.err(f"'{k}' must be a schema (object or boolean), got {tname(v)}", path)

    def _schema_list(self, v, k, path):
        if type(v) is not list or not v:
            raise self.err(f"'{k}' must be a non-empty array of schemas", path)
        for x in v:
            self._schema_child(x, k, path)
        if len(v) > MAX_BRANCHES:
            raise self.err(f"too many branches in {k}: more than {MAX_BRANCHES}", path)
        return tuple(v)

    def _depreq(self, v, path, prev):
        if type(v) is not dict:
            raise self.err("'dependentRequired' must be an object", path)
        out = dict(prev or {})
        for kk, vv in v.items():
            if type(vv) is not list or any(type(e) is not str for e in vv):
                raise self.err("dependentRequired values must be arrays of strings", path)
            out[kk] = out.get(kk, frozenset()) | frozenset(vv)
        return out
