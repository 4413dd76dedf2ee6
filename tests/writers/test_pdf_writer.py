"""The PDF writer: what a reader of the PDF sees, checked through pypdf's text extraction."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import TESTS
from pypdf import PdfReader
from sample import sample_agreement

from assembler.errors import UsageError
from assembler.model import (
    Agreement,
    Clause,
    Document,
    ItemList,
    ListItem,
    Paragraph,
    Span,
)
from assembler.readers.pdf import read_pdf_manifest
from assembler.writers.pdf import write_pdf
from assembler.writers.pdf_libreoffice import find_soffice, write_pdf_libreoffice
from assembler.writers.pdf_style import WATERMARK

LANGUAGES = ("sv", "en", "sv+en")
A4 = (595.28, 841.89)


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def page_lines(data: bytes) -> list[list[str]]:
    """Return the extracted lines of every page, stripped."""
    return [[line.strip() for line in page.extract_text().splitlines() if line.strip()]
            for page in reader(data).pages]


def body_lines(agreement: Agreement, data: bytes) -> list[list[str]]:
    """Return each page's lines without the watermark, the header (title, reference) and footer."""
    header = 2 if agreement.documents[0].reference else 1
    out = []
    for lines in page_lines(data):
        lines = [line for line in lines if line != WATERMARK]
        out.append(lines[header:-1])
    return out


def text(data: bytes) -> str:
    return "\n".join("\n".join(lines) for lines in page_lines(data))


def long_agreement(language: str = "sv", clauses: int = 14, draft: bool = False) -> Agreement:
    """Return the sample grown to ``clauses`` long clauses: several pages."""
    base = sample_agreement(language, draft=draft)

    def grow(doc: Document) -> Document:
        words = " ".join(b.text for b in doc.clauses[1].blocks if isinstance(b, Paragraph))
        grown = []
        for n in range(1, clauses + 1):
            blocks = (
                *(Paragraph((Span(f"{words} {words}"),), f"{n}.{k}") for k in range(1, 4)),
                ItemList((ListItem((Span(words[:50]),), "(a)"), ListItem((Span(words[:40]),), "(b)")),
                         "letter"),
            )
            grown.append(Clause(str(n), f"{doc.clauses[1].title} {n}", blocks, id=f"c{n}"))
        return replace(doc, clauses=tuple(grown))

    return replace(base, documents=tuple(grow(d) for d in base.documents))


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {lang: write_pdf(sample_agreement(lang)) for lang in LANGUAGES}


# --- content --------------------------------------------------------------------------


def test_pages_are_a4(pdfs: dict[str, bytes]) -> None:
    for data in pdfs.values():
        box = reader(data).pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)


def test_heading_block_prints_title_and_reference(pdfs: dict[str, bytes]) -> None:
    lines = body_lines(sample_agreement("sv"), pdfs["sv"])[0]
    assert lines[:2] == ["Avtal om offentlig-privat innovation", "Diarienummer: KS 2026/0412"]


def test_clause_headings_print_number_then_title(pdfs: dict[str, bytes]) -> None:
    lines = text(pdfs["sv"]).splitlines()
    for heading in ("1 Parter", "2 Sekretess och offentlighet", "3 Uppsägning"):
        assert heading in lines


def test_sub_clause_numbers_and_list_labels_stand_before_their_text(pdfs: dict[str, bytes]) -> None:
    lines = text(pdfs["sv"]).splitlines()
    assert "1.1 Helsingborgs stad, 212000-1355 (”Staden”)." in lines
    assert any(line.startswith("2.1 Parterna är medvetna om att Staden") for line in lines)
    assert "3.1 Var och en av parterna får säga upp avtalet utan skäl." in lines
    assert "(a) uppgifter om åäö ÅÄÖ" in lines
    assert "(b) ritningar" in lines
    assert "• en punkt" in lines


