"""FIFOs, devices, folders and deep folder trees where a file is expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from generate import basic_answers
from harness import Workspace, expect_safe, run

APPENDIX = "\nappendices:\n  - title: Bilaga\n    file: {path}\n"


def _case(ws: Workspace, case: str, built: dict[str, Path]) -> tuple[list[str], bool]:
    """Set up ``case``; return the command line and whether exit 0 is a right answer."""
    fifo = ws.work / "fifo.yaml"
    if case == "fifo-as-answers":
        os.mkfifo(fifo)
        return ["build", "fifo.yaml", "-o", "out/", "--format", "docx"], False
    if case == "dev-zero-as-answers":
        return ["build", "/dev/zero", "-o", "out/", "--format", "docx"], False
    if case == "folder-as-answers":
        (ws.work / "folder.yaml").mkdir()
        return ["build", "folder.yaml", "-o", "out/", "--format", "docx"], False
    if case == "fifo-as-appendix":
        os.mkfifo(ws.work / "appendix.pdf")
        basic_answers(ws.work, APPENDIX.format(path="appendix.pdf"))
        return ["build", "basic.yaml", "-o", "out/", "--format", "pdf"], False
    if case == "dev-zero-as-appendix":
        basic_answers(ws.work, APPENDIX.format(path="/dev/zero"))
        return ["build", "basic.yaml", "-o", "out/", "--format", "pdf"], False
    if case == "dev-zero-as-rebuild-answers":
        return ["rebuild", str(built["docx"]), "--answers", "/dev/zero"], False
    if case == "fifo-to-inspect":
        os.mkfifo(ws.work / "agreement.docx")
        return ["inspect", "agreement.docx"], False
    if case == "dev-zero-to-diff":
        return ["diff", "/dev/zero", str(built["md"])], False
    if case == "fifo-in-where-used-folder":
        os.mkfifo(ws.work / "agreement.docx")
        return ["where-used", "parter", "."], True
    if case == "folder-nested-1500-deep":
        from generate import deep_folder
        deep_folder(ws.work / "deep", 1500)
        return ["where-used", "parter", "deep"], True
    if case == "symlink-loop-in-folder":
        (ws.work / "agreements").mkdir()
        os.symlink("..", ws.work / "agreements" / "loop")
        return ["where-used", "parter", "agreements"], True
    if case == "fifo-as-library-file":
        from generate import copy_library
        lib = copy_library(ws.root / "lib")
        (lib / "approved.yaml").unlink()
        os.mkfifo(lib / "approved.yaml")
        basic_answers(ws.work)
        return ["build", "basic.yaml", "-o", "out/", "--format", "docx", "--library", str(lib)], False
    raise AssertionError(case)


CASES = ["fifo-as-answers", "dev-zero-as-answers", "folder-as-answers", "fifo-as-appendix", "dev-zero-as-appendix",
         "dev-zero-as-rebuild-answers", "fifo-to-inspect", "dev-zero-to-diff", "fifo-in-where-used-folder",
         "folder-nested-1500-deep", "symlink-loop-in-folder", "fifo-as-library-file"]


@pytest.mark.parametrize("case", CASES)
def test_special_files(ws: Workspace, record: list, built: dict[str, Path], case: str) -> None:
    args, accept = _case(ws, case, built)
    try:
        o = run(ws, args)
        expect_safe(record, ws, o, accept=accept)
    finally:
        if case == "folder-nested-1500-deep":
            from generate import remove_deep_folder
            remove_deep_folder(ws.work / "deep")
