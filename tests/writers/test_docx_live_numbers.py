"""Word numbers clauses and updates cross-references itself: a clause inserted in Word shifts them all.

The DOCX is edited the way a Word user would (a new paragraph in the
"Heading 1" style before clause 3), then LibreOffice lays it out as PDF,
which updates the list numbers and the REF fields.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import REPO
from pypdf import PdfReader

from assembler.assembly.pipeline import assemble
from assembler.model import Document, ItemList, Paragraph, Span
from assembler.writers.docx import write_docx
from assembler.writers.pdf_libreoffice import find_soffice

SOFFICE = find_soffice()
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _convert(docx_path: Path, out: Path) -> str:
    assert SOFFICE is not None
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{out / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(docx_path)],
                   check=True, capture_output=True, timeout=240)
    reader = PdfReader(out / (docx_path.stem + ".pdf"))
    return _squash("".join(page.extract_text() or "" for page in reader.pages))


def _shift(number: str) -> str:
    """Return a clause or sub-clause number as it reads with one clause inserted before clause 3."""
    head, _, rest = number.partition(".")
    shifted = str(int(head) + 1) if int(head) >= 3 else head
    return f"{shifted}.{rest}" if rest else shifted


def _references(doc: Document) -> list[tuple[str, str]]:
    """Return (the words before, the clause number) of every clause cross-reference."""
    out: list[tuple[str, str]] = []
    for block in [b for c in doc.clauses for b in c.blocks]:
        runs: list[tuple[Span, ...]] = [block.spans] if isinstance(block, Paragraph) else \
            [i.spans for i in block.items] if isinstance(block, ItemList) else []
        for spans in runs:
            for k, span in enumerate(spans):
                if span.kind == "ref" and span.target and not span.target.startswith("appendix:") and k:
                    before = "".join(s.text for s in spans[:k]).split()[-3:]
                    out.append((" ".join(before), span.text))
    return out


def test_a_clause_inserted_in_word_shifts_every_later_number_and_reference(tmp_path: Path) -> None:
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of="2026-03-01", language="sv").agreement
    doc = agreement.documents[0]
    document = docx.Document(io.BytesIO(write_docx(agreement)))
    headings = [p for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert [p.text for p in headings] == [c.title for c in doc.clauses]
    headings[2].insert_paragraph_before("Ny klausul", style="Heading 1")
    headings[2].insert_paragraph_before("Den nya klausulens text.", style="Sub-clause")
    edited = tmp_path / "edited.docx"
    document.save(str(edited))

    text = _convert(edited, tmp_path)

    assert _squash("3 Ny klausul") in text
    assert _squash("3.1 Den nya klausulens text.") in text
    for clause in doc.clauses:
        assert _squash(f"{_shift(clause.number)} {clause.title}") in text, clause.title
    references = _references(doc)
    assert any(int(n.split(".")[0]) >= 3 for _, n in references)  # the test must see shifts
    for before, number in references:
        assert _squash(f"{before} {_shift(number)}") in text, (before, number)