def test_swedish_letters_and_typography_survive_in_every_language(pdfs: dict[str, bytes]) -> None:
    expected = {"sv": "åäöÅÄÖ§–”", "en": "åäöÅÄÖ–”’", "sv+en": "åäöÅÄÖ§–”’"}
    for lang, data in pdfs.items():
        extracted = text(data)
        for char in expected[lang]:
            assert char in extracted, (lang, char)
    assert "‘sensitive’" in text(pdfs["en"])


def test_template_syntax_in_the_text_prints_literally(pdfs: dict[str, bytes]) -> None:
    for data in pdfs.values():
        assert "• {{ 7*7 }} <b>x</b> & {% raw %}" in text(data).splitlines()


def test_fonts_are_embedded_subsets_of_liberation_serif(pdfs: dict[str, bytes]) -> None:
    fonts = reader(pdfs["sv"]).pages[0]["/Resources"]["/Font"]
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is in the file
        names.add(str(font["/BaseFont"]).split("+", 1)[1])
    assert {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"} <= names


def test_header_carries_title_and_reference_and_footer_counts_pages() -> None:
    agreement = long_agreement()
    data = write_pdf(agreement)
    pages = page_lines(data)
    assert len(pages) > 3
    for number, lines in enumerate(pages, start=1):
        assert lines[:2] == ["Avtal om offentlig-privat innovation", "KS 2026/0412"]
        assert lines[-1] == f"Sida {number} av {len(pages)}"


def test_english_footer_and_both_languages_side_by_side(pdfs: dict[str, bytes]) -> None:
    assert page_lines(pdfs["en"])[0][-1] == "Page 1 of 1"
    assert page_lines(pdfs["sv+en"])[0][-1] == "Sida 1 av 1 / Page 1 of 1"


def _x_of(data: bytes, needle: str) -> float:
    """Return the x position where ``needle`` is first drawn on page 1."""
    found: list[float] = []

    def visit(txt: str, cm: list[float], tm: list[float], *_: object) -> None:
        if needle in txt and not found:
            found.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

    reader(data).pages[0].extract_text(visitor_text=visit)
    assert found, needle
    return found[0]


def test_side_by_side_puts_swedish_left_and_pairs_paragraphs(pdfs: dict[str, bytes]) -> None:
    data = pdfs["sv+en"]
    assert _x_of(data, "Parter") < A4[0] / 2 < _x_of(data, "Parties")
    assert _x_of(data, "Var och en") < A4[0] / 2 < _x_of(data, "Either party")
    lines = text(data).splitlines()
    # Each Swedish paragraph is followed by its English counterpart.
    assert lines.index("1 Parter") + 1 == lines.index("1 Parties")
    assert lines.index("(a) uppgifter om åäö ÅÄÖ") + 1 == lines.index("(a) information on åäö ÅÄÖ")


def test_appendix_list_and_one_signature_block_per_party(pdfs: dict[str, bytes]) -> None:
    lines = text(pdfs["sv"]).splitlines()
    assert lines[lines.index("Bilagor") + 1:lines.index("Bilagor") + 3] == [
        "Bilaga 1 – Projektplan", "Bilaga 2 – Personuppgiftsbiträdesavtal"]
    block = lines[lines.index("Underskrifter") + 1:-1]
    assert block == [
        "Helsingborgs stad (212000-1355)", "Helsingborg", "Ort och datum", "Namnteckning",
        "Anna Åberg", "Namnförtydligande", "Stadsdirektör", "Titel",
        "Grön Våg AB (556036-0793)", "Ort och datum", "Namnteckning",
        "Örjan Ek", "Namnförtydligande", "VD", "Titel",
    ]


def test_side_by_side_signatures_are_printed_once_with_both_languages(pdfs: dict[str, bytes]) -> None:
    lines = text(pdfs["sv+en"]).splitlines()
    assert lines.count("Namnteckning / Signature") == 2
    assert "Stadsdirektör / City manager" in lines


# --- outline and pagination ----------------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "sv+en"])
def test_outline_has_one_entry_per_clause_and_appendix_on_its_page(language: str) -> None:
    agreement = long_agreement(language)
    data = write_pdf(agreement)
    pdf = reader(data)
    pages = page_lines(data)
    doc = agreement.documents[0]
    outline = pdf.outline
    assert len(outline) == len(doc.clauses) + len(doc.appendices)
    for entry, clause in zip(outline, doc.clauses):
        assert entry.title.startswith(f"{clause.number} {clause.title}")
        assert f"{clause.number} {clause.title}" in pages[pdf.get_destination_page_number(entry)]
    for entry, appendix in zip(outline[len(doc.clauses):], doc.appendices):
        line = f"{appendix.label} – {appendix.title}"
        assert entry.title.startswith(line)
        assert line in pages[pdf.get_destination_page_number(entry)]


def test_side_by_side_paragraphs_are_never_split_across_pages() -> None:
    agreement = long_agreement("sv+en")
    body = " ".join(" ".join(lines) for lines in body_lines(agreement, write_pdf(agreement)))
    sv, en = agreement.documents
    for sv_clause, en_clause in zip(sv.clauses, en.clauses):
        for sv_block, en_block in zip(sv_clause.blocks, en_clause.blocks):
            if isinstance(sv_block, Paragraph) and isinstance(en_block, Paragraph):
                # Swedish whole, then English whole: the pair sits on one page.
                assert f"{sv_block.number} {sv_block.text} {en_block.number} {en_block.text}" in body


def test_side_by_side_paragraph_taller_than_a_page_breaks_across_pages() -> None:
    base = sample_agreement("sv+en")
    docs = []
    for doc, word in zip(base.documents, ("ord", "word")):
        huge = Paragraph((Span(" ".join(f"{word}{n}" for n in range(900))),), "3.2")
        clause = replace(doc.clauses[2], blocks=(*doc.clauses[2].blocks, huge))
        docs.append(replace(doc, clauses=(*doc.clauses[:2], clause)))
    agreement = replace(base, documents=tuple(docs))
    data = write_pdf(agreement)
    words = " ".join(" ".join(lines) for lines in body_lines(agreement, data)).split()
    assert len(reader(data).pages) >= 3
    assert [w for w in words if w.startswith("ord")] == [f"ord{n}" for n in range(900)]
    assert [w for w in words if w.startswith("word")] == [f"word{n}" for n in range(900)]


@pytest.mark.parametrize("language", ["sv", "sv+en"])
def test_headings_are_kept_with_their_next_paragraph(language: str) -> None:
    agreement = long_agreement(language)
    headings = {f"{c.number} {c.title}" for d in agreement.documents for c in d.clauses}
    for lines in body_lines(agreement, write_pdf(agreement))[:-1]:
        assert lines[-1] not in headings


@pytest.mark.parametrize("clauses", [5, 6, 7, 8])
def test_signature_page_carries_agreement_text(clauses: int) -> None:
    agreement = long_agreement("sv", clauses)
    pages = body_lines(agreement, write_pdf(agreement))
    signature_page = next(lines for lines in pages if "Underskrifter" in lines)
    assert signature_page.index("Underskrifter") > 0
    assert signature_page.index("Bilagor") < signature_page.index("Underskrifter")


# --- metadata, manifest, determinism ---------------------------------------------------


def test_document_information_and_xmp_metadata() -> None:
    pdf = reader(write_pdf(sample_agreement("sv")))
    info = pdf.metadata
    assert info is not None
    assert info.title == "Avtal om offentlig-privat innovation"
    assert info.subject == "Smart avfallshantering"
    assert info.author == "Helsingborgs stad"
    assert info["/Keywords"] == "OPI, innovation"
    assert info["/CreationDate"] == "D:20260301000000Z"
    xmp = pdf.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": "Avtal om offentlig-privat innovation"}
    assert xmp.dc_creator == ["Helsingborgs stad"]
    assert xmp.dc_language == ["sv-SE"]
    assert xmp.dc_subject == ["OPI", "innovation"]
    assert xmp.xmp_create_date is not None and xmp.xmp_create_date.date().isoformat() == "2026-03-01"
    assert pdf.trailer["/Root"]["/Lang"] == "sv-SE"


def test_side_by_side_metadata_names_both_languages() -> None:
    pdf = reader(write_pdf(sample_agreement("sv+en")))
    assert pdf.metadata is not None
    assert pdf.metadata.title == "Avtal om offentlig-privat innovation / Agreement on public-private innovation"
    assert pdf.xmp_metadata is not None and pdf.xmp_metadata.dc_language == ["sv-SE", "en-GB"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_manifest_is_embedded_and_read_back(language: str) -> None:
    agreement = sample_agreement(language, draft=True)
    assert read_pdf_manifest(write_pdf(agreement)) == agreement.manifest


def test_same_agreement_gives_the_same_bytes_in_one_process() -> None:
    agreement = sample_agreement("sv+en", draft=True)
    assert write_pdf(agreement) == write_pdf(agreement)


def test_file_identifier_is_fixed_and_depends_on_the_content() -> None:
    a = reader(write_pdf(sample_agreement("sv"))).trailer["/ID"]
    b = reader(write_pdf(sample_agreement("sv"))).trailer["/ID"]
    c = reader(write_pdf(sample_agreement("en"))).trailer["/ID"]
    assert a == b != c


_DIGEST = """
import hashlib, sys
sys.path.insert(0, {tests!r})
from sample import sample_agreement
from assembler.writers.pdf import write_pdf
print(hashlib.sha256(write_pdf(sample_agreement("sv+en", draft=True))).hexdigest())
"""


def test_same_agreement_gives_the_same_bytes_in_two_processes() -> None:
    script = _DIGEST.format(tests=str(TESTS))
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=env, check=True)
        digests.add(done.stdout.strip())
    here = hashlib.sha256(write_pdf(sample_agreement("sv+en", draft=True))).hexdigest()
    assert digests == {here}


# --- drafts ----------------------------------------------------------------------------


def test_draft_carries_the_watermark_on_every_page() -> None:
    data = write_pdf(long_agreement(draft=True))
    pages = page_lines(data)
    assert len(pages) > 3
    assert all(WATERMARK in lines for lines in pages)
    assert read_pdf_manifest(data).draft


def test_a_draft_clause_marks_the_whole_pdf_as_draft() -> None:
    agreement = sample_agreement("sv")
    marked = replace(agreement, documents=(replace(agreement.documents[0], draft=True),))
    assert WATERMARK in page_lines(write_pdf(marked))[0]


def test_final_agreement_has_no_watermark(pdfs: dict[str, bytes]) -> None:
    assert all(WATERMARK not in text(data) for data in pdfs.values())


# --- the LibreOffice engine ------------------------------------------------------------


def test_libreoffice_engine_without_soffice_is_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match="needs LibreOffice.*'soffice'"):
        write_pdf_libreoffice(sample_agreement("sv"))


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_engine_converts_the_docx_and_finishes_it_the_same_way() -> None:
    agreement = sample_agreement("sv", draft=True)
    data = write_pdf_libreoffice(agreement)
    pdf = reader(data)
    assert read_pdf_manifest(data) == agreement.manifest
    assert [entry.title for entry in pdf.outline] == [
        "1 Parter", "2 Sekretess och offentlighet", "3 Uppsägning",
        "Bilaga 1 – Projektplan", "Bilaga 2 – Personuppgiftsbiträdesavtal"]
    assert all(WATERMARK in lines for lines in page_lines(data))
    assert "3.1 Var och en av parterna får säga upp avtalet utan skäl." in text(data).splitlines()
