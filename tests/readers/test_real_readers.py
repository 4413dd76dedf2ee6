"""The readers on documents nobody here wrote (tests/fixtures/real): everything read, and accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assembler.compare.sides import load_side
from assembler.model import Document, ItemList, Paragraph
from assembler.readers.docx import read_docx
from assembler.readers.markdown import read_markdown
from assembler.readers.pdf import read_pdf

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
DOCUMENTS = json.loads((REAL / "edits.json").read_text(encoding="utf-8"))["documents"]


def texts(doc: Document) -> list[str]:
    """Every paragraph and item text of the body, in order."""
    blocks = list(doc.preamble) + [b for c in doc.clauses for b in c.blocks]
    return [t for b in blocks for t in ([i.text for i in b.items] if isinstance(b, ItemList) else [b.text])]


@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_word_of_every_file_is_read(name: str, fmt: str) -> None:
    side = load_side(str(REAL / f"{name}.{fmt}"))
    assert side.coverage is not None
    assert side.coverage.uncovered == {}, side.coverage.sample
    assert side.coverage.read >= side.coverage.present * 0.97
    assert side.document is not None and not side.document.signatures


def test_the_rich_docx_is_read_whole() -> None:
    reading = read_docx((REAL / "rich-nda.docx").read_bytes())
    assert len(reading.documents) == 1  # a key-terms table is not two languages side by side
    doc = reading.documents[0]
    body = texts(doc)
    assert "Cap on liability\t1x the fees paid or payable in the 12 months before the claim." in body
    assert "Note: the Cover Page incorporates these Standard Terms by reference." in body
    assert any("Anna Andersson and Bo Berg" in t for t in body)  # content controls
    parts = {(p.kind, p.label): " ".join(b.text for b in p.blocks if isinstance(b, Paragraph)) for p in doc.parts}
    assert parts == {
        ("header", "default"): "Common Paper Mutual NDA, Standard Terms, Version 1.0",
        ("footer", "default"): "Confidential. Page 1",  # the PAGE field's result
        ("footnote", "1"): "Including information disclosed before the Effective Date.",
        ("endnote", "i"): "Disputes are heard by the Stockholm District Court in the first instance.",
    }
    assert [c.title for c in doc.clauses] == ["Standard Terms", "General Provisions"]
    numbers = [b.number for c in doc.clauses for b in c.blocks if isinstance(b, Paragraph)]
    assert numbers[:3] == ["1.", "2.", "3."] and "11." in numbers and "12." not in numbers
    letters = [[i.label for i in b.items] for c in doc.clauses for b in c.blocks if isinstance(b, ItemList)]
    assert letters[0] == ["(a)", "(b)", "(c)"] and letters[1] == ["(a)", "(b)", "(c)", "(d)"]


def test_the_rich_pdf_keeps_its_notes_and_running_heads_apart() -> None:
    reading = read_pdf((REAL / "rich-nda.pdf").read_bytes())
    doc = reading.documents[0]
    kinds = [(p.kind, p.label) for p in doc.parts]
    assert kinds == [("header", "default"), ("footer", "default"), ("footnote", "1"), ("endnote", "i")]
    # The header is printed on every page: kept once, the repeats accounted for.
    assert reading.skipped.count("Common Paper Mutual NDA, Standard Terms, Version 1.0") == 3
    assert "Confidential. Page 4" in reading.skipped
    # Clause 2's item (b) runs over the page break and the footnote: one item.
    items = [i.text for c in doc.clauses for b in c.blocks if isinstance(b, ItemList) for i in b.items]
    assert any(t.startswith("not disclose Confidential Information") and t.endswith("with this MNDA; and")
               for t in items)


def test_unnumbered_markdown_headings_are_sections_not_signatures() -> None:
    doc = read_markdown((REAL / "csa-1.0.md").read_text(encoding="utf-8"))
    assert not doc.signatures
    titles = [(c.number, c.title) for c in doc.clauses]
    assert ("", "USING THIS AGREEMENT") in titles and ("8", "Disclaimer of Warranties") in titles
    assert sum(len(c.blocks) for c in doc.clauses) > 60


@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_two_headings_in_a_row_keep_the_clause_before_them(fmt: str) -> None:
    doc = load_side(str(REAL / f"cc-by-4.0.{fmt}")).document
    assert doc is not None
    definitions = next(c for c in doc.clauses if c.title.startswith("Section 1 "))
    assert len(texts(Document("", "", (definitions,)))) == 11  # a. Adapted Material … k. You
    scope = next(c for c in doc.clauses if c.title.startswith("Section 2 "))
    assert scope.blocks == ()  # its first sub-heading follows at once


def test_a_two_column_table_opening_a_document_is_a_table(tmp_path: Path) -> None:
    """The right column of a key-terms table used to be dropped as a second language."""
    side = load_side(str(REAL / "rich-nda-edited.docx"))
    assert side.document is not None
    assert "Cap on liability\t3x the fees paid or payable in the 12 months before the claim." in texts(side.document)
