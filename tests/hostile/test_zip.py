"""Zip bombs, 100,000-entry zips, huge and deeply nested PDFs given to every command that reads a built file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from generate import deep_pdf, sparse_file
from harness import Workspace, expect_safe, run

COMMANDS = ["inspect", "diff", "where-used", "rebuild"]


def _args(command: str, name: str, built: dict[str, Path]) -> list[str]:
    if command == "inspect":
        return ["inspect", name]
    if command == "diff":
        return ["diff", str(built["docx"]), name]
    if command == "where-used":
        return ["where-used", "parter", "."]
    return ["rebuild", name]


def _hostile(ws: Workspace, kind: str, bombs: dict[str, Path]) -> str:
    if kind in bombs:
        shutil.copy(bombs[kind], ws.work / "agreement.docx")
        return "agreement.docx"
    if kind == "sparse-500MB-pdf":
        sparse_file(ws.work / "agreement.pdf", 500 << 20)
        return "agreement.pdf"
    if kind == "pdf-100000-deep":
        deep_pdf(ws.work / "agreement.pdf")
        return "agreement.pdf"
    raise AssertionError(kind)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", ["zip-bomb", "many-entries", "sparse-500MB-pdf", "pdf-100000-deep"])
def test_zip_and_pdf_bombs(ws: Workspace, record: list, built: dict[str, Path], bombs: dict[str, Path],
                           kind: str, command: str) -> None:
    name = _hostile(ws, kind, bombs)
    o = run(ws, _args(command, name, built))
    # where-used names an unreadable file and goes on: exit 0 is right for it.
    expect_safe(record, ws, o, accept=command == "where-used")
