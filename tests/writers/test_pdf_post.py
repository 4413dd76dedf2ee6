"""PDF post-processing: appendices merged behind cover pages, page labels, faults, the manifest."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas
from sample import sample_agreement

from assembler.assembly.appendices import read_appendix_files
from assembler.errors import AppendixError, AssemblerError
from assembler.model import Agreement, Appendix, AppendixFile
from assembler.readers.docx import read_docx_manifest
from assembler.readers.pdf import read_pdf_manifest
from assembler.writers.pdf import write_pdf
from assembler.writers.pdf_style import WATERMARK


def make_pdf(path: Path, pages: int, word: str) -> Path:
    """Write a small PDF of ``pages`` pages, each saying "<word> page <n>"."""
    canvas = Canvas(str(path), invariant=1)
    for n in range(1, pages + 1):
        canvas.drawString(72, 720, f"{word} page {n}")
        canvas.showPage()
    canvas.save()
    return path


def with_files(agreement: Agreement, files: dict[int, Path]) -> Agreement:
    """Return ``agreement`` with appendix files set by appendix number, read as the assembly stage reads them."""
    docs = tuple(replace(d, appendices=tuple(
        replace(a, file=str(files[a.number])) if a.number in files else a for a in d.appendices))
        for d in agreement.documents)
    return read_appendix_files(replace(agreement, documents=docs))


def lines_of(pdf: PdfReader) -> list[list[str]]:
    return [[line.strip() for line in page.extract_text().splitlines() if line.strip()]
            for page in pdf.pages]


@pytest.fixture
def appendix_pdfs(tmp_path: Path) -> dict[int, Path]:
    return {1: make_pdf(tmp_path / "projektplan.pdf", 2, "Projektplan"),
            2: make_pdf(tmp_path / "pub.pdf", 3, "Biträdesavtal")}


# --- merging ---------------------------------------------------------------------------


def test_appendices_follow_the_agreement_in_order_each_behind_a_cover(appendix_pdfs: dict[int, Path]) -> None:
    agreement = with_files(sample_agreement("sv"), appendix_pdfs)
    pdf = PdfReader(io.BytesIO(write_pdf(agreement)))
    body = len(PdfReader(io.BytesIO(write_pdf(sample_agreement("sv")))).pages)
    pages = lines_of(pdf)
    assert len(pages) == body + (1 + 2) + (1 + 3)
    assert pages[body][0] == "Bilaga 1 – Projektplan"
    assert pages[body + 1:body + 3] == [["Projektplan page 1"], ["Projektplan page 2"]]
    assert pages[body + 3][0] == "Bilaga 2 – Personuppgiftsbiträdesavtal"
    assert pages[body + 4:] == [["Biträdesavtal page 1"], ["Biträdesavtal page 2"], ["Biträdesavtal page 3"]]


def test_cover_pages_carry_no_agreement_footer_and_the_footer_counts_agreement_pages_only(
        appendix_pdfs: dict[int, Path]) -> None:
    pdf = PdfReader(io.BytesIO(write_pdf(with_files(sample_agreement("sv"), appendix_pdfs))))
    pages = lines_of(pdf)
    assert pages[0][-1] == "Sida 1 av 1"
    assert not any(line.startswith("Sida") for lines in pages[1:] for line in lines)


def test_side_by_side_cover_names_the_appendix_in_both_languages(appendix_pdfs: dict[int, Path]) -> None:
    pdf = PdfReader(io.BytesIO(write_pdf(with_files(sample_agreement("sv+en"), {2: appendix_pdfs[2]}))))
    cover = lines_of(pdf)[-4]
    assert cover[:2] == ["Bilaga 2 – Personuppgiftsbiträdesavtal", "Appendix 2 – Data processing agreement"]


def test_page_labels_name_agreement_pages_covers_and_appendix_pages(appendix_pdfs: dict[int, Path]) -> None:
    pdf = PdfReader(io.BytesIO(write_pdf(with_files(sample_agreement("sv"), appendix_pdfs))))
    assert pdf.page_labels == ["1", "Bilaga 1", "Bilaga 1:1", "Bilaga 1:2",
                               "Bilaga 2", "Bilaga 2:1", "Bilaga 2:2", "Bilaga 2:3"]


def test_outline_points_appendices_at_their_cover_pages(appendix_pdfs: dict[int, Path]) -> None:
    pdf = PdfReader(io.BytesIO(write_pdf(with_files(sample_agreement("sv"), appendix_pdfs))))
    entries = {entry.title: pdf.get_destination_page_number(entry) for entry in pdf.outline}
    assert entries == {"1 Parter": 0, "2 Sekretess och offentlighet": 0, "3 Uppsägning": 0,
                       "Bilaga 1 – Projektplan": 1, "Bilaga 2 – Personuppgiftsbiträdesavtal": 4}


def test_appendix_without_a_file_is_listed_and_bookmarked_but_gets_no_cover(
        appendix_pdfs: dict[int, Path]) -> None:
    pdf = PdfReader(io.BytesIO(write_pdf(with_files(sample_agreement("sv"), {2: appendix_pdfs[2]}))))
    entries = {entry.title: pdf.get_destination_page_number(entry) for entry in pdf.outline}
    assert entries["Bilaga 1 – Projektplan"] == 0  # the appendix list
    assert entries["Bilaga 2 – Personuppgiftsbiträdesavtal"] == 1
    assert len(pdf.pages) == 1 + 1 + 3


def test_the_writer_merges_the_bytes_the_agreement_carries_and_reads_no_file(
        appendix_pdfs: dict[int, Path]) -> None:
    agreement = sample_agreement("sv")
    appendix = agreement.documents[0].appendices[0]
    carried = AppendixFile(appendix.number, "elsewhere.pdf", appendix_pdfs[2].read_bytes())
    appendix_pdfs[2].unlink()
    pdf = PdfReader(io.BytesIO(write_pdf(replace(agreement, appendix_files=(carried,)))))
    assert len(pdf.pages) == 1 + 1 + 3
    assert lines_of(pdf)[1][0] == "Bilaga 1 – Projektplan"


def test_draft_watermark_is_laid_over_appendix_pages_too(appendix_pdfs: dict[int, Path]) -> None:
    agreement = with_files(sample_agreement("sv", draft=True), appendix_pdfs)
    pages = lines_of(PdfReader(io.BytesIO(write_pdf(agreement))))
    assert all(WATERMARK in lines for lines in pages)


def test_merged_pdf_is_deterministic(appendix_pdfs: dict[int, Path]) -> None:
    agreement = with_files(sample_agreement("sv+en", draft=True), appendix_pdfs)
    assert write_pdf(agreement) == write_pdf(agreement)


# --- faults ----------------------------------------------------------------------------


def _encrypted(path: Path, source: Path) -> Path:
    writer = PdfWriter(clone_from=source)
    writer.encrypt("hemligt")
    writer.write(path)
    return path


FAULTS = {
    "missing": (lambda tmp, good: tmp / "finns-inte.pdf", "does not exist", "appendix.missing"),
    "text": (lambda tmp, good: _write(tmp / "text.pdf", b"Det h\xc3\xa4r \xc3\xa4r ingen PDF.\n"), "not a PDF",
             "appendix.not-pdf"),
    "encrypted": (lambda tmp, good: _encrypted(tmp / "locked.pdf", good), "encrypted", "appendix.encrypted"),
    "truncated": (lambda tmp, good: _write(tmp / "cut.pdf", good.read_bytes()[:700]), "damaged", "appendix.damaged"),
    "folder": (lambda tmp, good: tmp, "folder", "appendix.folder"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_faulty_appendix_stops_the_build_naming_the_file_and_the_problem(
        fault: str, tmp_path: Path, appendix_pdfs: dict[int, Path]) -> None:
    make, problem, code = FAULTS[fault]
    bad = make(tmp_path, appendix_pdfs[1])
    with pytest.raises(AppendixError) as caught:
        write_pdf(with_files(sample_agreement("sv"), {1: appendix_pdfs[1], 2: bad}))
    error = caught.value
    assert isinstance(error, AssemblerError) and error.exit_code == 1 and error.code == code
    assert str(error).startswith(f"{bad}: Bilaga 2 (Personuppgiftsbiträdesavtal): ")
    assert problem in str(error)


def test_faults_are_found_before_anything_is_drawn(tmp_path: Path) -> None:
    agreement = sample_agreement("sv")
    missing = Appendix(9, "Bilaga 9", "Saknas", file=str(tmp_path / "nope.pdf"))
    agreement = replace(agreement, documents=(replace(agreement.documents[0], appendices=(missing,)),))
    with pytest.raises(AppendixError, match="nope.pdf: Bilaga 9 \\(Saknas\\): the appendix file does not exist"):
        read_appendix_files(agreement)


# --- the manifest ----------------------------------------------------------------------


def test_manifest_survives_merging(appendix_pdfs: dict[int, Path]) -> None:
    agreement = with_files(sample_agreement("sv+en"), appendix_pdfs)
    data = write_pdf(agreement)
    assert read_pdf_manifest(data) == agreement.manifest
    assert list(PdfReader(io.BytesIO(data)).attachments) == ["manifest.json"]


def test_pdf_and_docx_of_one_build_carry_the_same_manifest() -> None:
    from assembler.writers import docx as docx_writer
    agreement = sample_agreement("sv+en", draft=True)
    assert read_pdf_manifest(write_pdf(agreement)) == read_docx_manifest(
        docx_writer.write_docx(agreement))


def test_reading_a_manifest_from_something_else_is_an_error(appendix_pdfs: dict[int, Path]) -> None:
    with pytest.raises(AssemblerError, match="not a PDF"):
        read_pdf_manifest(b"PK\x03\x04 a zip, not a PDF")
    with pytest.raises(AssemblerError, match="carries no assembler manifest"):
        read_pdf_manifest(appendix_pdfs[1].read_bytes())
