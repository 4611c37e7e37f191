"""Semantic versions (semver 2.0.0): parsing, precedence, bumps, and a sortable key.

Pre-releases follow semver precedence (1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0);
build metadata (+...) is kept in the string but ignored for precedence and uniqueness.
"""
import re

from accord import errors

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")
MAX_PART = 10 ** 9
RANK = {"none": 0, "patch": 1, "minor": 2, "major": 3}


class Version:
    __slots__ = ("major", "minor", "patch", "pre", "build")

    def __init__(self, major, minor, patch, pre=(), build=""):
        self.major, self.minor, self.patch, self.pre, self.build = major, minor, patch, tuple(pre), build

    @property
    def base(self) -> "Version":
        return Version(self.major, self.minor, self.patch)

    def _key(self):
        # a release sorts after all of its pre-releases; numeric identifiers before alphanumeric
        pre = tuple((0, int(p), "") if p.isascii() and p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, other):
        return self._key() < other._key()

    def __eq__(self, other):
        return isinstance(other, Version) and self._key() == other._key()

    def __le__(self, other):
        return self._key() <= other._key()

    def __hash__(self):
        return hash(self._key())

    def __str__(self):
        s = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            s += "-" + ".".join(self.pre)
        if self.build:
            s += "+" + self.build
        return s

    @property
    def canonical(self) -> str:
        """The string without build metadata: what uniqueness is judged on."""
        return str(Version(self.major, self.minor, self.patch, self.pre))

    def sort_key(self) -> str:
        """A string whose byte order is semver precedence (for DynamoDB sort keys)."""
        head = f"{self.major:010d}.{self.minor:010d}.{self.patch:010d}"
        if not self.pre:
            return head + "~"  # a release sorts after its pre-releases ('!' < '~')
        # numeric identifiers (no leading zeros) by length then digits, before alphanumeric ones;
        # \x02 separates identifiers and \x01 ends the list, so a shorter list sorts first
        parts = [f"0{len(p):03d}{p}" if p.isdigit() else f"1{p}" for p in self.pre]
        return head + "!" + "\x02".join(parts) + "\x01"


def parse(text) -> Version:
    if not isinstance(text, str) or len(text) > 128:
        raise ValueError("not a version string")
    m = _SEMVER.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])")
    major, minor, patch = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if max(major, minor, patch) >= MAX_PART:
        raise ValueError(f"{text!r}: version numbers must be below {MAX_PART}")
    return Version(major, minor, patch, m.group(4).split(".") if m.group(4) else (), m.group(5) or "")


def parse_or_422(text, field: str = "version") -> Version:
    try:
        return parse(text)
    except ValueError as exc:
        raise errors.Unprocessable(f"{field}: {exc}.", code="INVALID_VERSION",
                                   detail=[{"loc": ["body", field], "msg": str(exc), "type": "value_error"}]) from None


def _level(v: Version) -> str:
    """The level a pre-release prepares: 2.0.0-rc.1 → major, 1.3.0-b → minor, 1.2.4-rc → patch."""
    if v.minor == 0 and v.patch == 0 and v.major > 0:
        return "major"
    return "minor" if v.patch == 0 else "patch"


def bump(current: Version | None, level: str) -> Version:
    """The next version for a change of `level` (none/patch/minor/major). From a pre-release,
    its own release comes first when it is at least that level (2.0.0-rc.1 + minor → 2.0.0)."""
    if current is None:
        return Version(1, 0, 0)
    if current.pre and RANK[level] <= RANK[_level(current)]:
        return current.base
    b = current.base
    if level == "major":
        return Version(b.major + 1, 0, 0)
    if level == "minor":
        return Version(b.major, b.minor + 1, 0)
    return Version(b.major, b.minor, b.patch + 1)


def satisfies(current: Version | None, new: Version, level: str) -> bool:
    """Is `new` a large enough step from `current` for a change of `level`? (0.x: minor = major.)"""
    if current is None:
        return True
    if not current < new:
        return False
    releases_pre = bool(current.pre) and new.base == current.base  # 2.0.0-rc.1 → 2.0.0
    if level == "major":
        if current.major == 0:  # semver §4: anything may change in 0.y.z; a minor step will do
            return (new.major, new.minor) > (0, current.minor) or releases_pre
        return new.major > current.major or releases_pre and _level(current) == "major"
    if level == "minor":
        return (new.major, new.minor) > (current.major, current.minor) or \
            releases_pre and RANK[_level(current)] >= RANK["minor"]
    return True


def minimum(current: Version | None, level: str) -> Version:
    """The smallest version `satisfies` accepts (for messages)."""
    if current is not None and level == "major" and current.major == 0 and not current.pre:
        return Version(0, current.minor + 1, 0)
    return bump(current, level)
