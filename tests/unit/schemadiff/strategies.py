"""Hypothesis strategies: random JSON Schemas, mutations of them, instances, and W(S).

The generated schemas use what the soundness property exercises: objects with properties /
required / additionalProperties (absent, true, false, a schema), arrays (items, tuples,
lengths, uniqueItems), enums / const, numeric and string bounds, anyOf, nullable spellings
and $defs / $ref.
"""
import copy

from hypothesis import strategies as st

NAMES = ("a", "b", "c", "d")
SCALAR_TYPES = ("string", "integer", "number", "boolean", "null")
ENUM_VALUES = ("x", "y", "z", 0, 1, 2, 1.5, True, False, None)


def _scalar(draw):
    t = draw(st.sampled_from(SCALAR_TYPES))
    s = {"type": t}
    if t == "string":
        if draw(st.booleans()):
            s["maxLength"] = draw(st.integers(0, 4))
        if draw(st.booleans()):
            s["minLength"] = draw(st.integers(0, 3))
        if draw(st.integers(0, 5)) == 0:
            s["pattern"] = draw(st.sampled_from(["^x", "^[a-z]*$", "y"]))
    elif t in ("integer", "number"):
        if draw(st.booleans()):
            s["minimum"] = draw(st.sampled_from([-1, 0, 0.5, 1, 2]))
        if draw(st.booleans()):
            s["maximum"] = draw(st.sampled_from([0, 1, 1.5, 2, 3, 10]))
        if draw(st.integers(0, 4)) == 0:
            s["exclusiveMinimum"] = draw(st.sampled_from([-1, 0, 0.5]))
        if draw(st.integers(0, 5)) == 0:
            s["multipleOf"] = draw(st.sampled_from([1, 2, 0.5]))
    return s


@st.composite
def schemas(draw, depth=2, defs=True):
    """A random schema; with defs=True the root may carry $defs referenced by $ref."""
    names = {}

    def node(d, allow_ref=True):
        kinds = ["scalar", "scalar", "enum", "object", "object", "array", "anyof", "nullable",
                 "true"] + (["ref"] if allow_ref else [])
        kind = draw(st.sampled_from(kinds if d > 0 else ["scalar", "scalar", "enum", "true"]))
        if kind == "scalar":
            return _scalar(draw)
        if kind == "true":
            return draw(st.sampled_from([True, {}, False] if draw(st.integers(0, 6)) == 0
                                        else [True, {}]))
        if kind == "enum":
            vals = draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=3))
            if len(vals) == 1 and draw(st.booleans()):
                return {"const": vals[0]}
            return {"enum": vals}
        if kind == "object":
            props = {n: node(d - 1) for n in draw(st.lists(st.sampled_from(NAMES),
                                                           max_size=3, unique=True))}
            s = {"type": "object", "properties": props}
            req = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
            if req:
                s["required"] = req
            ap = draw(st.sampled_from(["absent", "absent", "true", "false", "schema"]))
            if ap == "true":
                s["additionalProperties"] = True
            elif ap == "false":
                s["additionalProperties"] = False
            elif ap == "schema":
                s["additionalProperties"] = _scalar(draw)
            return s
        if kind == "array":
            s = {"type": "array"}
            if draw(st.integers(0, 3)) == 0:
                s["prefixItems"] = [node(d - 1) for _ in range(draw(st.integers(1, 2)))]
                if draw(st.booleans()):
                    s["items"] = draw(st.sampled_from([False, True, {"type": "integer"}]))
            else:
                s["items"] = node(d - 1)
            if draw(st.booleans()):
                s["maxItems"] = draw(st.integers(0, 3))
            if draw(st.integers(0, 3)) == 0:
                s["minItems"] = draw(st.integers(0, 2))
            if draw(st.integers(0, 4)) == 0:
                s["uniqueItems"] = True
            return s
        if kind == "anyof":
            return {"anyOf": [node(d - 1) for _ in range(draw(st.integers(1, 3)))]}
        if kind == "nullable":
            inner = _scalar(draw)
            if inner["type"] == "null":
                return inner
            spelling = draw(st.sampled_from(["array", "anyof", "oneof"]))
            if spelling == "array":
                return {**inner, "type": [inner["type"], "null"]}
            if spelling == "anyof":
                return {"anyOf": [inner, {"type": "null"}]}
            return {"oneOf": [inner, {"type": "null"}]}
        # ref
        if not defs:
            return _scalar(draw)
        name = draw(st.sampled_from(["A", "B"]))
        if name not in names:
            names[name] = None
            names[name] = node(d - 1, allow_ref=False)
        return {"$ref": f"#/$defs/{name}"}

    if draw(st.integers(0, 3)) == 0:
        root = node(depth)
    else:  # most contracts are objects: a root object with a few properties
        props = {n: node(depth - 1) for n in draw(st.lists(st.sampled_from(NAMES), min_size=1,
                                                           max_size=4, unique=True))}
        root = {"type": "object", "properties": props}
        req = draw(st.lists(st.sampled_from(sorted(props)), max_size=2, unique=True))
        if req:
            root["required"] = req
        ap = draw(st.sampled_from(["absent", "absent", "true", "false", "schema"]))
        if ap != "absent":
            root["additionalProperties"] = {"true": True, "false": False,
                                            "schema": {"type": "string"}}[ap]
    if names:
        if not isinstance(root, dict):
            root = {"anyOf": [root]}
        root = dict(root)
        root["$defs"] = {k: (v if v is not None else {"type": "string"})
                         for k, v in names.items()}
    return root


