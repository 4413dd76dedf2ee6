"""Reading PDF back: page furniture dropped, lines joined, and no false differences."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from conftest import REPO, load_bench
from sample import sample_agreement

from assembler.assembly.appendices import read_appendix_files
from assembler.compare.diff import diff_sides
from assembler.compare.result import Side
from assembler.compare.sides import side_from_agreement
from assembler.errors import AssemblerError
from assembler.model import Agreement, Paragraph
from assembler.readers.docx import read_docx
from assembler.readers.pdf import _join, read_pdf
from assembler.readers.pdf_page import normalize_text
from assembler.writers import docx as docx_writer
from assembler.writers import pdf as pdf_writer

FONTS = REPO / "assembler" / "resources" / "fonts"


def pdf_side(data: bytes) -> Side:
    reading = read_pdf(data)
    return Side("b.pdf", "pdf", reading.documents[0], reading.manifest, formatting=False, notes=reading.notes)


def word_changes(old: Side, new: Side) -> list[tuple[str, str, str]]:
    result = diff_sides(old, new)
    return [(s.op, s.old_text, s.new_text) for c in result.clauses for u in c.units for s in u.changes]


@pytest.mark.parametrize("language,draft", [("sv", False), ("en", False), ("sv", True), ("sv+en", False)])
def test_our_pdf_reads_back_as_the_model(language: str, draft: bool) -> None:
    agreement = sample_agreement(language, draft=draft)
    reading = read_pdf(pdf_writer.write_pdf(agreement))
    assert reading.manifest == agreement.manifest
    assert len(reading.documents) == len(agreement.documents)
    for model, document in zip(agreement.documents, reading.documents):
        side = Side("b.pdf", "pdf", document, reading.manifest, formatting=False)
        result = diff_sides(side_from_agreement(agreement, "model", language=model.language), side)
        assert result.aligned_by == "clause"
        assert not result.differs, [(c.ref, [u.changes for u in c.units]) for c in result.clauses]


def _one_word_changed(words: int) -> tuple[Agreement, Agreement]:
    bench = load_bench("bench_diff")
    doc = bench.long_document(words, clauses=max(6, words // 1700))
    clause = doc.clauses[2]
    para = clause.blocks[1]
    assert isinstance(para, Paragraph)
    text = para.spans[0].text.split(" ")
    text[5] = "ÄNDRAT"
    para = replace(para, spans=(replace(para.spans[0], text=" ".join(text)),) + para.spans[1:])
    changed = replace(clause, blocks=(clause.blocks[0], para) + clause.blocks[2:])
    new = replace(doc, clauses=doc.clauses[:2] + (changed,) + doc.clauses[3:])
    return bench.agreement_of(doc), bench.agreement_of(new)


def test_our_docx_against_our_pdf_with_one_word_changed_reports_exactly_that_change() -> None:
    old, new = _one_word_changed(25_000)  # about 50 pages: page breaks inside paragraphs
    docx = read_docx(docx_writer.write_docx(old))
    found = word_changes(Side("a.docx", "docx", docx.documents[0], docx.manifest),
                         pdf_side(pdf_writer.write_pdf(new)))
    assert found == [("replace", old_word(old), "ÄNDRAT")]


def old_word(agreement: Agreement) -> str:
    para = agreement.documents[0].clauses[2].blocks[1]
    assert isinstance(para, Paragraph)
    return para.spans[0].text.split(" ")[5]


def test_the_same_through_libreoffice_when_installed() -> None:
    from assembler.writers import pdf_libreoffice as engine
    if engine.find_soffice() is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    old, new = _one_word_changed(6_000)
    docx = read_docx(docx_writer.write_docx(old))
    found = word_changes(Side("a.docx", "docx", docx.documents[0], docx.manifest),
                         pdf_side(engine.write_pdf_libreoffice(new)))
    assert found == [("replace", old_word(old), "ÄNDRAT")]


def test_cover_pages_and_merged_appendices_are_left_out(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    appendix = tmp_path / "projektplan.pdf"
    canvas = Canvas(str(appendix))
    canvas.drawString(72, 700, "Projektplan med egna sidor")
    canvas.showPage()
    canvas.save()
    agreement = sample_agreement("sv")
    doc = agreement.documents[0]
    doc = replace(doc, appendices=(replace(doc.appendices[0], file=str(appendix)),) + doc.appendices[1:])
    agreement = read_appendix_files(replace(agreement, documents=(doc,)))
    side = pdf_side(pdf_writer.write_pdf(agreement))
    assert any("left out" in note for note in side.notes)
    assert not diff_sides(side_from_agreement(agreement, "model"), side).differs


def _foreign_pdf() -> bytes:
    """A two-page PDF not made by us: running header, page numbers, a ligature, hyphenation."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(TTFont("TestSerif", str(FONTS / "LiberationSerif-Regular.ttf")))
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    pages = [
        ["1 Avtalstid", "1.1 Avtalet gäller under hela avtals-", "perioden och ﬁnns i två exemplar.",
         "1.2 Avtalsperioden är två år."],
        ["2 Uppsägning", "2.1 Part får säga upp avtalet i förtid med", "offentlighets- och sekretesslagen i åtanke."],
    ]
    for number, lines in enumerate(pages, 1):
        canvas.setFont("TestSerif", 8)
        canvas.drawString(72, 800, "ACME AB – Konfidentiellt")
        canvas.drawCentredString(297, 40, f"- {number} -")
        y = 740.0
        for line in lines:
            canvas.setFont("TestSerif", 12 if line[1] == " " else 10.5)
            canvas.drawString(72, y, line)
            y -= 14
            if not line.endswith(("-", "med")):
                y -= 8
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_foreign_pdf_loses_its_furniture_and_keeps_its_words() -> None:
    document = read_pdf(_foreign_pdf()).documents[0]
    texts = [(c.number, c.title, [b.text for b in c.blocks if isinstance(b, Paragraph)])
             for c in document.clauses]
    assert texts == [
        ("1", "Avtalstid", ["Avtalet gäller under hela avtalsperioden och finns i två exemplar.",
                            "Avtalsperioden är två år."]),
        ("2", "Uppsägning", ["Part får säga upp avtalet i förtid med offentlighets- och sekretesslagen i åtanke."]),
    ]


