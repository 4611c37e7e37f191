"""Input limits that bound the engine's time and memory on adversarial input.

Every limit raises :class:`~accord.schemadiff.errors.SchemaError` with a message naming it.
"""

#: Serialized JSON size accepted where the engine parses text (CLI files, str/bytes input).
MAX_SCHEMA_BYTES = 5_000_000
#: Schema objects (dicts) canonicalised per document in one comparison.
MAX_SCHEMA_NODES = 250_000
#: Nesting of schema objects (and of $ref chains during comparison).
MAX_DEPTH = 128
#: `$ref` occurrences per document.
MAX_REFS = 20_000
#: Values in one enum / const set.
MAX_ENUM = 10_000
#: Branches of one anyOf / oneOf / allOf.
MAX_BRANCHES = 1_000
#: Above this many branches on a side, union branches pair only by fingerprint and
#: discriminator (no pairwise best-match trials).
MAX_PAIRWISE = 48
#: Longest property name a `patternProperties` regex is evaluated on.
MAX_REGEX_SUBJECT = 512
#: Length of a pattern the engine evaluates (longer patterns are compared textually only).
MAX_REGEX_PATTERN = 1_000
#: Largest finite integer range / enum enumerated for set inclusion.
MAX_FINITE = 1_000
