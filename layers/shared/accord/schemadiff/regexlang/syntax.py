"""ECMA-262 pattern syntax → a small tree, for the *regular* subset only.

Tree nodes (tuples):  ``("set", intervals)`` one code point from a set, ``("bos",)`` / ``("eos",)``
the ``^`` / ``$`` assertions (no ``m`` flag: start / end of the whole string), ``("cat", nodes)``,
``("alt", nodes)``, ``("rep", node, min, max_or_None)``.

Anything outside the regular subset raises :class:`Unsupported` with a reason a user can read:
backreferences, lookaround, word boundaries, Unicode property escapes. So does syntax whose
meaning differs between ECMA-262 and the other engines that accept it (Python ``re``, which
`check_pattern` also accepts): ``\\A``/``\\Z``-style letter escapes, ``(?P<..>``/inline flags,
``{,n}``, a class opening with ``]``, legacy octal escapes. The caller then falls back to the
conservative answer; an unsupported pattern is never guessed at.
"""
from .charsets import CLASS_ESCAPES, DOT, complement, single, union

#: counted repetition bounds above this are not expanded (the automaton would not fit anyway)
MAX_COUNT = 100_000


class Unsupported(Exception):
    """The pattern is outside the regular subset this module decides (message = reason)."""


_SYNTAX = set("^$\\.*+?()[]{}|")
_CONTROL = {"t": 9, "n": 10, "v": 11, "f": 12, "r": 13}
_HEX = set("0123456789abcdefABCDEF")
_ALNUM = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_EMPTY = ("cat", ())


def parse(pattern):
    """The tree of an ECMA-262 pattern, or raise :class:`Unsupported`."""
    p = _Parser(pattern)
    node = p.disjunction()
    if p.i != len(p.s):  # an unmatched ')'
        raise Unsupported(f"unexpected {p.s[p.i]!r} at offset {p.i}")
    return node


