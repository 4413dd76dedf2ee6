"""A redline of someone else's DOCX is that DOCX with the changes marked.

Every pair of the real corpus (tests/fixtures/real/edits.json) is compared
DOCX to DOCX and written as tracked changes; accepting every change must give
NEW and rejecting every change OLD, word for word with list labels, in the
body and in headers, footers and notes, in our own reading and in
LibreOffice's.  NEW's package (styles, numbering, tables, headers, section
properties) stays NEW's.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from libreoffice import uno_python
from lxml import etree

from assembler.compare.diff import diff_sides
from assembler.compare.sides import load_side
from assembler.compare.tracked_docx import write_tracked_docx
from assembler.readers.docx import paragraph_texts
from assembler.readers.docx_parts import part_texts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REAL = FIXTURES / "real"
PAIRS = {p["name"]: (p["old"], p["new"]) for p in json.loads((REAL / "edits.json").read_text("utf-8"))["pairs"]}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REVISIONS = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange",
             "moveFromRangeStart", "moveToRangeStart")


@cache
def redline(name: str, old_format: str = "docx") -> bytes:
    old, new = PAIRS[name]
    result = diff_sides(load_side(str(REAL / f"{old}.{old_format}")), load_side(str(REAL / f"{new}.docx")))
    return write_tracked_docx(result, author="Stadsjuristen", date="2026-03-01")


def words(paragraphs: list[str]) -> list[str]:
    return " ".join(paragraphs).split()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


@pytest.mark.parametrize("name", list(PAIRS))
def test_accept_all_gives_new_and_reject_all_gives_old_word_for_word(name: str) -> None:
    old, new = PAIRS[name]
    data = redline(name)
    new_bytes, old_bytes = (REAL / f"{new}.docx").read_bytes(), (REAL / f"{old}.docx").read_bytes()
    assert words(paragraph_texts(data, "accepted")) == words(paragraph_texts(new_bytes))
    assert words(paragraph_texts(data, "rejected")) == words(paragraph_texts(old_bytes))
    # The labels are Word's own list numbers, counted again in each view.
    assert paragraph_texts(data, "rejected") != paragraph_texts(data, "accepted")
    for key, texts in part_texts(new_bytes).items():
        assert words(part_texts(data, "accepted")[key]) == words(texts), key
    old_parts = part_texts(old_bytes)
    for key, texts in part_texts(data, "rejected").items():
        assert words(texts) == words(old_parts.get(key, [])), key


@pytest.mark.parametrize("name", ["csa", "eupl", "epl"])
def test_paragraphs_the_comparison_re_cut_come_back_whole_in_each_view(name: str) -> None:
    # These revisions split and join paragraphs: the comparison pairs a NEW
    # paragraph with OLD text from several OLD paragraphs (less noise), while
    # the package marks whole paragraphs, one OLD with at most one NEW.
    old, new = PAIRS[name]
    result = diff_sides(load_side(str(REAL / f"{old}.docx")), load_side(str(REAL / f"{new}.docx")))
    assert any(c.one_to_one for c in result.clauses)
    data = redline(name)
    assert paragraph_texts(data, "rejected") == paragraph_texts((REAL / f"{old}.docx").read_bytes())
    assert paragraph_texts(data, "accepted") == paragraph_texts((REAL / f"{new}.docx").read_bytes())


def test_headers_notes_and_text_boxes_are_marked_where_they_are() -> None:
    data = redline("rich-nda")
    rejected, accepted = part_texts(data, "rejected"), part_texts(data, "accepted")
    changed = {kind for (kind, _), texts in rejected.items() if texts != accepted[(kind, _)]}
    assert changed == {"header", "footnote", "endnote"}
    notes = etree.fromstring(part(data, "word/footnotes.xml"))
    assert "".join(notes.find(f".//{{{W}}}ins").itertext()).strip() == "up to twelve months"  # type: ignore[union-attr]
    assert any("disclosed before the Effective Date" in p for k, ps in rejected.items() if k[0] == "footnote"
               for p in ps)
    body = paragraph_texts(data, "rejected")
    assert any("incorporates these Standard Terms by reference." in p for p in body)  # the text box


def test_news_package_is_kept() -> None:
    new = (REAL / "rich-nda-edited.docx").read_bytes()
    data = redline("rich-nda")
    for name in ("word/styles.xml", "word/numbering.xml", "word/settings.xml"):
        assert part(data, name) == part(new, name), name
    ours, theirs = (etree.fromstring(part(x, "word/document.xml")) for x in (data, new))
    assert etree.tostring(ours.find(f".//{{{W}}}body/{{{W}}}sectPr")) == etree.tostring(
        theirs.find(f".//{{{W}}}body/{{{W}}}sectPr"))
    # The key-terms table is still a table, its rows and cells kept.
    tables = [[len(tr.findall(f"{{{W}}}tc")) for tr in tbl.iter(f"{{{W}}}tr")] for tbl in ours.iter(f"{{{W}}}tbl")]
    assert tables == [[len(tr.findall(f"{{{W}}}tc")) for tr in tbl.iter(f"{{{W}}}tr")]
                      for tbl in theirs.iter(f"{{{W}}}tbl")]
    # Unchanged paragraphs are NEW's own elements, untouched.
    unchanged = [etree.tostring(p) for p in theirs.iter(f"{{{W}}}p")]
    kept = {etree.tostring(p) for p in ours.iter(f"{{{W}}}p")}
    assert sum(p in kept for p in unchanged) >= len(unchanged) - 12


def test_a_file_against_itself_marks_nothing() -> None:
    path = str(REAL / "csa-2.1.docx")
    data = write_tracked_docx(diff_sides(load_side(path), load_side(path)), date="2026-03-01")
    xml = part(data, "word/document.xml").decode()
    assert not re.search(r"<w:(ins|del|moveFrom|moveTo|pPrChange) ", xml)
    assert paragraph_texts(data) == paragraph_texts((REAL / "csa-2.1.docx").read_bytes())


@pytest.mark.parametrize("name", list(PAIRS))
def test_every_revision_has_its_own_id_author_and_date(name: str) -> None:
    data = redline(name)
    ids: Counter[str] = Counter()
    for member in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/header1.xml"):
        try:
            root = etree.fromstring(part(data, member))
        except KeyError:
            continue
        for tag in REVISIONS:
            for el in root.iter(f"{{{W}}}{tag}"):
                ids[el.get(f"{{{W}}}id")] += 1
                assert el.get(f"{{{W}}}author") == "Stadsjuristen"
                assert el.get(f"{{{W}}}date") == "2026-03-01T00:00:00Z"
    assert ids and max(ids.values()) == 1


@pytest.mark.parametrize("old_format", ["md", "pdf"])
def test_a_docx_new_against_markdown_or_pdf_still_accepts_to_new(old_format: str) -> None:
    data = redline("rich-nda", old_format)
    assert words(paragraph_texts(data, "accepted")) == words(
        paragraph_texts((REAL / "rich-nda-edited.docx").read_bytes()))
    assert "1x the fees paid" in " ".join(words(paragraph_texts(data, "rejected")))


def test_author_and_date_options_win(tmp_path: Path) -> None:
    out = tmp_path / "redline.docx"
    subprocess.run([sys.executable, "-m", "assembler", "diff", str(REAL / "mnda-0.1.docx"),
                    str(REAL / "mnda-1.0.docx"), "--format", "docx", "-o", str(out),
                    "--author", "Jurist", "--date", "2026-02-03"], check=True, capture_output=True, timeout=180)
    xml = part(out.read_bytes(), "word/document.xml").decode()
    assert set(re.findall(r'w:author="([^"]*)"', xml)) == {"Jurist"}
    assert set(re.findall(r'w:date="([^"]*)"', xml)) == {"2026-02-03T00:00:00Z"}
    assert paragraph_texts(out.read_bytes()) == paragraph_texts((REAL / "mnda-1.0.docx").read_bytes())


def test_the_same_comparison_gives_the_same_bytes() -> None:
    redline.cache_clear()
    first = redline("cc-by")
    redline.cache_clear()
    assert redline("cc-by") == first


@pytest.mark.skipif(uno_python() is None, reason="LibreOffice with its Python (uno) is not installed")
def test_libreoffice_accepting_and_rejecting_every_redline_gives_new_and_old(tmp_path: Path) -> None:
    files: list[str] = []
    for name, (old, new) in PAIRS.items():
        (tmp_path / f"{name}.docx").write_bytes(redline(name))
        files += [str(tmp_path / f"{name}.docx"), f"={REAL / f'{old}.docx'}", f"={REAL / f'{new}.docx'}"]
    done = subprocess.run([uno_python() or "", str(FIXTURES / "diff" / "lo_accept.py"),
                           str(tmp_path / "profile"), *files], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    for name, (old, new) in PAIRS.items():
        assert words(seen[f"{name}.docx:accept"]) == words(seen[f"{new}.docx:plain"]), name
        assert words(seen[f"{name}.docx:reject"]) == words(seen[f"{old}.docx:plain"]), name
    # LibreOffice prints Word's list labels ("3.1<TAB>"): they were compared too.
    numbered = [name for name, (_, new) in PAIRS.items()
                if any(re.match(r"\(?\w{1,3}[.)]\t", p) for p in seen[f"{new}.docx:plain"])]
    assert len(numbered) >= 4, numbered


@pytest.mark.parametrize(("old", "new"), [
    ("a b c", "a c"), ("a b c", "a x c"), ("a b", "a"), ("a", "a b"), ("x a", "a"),
    ("1.1 Access and Use.", "Access and Use, and more."), ("rights, x", "rights and y, x"),
    ("( “Receiving Party”)", "(“Receiving Party”)"), ("", "a b"), ("a b", ""), ("30 days", "60 days"),
])
def test_word_changes_give_back_both_texts(old: str, new: str) -> None:
    from assembler.compare.tracked_runs import word_ops

    ops = word_ops(old, new)
    rejected = "".join(ops.deleted.get(k, "") + ("" if ops.inserted[k] else ch) for k, ch in enumerate(new))
    rejected += ops.deleted.get(len(new), "")
    assert rejected.split() == old.split()
    assert ops.changed == (old.split() != new.split())