def test_normalize_text() -> None:
    assert normalize_text("ﬁnansiering av ﬂöden\u00ad och\u00a0 ﬀ") == "finansiering av flöden och ff"


@pytest.mark.parametrize("prev,nxt,joined", [
    ("offentlig-", "privat innovation", "offentlig-privat innovation"),
    ("offentlighets-", "och sekretesslagen", "offentlighets- och sekretesslagen"),
    ("under avtals-", "perioden", "under avtalsperioden"),
    ("slutet.", "Nästa", "slutet. Nästa"),
])
def test_line_breaks_are_joined(prev: str, nxt: str, joined: str) -> None:
    assert _join(prev, nxt, {"avtalsperioden", "offentlig-privat"}) == joined


def test_not_a_pdf_is_an_error() -> None:
    with pytest.raises(AssemblerError, match="not a readable PDF"):
        read_pdf(b"%PDF-1.4 broken")


def test_a_pdf_without_text_says_so() -> None:
    from reportlab.pdfgen.canvas import Canvas

    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.rect(72, 72, 200, 200, fill=1)
    canvas.showPage()
    canvas.save()
    reading = read_pdf(buffer.getvalue())
    assert reading.notes == ("no text found in this PDF (a scan?); it compares as empty",)


class _SpacedPage:
    """A page whose extracted text has its spaces doubled, as a pypdf that spaces differently might print."""

    def __init__(self, page: object) -> None:
        self.page = page

    def extract_text(self, visitor_text: object) -> str:
        return self.page.extract_text(visitor_text=visitor_text).replace(" ", "  ")  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["gpl-3.0", "rich-nda-edited"])
def test_lines_are_the_same_when_pypdf_output_and_its_pieces_differ(name: str) -> None:
    from pypdf import PdfReader

    from assembler.readers.pdf_page import page_lines

    reader = PdfReader(REPO / "tests" / "fixtures" / "real" / f"{name}.pdf")
    for k, page in enumerate(reader.pages[:4]):
        fast = page_lines(page, k)
        walked = page_lines(_SpacedPage(page), k)  # output no longer the pieces joined: aligned by character
        assert fast and walked == fast
