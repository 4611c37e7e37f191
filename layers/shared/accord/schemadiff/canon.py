"""Canonicalisation (§3): one shallow canonical node per schema object, children stay lazy.

A :class:`CNode` denotes a set of JSON values as the conjunction of
  * a type set (bits, see :mod:`values`) and per-type constraints (``num``, ``strc``, ``fmt``,
    ``arr``, ``obj``), each of which only constrains values of its own JSON type;
  * or a finite value set ``enum`` (a dict JSON-equality key -> value);
  * residual combinators that could not be folded in (``anyof``, ``oneof``, ``allof``,
    ``not_``, ``cond``).
Children (``properties`` values, ``items`` ...) are kept as references to the raw schema
objects (or to synthetic nodes) and are canonicalised only when the comparison reaches them,
so unchanged subtrees are never canonicalised, and a `$ref` graph is never expanded.
"""
import math
from marshal import dumps as _dumps

from .errors import SchemaError
from .limits import MAX_BRANCHES, MAX_DEPTH, MAX_ENUM, MAX_FINITE, MAX_REFS, MAX_SCHEMA_NODES
from .values import (NUMERIC_FORMATS, T_ALL, T_ARR, T_BOOL, T_INT, T_NULL, T_NUMBER, T_OBJ,
                     T_STR, TYPE_BITS, check_pattern, frac, jtype, nonneg_int, num,
                     refs_in, regex_search, tname, vkey)

# ---------------------------------------------------------------------------------------------
# dialects
# ---------------------------------------------------------------------------------------------


class Dialect:
    def __init__(self, name, legacy_items, ref_siblings_ignored, dependencies, new_kw, prefix,
                 cond, const, bool_exclusive):
        self.name = name
        self.legacy_items = legacy_items          # items: [..] + additionalItems
        self.ref_siblings_ignored = ref_siblings_ignored
        self.dependencies = dependencies          # "dependencies" keyword
        self.new_kw = new_kw                      # dependent*, unevaluated*, min/maxContains
        self.prefix = prefix                      # prefixItems
        self.cond = cond                          # if / then / else
        self.const = const                        # const, contains, propertyNames
        self.bool_exclusive = bool_exclusive      # draft-04 boolean exclusiveMinimum


D2020 = Dialect("2020-12", False, False, False, True, True, True, True, False)
D2019 = Dialect("2019-09", True, False, False, True, False, True, True, False)
D07 = Dialect("draft-07", True, True, True, False, False, True, True, False)
D06 = Dialect("draft-06", True, True, True, False, False, False, True, False)
D04 = Dialect("draft-04", True, True, True, False, False, False, False, True)
_DIALECTS = {
    "json-schema.org/draft/2020-12/schema": D2020,
    "json-schema.org/draft/2019-09/schema": D2019,
    "json-schema.org/draft-07/schema": D07,
    "json-schema.org/draft-06/schema": D06,
    "json-schema.org/draft-04/schema": D04,
}


def dialect_of(schema, side=None):
    if type(schema) is not dict or "$schema" not in schema:
        return D2020
    uri = schema["$schema"]
    if type(uri) is not str:
        raise SchemaError("'$schema' must be a string", "$", side)
    key = uri.split("://", 1)[-1].rstrip("#")
    d = _DIALECTS.get(key)
    if d is None:
        raise SchemaError(f"unsupported $schema {uri!r}: use draft-07 "
                          "(http://json-schema.org/draft-07/schema#) or 2020-12 "
                          "(https://json-schema.org/draft/2020-12/schema)", "$", side)
    return d


# ---------------------------------------------------------------------------------------------
# canonical nodes
# ---------------------------------------------------------------------------------------------

ANN_TYPES = {"description": "description_changed", "title": "title_changed",
             "default": "default_changed", "examples": "examples_changed",
             "deprecated": "deprecated_changed"}
ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "readOnly",
                         "writeOnly", "$comment", "contentEncoding", "contentMediaType",
                         "contentSchema", "$id", "id", "$anchor", "$dynamicAnchor",
                         "$recursiveAnchor", "example", "discriminator", "xml", "externalDocs",
                         "$vocabulary"})
STRUCTURAL_IGNORED = frozenset({"$schema", "$defs", "definitions"})
_FAST_ANN = frozenset({"description", "title", "default", "examples", "deprecated", "readOnly",
                       "writeOnly", "$comment", "example"})


