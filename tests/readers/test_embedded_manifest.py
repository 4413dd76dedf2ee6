"""One entry point reads the manifest any issued file carries: DOCX, PDF, HTML or a manifest file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample import sample_agreement

from assembler.errors import DocumentFormatError, ManifestError
from assembler.readers import read_embedded_manifest, read_manifest_file, sniff
from assembler.writers import writer_for


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_the_manifest_comes_back_from_every_format_that_carries_one(fmt: str, tmp_path: Path) -> None:
    agreement = sample_agreement("sv+en")
    path = tmp_path / f"avtal.{fmt}"
    path.write_bytes(writer_for(fmt)(agreement))
    assert read_manifest_file(path) == agreement.manifest


def test_the_kind_of_file_is_told_by_content_not_by_name() -> None:
    agreement = sample_agreement("sv")
    assert sniff(writer_for("docx")(agreement)) == "docx"
    assert sniff(b"junk\n%PDF-1.7 ...") == "pdf"
    assert sniff(writer_for("md")(agreement)) is None


def test_a_file_without_a_manifest_says_so_with_code_and_file(tmp_path: Path) -> None:
    plain = tmp_path / "avtal.docx"
    import docx
    docx.Document().save(plain)
    with pytest.raises(ManifestError) as caught:
        read_manifest_file(plain)
    assert caught.value.code == "manifest.missing" and caught.value.location.file == str(plain)


def test_damaged_bytes_are_a_document_error() -> None:
    with pytest.raises(DocumentFormatError) as caught:
        read_embedded_manifest(b"PK\x03\x04 broken")
    assert caught.value.code == "document.not-docx"
