"""The manifest of our own PDFs is read from its stream alone; anything unusual goes to pypdf's full reader."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import REPO
from pypdf import PdfReader, PdfWriter

from assembler.assembly.pipeline import assemble
from assembler.errors import DocumentFormatError
from assembler.manifest import manifest_from_json
from assembler.readers.pdf import _quick_manifest, read_pdf_manifest
from assembler.writers import writer_for


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return writer_for("pdf")(assemble(REPO / "examples/bilingual.yaml", as_of="2026-03-01").agreement)


def _full(data: bytes):  # type: ignore[no-untyped-def]
    return manifest_from_json(PdfReader(io.BytesIO(data)).attachments["manifest.json"][0])


def test_the_quick_reading_equals_the_full_one(pdf: bytes) -> None:
    quick = _quick_manifest(pdf)
    assert quick is not None and quick == _full(pdf)
    assert quick.reference and len(quick.clauses) > 10


def test_a_second_embedded_file_sends_it_to_the_full_reader(pdf: bytes) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.add_attachment("notes.txt", b"a note added later")
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert _quick_manifest(data) is None
    assert read_pdf_manifest(data) == _full(pdf)


def test_a_wrong_stream_length_sends_it_to_the_full_reader(pdf: bytes) -> None:
    start = pdf.index(b"/Type /EmbeddedFile")
    at = pdf.index(b"/Length ", start)
    digits = pdf[at + 8:pdf.index(b"\n", at)]
    damaged = pdf[:at + 8] + str(int(digits) - 5).encode().rjust(len(digits)) + pdf[at + 8 + len(digits):]
    assert _quick_manifest(damaged) is None


def test_not_a_pdf_still_says_so(tmp_path: Path) -> None:
    with pytest.raises(DocumentFormatError):
        read_pdf_manifest(b"hello")
