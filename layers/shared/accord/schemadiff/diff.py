"""The comparison: for a pair (old node, new node) compute both ground-truth directions (§1)

    backward: V(W(old)) ⊆ V(R(new))      forward: V(W(new)) ⊆ V(R(old))

as two bits (1 = backward broken, 2 = forward broken) and report each local difference as a
§5 change whose effect is exactly that difference's contribution to the two bits.

* Raw-equal subtrees (checked in C: ``==`` and a marshal comparison, which keeps true != 1)
  without ``$ref`` are skipped without canonicalising them.
* Pairs reached through ``$ref`` are memoised (and treated as equal while in progress), so
  a ``$ref`` graph is compared in time linear in its size, never expanded into a tree.
* Union, allOf and not comparisons decide inclusion with side-effect-free trial comparisons,
  then report the changes of the chosen branch pairing.
"""
from itertools import compress, repeat
from marshal import dumps as _dumps
from operator import eq as _eq

from .canon import (ANN_TYPES, CNode, STRUCTURAL_IGNORED, ObjC, _part, int_bounds, is_any, is_never,
                    jseg)
from .errors import SchemaError
from .limits import MAX_DEPTH, MAX_PAIRWISE
from .result import EFFECT_NAMES, Change
from .values import (T_ALL, T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_NUMBER, T_OBJ, T_STR,
                     format_subset, jtype, refs_in, regex_search, type_names, vkey)

BW, FW = 1, 2
F_TABLE, F_STRICT = 1, 2
OPEN, TRUE, FALSE, SCHEMA = "open", "true", "false", "schema"
_MISSING = object()
_FAST_OBJ_KEYS = frozenset({"type", "properties", "required", "additionalProperties", "title",
                            "description", "$comment", "examples", "default", "deprecated",
                            "readOnly", "writeOnly", "minProperties", "maxProperties"})
_FAST_ARR_KEYS = frozenset({"type", "items", "minItems", "maxItems", "uniqueItems", "title",
                            "description", "$comment", "examples", "default", "deprecated",
                            "readOnly", "writeOnly"})
_STR_ONLY = frozenset((str,))
_RANK = {FALSE: 0, SCHEMA: 1, OPEN: 2, TRUE: 3}
_COMB_RANK = {"allOf": 0, "oneOf": 1, "anyOf": 2}
_LIST_SET_KW = ("type", "required", "enum")


def _safe_equal(a, b):
    """Raw equality that is JSON equality, and only for subtrees without $ref."""
    try:
        ma = _dumps(a)
        if refs_in(ma):
            return False
        return ma == _dumps(b)
    except (ValueError, RecursionError):
        return False