_MUTATIONS = ("type", "add_prop", "remove_prop", "toggle_required", "ap", "bound", "null",
              "enum", "items", "wrap_anyof", "drop_type")


@st.composite
def mutated(draw, schema, n=None):
    """`schema` with 1-3 random local edits (possibly none applicable)."""
    s = copy.deepcopy(schema)
    for _ in range(n if n is not None else draw(st.integers(1, 3))):
        nodes = list(_subschemas(s))
        if not nodes:
            break
        target = draw(st.sampled_from(nodes))
        ops = _applicable(target)
        if ops:
            _mutate(draw, target, draw(st.sampled_from(ops)))
    return s


def _subschemas(s):
    if isinstance(s, dict):
        yield s
        for k in ("properties", "$defs"):
            for v in (s.get(k) or {}).values():
                yield from _subschemas(v)
        for k in ("items", "additionalProperties"):
            if isinstance(s.get(k), dict):
                yield from _subschemas(s[k])
        for k in ("anyOf", "oneOf", "prefixItems"):
            for v in s.get(k) or ():
                yield from _subschemas(v)


def _applicable(t):
    if "$ref" in t:
        return []
    ty = t.get("type")
    ops = ["enum", "wrap_anyof"]
    if isinstance(ty, str):
        ops += ["type", "null", "drop_type", "bound"]
    if ty == "object":
        ops += ["add_prop", "add_prop", "toggle_required", "toggle_required", "ap", "ap"]
        if t.get("properties"):
            ops += ["remove_prop", "remove_prop"]
    if ty == "array":
        ops += ["items", "bound"]
    return ops


def _mutate(draw, t, op):
    if "$ref" in t:
        return
    if op == "type" and "type" in t and isinstance(t["type"], str):
        t["type"] = draw(st.sampled_from(SCALAR_TYPES))
        for k in ("properties", "required", "additionalProperties", "items", "prefixItems"):
            t.pop(k, None)
    elif op == "add_prop" and t.get("type") == "object":
        t.setdefault("properties", {})[draw(st.sampled_from(NAMES))] = _scalar(draw)
    elif op == "remove_prop" and t.get("properties"):
        t["properties"].pop(draw(st.sampled_from(sorted(t["properties"]))))
    elif op == "toggle_required" and t.get("type") == "object":
        n = draw(st.sampled_from(NAMES))
        req = t.get("required", [])
        t["required"] = [r for r in req if r != n] if n in req else req + [n]
        if not t["required"]:
            del t["required"]
    elif op == "ap" and t.get("type") == "object":
        v = draw(st.sampled_from(["absent", "true", "false", "schema"]))
        t.pop("additionalProperties", None)
        if v != "absent":
            t["additionalProperties"] = {"true": True, "false": False,
                                         "schema": {"type": "string"}}[v]
    elif op == "bound":
        ty = t.get("type")
        k = draw(st.sampled_from(
            ["maxLength", "minLength"] if ty == "string" else
            ["minimum", "maximum", "exclusiveMinimum", "multipleOf"] if ty in ("integer", "number")
            else ["maxItems", "minItems", "uniqueItems"] if ty == "array" else
            ["minimum", "maxLength", "maxItems"]))
        if k == "uniqueItems":
            t[k] = not t.get(k, False)
            return
        if k == "multipleOf":
            t[k] = draw(st.sampled_from([1, 2, 0.5]))
            return
        if draw(st.booleans()):
            t.pop(k, None)
        else:
            t[k] = draw(st.integers(0, 3))
    elif op == "null" and isinstance(t.get("type"), str):
        t["type"] = [t["type"], "null"] if t["type"] != "null" else "null"
    elif op == "enum":
        if "enum" in t:
            vals = list(t["enum"])
            if draw(st.booleans()) and len(vals) > 1:
                vals.pop(draw(st.integers(0, len(vals) - 1)))
            else:
                vals.append(draw(st.sampled_from(ENUM_VALUES)))
            t["enum"] = vals
        elif "const" in t:
            t["enum"] = [t.pop("const"), draw(st.sampled_from(ENUM_VALUES))]
        else:
            t["enum"] = draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=2))
            if draw(st.booleans()):
                t.pop("type", None)
    elif op == "items" and t.get("type") == "array":
        t["items"] = _scalar(draw)
        t.pop("prefixItems", None)
    elif op == "wrap_anyof":
        inner = dict(t)
        inner.pop("$defs", None)
        defs = t.get("$defs")
        t.clear()
        t["anyOf"] = [inner, _scalar(draw)]
        if defs is not None:
            t["$defs"] = defs
    elif op == "drop_type" and "type" in t:
        del t["type"]


