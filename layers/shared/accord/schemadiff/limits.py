"""Input limits that bound the engine's time and memory on adversarial input.

Every limit raises :class:`~accord.schemadiff.errors.SchemaError` with a message naming it,
except the ``MAX_REGEX_*`` bounds of the pattern decision, which fall back (see below).
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

# Bounds of one `pattern` inclusion decision (regexlang). Above them nothing raises: the change
# is reported as today's conservative answer (a change in both directions) and its description
# says which bound was hit.
#: NFA states per pattern (counted repetitions are expanded: `a{1000}` is ~2 000 states).
MAX_REGEX_NFA_STATES = 5_000
#: Product states (old DFA x new DFA) explored per decision.
MAX_REGEX_STATES = 5_000
#: Wall-clock seconds per decision (a safety net behind the state bound).
MAX_REGEX_SECONDS = 0.25
#: Wall-clock seconds for all the pattern decisions of one comparison.
MAX_REGEX_COMPARE_SECONDS = 1.0