class CNode:
    types = T_ALL
    enum = None      # dict: vkey -> value
    num = None       # (lo, lo_excl, hi, hi_excl, mults: tuple of Fraction)
    strc = None      # (minLength, maxLength|None, patterns: frozenset)
    fmt = None
    arr = None       # ArrC
    obj = None       # ObjC
    anyof = None     # tuple of children
    oneof = None
    allof = None     # residual conjuncts
    not_ = None
    cond = None      # (if, then|None, else|None)
    ann = None       # dict keyword -> value
    ref = None       # (target, target JSONPath, ref string) for a pure $ref node
    raw = None

    def constrained(self):
        return (self.types != T_ALL or self.enum is not None or self.num is not None
                or self.strc is not None or self.fmt is not None or self.arr is not None
                or self.obj is not None or self.anyof is not None or self.oneof is not None
                or self.allof is not None or self.not_ is not None or self.cond is not None
                or self.ref is not None)

    def has_combinators(self):
        return (self.anyof is not None or self.oneof is not None or self.allof is not None
                or self.not_ is not None or self.cond is not None)

    def copy(self):
        n = CNode()
        n.__dict__.update(self.__dict__)
        return n


ANY = CNode()
NEVER = CNode()
NEVER.types = 0


def is_any(n):
    return n.types == T_ALL and not n.constrained()


def is_never(n):
    return n.types == 0 and n.ref is None


class ArrC:
    prefix = None    # tuple of children (tuple positions) or None
    items = None     # child (the additional items after prefix) or None = absent
    contains = None
    minc = 1
    maxc = None
    mini = 0
    maxi = None
    unique = False
    uneval = None

    def copy(self):
        a = ArrC()
        a.__dict__.update(self.__dict__)
        return a


class ObjC:
    # class-level defaults (never mutated in place: attributes are only ever re-assigned)
    props = {}
    req = frozenset()
    addl = None      # child or None (absent)
    pats = None      # dict pattern -> child
    pn = None        # propertyNames child
    minp = 0
    maxp = None
    depreq = None    # dict name -> frozenset
    depsch = None    # dict name -> child
    uneval = None

    def copy(self):
        o = ObjC()
        o.__dict__.update(self.__dict__)
        return o

    def implicitly_open(self):
        return self.addl is None and not self.pats and self.uneval is None


class Conj:
    """A lazy conjunction of children of one document (built by merges)."""
    __slots__ = ("parts",)

    def __init__(self, parts):
        self.parts = parts


class _InProgress(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# subschema positions (for walks over a whole document)
# ---------------------------------------------------------------------------------------------

_SCHEMA_KW = ("additionalProperties", "items", "additionalItems", "contains", "propertyNames",
              "not", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems",
              "contentSchema")
_SCHEMA_LIST_KW = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SCHEMA_MAP_KW = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
                  "dependencies")


_SCHEMA_MAP_SET = frozenset(_SCHEMA_MAP_KW)
_SCHEMA_LIST_SET = frozenset(_SCHEMA_LIST_KW)
_SUB_ANY = frozenset(_SCHEMA_KW) | _SCHEMA_MAP_SET | _SCHEMA_LIST_SET


def iter_subschemas(d):
    """(keyword-path, child) for every direct subschema of the schema object `d`."""
    for k in _SCHEMA_KW:
        v = d.get(k)
        if type(v) is dict or type(v) is bool:
            yield (k,), v
    for k in _SCHEMA_LIST_KW:
        v = d.get(k)
        if type(v) is list:
            for i, x in enumerate(v):
                if type(x) is dict or type(x) is bool:
                    yield (k, i), x
    for k in _SCHEMA_MAP_KW:
        v = d.get(k)
        if type(v) is dict:
            for name, x in v.items():
                if type(x) is dict or type(x) is bool:
                    yield (k, name), x


def jp(segments):
    out = "$"
    for s in segments:
        out += jseg(s)
    return out


def jseg(s):
    """One JSONPath segment: .name, ['odd name'] or [index]."""
    if type(s) is int:
        return f"[{s}]"
    # [A-Za-z_$][A-Za-z0-9_$]*, without a regex call (this runs once per compared property)
    if s.isascii() and s.replace("$", "_").isidentifier():
        return "." + s
    return "['" + s.replace("\\", "\\\\").replace("'", "\\'") + "']"


# ---------------------------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------------------------


