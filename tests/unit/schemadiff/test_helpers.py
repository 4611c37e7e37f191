"""Pure helpers on the compare path: JSONPath segments, change labels, the $ref byte test."""
import marshal
import re

from hypothesis import given
from hypothesis import strategies as st

from accord.schemadiff import compare
from accord.schemadiff.canon import jseg
from accord.schemadiff.diff import _label
from accord.schemadiff.values import refs_in

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


@given(st.text(max_size=12) | st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,8}", fullmatch=True))
def test_jseg_uses_the_dot_form_exactly_for_identifiers(name):
    seg = jseg(name)
    if _IDENT.fullmatch(name):
        assert seg == "." + name
    else:
        assert seg.startswith("['") and seg.endswith("']")


def test_jseg_quotes_and_escapes_odd_names():
    assert jseg("a b") == "['a b']"
    assert jseg("it's") == "['it\\'s']"
    assert jseg("é") == "['é']"        # non-ASCII letters are identifiers to Python, not to us
    assert jseg("1a") == "['1a']"
    assert jseg("") == "['']"
    assert jseg("$id") == ".$id"
    assert jseg(3) == "[3]"


def test_labels_name_the_last_segment():
    assert _label("$") == "the schema"
    assert _label("$.properties.a") == "property 'a'"
    assert _label("$.properties.a.items") == "items of property 'a'"
    assert _label("$.properties['a.items']") == "property 'a.items'"
    assert _label("$.items.items") == "items of items of the schema"
    assert _label("$.properties.a.additionalProperties") == "additional properties of property 'a'"
    assert _label("$.not") == "'not' of the schema"
    assert _label("$.properties.a.properties.b") == "property 'b'"
    assert _label("$.$defs.D1") == "'$.$defs.D1'"


def _reference_label(path):
    """The label rules spelled out plainly: suffixes, then the last `.properties` followed by a name."""
    if path == "$":
        return "the schema"
    for suffix, what in ((".items", "items of "), (".additionalProperties", "additional properties of "),
                         (".additionalItems", "additional items of "), (".contains", "'contains' of "),
                         (".propertyNames", "property names of "), (".not", "'not' of ")):
        if path.endswith(suffix):
            return what + _reference_label(path[:-len(suffix)])
    i = max(path.rfind(".properties."), path.rfind(".properties["))
    if i >= 0:
        tail = path[i + len(".properties"):]
        if tail.startswith(".") and "." not in tail[1:] and "[" not in tail:
            return f"property '{tail[1:]}'"
        if tail.startswith("['") and tail.endswith("']") and "'][" not in tail:
            return f"property '{tail[2:-2]}'"
    return f"'{path}'"


_SEGMENTS = st.sampled_from([".properties", ".items", ".not", ".additionalProperties", ".contains",
                             ".propertyNames", ".additionalItems", ".$defs", ".anyOf[0]", ".a", ".properties",
                             "['a.b']", "['x']", ".b", "[3]"])


@given(st.lists(_SEGMENTS | st.text(alphabet="ab.[]'", max_size=6), max_size=7))
def test_labels_follow_the_reference_rules(segments):
    path = "$" + "".join(segments)
    assert _label(path) == _reference_label(path)


def test_refs_in_sees_every_reference_keyword_and_only_rules_out_what_has_no_dollar():
    for key in ("$ref", "$dynamicRef", "$recursiveRef"):
        assert refs_in(marshal.dumps([{"type": "string"}, {key: "#/x"}]))
    assert not refs_in(marshal.dumps([{"type": "string", "pattern": "^a$"}]))  # "$" alone
    assert not refs_in(marshal.dumps({"type": "object", "properties": {"ref": {}}}))


def test_a_ref_inside_raw_equal_properties_is_still_followed():
    # the same $ref text, different targets: the raw-equal shortcut must not skip it
    old = {"$defs": {"T": {"type": "string"}}, "type": "object",
           "properties": {"a": {"$ref": "#/$defs/T"}, "b": {"type": "integer"}}}
    new = {"$defs": {"T": {"type": "integer"}}, "type": "object",
           "properties": {"a": {"$ref": "#/$defs/T"}, "b": {"type": "integer"}}}
    assert compare(old, new, mode="backward").is_breaking


def test_unicode_digits_are_not_indexes_or_octets():
    # "²".isdigit() is True but int("²") fails: neither may crash the engine
    from accord.schemadiff import compare
    s = {"prefixItems": [{"type": "string"}], "items": {"$ref": "#/prefixItems/²"}}
    try:
        compare(s, s)
    except Exception as exc:  # a clear SchemaError (unresolvable $ref) is fine, a ValueError is not
        assert type(exc).__name__ == "SchemaError", exc
    assert compare({"type": "string", "format": "ipv4", "const": "1.2.3.²"},
                   {"type": "string", "format": "ipv4", "const": "1.2.3.²"}).changes == []