def _fmt_val(v):
    if type(v) is list:
        return ", ".join(map(_fmt_val, v))
    if type(v) is str:
        return repr(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


_SUFFIX_LABELS = {".items": "items of ", ".additionalProperties": "additional properties of ",
                  ".additionalItems": "additional items of ", ".contains": "'contains' of ",
                  ".propertyNames": "property names of ", ".not": "'not' of "}


def _label(path):
    """Human name of a schema location for descriptions."""
    if path == "$":
        return "the schema"
    i = path.rfind(".")
    last = path[i:]
    what = _SUFFIX_LABELS.get(last)  # the last segment, when it is one of these
    if what is not None:
        return what + _label(path[:i])
    if i >= 11 and path[i - 11:i] == ".properties" and "[" not in last:  # the common case: ...properties.name
        return f"property '{last[1:]}'"
    i = path.rfind(".properties")
    if i >= 0:
        tail = path[i + len(".properties"):]
        if tail.startswith(".") and "." not in tail[1:] and "[" not in tail:
            return f"property '{tail[1:]}'"
        if tail.startswith("['") and tail.endswith("']") and "'][" not in tail:
            return f"property '{tail[2:-2]}'"
    return f"'{path}'"


def _chg(kw, old, new, where):
    if old is None:
        return f"{kw} of {where} set to {new}"
    if new is None:
        return f"{kw} of {where} removed (was {old})"
    return f"{kw} of {where} changed from {old} to {new}"


def _cap(s):
    return s[:1].upper() + s[1:]


class Options:
    def __init__(self, content_model="default", defaults_materialize=False,
                 format_assertion=True):
        if content_model not in ("default", "strict", "open", "closed"):
            raise SchemaError(f"unknown content_model {content_model!r}: use 'default' or "
                              "'strict'")
        self.strict = content_model == "strict"
        self.defaults_materialize = bool(defaults_materialize)
        self.format_assertion = bool(format_assertion)


class Comparer:
    def __init__(self, da, db, opts, profile="event"):
        self.da, self.db = da, db
        self.opts = opts
        self.sink = []
        self.memo = {}
        self.active = set()
        self.trials = {}
        self.trial_active = set()
        self.synth = {}
        self.disc_index = {}
        self.discs = {}
        self.depth = 0
        self.raw_skip = da.d is db.d
        self.fl0 = (F_STRICT if opts.strict else 0) | (F_TABLE if profile == "table" else 0)
        # coverage bookkeeping for the eager $ref check (Document.check_unvisited)
        self.skipped_a = set()      # ids of raw subtrees skipped as equal (marshalled)
        self.skipped_b = set()
        self.props_a = set()        # ids of `properties` maps whose children were all handled
        self.props_b = set()
        self.loose_a = []           # raw subtrees added / removed without being compared
        self.loose_b = []

    # -- entry ---------------------------------------------------------------------------------

    def run(self):
        bits = self.cmp(self.da.root, self.db.root, "$", self.fl0)
        if self.da.d is not self.db.d:
            self.emit("schema_refactored", "$", 0, self.da.d.name, self.db.d.name,
                      f"Dialect changed from {self.da.d.name} to {self.db.d.name}")
        return bits

    def emit(self, type_, path, bits, old=None, new=None, desc="", rule=None):
        """rule="table": judged by the table profile's column rules (§7), which the reason
        clause names (see reasons.py)."""
        if self.sink is not None:
            self.sink.append(Change(type_, path, EFFECT_NAMES[bits], old, new, desc, rule=rule))

    def _synth(self, fn, doc, n, *extra):
        """A derived node (restricted, null-stripped, split ...) made once per source node, so
        node identities stay stable and the co-inductive memo terminates on cycles."""
        key = (fn, id(n), extra)
        hit = self.synth.get(key)
        if hit is None:
            out = fn(doc, n) if doc is not None else fn(n, *extra)
            hit = self.synth[key] = (out, n)
        return hit[0]

    def trial(self, a, b, fl):
        key = (id(a), id(b), fl)
        r = self.trials.get(key)
        if r is not None:
            return r[0]
        if key in self.trial_active:
            return 0
        self.trial_active.add(key)
        saved = self.sink
        self.sink = None
        try:
            r = self.cmp(a, b, "$", fl)
        finally:
            self.sink = saved
            self.trial_active.discard(key)
        self.trials[key] = (r, a, b)
        return r

    # -- pairs ---------------------------------------------------------------------------------

    def cmp(self, a, b, path, fl):
        if a is b:
            return 0
        if self.raw_skip and type(a) is dict and type(b) is dict and a == b \
                and _safe_equal(a, b):
            self.skipped_a.add(id(a))
            self.skipped_b.add(id(b))
            return 0
        return self._cmp_unequal(a, b, path, fl)

    def _cmp_unequal(self, a, b, path, fl):
        """cmp() for a pair already known not to be raw-equal."""
        if self.raw_skip and type(a) is dict and type(b) is dict and not fl & F_TABLE \
                and ("properties" in a or "items" in a) and a.keys() == b.keys():
            r = self._fast_container(a, b, path, fl)
            if r is not None:
                return r
        na = self.da.canon(a, path)
        nb = self.db.canon(b, path)
        if na.ref is not None or nb.ref is not None or type(a) is CNode or type(b) is CNode:
            return self._cmp_ref(na, nb, path, fl)
        # pairs of schema objects are memoised too: a cycle can also run through a union that
        # folded a $ref in (anyOf [{$ref}, null]), and aliased input must not fan out
        memo = type(a) is dict and type(b) is dict
        sink = self.sink
        if memo:
            key = (id(na), id(nb), fl)
            m = self.memo.get(key)
            if m is not None and (m[1] or sink is None):
                return m[0]
            if key in self.active:
                return 0
            self.active.add(key)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SchemaError(f"schema nested deeper than {MAX_DEPTH} levels", path)
        try:
            start = len(sink) if sink is not None else 0
            bits = self._cmp_nodes(na, nb, path, fl)
            if sink is not None and len(sink) == start and self._spelling_differs(a, b):
                self.emit("schema_refactored", path, 0, None, None,
                          f"{_cap(_label(path))} was restructured without changing the values "
                          "it accepts")
        finally:
            self.depth -= 1
            if memo:
                self.active.discard(key)
        if memo:
            self.memo[key] = (bits, sink is not None)
        return bits

    def _fast_container(self, a, b, path, fl):
        """Objects / arrays whose only raw difference is inside `properties` / `items`: the
        verdict is exactly that of the children, so the containers are not canonicalised."""
        keys = a.keys()
        if "properties" in a:
            if not keys <= _FAST_OBJ_KEYS:
                return None
            t = a.get("type")
            if t is not None and t != "object" and not (type(t) is list and "object" in t):
                return None
            pa, pb = a["properties"], b["properties"]
            if type(pa) is not dict or type(pb) is not dict or type(a.get("required", ())) \
                    not in (list, tuple):
                return None
            kind = "properties"
        elif "items" in a:
            if not keys <= _FAST_ARR_KEYS or type(a["items"]) is not dict \
                    or type(b["items"]) is not dict:
                return None
            t = a.get("type")
            if t is not None and t != "array" and not (type(t) is list and "array" in t):
                return None
            kind = "items"
        else:
            return None
        oa = a.copy()  # the other keywords, compared in C
        del oa[kind]
        ob = b.copy()
        del ob[kind]
        if oa != ob:
            return None
        for x in oa.values():
            # strings and lists of strings (type, required, annotations) compare strictly in
            # Python, and what equals a string is a string: one side tells; anything else goes
            # through the marshal check (true != 1, no $ref), in a's key order
            tx = type(x)
            if tx is str or tx is list and _STR_ONLY.issuperset(map(type, x)):
                continue
            if not _safe_equal(list(oa.values()), [ob[k] for k in oa]):
                return None
            break
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SchemaError(f"schema nested deeper than {MAX_DEPTH} levels", path)
        try:
            if kind == "items":  # everything else is strictly equal, so the items differ
                return self._cmp_unequal(a["items"], b["items"], path + ".items", fl)
            A = ObjC()
            A.props = pa
            B = ObjC()
            B.props = pb
            if "additionalProperties" in a:
                A.addl = a["additionalProperties"]
                B.addl = b["additionalProperties"]
            return self._cmp_props(A, B, path, fl, fl, False)
        finally:
            self.depth -= 1

    def _cmp_ref(self, na, nb, path, fl):
        ra, rb = na.ref, nb.ref
        if na.ann is not None or nb.ann is not None:
            if ra is not None and rb is not None and self.sink is not None:
                self._cmp_ann(na.ann, nb.ann, path)
        ta = self.da.deref(na) if ra is not None else na
        tb = self.db.deref(nb) if rb is not None else nb
        same_target = ra is not None and rb is not None and ra[1] == rb[1]
        if same_target:
            path = rb[1]
        key = (id(ta), id(tb), fl)
        m = self.memo.get(key)
        if m is not None and (m[1] or self.sink is None):
            return m[0]
        if key in self.active:
            return 0
        self.active.add(key)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SchemaError(f"$ref chain or nesting deeper than {MAX_DEPTH} levels", path)
        sink = self.sink
        start = len(sink) if sink is not None else 0
        try:
            bits = self._cmp_nodes(ta, tb, path, fl)
        finally:
            self.active.discard(key)
            self.depth -= 1
        self.memo[key] = (bits, sink is not None)
        if sink is not None and len(sink) == start and not same_target and ta is not tb \
                and (ra is not None or rb is not None):
            self.emit("schema_refactored", path, 0, ra[2] if ra else None,
                      rb[2] if rb else None,
                      f"{_cap(_label(path))} now "
                      + (f"references {rb[2]!r}" if rb else "is defined inline")
                      + " with the same values")
        return bits

    def _spelling_differs(self, a, b):
        ta, tb = type(a), type(b)
        if ta is CNode or tb is CNode:
            return False
        if ta is not dict or tb is not dict:
            return a is not b and not (ta is tb and a == b)
        ka = {k for k in a if k not in STRUCTURAL_IGNORED}
        kb = {k for k in b if k not in STRUCTURAL_IGNORED}
        if ka != kb:
            return True
        for k in ka:
            x, y = a[k], b[k]
            if k in _LIST_SET_KW and type(x) is list and type(y) is list:
                if {vkey(e) for e in x} != {vkey(e) for e in y}:
                    return True
            elif k in ("anyOf", "oneOf", "allOf") and type(x) is list and type(y) is list:
                if sorted(map(_rnorm_repr, x)) != sorted(map(_rnorm_repr, y)):
                    return True
            elif type(x) is dict or type(y) is dict or type(x) is list:
                continue
            elif vkey(x) != vkey(y):
                return True
        return False

    # -- nodes ---------------------------------------------------------------------------------

    def _cmp_nodes(self, na, nb, path, fl):
        if na is nb:
            return 0
        if self.sink is not None and (na.ann is not None or nb.ann is not None):
            self._cmp_ann(na.ann, nb.ann, path)
        if na.types == 0 or nb.types == 0:
            return self._cmp_empty(na, nb, path)
        comb = self._combinator_switch(na, nb, path, fl)
        if comb is not None:
            return comb
        if na.anyof is not None or na.oneof is not None or nb.anyof is not None \
                or nb.oneof is not None:
            return self._cmp_union(na, nb, path, fl)
        bits = 0
        if na.allof is not None or nb.allof is not None or na.not_ is not None \
                or nb.not_ is not None or na.cond is not None or nb.cond is not None:
            bits = self._cmp_residual(na, nb, path, fl)
        return bits | self._cmp_plain(na, nb, path, fl)

    def _cmp_empty(self, na, nb, path):
        if is_never(na) and is_never(nb) or (na.types == 0 and nb.types == 0):
            return 0
        if na.types == 0:
            self.emit("type_widened", path, FW, None, type_names(nb.types),
                      f"{_cap(_label(path))} accepted no value and now accepts values")
            return FW
        self.emit("type_narrowed", path, BW, type_names(na.types), None,
                  f"{_cap(_label(path))} no longer accepts any value")
        return BW

    def _cmp_ann(self, A, B, path):
        A = A or {}
        B = B or {}
        for k in list(A) + [k for k in B if k not in A]:
            x, y = A.get(k, _MISSING), B.get(k, _MISSING)
            if x is not _MISSING and y is not _MISSING:
                try:
                    if k == "examples" and type(x) is list and type(y) is list:
                        if {vkey(e) for e in x} == {vkey(e) for e in y}:
                            continue
                    elif vkey(x) == vkey(y):
                        continue
                except SchemaError:
                    if x == y:
                        continue
            t = ANN_TYPES.get(k, "annotation_changed")
            ox = None if x is _MISSING else x
            oy = None if y is _MISSING else y
            verb = "added" if x is _MISSING else ("removed" if y is _MISSING else "changed")
            self.emit(t, path, 0, ox, oy, f"'{k}' of {_label(path)} {verb}")

    # -- type, enum, per-type constraints --------------------------------------------------------

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

    def _cmp_plain(self, na, nb, path, fl):
        if na.enum is not None or nb.enum is not None:
            return self._cmp_enum(na, nb, path)
        ta, tb = na.types, nb.types
        bits = self._cmp_types(ta, tb, path)
        common = ta & tb
        if common & T_NUMBER and (na.num is not None or nb.num is not None):
            bits |= self._cmp_num(na.num, nb.num, common & T_NUMBER, path)
        if common & T_STR and (na.strc is not None or nb.strc is not None):
            bits |= self._cmp_str(na.strc, nb.strc, path)
        if na.fmt != nb.fmt and common & (T_STR | T_NUMBER):
            bits |= self._cmp_fmt(na.fmt, nb.fmt, path)
        if common & T_ARR and (na.arr is not None or nb.arr is not None):
            bits |= self._cmp_arr(na, nb, path, fl)
        if common & T_OBJ and (na.obj is not None or nb.obj is not None):
            bits |= self._cmp_obj(na, nb, path, fl)
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
        from .regexlang import Budget
        from .regexlang.change import pattern_change
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

    # -- slots (§2) ------------------------------------------------------------------------------

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

    # -- objects -----------------------------------------------------------------------------

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

    # -- arrays ------------------------------------------------------------------------------

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

    # -- unions (anyOf / oneOf) ----------------------------------------------------------------

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
        from .canon import merge
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

    # -- allOf residuals, not, if/then/else ------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

_NONPOS_OBJ = ObjC()
_NONPOS_OBJ._pos = False
_NONPOS_OBJ.addl = True


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


def _raw_of(x):
    return x.raw if type(x) is CNode and x.raw is not None else x


def _raw_out(x):
    x = _raw_of(x)
    if type(x) is CNode:
        return None
    return x


def _kind_val(slot):
    k, x = slot
    if k == OPEN:
        return None
    if k == TRUE:
        return True
    if k == FALSE:
        return False
    return _raw_out(x)


def _kind_txt(slot):
    return {OPEN: "implicitly open", TRUE: "anything", FALSE: "nothing",
            SCHEMA: "a schema"}[slot[0]]


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
