"""``assembler diff`` on documents nobody here wrote (tests/fixtures/real, see its README).

Every deliberate edit of edits.json must show in every format pair, identical
inputs must show nothing, a DOCX against its own LibreOffice PDF only
typographic differences, moves must be moves, and every file must be read
whole (coverage complete).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assembler.compare.align import typographic_key

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
EDITS = json.loads((REAL / "edits.json").read_text(encoding="utf-8"))
PAIRS = {p["name"]: p for p in EDITS["pairs"]}
FORMATS = ("md", "docx", "pdf")
_WORD = re.compile(r"\w+")


def run_diff(old: Path, new: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    """Run the real CLI as a subprocess; return exit code, JSON output and stderr."""
    proc = subprocess.run([sys.executable, "-m", "assembler", "diff", str(old), str(new), "--exit-code",
                           "--format", "json", *extra], capture_output=True, text=True, timeout=120)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def units(diff: dict[str, Any]) -> list[dict[str, Any]]:
    return [u for c in diff["clauses"] for u in c["paragraphs"]]


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(typographic_key(text)))


def _flat(text: str) -> str:
    """The words of a text only: "Section 7 -- Other" and "Section 7 – Other" read alike."""
    return " ".join(_WORD.findall(text))


def shows(edit: dict[str, str], diff: dict[str, Any]) -> bool:
    """Whether the diff shows the edit: the words it adds inserted, the words it drops deleted,
    or, for a move, the paragraph or clause reported moved to its new place."""
    if "move" in edit:
        wanted = _flat(edit["move"])
        return any(u["status"] == "moved" and u["move"] == "to" and wanted in _flat(u["new_text"] or "")
                   for u in units(diff)) or any(
            c["status"] == "moved" and c["move"] == "to" and wanted in _flat(c["new"]["title"] or "")
            for c in diff["clauses"])
    old, new = _words(edit["old"]), _words(edit["new"])
    inserted = " ".join((ch["new"] or "") for u in units(diff) for ch in u["changes"])
    deleted = " ".join((ch["old"] or "") for u in units(diff) for ch in u["changes"])
    inserted += " ".join(u["new_text"] or "" for u in units(diff) if u["status"] == "added")
    deleted += " ".join(u["old_text"] or "" for u in units(diff) if u["status"] == "removed")
    return not (new - old) - _words(inserted) and not (old - new) - _words(deleted)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pair", ["cc-by", "rich-nda"])
def test_every_deliberate_edit_is_found(pair: str, fmt: str) -> None:
    spec = PAIRS[pair]
    code, diff, stderr = run_diff(REAL / f"{spec['old']}.{fmt}", REAL / f"{spec['new']}.{fmt}")
    assert code == 1, stderr
    missed = [e.get("old", e.get("move")) for e in spec["edits"] if not shows(e, diff)]
    assert missed == []
    assert diff["coverage"]["old"]["uncovered"] == 0 and diff["coverage"]["new"]["uncovered"] == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pair", ["csa", "mnda", "eupl", "epl"])
def test_real_revisions_differ_and_are_read_whole(pair: str, fmt: str) -> None:
    spec = PAIRS[pair]
    code, diff, stderr = run_diff(REAL / f"{spec['old']}.{fmt}", REAL / f"{spec['new']}.{fmt}")
    assert code == 1 and diff["differs"]
    assert "not compared" not in stderr
    for side in ("old", "new"):
        cov = diff["coverage"][side]
        assert cov["uncovered"] == 0, cov
        assert cov["read"] >= cov["present"] * 0.98


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["gpl-3.0", "csa-1.0", "rich-nda"])
def test_identical_inputs_show_nothing(name: str, fmt: str) -> None:
    path = REAL / f"{name}.{fmt}"
    code, diff, stderr = run_diff(path, path)
    assert code == 0, stderr
    assert not diff["differs"] and all(v == 0 for v in diff["changes"].values())
    assert diff["coverage"]["new"]["uncovered"] == 0


@pytest.mark.parametrize("name", ["gpl-3.0", "csa-2.1", "eupl-1.2", "mnda-1.0"])
def test_docx_against_its_own_pdf_is_only_typographic(name: str) -> None:
    code, diff, _ = run_diff(REAL / f"{name}.docx", REAL / f"{name}.pdf")
    counts = diff["changes"]
    assert {k: counts[k] for k in ("insert", "delete", "replace", "move")} == {
        "insert": 0, "delete": 0, "replace": 0, "move": 0}, [u for u in units(diff)][:3]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pair", ["csa", "mnda", "eupl", "epl", "cc-by", "rich-nda"])
def test_moves_are_moves_and_only_where_the_text_changed_place(pair: str, fmt: str) -> None:
    spec = PAIRS[pair]
    _, diff, _ = run_diff(REAL / f"{spec['old']}.{fmt}", REAL / f"{spec['new']}.{fmt}")
    flow = [u for u in units(diff)]
    for k, u in enumerate(flow):
        if u["move"] != "from":
            continue
        there = next(n for n, v in enumerate(flow) if v["move"] == "to" and v["move_id"] == u["move_id"])
        between = flow[min(k, there) + 1:max(k, there)]
        # Something that stayed put lies between the two ends of a real move.
        assert any(v["status"] in ("changed", "unchanged") or v["move"] for v in between) or not between, u
    moved = [e for e in spec.get("edits", []) if "move" in e]
    assert all(shows(e, diff) for e in moved)


def test_a_file_read_in_part_is_never_a_silent_no_differences(tmp_path: Path) -> None:
    """Text in a part no reader reads (here a glossary document) is reported, and fails --exit-code."""
    import zipfile

    source = REAL / "mnda-1.0.docx"
    target = tmp_path / "with-glossary.docx"
    glossary = ('<w:glossaryDocument xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:docParts><w:docPart><w:docPartBody><w:p><w:r><w:t>Hidden building block wording</w:t>"
                "</w:r></w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>")
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("word/glossary/document.xml", glossary)
    code, diff, stderr = run_diff(source, target)
    assert code == 1 and not diff["differs"]
    assert "word/glossary/document.xml: 4" in stderr and "not compared" in stderr
    assert diff["coverage"]["new"]["uncovered"] == 4 and diff["coverage"]["complete"] is False
    plain = subprocess.run([sys.executable, "-m", "assembler", "diff", str(source), str(target)],
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and "not compared: " in plain.stdout


def test_tracked_changes_of_undated_files_are_dated_today(tmp_path: Path) -> None:
    import datetime
    import zipfile

    out = tmp_path / "redline.docx"
    subprocess.run([sys.executable, "-m", "assembler", "diff", str(REAL / "mnda-0.1.md"), str(REAL / "mnda-1.0.md"),
                    "--format", "docx", "-o", str(out)], check=True, capture_output=True, timeout=120)
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    dates = set(re.findall(r'w:date="([0-9-]{10})', xml))
    assert dates == {datetime.datetime.now(datetime.UTC).date().isoformat()}