class Document:
    def __init__(self, root, side, format_assertion=True):
        if type(root) is not dict and type(root) is not bool:
            raise SchemaError(f"a schema must be a JSON object or a boolean, got {tname(root)}",
                              "$", side)
        self.root = root
        self.side = side
        self.d = dialect_of(root, side)
        self.fmt_assert = format_assertion
        self.cache = {}
        self.inprog = set()
        self.nodes = 0
        self.refs = 0
        self.ref_cache = {}
        self.anchors = None
        self.alt_cache = {}
        self.conj_cache = {}
        self.sat_cache = {}
        base = root.get("$id") if type(root) is dict else None
        if type(base) is not str:
            base = root.get("id") if type(root) is dict and self.d is D04 else None
        self.base = base.split("#", 1)[0] if type(base) is str else ""

    def err(self, msg, path=None):
        return SchemaError(msg, path, self.side)

    # -- $ref ------------------------------------------------------------------------------

    def validate_refs(self):
        """Resolve every $ref of the document now (an unresolvable one is an error even in a
        part of the schema the comparison would not reach)."""
        stack = [(self.root, ("$",), 0)]
        seen = 0
        while stack:
            d, segs, depth = stack.pop()
            if type(d) is not dict:
                continue
            seen += 1
            if seen > MAX_SCHEMA_NODES:
                raise self.err(f"schema too large: more than {MAX_SCHEMA_NODES} schema objects")
            if depth > MAX_DEPTH:
                raise self.err(f"schema nested deeper than {MAX_DEPTH} levels", jp(segs[1:]))
            for k in ("$ref", "$dynamicRef", "$recursiveRef"):
                if k in d:
                    self.resolve(d[k], jp(segs[1:]))
            for sub, x in iter_subschemas(d):
                stack.append((x, segs + sub, depth + 1))

    def check_unvisited(self, skipped, props_done=(), loose=()):
        """Eager $ref validation without a second pass over the document: every subschema is
        canonicalised (its $ref resolved), skipped as raw-equal (marshalled: known to hold no
        $ref), a child of a `properties` map the comparison handled completely, or hangs off
        a canonicalised node unvisited -- those and the added / removed properties (`loose`)
        are marshalled here, and any $ref among them triggers the full validation walk."""
        cache = self.cache
        todo = [x for x in loose if type(x) is dict and id(x) not in cache]
        for i, n in list(cache.items()):
            d = n.raw
            if type(d) is not dict or id(d) != i or _SUB_ANY.isdisjoint(d):  # no subschema here
                continue
            for k, v in d.items():
                if k not in _SUB_ANY:
                    continue
                tv = type(v)
                if tv is dict:
                    if k in _SCHEMA_MAP_SET:
                        if k == "properties" and id(v) in props_done:
                            continue
                        for x in v.values():
                            if type(x) is dict:
                                j = id(x)
                                if j not in cache and j not in skipped:
                                    todo.append(x)
                    else:
                        j = id(v)
                        if j not in cache and j not in skipped:
                            todo.append(v)
                elif tv is list and k in _SCHEMA_LIST_SET:
                    for x in v:
                        if type(x) is dict:
                            j = id(x)
                            if j not in cache and j not in skipped:
                                todo.append(x)
        if todo:
            try:
                m = _dumps(todo)
            except ValueError:
                m = b"$ref"
            if refs_in(m):
                self.validate_refs()

    def resolve(self, ref, path):
        if type(ref) is not str:
            raise self.err(f"$ref must be a string, got {tname(ref)}", path)
        hit = self.ref_cache.get(ref)
        if hit is not None:
            return hit
        from urllib.parse import unquote, urldefrag, urljoin   # lazy: cheap module import
        self.refs += 1
        if self.refs > MAX_REFS:
            raise self.err(f"too many $ref: more than {MAX_REFS}")
        uri, frag = urldefrag(ref)
        if uri:
            full = urljoin(self.base, uri) if self.base else uri
            if not self.base or full != self.base:
                raise self.err(f"external $ref {ref!r} is not supported: only references inside "
                               "the schema (#/...) can be resolved", path)
        frag = unquote(frag)
        if frag == "" or frag.startswith("/"):
            node = self.root
            segs = []
            for tok in frag.split("/")[1:] if frag else ():
                tok = tok.replace("~1", "/").replace("~0", "~")
                if type(node) is dict and tok in node:
                    node = node[tok]
                elif type(node) is list and tok.isascii() and tok.isdigit() and int(tok) < len(node):
                    tok = int(tok)
                    node = node[tok]
                else:
                    raise self.err(f"$ref {ref!r} does not resolve: no {tok!r} in the schema",
                                   path)
                segs.append(tok)
            tpath = jp(segs)
        else:
            if self.anchors is None:
                self._scan_anchors()
            hit = self.anchors.get(frag)
            if hit is None:
                raise self.err(f"$ref {ref!r} does not resolve: no anchor {frag!r}", path)
            node, tpath = hit
        if type(node) is not dict and type(node) is not bool:
            raise self.err(f"$ref {ref!r} does not point to a schema", path)
        out = (node, tpath)
        self.ref_cache[ref] = out
        return out

    def _scan_anchors(self):
        self.anchors = {}
        stack = [(self.root, ())]
        n = 0
        while stack:
            d, segs = stack.pop()
            if type(d) is not dict:
                continue
            n += 1
            if n > MAX_SCHEMA_NODES:
                raise self.err("schema too large while looking for anchors")
            for k in ("$anchor", "$dynamicAnchor"):
                a = d.get(k)
                if type(a) is str:
                    self.anchors.setdefault(a, (d, jp(segs)))
            i = d.get("$id")
            if type(i) is str and i.startswith("#"):
                self.anchors.setdefault(i[1:], (d, jp(segs)))
            for sub, x in iter_subschemas(d):
                if len(segs) < MAX_DEPTH:
                    stack.append((x, segs + sub))

    def deref(self, n, try_only=False):
        """Follow pure $ref nodes to the target's canonical node (a cycle of pure refs -> ANY)."""
        seen = None
        while n.ref is not None:
            target = n.ref[0]
            if try_only and type(target) is dict and id(target) in self.inprog:
                return None
            n2 = self.canon(target)
            if seen is None:
                seen = {id(n)}
            if id(n2) in seen:
                return ANY
            seen.add(id(n2))
            n = n2
        return n

    # -- canonicalisation --------------------------------------------------------------------

    def canon(self, x, path="$"):
        t = type(x)
        if t is CNode:
            return x
        if x is True:
            return ANY
        if x is False:
            return NEVER
        if t is dict:
            n = self.cache.get(id(x))
            if n is not None:
                return n
            key = id(x)
            if key in self.inprog:
                raise _InProgress()
            self.inprog.add(key)
            try:
                n = self._build(x, path)
            finally:
                self.inprog.discard(key)
            self.cache[key] = n
            self.nodes += 1
            if self.nodes > MAX_SCHEMA_NODES:
                raise self.err(f"schema too large: more than {MAX_SCHEMA_NODES} schema objects")
            return n
        if t is Conj:
            n = self.cache.get(id(x))
            if n is None:
                n = ANY
                for p in x.parts:
                    n = merge(self, n, self.deref(self.canon(p, path)))
                self.cache[id(x)] = n
            return n
        raise self.err(f"a schema must be a JSON object or a boolean, got {tname(x)}", path)

    def canon_try(self, x, path):
        """Canonical node with pure refs followed, or None if that would re-enter a build."""
        try:
            n = self.canon(x, path)
            return self.deref(n, try_only=True)
        except _InProgress:
            return None

    def conj(self, a, b):
        if a is True or (type(a) is CNode and is_any(a)):
            return b
        if b is True or (type(b) is CNode and is_any(b)):
            return a
        key = (id(a), id(b))
        c = self.conj_cache.get(key)
        if c is None:
            c = self.conj_cache[key] = (Conj((a, b)), a, b)
        return c[0]

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

    # -- evaluation of one value (enum filtering, finite sets) --------------------------------

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


def int_bounds(numc):
    """Closed integer bounds of a numeric constraint (None = unbounded)."""
    if numc is None:
        return None, None
    lo, lo_ex, hi, hi_ex, _ = numc
    ilo = ihi = None
    if lo is not None:
        ilo = math.floor(lo) + 1 if lo_ex else math.ceil(lo)
    if hi is not None:
        ihi = math.ceil(hi) - 1 if hi_ex else math.floor(hi)
    return ilo, ihi


# ---------------------------------------------------------------------------------------------
# formats (evaluation of a value, for enum filtering only)
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# conjunction (allOf, $ref siblings) and union folding (anyOf / oneOf type sets)
# ---------------------------------------------------------------------------------------------

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
