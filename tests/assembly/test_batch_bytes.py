"""A batch's agreements are the very files a single build of the same answers writes, byte for byte.

The batch remembers clause text, rule results and paragraph XML from one
agreement to the next (assembler.library.memo); these tests hold that what it
remembers never shows: every row's files are compared with the files a fresh
process writes from that row's answers alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO

from assembler.assembly.answers import load_answers
from assembler.assembly.sheets import read_sheet, row_answers

BASIC = REPO / "examples" / "basic.yaml"
PARTY = "private_parties[0]."
HEADINGS = ["reference", PARTY + "name", PARTY + "orgnr", PARTY + "address", PARTY + "contact.name",
            PARTY + "contact.email", PARTY + "signatory.name", PARTY + "signatory.title", "project.title"]
TITLE = "Smart sortering av matavfall i flerbostadshus"  # the base file's
ROWS = [
    ["KS 2026/00101", "Alfa Ljus AB", "556016-0680", "Storgatan 1, Göteborg", "Ada", "a@example.org", "Alma Alm",
     "VD", TITLE],
    ["KS 2026/00102", "Beta Belysning AB", "556036-0793", "Lillgatan 2, Malmö", "Ben", "b@example.org", "Bo Berg",
     "VD", TITLE],
    # a project title the clauses print: those clauses render anew, the others are reused
    ["KS 2026/00103", "Gamma Lampor AB", "559412-7184", "Torget 3, Umeå", "Gus", "g@example.org", "Gun Gran",
     "Styrelseordförande", "Smart belysning i Umeå"],
    ["KS 2026/00104", "Alfa Ljus AB", "556016-0680", "Storgatan 1, Göteborg", "Ada", "a@example.org", "Alma Alm",
     "VD", TITLE],  # as the first row but for the reference
]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assembler", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_batch_files_are_byte_identical_to_single_builds(tmp_path: Path) -> None:
    sheet = tmp_path / "firms.csv"
    sheet.write_text("\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in [HEADINGS, *ROWS]) + "\n",
                     encoding="utf-8")
    done = _run("build", str(sheet), "--base", str(BASIC), "-j", "2", "--format", "docx,txt", "--as-of", "2026-03-01",
                "-o", str(tmp_path / "batch"), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    base = load_answers(BASIC)
    for row in read_sheet(sheet):
        answers = row_answers(row, base)
        single = tmp_path / f"row{row.line}.yaml"  # beside nothing else: the row's answers, as a file
        single.write_text(yaml.safe_dump(answers.data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        one = _run("build", str(single), "--format", "docx,txt", "--as-of", "2026-03-01", "-o",
                   str(tmp_path / "single"), cwd=tmp_path)  # a fresh process: nothing remembered
        assert one.returncode == 0, one.stderr
        for ext in ("docx", "txt"):
            batch_bytes = (tmp_path / "batch" / f"firms-{row.line}.{ext}").read_bytes()
            assert batch_bytes == (tmp_path / "single" / f"row{row.line}.{ext}").read_bytes(), (row.line, ext)
    texts = {n: (tmp_path / "batch" / f"firms-{n}.txt").read_text(encoding="utf-8") for n in (2, 3, 4, 5)}
    assert "Beta Belysning AB" in texts[3] and "Beta Belysning AB" not in texts[2]
    assert "Smart belysning i Umeå" in texts[4] and "Smart belysning i Umeå" not in texts[5]
    assert texts[2].replace("00101", "00104") == texts[5]
