"""The PDF (what is signed) says word for word what the DOCX (what is negotiated) says."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import REPO
from pypdf import PdfReader

from assembler.assembly.pipeline import assemble
from assembler.readers.docx import paragraph_texts
from assembler.writers.docx import write_docx
from assembler.writers.pdf import write_pdf

EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
FOOTER = re.compile(r"^(?:(?:Sida|Page) \d+ (?:av|of) \d+(?: / )?)+$")
CASES = [(e, lang) for e in EXAMPLES for lang in ("sv", "en", "sv+en")]


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return [w for w in text.split() if w != "•"]


def docx_words(data: bytes) -> list[str]:
    """Return the words Word shows, list numbers included, in reading order (tables row by row)."""
    return [w for text in paragraph_texts(data) for w in words(text)]


def pdf_words(data: bytes, header_lines: int) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    first = reader.pages[0].extract_text() or ""
    total = re.search(r"(?:Sida|Page) 1 (?:av|of) (\d+)", first)
    assert total, "no page footer on page 1"
    out: list[str] = []
    for page in reader.pages[: int(total.group(1))]:
        lines = [line for line in (page.extract_text() or "").split("\n") if line.strip()]
        body = [line for line in lines[header_lines:] if not FOOTER.match(line.strip())]
        out.extend(words("\n".join(body)))
    return out


@pytest.mark.parametrize("answers, language", CASES, ids=[f"{e.stem}-{lang}" for e, lang in CASES])
def test_pdf_text_equals_docx_text(answers: Path, language: str) -> None:
    agreement = assemble(answers, as_of="2026-12-01", language=language).agreement
    header_lines = 2 if agreement.documents[0].reference else 1
    expected = docx_words(write_docx(agreement))
    actual = pdf_words(write_pdf(agreement), header_lines)
    assert actual == expected
    joined = " ".join(actual)
    for ch in "åäöÅÄÖ§–”":
        if ch in " ".join(expected):
            assert ch in joined
