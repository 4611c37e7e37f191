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

This module holds the walk itself (entry, memo, trials, `$ref`s, annotations, the dispatch to
each keyword family); the rules live in `scalars`, `objects`, `arrays` and `combinators`."""
from ..canon import ANN_TYPES, STRUCTURAL_IGNORED, CNode, ObjC, is_never
from ..errors import SchemaError
from ..limits import MAX_DEPTH
from ..result import EFFECT_NAMES, Change
from ..values import T_ARR, T_NUMBER, T_OBJ, T_STR, type_names, vkey
from .arrays import ArrayRules
from .combinators import CombinatorRules, _rnorm_repr
from .common import (
    _LIST_SET_KW,
    _MISSING,
    BW,
    F_STRICT,
    F_TABLE,
    FW,
    _cap,
    _label,
    _safe_equal,
)
from .objects import ObjectRules
from .scalars import ScalarRules

_FAST_OBJ_KEYS = frozenset({"type", "properties", "required", "additionalProperties", "title",
                            "description", "$comment", "examples", "default", "deprecated",
                            "readOnly", "writeOnly", "minProperties", "maxProperties"})


_FAST_ARR_KEYS = frozenset({"type", "items", "minItems", "maxItems", "uniqueItems", "title",
                            "description", "$comment", "examples", "default", "deprecated",
                            "readOnly", "writeOnly"})


_STR_ONLY = frozenset((str,))


class Options:
    def __init__(self, content_model="default", defaults_materialize=False,
                 format_assertion=True):
        if content_model not in ("default", "strict", "open", "closed"):
            raise SchemaError(f"unknown content_model {content_model!r}: use 'default' or "
                              "'strict'")
        self.strict = content_model == "strict"
        self.defaults_materialize = bool(defaults_materialize)
        self.format_assertion = bool(format_assertion)


class Comparer(ScalarRules, ObjectRules, ArrayRules, CombinatorRules):
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
