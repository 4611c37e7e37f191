"""JSON Schema dialects (draft-04 to 2020-12): which keywords each has and how `$schema` names them."""
from ..errors import SchemaError


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
