"""The quick manifest readers agree with the full ones, and step aside for anything not shaped as ours."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, MINI
from pypdf import PdfWriter

from assembler.assembly.pipeline import build
from assembler.errors import AssemblerError
from assembler.readers import read_embedded_manifest
from assembler.readers.docx import read_docx_manifest
from assembler.readers.pdf import read_pdf_manifest
from assembler.readers.quick_manifest import _Memory, quick_docx_manifest, quick_pdf_manifest


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


def test_the_scan_view_keeps_the_models_fields_types_and_defaults() -> None:
    import dataclasses
    import typing

    import msgspec

    from assembler.model import ClauseStamp, Manifest
    from assembler.readers.quick_manifest import ClauseView, ManifestView

    def fields(cls: type) -> dict[str, tuple[object, object]]:
        if dataclasses.is_dataclass(cls):
            hints = typing.get_type_hints(cls)
            return {f.name: (hints[f.name], f.default) for f in dataclasses.fields(cls)}
        info = msgspec.inspect.type_info(cls)
        return {f.name: (typing.get_type_hints(cls)[f.name], f.default) for f in info.fields}  # type: ignore[attr-defined]

    model, view = fields(Manifest), fields(ManifestView)
    assert view.pop("format")[1] is msgspec.NODEFAULT  # the format is required, as manifest_from_dict requires it
    required = {name for name, (_, default) in model.items() if default is dataclasses.MISSING}
    assert required <= set(view) and {"draft", "reference", "parties"} <= set(view)
    for name, (kind, default) in view.items():
        expected_kind, expected_default = model[name]
        assert kind == (tuple[ClauseView, ...] if expected_kind == tuple[ClauseStamp, ...] else expected_kind), name
        assert default == (msgspec.NODEFAULT if expected_default is dataclasses.MISSING else expected_default), name
    assert {k: v[0] for k, v in fields(ClauseView).items()} == {k: v[0] for k, v in fields(ClauseStamp).items()}


class _Counting(_Memory):
    """Bytes in memory that count what is read of them."""

    total = 0

    def read(self, offset: int, n: int) -> bytes:
        got = super().read(offset, n)
        self.total += len(got)
        return got


def test_a_file_is_read_by_range_and_its_view_matches_the_full_reader(built: tuple[bytes, bytes],
                                                                       tmp_path: Path) -> None:
    from assembler.readers import quick_manifest as quick

    for suffix, data in zip((".docx", ".pdf"), built):
        path = tmp_path / f"a{suffix}"
        path.write_bytes(data)
        kind, view = quick.quick_file_view(str(path))
        full = read_embedded_manifest(data)
        assert kind == suffix[1:] and view is not None
        assert (view.agreement, view.reference, view.parties, view.assembled, view.language, view.draft) == \
            (full.agreement, full.reference, full.parties, full.assembled, full.language, full.draft)
        assert [(c.id, c.version, c.sha256) for c in view.clauses] == [(c.id, c.version, c.sha256) for c in full.clauses]

        source = _Counting(data)
        reader = quick._docx_manifest if suffix == ".docx" else quick._pdf_manifest
        assert reader(source, quick.decode_view) == view
        # The tables and the manifest's own bytes only: never the document body or the page tree.
        assert source.total < len(data) // 3, (suffix, source.total, len(data))


def test_a_file_not_ours_or_not_regular_is_left_to_the_full_reader(built: tuple[bytes, bytes], tmp_path: Path) -> None:
    import os

    from assembler.readers.quick_manifest import quick_file_view

    (tmp_path / "note.pdf").write_bytes(b"plain text")
    assert quick_file_view(str(tmp_path / "note.pdf")) == (None, None)
    (tmp_path / "half.pdf").write_bytes(built[1][: len(built[1]) // 2])
    assert quick_file_view(str(tmp_path / "half.pdf")) == ("pdf", None)
    os.mkfifo(tmp_path / "pipe.docx")  # opened without blocking, judged by fstat: never waited on
    assert quick_file_view(str(tmp_path / "pipe.docx")) == ("unsure", None)
    with pytest.raises(OSError):
        quick_file_view(str(tmp_path / "missing.docx"))


def _with_manifest_text(docx_bytes: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """The DOCX with its manifest item's bytes changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data) if info.filename == "customXml/item1.xml" else data)
    return out.getvalue()


@pytest.mark.parametrize("change, draft", [
    (lambda x: x.replace(b'"draft": false', b'"draft": "yes"'), True),  # another type: the lenient reader coerces
    (lambda x: x.replace(b'"reference": "KS', b'"reference": "A &amp; B KS'), False),  # an entity: lxml unescapes
    (lambda x: x.replace(b"\n", b"\r\n"), False),  # line ends the XML parser normalises
])
def test_manifests_shaped_otherwise_read_as_the_full_reader_reads_them(
        built: tuple[bytes, bytes], tmp_path: Path, change: Callable[[bytes], bytes], draft: bool) -> None:
    from assembler.register.where_used import read_agreement

    changed = _with_manifest_text(built[0], change)
    path = tmp_path / "a.docx"
    path.write_bytes(changed)
    manifest, reason = read_agreement(str(path))
    assert reason is None and manifest is not None
    full = read_embedded_manifest(changed)
    assert (manifest.draft, manifest.reference) == (full.draft, full.reference) and manifest.draft is draft


def test_an_incomplete_manifest_is_named_not_counted(built: tuple[bytes, bytes], tmp_path: Path) -> None:
    from assembler.register.where_used import read_agreement

    path = tmp_path / "a.docx"
    path.write_bytes(_with_manifest_text(built[0], lambda x: x.replace(b'"tool_version"', b'"tool_versjon"')))
    assert read_agreement(str(path)) == (None, "the manifest is incomplete: missing 'tool_version'")
