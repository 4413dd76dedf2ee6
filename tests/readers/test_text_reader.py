"""Reading our Markdown and plain text back into the model."""

from __future__ import annotations

import pytest
from sample import sample_agreement

from assembler.compare.diff import diff_sides
from assembler.compare.result import Side
from assembler.compare.sides import load_side, side_from_agreement
from assembler.model import Span
from assembler.readers.markdown import markdown_spans, read_markdown
from assembler.readers.text import read_text
from assembler.writers import markdown as markdown_writer
from assembler.writers import text as text_writer


@pytest.mark.parametrize("language", ["sv", "en"])
def test_our_markdown_reads_back_as_the_model(language: str) -> None:
    agreement = sample_agreement(language)
    document = read_markdown(markdown_writer.write_markdown(agreement).decode())
    result = diff_sides(side_from_agreement(agreement, "model"), Side("a.md", "markdown", document))
    assert result.aligned_by == "heading"
    assert not result.differs


@pytest.mark.parametrize("language", ["sv", "en"])
def test_our_plain_text_reads_back_as_the_model(language: str) -> None:
    agreement = sample_agreement(language)
    document = read_text(text_writer.write_text(agreement).decode())
    assert document.title == agreement.documents[0].title.upper()
    result = diff_sides(side_from_agreement(agreement, "model"), Side("a.txt", "text", document, formatting=False))
    assert not result.differs


def test_markdown_emphasis_and_escapes() -> None:
    assert markdown_spans(r"märka **affärshemligheter** och *ritningar* \*inte\*") == (
        Span("märka "), Span("affärshemligheter", bold=True), Span(" och "),
        Span("ritningar", italic=True), Span(" *inte*"))


def test_a_markdown_side_against_a_docx_side(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assembler.writers import docx as docx_writer
    agreement = sample_agreement("sv")
    md = tmp_path / "a.md"
    md.write_bytes(markdown_writer.write_markdown(agreement))
    built = tmp_path / "b.docx"
    built.write_bytes(docx_writer.write_docx(agreement))
    assert not diff_sides(load_side(str(md)), load_side(str(built))).differs
