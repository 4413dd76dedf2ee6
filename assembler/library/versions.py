"""Semantic versions and the ranges blueprints use to pick clause versions."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")
_PARTIAL = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_COMPARATOR = re.compile(r"^(>=|<=|>|<|=)?\s*(.+)$")


@total_ordering
@dataclass(frozen=True)
class Version:
    """A semantic version: major.minor.patch with an optional pre-release tag."""

    major: int
    minor: int
    patch: int
    pre: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        """Parse ``1.2.3`` or ``1.2.3-rc.1``; raise ValueError otherwise."""
        m = _VERSION.match(str(text).strip())
        if not m:
            raise ValueError(f"'{text}' is not a version of the form 1.2.3")
        return cls(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4) or "")

    def _key(self) -> tuple[int, int, int, int, str]:
        # A pre-release sorts before its release.
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}.{self.patch}"
        return f"{base}-{self.pre}" if self.pre else base

    def bump(self, part: str) -> Version:
        """Return the next version: part is major, minor or patch."""
        if part == "major":
            return Version(self.major + 1, 0, 0)
        if part == "minor":
            return Version(self.major, self.minor + 1, 0)
        return Version(self.major, self.minor, self.patch + 1)


@dataclass(frozen=True)
class VersionRange:
    """A set of versions: ``^1``, ``~1.2``, ``1.2.3``, ``>=1.0.0 <2.0.0``, ``*``."""

    text: str
    bounds: tuple[tuple[str, Version], ...]

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        """Parse a range; raise ValueError with a plain message if it is malformed."""
        raw = str(text).strip()
        if raw in ("*", "", "x"):
            return cls(raw or "*", ())
        bounds: list[tuple[str, Version]] = []
        for part in raw.split():
            if part[0] in "^~":
                low, high = _caret_tilde(part)
                bounds += [(">=", low), ("<", high)]
                continue
            m = _COMPARATOR.match(part)
            assert m is not None
            op, ver = m.group(1) or "=", m.group(2)
            if op == "=" and _PARTIAL.match(ver) and not _VERSION.match(ver):
                low, high = _caret_tilde("~" + ver if ver.count(".") == 1 else "^" + ver)
                bounds += [(">=", low), ("<", high)]
                continue
            bounds.append((op, _full(ver)))
        return cls(raw, tuple(bounds))

    def contains(self, version: Version) -> bool:
        """Return whether ``version`` is in the range."""
        key = version._key()
        # Only the comparison a bound names is made (every build asks this of every clause version).
        return all(_COMPARE[op](key, bound._key()) for op, bound in self.bounds)

    def __str__(self) -> str:
        return self.text


_COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "=": operator.eq}


def _full(text: str) -> Version:
    m = _PARTIAL.match(text)
    if m and not _VERSION.match(text):
        return Version(int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))
    return Version.parse(text)


def _caret_tilde(part: str) -> tuple[Version, Version]:
    kind, rest = part[0], part[1:]
    m = _PARTIAL.match(rest)
    if not m:
        low = Version.parse(rest)
        given = 3
    else:
        low = _full(rest)
        given = sum(1 for g in m.groups() if g is not None)
    if kind == "^":
        if low.major > 0 or given == 1:
            return low, Version(low.major + 1, 0, 0)
        if low.minor > 0 or given == 2:
            return low, Version(0, low.minor + 1, 0)
        return low, Version(0, 0, low.patch + 1)
    if given == 1:
        return low, Version(low.major + 1, 0, 0)
    return low, Version(low.major, low.minor + 1, 0)


def parse_reference(text: str) -> tuple[str, VersionRange]:
    """Split ``clause-id@range`` into the id and the range (``*`` when absent)."""
    ident, _, rng = str(text).partition("@")
    return ident.strip(), VersionRange.parse(rng or "*")
