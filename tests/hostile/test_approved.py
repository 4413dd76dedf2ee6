"""Approved means approved at build time: an approved clause edited in place is refused, --draft or not."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from generate import basic_answers, copy_library, latest_fragment
from harness import Workspace, expect_safe, run

CASES = {
    "build": ["build", "basic.yaml", "-o", "out/", "--format", "docx"],
    "build-draft": ["build", "basic.yaml", "-o", "out/", "--format", "docx", "--draft"],
    "check": ["check", "basic.yaml"],
    "check-draft": ["check", "basic.yaml", "--draft"],
    "rebuild": ["rebuild", "built.docx"],
}


def _drift(lib: Path) -> tuple[Path, str]:
    """Edit the approved clause 'parter' in place; return its file and the hash approved.yaml records."""
    fragment = latest_fragment(lib, "parter")
    text = fragment.read_text()
    fragment.write_text(text.replace("\n# en\n", "\nDenna mening lades till i efterhand.\n\n# en\n", 1))
    recorded = re.search(rf"(?m)^parter@{re.escape(fragment.stem)}: (\w+)", (lib / "approved.yaml").read_text())
    assert recorded
    return fragment, recorded.group(1)


@pytest.mark.parametrize("case", list(CASES))
def test_approved_drift(ws: Workspace, record: list, built: dict[str, Path], case: str) -> None:
    lib = copy_library(ws.root / "lib")
    basic_answers(ws.work)
    if case == "rebuild":
        o = run(ws, ["build", "basic.yaml", "-o", "built.docx", "--format", "docx", "--library", str(lib)])
        assert o.rc == 0, o.stderr
    fragment, recorded = _drift(lib)
    o = run(ws, CASES[case] + ["--library", str(lib)])

    def names_file_and_hash(out: object) -> list[str]:
        if o.rc == 0:
            return ["unsafe-output: the edited approved clause was used"]
        said = o.stderr + o.stdout
        if "parter" not in said or recorded[:12] not in said:
            return ["unplain-message: the message names neither the clause file nor its recorded hash"]
        return []

    expect_safe(record, ws, o, extra=names_file_and_hash, exits=(1,), report=case == "rebuild")
    shutil.rmtree(lib)
