"""Semantic versions and ranges."""

from __future__ import annotations

import pytest

from assembler.library.versions import Version, VersionRange, parse_reference


@pytest.mark.parametrize("rng, version, inside", [
    ("^1", "1.0.0", True), ("^1", "1.9.3", True), ("^1", "2.0.0", False), ("^1.2", "1.1.9", False),
    ("~1.2", "1.2.7", True), ("~1.2", "1.3.0", False), ("1.2.3", "1.2.3", True), ("1.2.3", "1.2.4", False),
    (">=1.0.0 <2.0.0", "1.5.0", True), (">=1.0.0 <2.0.0", "2.0.0", False), ("*", "7.0.0", True),
    ("^0.2", "0.2.5", True), ("^0.2", "0.3.0", False), ("1", "1.4.0", True),
])
def test_ranges(rng: str, version: str, inside: bool) -> None:
    assert VersionRange.parse(rng).contains(Version.parse(version)) is inside


def test_ordering_and_prerelease() -> None:
    assert Version.parse("1.10.0") > Version.parse("1.9.0")
    assert Version.parse("1.0.0-rc.1") < Version.parse("1.0.0")


def test_bump() -> None:
    v = Version.parse("1.2.3")
    assert [str(v.bump(p)) for p in ("major", "minor", "patch")] == ["2.0.0", "1.3.0", "1.2.4"]


def test_reference() -> None:
    ident, rng = parse_reference("sekretess-offentlighet@^1")
    assert ident == "sekretess-offentlighet" and str(rng) == "^1"


def test_bad_version() -> None:
    with pytest.raises(ValueError):
        Version.parse("1.0")