# ---------------------------------------------------------------------------------------------
# W(S): close every implicitly open object / tuple position (§2)
# ---------------------------------------------------------------------------------------------

_OBJ_KW = ("properties", "required", "additionalProperties", "patternProperties",
           "unevaluatedProperties", "minProperties", "maxProperties", "propertyNames",
           "dependentRequired", "dependentSchemas")


def close(schema):
    """W(S) as the engine defines it: an object position (type includes "object", or an
    object keyword present) with none of additionalProperties / patternProperties /
    unevaluatedProperties gets additionalProperties: false; a tuple (prefixItems) without
    items gets items: false. Not applied inside enum / const / not."""
    s = copy.deepcopy(schema)
    _close(s)
    return s


def _close(s):
    if not isinstance(s, dict):
        return
    if "enum" in s or "const" in s:
        return
    t = s.get("type")
    is_obj = t == "object" or (isinstance(t, list) and "object" in t) or \
        any(k in s for k in _OBJ_KW)
    if is_obj and not any(k in s for k in ("additionalProperties", "patternProperties",
                                           "unevaluatedProperties")):
        s["additionalProperties"] = False
    if "prefixItems" in s and "items" not in s and "unevaluatedItems" not in s:
        s["items"] = False
    for k in ("properties", "$defs", "patternProperties"):
        for v in (s.get(k) or {}).values():
            _close(v)
    for k in ("items", "additionalProperties", "contains"):
        if isinstance(s.get(k), dict):
            _close(s[k])
    for k in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for v in s.get(k) or ():
            _close(v)


# ---------------------------------------------------------------------------------------------
# instances
# ---------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 12) | st.sampled_from([0.5, 1.5, 2.0, -0.5])
    | st.sampled_from(["", "x", "xy", "abc", "y", "zzzzz"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(NAMES + ("e",)), children, max_size=3),
    max_leaves=6)


@st.composite
def instances(draw, schema, root=None, depth=0):
    """A value that follows `schema` (usually valid under it; sometimes not)."""
    root = schema if root is None else root
    if depth > 6 or draw(st.integers(0, 9)) == 0:
        return draw(JSON_VALUES)
    if schema is True or schema == {}:
        return draw(JSON_VALUES)
    if schema is False or not isinstance(schema, dict):
        return draw(JSON_VALUES)
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return draw(instances((root.get("$defs") or {}).get(name, True), root, depth + 1))
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    if "const" in schema:
        return schema["const"]
    for k in ("anyOf", "oneOf"):
        if k in schema:
            return draw(instances(draw(st.sampled_from(schema[k])), root, depth + 1))
    t = schema.get("type")
    if isinstance(t, list):
        t = draw(st.sampled_from(t))
    if t is None:
        t = draw(st.sampled_from(["object", "array", "string", "integer", "null"]))
    if t == "null":
        return None
    if t == "boolean":
        return draw(st.booleans())
    if t in ("integer", "number"):
        lo = schema.get("minimum", schema.get("exclusiveMinimum", -2))
        hi = schema.get("maximum", 12)
        lo_i, hi_i = int(lo) - 1, int(hi) + 1
        if t == "number" and draw(st.booleans()):
            return draw(st.sampled_from([0.5, 1.5, 2.5, -0.5]))
        return draw(st.integers(min(lo_i, hi_i), max(lo_i, hi_i)))
    if t == "string":
        return draw(st.sampled_from(["", "x", "xy", "abc", "y", "zzzzz", "xx"]))
    if t == "array":
        pre = schema.get("prefixItems") or []
        out = [draw(instances(p, root, depth + 1)) for p in pre[:draw(st.integers(0, len(pre)))]]
        if len(out) == len(pre):
            items = schema.get("items", True) if pre else schema.get("items", True)
            if items is not False:
                out += [draw(instances(items, root, depth + 1))
                        for _ in range(draw(st.integers(0, 2)))]
        return out
    if t == "object":
        props = schema.get("properties") or {}
        out = {}
        for n, p in props.items():
            if n in schema.get("required", ()) or draw(st.booleans()):
                out[n] = draw(instances(p, root, depth + 1))
        for n in schema.get("required", ()):
            out.setdefault(n, draw(JSON_VALUES))
        ap = schema.get("additionalProperties", None)
        if ap is not False and draw(st.integers(0, 2)) == 0:
            out[draw(st.sampled_from(NAMES + ("e",)))] = \
                draw(instances(ap if isinstance(ap, dict) else True, root, depth + 1))
        return out
    return draw(JSON_VALUES)
