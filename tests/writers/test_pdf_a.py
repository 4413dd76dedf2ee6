"""PDF/A-2b: output intent, identification in XMP agreeing with Info, embedded fonts, no transparency,
the manifest kept in XMP, and inspect / diff / rebuild still reading it (rebuild byte-identical)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from readback import assert_pdf_reads_back

from assembler.assembly.pipeline import assemble
from assembler.model import HouseStyle
from assembler.readers.pdf import read_pdf_manifest
from assembler.writers.pdf import write_pdf
from assembler.writers.pdf_archive import srgb_icc


@pytest.fixture(scope="module")
def pdf_a() -> bytes:
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv",
                         house_style=HouseStyle(pdf_a=True)).agreement
    return write_pdf(agreement)


def _walk(obj, seen: set[int]):  # type: ignore[no-untyped-def]
    """Yield every dictionary reachable from obj once."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, dict):
        yield obj
        for value in obj.values():
            yield from _walk(value, seen)
    elif isinstance(obj, list):
        for value in obj:
            yield from _walk(value, seen)


def test_identification_and_output_intent(pdf_a: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_a))
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.pdfaid_part == "2" and xmp.pdfaid_conformance == "B"
    root = reader.trailer["/Root"]
    meta = root["/Metadata"].get_object()
    assert meta["/Type"] == "/Metadata" and meta["/Subtype"] == "/XML" and "/Filter" not in meta
    intent = root["/OutputIntents"][0]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    icc = profile.get_data()
    assert profile["/N"] == 3 and icc == srgb_icc()
    assert struct.unpack(">I", icc[:4])[0] == len(icc) and icc[36:40] == b"acsp" and icc[12:20] == b"mntrRGB "
    info = reader.metadata
    assert xmp.dc_title["x-default"] == info.title and xmp.pdf_producer == info.producer
    assert xmp.xmp_creator_tool == info.creator


def test_no_encryption_javascript_transparency_or_attachment_and_every_font_embedded(pdf_a: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf_a))
    assert not reader.is_encrypted
    assert b"/JavaScript" not in pdf_a and b"/JS " not in pdf_a
    assert not reader.attachments  # PDF/A-2b admits only PDF/A attachments
    dicts = list(_walk(reader.trailer["/Root"], set()))
    assert not any(d.get("/Type") == "/ExtGState" and (d.get("/ca", 1) != 1 or d.get("/CA", 1) != 1 or "/SMask" in d)
                   for d in dicts)
    fonts = [d for d in dicts if d.get("/Type") == "/Font" and d.get("/Subtype") in ("/TrueType", "/Type0", "/Type1")]
    assert fonts
    for font in fonts:
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def test_the_manifest_reads_back_from_xmp(pdf_a: bytes) -> None:
    manifest = read_pdf_manifest(pdf_a)
    assert manifest.agreement == "opi-innovation" and manifest.answers


def test_inspect_diff_and_rebuild_read_a_pdf_a(pdf_a: bytes, tmp_path: Path) -> None:
    assert_pdf_reads_back(pdf_a, tmp_path, "basic.pdf")


def test_build_pdf_a_warns_about_appendices_that_are_not_pdf_a(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "research.yaml"),
                             "--as-of", "2026-12-01", "--format", "pdf", "--pdf-a", "-o", str(tmp_path / "r.pdf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(tmp_path / "r.pdf")
    assert reader.xmp_metadata is not None and reader.xmp_metadata.pdfaid_part == "2"
    # research.yaml attaches one appendix PDF, which is not PDF/A.
    assert result.stderr.count("is not PDF/A") == 1


def test_a_transparent_logo_is_flattened_in_pdf_a() -> None:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGBA", (60, 20), (0, 90, 160, 128)).save(buf, format="PNG")
    logo = buf.getvalue()
    pdfs = {}
    for archive in (False, True):
        house = HouseStyle(logo=logo, logo_height_mm=10, pdf_a=archive)
        agreement = assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv",
                             house_style=house).agreement
        pdfs[archive] = PdfReader(io.BytesIO(write_pdf(agreement)))
    def images(reader: PdfReader) -> list:  # type: ignore[type-arg]
        xobjects = reader.pages[0]["/Resources"]["/XObject"]
        return [x.get_object() for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image"]
    assert any("/SMask" in x for x in images(pdfs[False]))  # the logo is drawn, with its alpha
    assert images(pdfs[True]) and not any("/SMask" in x for x in images(pdfs[True]))


def _info_matches_xmp(reader: PdfReader) -> None:
    """Assert every Info entry PDF/A ties to XMP has its XMP twin with the same value (ISO 19005-2, 6.6.3)."""
    info, xmp = reader.metadata, reader.xmp_metadata
    assert info is not None and xmp is not None
    assert info["/Title"] == xmp.dc_title["x-default"]
    assert info["/Author"] == ", ".join(xmp.dc_creator)
    assert info["/Subject"] == xmp.dc_description["x-default"]
    assert info["/Keywords"] == xmp.pdf_keywords
    assert info["/Creator"] == xmp.xmp_creator_tool and info["/Producer"] == xmp.pdf_producer
    assert info.creation_date == xmp.xmp_create_date.replace(tzinfo=info.creation_date.tzinfo)
    assert info.modification_date == xmp.xmp_modify_date.replace(tzinfo=info.modification_date.tzinfo)


def test_a_draft_pdf_a_with_an_appendix_keeps_every_requirement(tmp_path: Path) -> None:
    """The draft watermark (also over appendix pages) is opaque, Info and XMP agree, no page asks for a
    transparency group, the agreement's own fonts are embedded, and the non-PDF/A appendix is named."""
    out = tmp_path / "draft.pdf"
    result = subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "research.yaml"),
                             "--as-of", "2026-12-01", "--draft", "--format", "pdf", "--pdf-a", "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "is not PDF/A" in line]
    assert len(warnings) == 1 and "de-minimis-intyg-kretslopp.pdf" in warnings[0] and "Bilaga 4" in warnings[0]
    data = out.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert reader.xmp_metadata.pdfaid_part == "2" and reader.xmp_metadata.pdfaid_conformance == "B"
    _info_matches_xmp(reader)
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert "UTKAST" in text  # the watermark is there, drawn opaque
    assert not reader.is_encrypted and b"/JavaScript" not in data and b"/EmbeddedFiles" not in data
    for page in reader.pages:
        assert page.get("/Group") is None or page["/Group"].get("/S") != "/Transparency"
    dicts = list(_walk(reader.trailer["/Root"], set()))
    assert not any(d.get("/Type") == "/ExtGState" and (d.get("/ca", 1) != 1 or d.get("/CA", 1) != 1
                                                       or d.get("/SMask", "/None") != "/None") for d in dicts)
    assert not any(d.get("/Subtype") == "/Image" and "/SMask" in d for d in dicts)
    own = [f for f in dicts if f.get("/Type") == "/Font" and "Liberation" in str(f.get("/BaseFont"))]
    assert own and all("/FontFile2" in (f["/DescendantFonts"][0].get_object() if "/DescendantFonts" in f
                                        else f)["/FontDescriptor"] for f in own)
