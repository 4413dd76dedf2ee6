"""The quick manifest readers agree with the full ones, and step aside for anything not shaped as ours."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, MINI
from pypdf import PdfWriter

from assembler.assembly.pipeline import build
from assembler.errors import AssemblerError
from assembler.readers import read_embedded_manifest
from assembler.readers.docx import read_docx_manifest
from assembler.readers.pdf import read_pdf_manifest
from assembler.readers.quick_manifest import quick_docx_manifest, quick_pdf_manifest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    out = tmp_path_factory.mktemp("quick")
    result = build(FIXTURES / "mini-answers.yaml", output=out / "a.docx", formats=("docx", "pdf"), library=MINI,
                   as_of="2026-03-01")
    files = {p.suffix: p.read_bytes() for p in result.files}
    return files[".docx"], files[".pdf"]


def test_quick_readers_give_what_the_full_readers_give(built: tuple[bytes, bytes]) -> None:
    docx_bytes, pdf_bytes = built
    quick_docx, quick_pdf = quick_docx_manifest(docx_bytes), quick_pdf_manifest(pdf_bytes)
    assert quick_docx is not None and quick_docx == read_docx_manifest(docx_bytes)
    assert quick_pdf is not None and quick_pdf == read_pdf_manifest(pdf_bytes)
    assert quick_docx.reference == "KS 2026/0001" and quick_docx.clauses


def _resaved(docx_bytes: bytes, rename: str) -> bytes:
    """The DOCX with its manifest item moved out of customXml/ (as another program might save it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = rename if info.filename == "customXml/item1.xml" else info.filename
            dst.writestr(name, src.read(info.filename))
    return out.getvalue()


def test_a_docx_not_shaped_as_ours_goes_to_the_full_reader(built: tuple[bytes, bytes]) -> None:
    docx_bytes, _ = built
    moved = _resaved(docx_bytes, "word/extra/manifest-item.xml")
    assert quick_docx_manifest(moved) is None
    assert read_embedded_manifest(moved) == read_docx_manifest(docx_bytes)  # found by its content all the same
    for damaged in (docx_bytes[: len(docx_bytes) // 2], docx_bytes[:-30], b"PK\x03\x04" + b"\0" * 200):
        assert quick_docx_manifest(damaged) is None
        with pytest.raises(AssemblerError):
            read_embedded_manifest(damaged)


def test_a_pdf_updated_by_another_program_goes_to_the_full_reader(built: tuple[bytes, bytes]) -> None:
    _, pdf_bytes = built
    writer = PdfWriter(io.BytesIO(pdf_bytes), incremental=True)
    writer.add_metadata({"/Subject": "changed after signing"})
    updated = io.BytesIO()
    writer.write(updated)
    assert b"/Prev" in updated.getvalue()
    assert quick_pdf_manifest(updated.getvalue()) is None
    assert read_embedded_manifest(updated.getvalue()) == read_pdf_manifest(pdf_bytes)
    for damaged in (pdf_bytes[: len(pdf_bytes) // 2], pdf_bytes.replace(b"startxref", b"startxreg")):
        assert quick_pdf_manifest(damaged) is None


def test_a_pdf_whose_table_points_elsewhere_is_not_trusted(built: tuple[bytes, bytes], tmp_path: Path) -> None:
    _, pdf_bytes = built
    # Shift every object by one byte without fixing the table: the quick reader must notice, not misread.
    at = pdf_bytes.find(b"1 0 obj")
    shifted = pdf_bytes[:at] + b" " + pdf_bytes[at:]
    assert quick_pdf_manifest(shifted) is None