class _Parser:
    __slots__ = ("s", "i")

    def __init__(self, s):
        self.s = s
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.s[j] if j < len(self.s) else None

    def take(self):
        c = self.peek()
        if c is None:
            raise Unsupported("unexpected end of pattern")
        self.i += 1
        return c

    # Disjunction :: Alternative ('|' Alternative)*
    def disjunction(self):
        alts = [self.alternative()]
        while self.peek() == "|":
            self.i += 1
            alts.append(self.alternative())
        return alts[0] if len(alts) == 1 else ("alt", tuple(alts))

    def alternative(self):
        terms = []
        while self.peek() not in (None, "|", ")"):
            terms.append(self.term())
        return terms[0] if len(terms) == 1 else ("cat", tuple(terms))

    def term(self):
        c = self.peek()
        if c == "^" or c == "$":
            self.i += 1
            if self._at_quantifier():
                raise Unsupported(f"quantified assertion {c!r}")
            return ("bos",) if c == "^" else ("eos",)
        if c in ("*", "+", "?"):
            raise Unsupported(f"nothing to repeat at offset {self.i}")
        if c == "{" and self._quantifier_braces() is not None:
            raise Unsupported(f"nothing to repeat at offset {self.i}")
        return self.quantified(self.atom())

    def _at_quantifier(self):
        c = self.peek()
        return c in ("*", "+", "?") or (c == "{" and self._quantifier_braces() is not None)

    def _quantifier_braces(self):
        """(min, max|None, end index) if a ``{...}`` quantifier starts here, else None.
        ``{,n}`` is a quantifier in Python but a literal in ECMA-262 (Annex B): unsupported."""
        s, j = self.s, self.i + 1
        k = j
        while k < len(s) and s[k].isascii() and s[k].isdigit():
            k += 1
        if k == j:
            if k < len(s) and s[k] == ",":
                raise Unsupported("'{,n}' means different things in ECMA-262 and Python")
            return None
        lo_txt = s[j:k]
        if k < len(s) and s[k] == "}":
            return self._count(lo_txt), self._count(lo_txt), k + 1
        if k >= len(s) or s[k] != ",":
            return None
        m = k + 1
        while m < len(s) and s[m].isascii() and s[m].isdigit():
            m += 1
        if m >= len(s) or s[m] != "}":
            return None
        hi = self._count(s[k + 1:m]) if m > k + 1 else None
        return self._count(lo_txt), hi, m + 1

    @staticmethod
    def _count(txt):
        n = int(txt)
        if n > MAX_COUNT:
            raise Unsupported(f"counted repetition {n} is larger than {MAX_COUNT}")
        return n

    def quantified(self, node):
        c = self.peek()
        if c == "*":
            lo, hi, self.i = 0, None, self.i + 1
        elif c == "+":
            lo, hi, self.i = 1, None, self.i + 1
        elif c == "?":
            lo, hi, self.i = 0, 1, self.i + 1
        elif c == "{" and (q := self._quantifier_braces()) is not None:
            lo, hi, self.i = q
            if hi is not None and hi < lo:
                raise Unsupported(f"numbers out of order in {{{lo},{hi}}} quantifier")
        else:
            return node
        if self.peek() == "?":          # lazy: the same language
            self.i += 1
        if self._at_quantifier():       # a** or Python's possessive a*+
            raise Unsupported(f"nothing to repeat at offset {self.i}")
        return ("rep", node, lo, hi)

    def atom(self):
        c = self.take()
        if c == ".":
            return ("set", DOT)
        if c == "(":
            return self.group()
        if c == "[":
            return ("set", self.char_class())
        if c == "\\":
            return self.atom_escape()
        # ']', '{' (not a quantifier) and '}' are literals in Annex B and in Python alike
        return ("set", single(ord(c)))

    def group(self):
        if self.peek() == "?":
            nxt = self.peek(1)
            if nxt == ":":
                self.i += 2
            elif nxt == "<" and self.peek(2) not in ("=", "!"):
                end = self.s.find(">", self.i + 2)
                if end < 0:
                    raise Unsupported("unterminated group name")
                self.i = end + 1
            elif nxt in ("=", "!") or (nxt == "<" and self.peek(2) in ("=", "!")):
                raise Unsupported("lookaround assertions are not regular")
            else:
                raise Unsupported(f"group syntax '(?{nxt or ''}' is not ECMA-262")
        node = self.disjunction()
        if self.peek() != ")":
            raise Unsupported("missing ')'")
        self.i += 1
        return node

    def atom_escape(self):
        c = self.take()
        if c in CLASS_ESCAPES:
            return ("set", CLASS_ESCAPES[c])
        if c in ("b", "B"):
            raise Unsupported(f"word boundary '\\{c}' is not supported")
        if c == "k" or c in "123456789":
            raise Unsupported("backreferences are not regular")
        return ("set", single(self.char_escape(c)))

    def char_escape(self, c):
        """The code point of a CharacterEscape whose first character (after ``\\``) is ``c``."""
        if c in _CONTROL:
            return _CONTROL[c]
        if c == "c":
            x = self.peek()
            if x is None or not (x.isascii() and x.isalpha()):
                raise Unsupported("'\\c' without a control letter")
            self.i += 1
            return ord(x) % 32
        if c == "0":
            if self.peek() is not None and self.peek().isdigit():
                raise Unsupported("legacy octal escapes are not supported")
            return 0
        if c == "x":
            h = self.s[self.i:self.i + 2]
            if len(h) != 2 or not set(h) <= _HEX:
                raise Unsupported("'\\x' needs two hex digits")
            self.i += 2
            return int(h, 16)
        if c == "u":
            return self.unicode_escape()
        if c in ("p", "P"):
            raise Unsupported(f"Unicode property escapes '\\{c}{{...}}' are not supported")
        if c in _ALNUM:
            raise Unsupported(f"escape '\\{c}' means different things in ECMA-262 and Python")
        return ord(c)  # identity escape of a syntax / punctuation character

    def unicode_escape(self):
        s = self.s
        if self.peek() == "{":
            end = s.find("}", self.i)
            h = s[self.i + 1:end] if end > 0 else ""
            if not h or not set(h) <= _HEX or int(h, 16) > 0x10FFFF:
                raise Unsupported("malformed '\\u{...}' escape")
            self.i = end + 1
            return int(h, 16)
        h = s[self.i:self.i + 4]
        if len(h) != 4 or not set(h) <= _HEX:
            raise Unsupported("'\\u' needs four hex digits")
        self.i += 4
        cp = int(h, 16)
        # u flag: an escaped surrogate pair is one code point
        if 0xD800 <= cp <= 0xDBFF and s[self.i:self.i + 2] == "\\u":
            lo = s[self.i + 2:self.i + 6]
            if len(lo) == 4 and set(lo) <= _HEX and 0xDC00 <= int(lo, 16) <= 0xDFFF:
                self.i += 6
                return 0x10000 + ((cp - 0xD800) << 10) + (int(lo, 16) - 0xDC00)
        return cp

    def char_class(self):
        negate = self.peek() == "^"
        if negate:
            self.i += 1
        if self.peek() == "]":
            raise Unsupported("'[]' / '[^]' mean different things in ECMA-262 and Python")
        parts = []
        while True:
            c = self.peek()
            if c is None:
                raise Unsupported("missing ']'")
            if c == "]":
                self.i += 1
                break
            lo = self.class_atom()
            if self.peek() == "-" and self.peek(1) not in ("]", None):
                self.i += 1
                hi = self.class_atom()
                if type(lo) is not int or type(hi) is not int:
                    raise Unsupported("a class escape as a range end")
                if lo > hi:
                    raise Unsupported("range out of order in character class")
                parts.append(((lo, hi),))
            else:
                parts.append(single(lo) if type(lo) is int else lo)
        s = union(*parts)
        return complement(s) if negate else s

    def class_atom(self):
        """A code point (int) or, for ``\\d`` etc., an interval set (tuple)."""
        c = self.take()
        if c != "\\":
            return ord(c)
        c = self.take()
        if c in CLASS_ESCAPES:
            return CLASS_ESCAPES[c]
        if c == "b":
            return 8
        if c == "-":
            return ord("-")
        if c == "B" or c == "k" or c in "123456789":
            raise Unsupported(f"escape '\\{c}' in a character class is not supported")
        return self.char_escape(c)

