"""`validate` (library.lint) on broken libraries kept as fixture folders: each fault found, with its code and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, MINI

from assembler.library.lint import validate_library

BROKEN = FIXTURES / "broken-libraries"

# folder -> (code, file relative to the library, line)
EXPECTED = {
    "approved-changed": ("library.approved-changed", "fragments/sekretess/1.0.0.md", 1),
    "language-missing": ("library.language-section", "fragments/sekretess/1.1.0.md", 11),
    "language-parity": ("library.language-parity", "fragments/sekretess/1.1.0.md", 11),
    "xref-unknown": ("library.xref-unknown", "fragments/sekretess/1.1.0.md", 13),
    "template-syntax": ("library.template-syntax", "fragments/sekretess/1.1.0.md", 13),
    "version-reused": ("library.version-reused", "fragments/villkor/2.0.0.md", 4),
}


def broken_library(case: str, tmp_path: Path) -> Path:
    """Return a copy of the mini library with the case's files laid over it."""
    lib = tmp_path / case
    shutil.copytree(MINI, lib)
    shutil.copytree(BROKEN / case, lib, dirs_exist_ok=True)
    return lib


def test_every_fixture_folder_has_an_expectation() -> None:
    assert {p.name for p in BROKEN.iterdir() if p.is_dir()} == set(EXPECTED)


def test_the_mini_library_itself_is_clean() -> None:
    assert validate_library(MINI).problems == ()


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_fault_is_reported_with_its_code_file_and_line(case: str, tmp_path: Path) -> None:
    lib = broken_library(case, tmp_path)
    code, file, line = EXPECTED[case]
    found = [(p.code, p.location.file, p.location.line) for p in validate_library(lib).problems
             if p.level == "error" and p.location is not None]
    assert (code, str(lib / file), line) in found


def test_a_fault_in_a_draft_does_not_hide_the_others(tmp_path: Path) -> None:
    lib = broken_library("template-syntax", tmp_path)
    codes = {p.code for p in validate_library(lib).problems}
    assert {"library.template-syntax", "library.template-variable"} <= codes
