"""Sets of code points as sorted tuples of disjoint inclusive intervals ``((lo, hi), ...)``,
and the ECMA-262 character classes (``u`` flag: a string is a sequence of code points).

ECMA-262 semantics, not Python's: ``\\d`` is ``[0-9]`` and ``\\w`` is ``[A-Za-z0-9_]`` (Python's
``re`` matches Unicode digits and letters there), ``\\s`` is ECMA's WhiteSpace and LineTerminator
(it includes U+FEFF and excludes U+0085, unlike Python), and ``.`` excludes the four line
terminators ``\\n``, ``\\r``, U+2028 and U+2029 (Python's and Rust's ``.`` exclude ``\\n`` only).
"""
MAX_CP = 0x10FFFF


def union(*sets):
    """Union of interval sets (sorted, merged)."""
    ivs = sorted(iv for s in sets for iv in s)
    out = []
    for lo, hi in ivs:
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return tuple(out)


def complement(s):
    out, nxt = [], 0
    for lo, hi in s:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_CP:
        out.append((nxt, MAX_CP))
    return tuple(out)


def single(cp):
    return ((cp, cp),)


ANY = ((0, MAX_CP),)
DIGIT = ((0x30, 0x39),)
WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
# WhiteSpace (TAB VT FF SP NBSP ZWNBSP and category Zs) + LineTerminator (LF CR LS PS)
SPACE = union(((0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
               (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
               (0xFEFF, 0xFEFF)))
LINE_TERMINATORS = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
DOT = complement(LINE_TERMINATORS)

#: class escapes ``\\d \\D \\w \\W \\s \\S``
CLASS_ESCAPES = {"d": DIGIT, "D": complement(DIGIT), "w": WORD, "W": complement(WORD),
                 "s": SPACE, "S": complement(SPACE)}
