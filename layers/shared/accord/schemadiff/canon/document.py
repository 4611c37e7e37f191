"""A schema being compared: its dialect, `$ref` resolution (JSON pointers, anchors, `$id`s, with
cycle and size limits), the memo of canonical nodes, and the eager check that every reference
the comparison skipped still resolves."""
from marshal import dumps as _dumps

from ..errors import SchemaError
from ..limits import MAX_DEPTH, MAX_REFS, MAX_SCHEMA_NODES
from ..values import refs_in, tname
from .dialects import D04, dialect_of
from .keywords import KeywordReading
from .membership import Membership
from .merge import Folding, merge
from .nodes import (
    _SCHEMA_LIST_SET,
    _SCHEMA_MAP_SET,
    _SUB_ANY,
    ANY,
    NEVER,
    CNode,
    Conj,
    _InProgress,
    is_any,
    iter_subschemas,
    jp,
)


class Document(KeywordReading, Folding, Membership):
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
        from urllib.parse import (  # lazy: cheap module import
            unquote,
            urldefrag,
            urljoin,
        )
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
