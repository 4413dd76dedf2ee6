"""A reference DOCX (the unit's house style): its font, header logo and margins reach the DOCX and the PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import REPO
from docx.shared import Mm, Pt
from PIL import Image
from pypdf import PdfReader

from assembler.assembly.pipeline import assemble
from assembler.library.house_style import check_reference_docx, load_house_style
from assembler.writers.docx import write_docx
from assembler.writers.pdf import write_pdf

SANS = Path("/usr/share/fonts/truetype/liberation")  # installed with LibreOffice (fonts-liberation)
LOGO_RGB = (0, 90, 160)


def _logo_png() -> bytes:
    """Return a 300 x 100 px logo: a solid blue block, easy to find on a rendered page."""
    out = io.BytesIO()
    Image.new("RGB", (300, 100), LOGO_RGB).save(out, format="PNG")
    return out.getvalue()


def _reference_docx(path: Path) -> Path:
    """Write a reference DOCX as a unit would make in Word: Arial-like body font, logo in the header, 40 mm top margin."""
    document = docx.Document()
    document.styles["Normal"].font.name = "Liberation Sans"
    document.styles["Normal"].font.size = Pt(11)
    section = document.sections[0]
    section.top_margin, section.left_margin, section.right_margin = Mm(40), Mm(30), Mm(30)
    section.header.paragraphs[0].add_run().add_picture(io.BytesIO(_logo_png()), height=Mm(12))
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _reference_docx(tmp_path_factory.mktemp("house") / "reference.docx")


def _agreement(reference: Path, fonts: tuple[Path, ...] = ()):  # type: ignore[no-untyped-def]
    house = load_house_style(reference, fonts)
    return assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv", house_style=house).agreement


def test_the_docx_carries_the_reference_font_logo_and_margins(reference: Path) -> None:
    built = docx.Document(io.BytesIO(write_docx(_agreement(reference))))
    assert built.styles["Normal"].font.name == "Liberation Sans"
    section = built.sections[0]
    assert round(section.top_margin.mm) == 40 and round(section.left_margin.mm) == 30
    header = section.header
    assert header.part.element.xpath(".//pic:pic") or header.part.element.xpath(".//*[local-name()='pic']")
    images = [r for r in header.part.rels.values() if r.reltype.endswith("/image")]
    assert images and images[0].target_part.blob == _logo_png()
    # The clause list is still bound to the reference's heading style, and the writer's own styles were added.
    assert built.styles["Heading 1"].element.find(".//{*}numPr") is not None
    assert "Sub-clause" in [s.name for s in built.styles]


def test_validate_names_the_styles_a_reference_lacks(reference: Path) -> None:
    problems = check_reference_docx(reference)
    missing = [m for code, m in problems if code == "house-style.missing-style"]
    assert any("'Sub-clause'" in m for m in missing) and any("'Signature Table'" in m for m in missing)
    assert not any("'Heading 1'" in m for m in missing)  # Word's default template has it


def test_a_reference_that_is_not_a_docx_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    assert [code for code, _ in check_reference_docx(bad)] == ["house-style.not-docx"]


@pytest.mark.skipif(not (SANS / "LiberationSans-Regular.ttf").exists(), reason="fonts-liberation is not installed")
def test_the_pdf_uses_the_house_font_margins_and_logo(reference: Path, tmp_path: Path) -> None:
    fonts = tuple(SANS / f"LiberationSans-{f}.ttf" for f in ("Regular", "Bold", "Italic", "BoldItalic"))
    data = write_pdf(_agreement(reference, fonts))
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    font_names = {str(f["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("LiberationSans" in n for n in font_names) and not any("LiberationSerif" in n for n in font_names)
    assert all("/FontFile2" in f["/FontDescriptor"] for f in
               (x["/DescendantFonts"][0] if "/DescendantFonts" in x else x for x in page["/Resources"]["/Font"].values())
               if "/FontDescriptor" in f)
    assert page["/Resources"]["/XObject"]  # the logo image
    if shutil.which("pdftoppm"):
        pdf = tmp_path / "house.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
        image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
        w, h = image.size
        # The logo sits at the top left, inside the 30 mm left margin's column, in the top 40 mm.
        blue = [(x, y) for x in range(w) for y in range(int(h * 40 / 297))
                if sum(abs(a - b) for a, b in zip(image.getpixel((x, y)), LOGO_RGB)) < 40]
        assert blue, "no logo on page 1"
        assert min(x for x, _ in blue) >= int(w * 28 / 210)  # starts at the left margin


def test_build_and_validate_take_the_reference_on_the_command_line(reference: Path, tmp_path: Path) -> None:
    import sys

    from click.testing import CliRunner

    from assembler.cli import cli
    out = tmp_path / "basic.docx"
    built = subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "basic.yaml"),
                            "--as-of", "2026-12-01", "--format", "docx", "--reference-docx", str(reference),
                            "-o", str(out)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert docx.Document(str(out)).styles["Normal"].font.name == "Liberation Sans"
    checked = CliRunner().invoke(cli, ["validate", "--reference-docx", str(reference), "--json"])
    assert checked.exit_code == 0, checked.output
    assert "house-style.missing-style" in checked.output and "Sub-clause" in checked.output
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"plain text")
    assert CliRunner().invoke(cli, ["validate", "--reference-docx", str(bad)]).exit_code == 1
    not_font = subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "basic.yaml"),
                               "--as-of", "2026-12-01", "--format", "pdf", "--pdf-font", str(bad),
                               "-o", str(tmp_path / "x.pdf")], capture_output=True, text=True)
    assert not_font.returncode == 2 and "not a TrueType font" in not_font.stderr
    assert "Traceback" not in not_font.stderr and not (tmp_path / "x.pdf").exists()


def _with_logo_bytes(reference: Path, dest: Path, blob: bytes, content_type: str = "") -> Path:
    """Copy a reference DOCX with its header picture's bytes (and, if given, its content type) replaced."""
    import zipfile
    with zipfile.ZipFile(reference) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("word/media/"):
                data = blob
            elif name == "[Content_Types].xml" and content_type:
                data = data.replace(b'ContentType="image/png"', f'ContentType="{content_type}"'.encode())
            out.writestr(name, data)
    return dest


def _build(reference: Path, out: Path) -> subprocess.CompletedProcess[str]:
    import sys
    return subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "basic.yaml"),
                           "--as-of", "2026-12-01", "--reference-docx", str(reference), "-o", str(out)],
                          capture_output=True, text=True)


def _png_of_size(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of ``width`` x ``height`` pixels that is small on disk (a decompression bomb when large)."""
    import struct
    import zlib
    rows = zlib.compress(b"".join(b"\x00" + b"\x00" * ((width + 7) // 8) for _ in range(height)), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@pytest.mark.parametrize("blob, expected", [
    (b"\x89PNG\r\n\x1a\nnot a picture", "the header logo of the reference DOCX is not a readable picture"),
    (_png_of_size(40_000, 40_000), "the header logo of the reference DOCX is larger than a logo may be"),
], ids=["broken", "40000x40000"])
def test_a_broken_or_huge_logo_is_a_plain_error(reference: Path, tmp_path: Path, blob: bytes, expected: str) -> None:
    hostile = _with_logo_bytes(reference, tmp_path / "hostile.docx", blob)
    done = _build(hostile, tmp_path / "out")
    assert done.returncode == 2 and expected in done.stderr and str(hostile) in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
    assert [code for code, _ in check_reference_docx(hostile)] in (
        [["house-style.logo-unreadable"], ["house-style.logo-too-large"]])


def test_a_logo_the_pdf_cannot_draw_leaves_a_warning_not_a_silent_gap(reference: Path, tmp_path: Path) -> None:
    emf = _with_logo_bytes(reference, tmp_path / "emf.docx", b"\x01\x00\x00\x00" + bytes(100), "image/x-emf")
    done = _build(emf, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and "in EMF format, which the PDF cannot draw" in done.stderr
    page = PdfReader(str(tmp_path / "out" / "basic.pdf")).pages[0]
    assert "/XObject" not in page["/Resources"] or not any(
        x.get_object().get("/Subtype") == "/Image" for x in page["/Resources"]["/XObject"].values())
    assert ("house-style.logo-not-drawn", ) == tuple(c for c, _ in check_reference_docx(emf))[:1]
    from click.testing import CliRunner

    from assembler.cli import cli
    checked = CliRunner().invoke(cli, ["validate", "--reference-docx", str(emf)])
    assert checked.exit_code == 0, checked.output  # validate warns, as build does; it does not fail
    assert f"warning: {emf}: the header logo of the reference DOCX is in EMF format" in checked.output


def test_a_zip_bomb_reference_is_refused_before_it_is_inflated(reference: Path, tmp_path: Path) -> None:
    import zipfile
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(reference) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            out.writestr(name, data + b" " * (100 << 20) if name == "word/document.xml" else data)
    done = _build(bomb, tmp_path / "out")
    assert done.returncode != 0 and "ASSEMBLER_LIMIT_ZIP_ENTRY_BYTES" in done.stderr and str(bomb) in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("cut", [12, 300_000], ids=["header-only", "truncated"])
def test_a_damaged_font_file_is_named_before_anything_is_written(tmp_path: Path, cut: int) -> None:
    import sys
    damaged = tmp_path / "House-Regular.ttf"
    damaged.write_bytes((REPO / "assembler/resources/fonts/LiberationSerif-Regular.ttf").read_bytes()[:cut])
    done = subprocess.run([sys.executable, "-m", "assembler", "build", str(REPO / "examples" / "basic.yaml"),
                           "--as-of", "2026-12-01", "--pdf-font", str(damaged), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"error: {damaged}: the font file is damaged or not a TrueType font the PDF can embed"
    assert not (tmp_path / "out").exists()


def _retyped(reference: Path, dest: Path, content_type: str) -> Path:
    """Copy a reference DOCX with the content type of its main part changed (as Word saves .dotx, .docm …)."""
    import zipfile
    document = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(reference) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            out.writestr(name, data.replace(document, content_type.encode()) if name == "[Content_Types].xml" else data)
    return dest


def test_a_word_template_serves_as_the_reference(reference: Path, tmp_path: Path) -> None:
    # A legal unit's letterhead is usually a Word template (.dotx).
    template = _retyped(reference, tmp_path / "letterhead.dotx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")
    done = _build(template, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    built = docx.Document(str(tmp_path / "out" / "basic.docx"))
    assert built.part.content_type.endswith("wordprocessingml.document.main+xml")  # a document, not a template
    assert built.styles["Normal"].font.name == "Liberation Sans"
    assert any(r.reltype.endswith("/image") for r in built.sections[0].header.part.rels.values())
    assert check_reference_docx(template) == [(code, message) for code, message in check_reference_docx(reference)]


@pytest.mark.parametrize("content_type, expected", [
    ("application/vnd.ms-word.document.macroEnabled.main+xml", "it is macro-enabled (.docm or .dotm)"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
     "it is an Excel workbook, not a Word document"),
], ids=["docm", "xlsx"])
def test_a_macro_file_or_a_workbook_is_refused_in_plain_words(reference: Path, tmp_path: Path, content_type: str,
                                                               expected: str) -> None:
    wrong = _retyped(reference, tmp_path / "house.docx", content_type)
    done = _build(wrong, tmp_path / "out")
    assert done.returncode == 2 and "Traceback" not in done.stderr and not (tmp_path / "out").exists()
    assert done.stderr.strip() == f"error: {wrong}: the reference DOCX cannot be used: {expected}" + (
        "; save it in Word as a Word Document (.docx) or a Word Template (.dotx)" if "macro" in expected else "")


def test_a_logo_from_older_word_vml_reaches_the_pdf(reference: Path, tmp_path: Path) -> None:
    # Files from older Word (or in compatibility mode) carry a header picture as VML, not DrawingML.
    import re
    import zipfile
    vml = tmp_path / "old-word.docx"
    with zipfile.ZipFile(reference) as src, zipfile.ZipFile(vml, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("word/header") and name.endswith(".xml"):
                text = data.decode()
                rid = re.search(r'r:embed="([^"]+)"', text).group(1)  # type: ignore[union-attr]
                picture = ('<w:pict xmlns:v="urn:schemas-microsoft-com:vml"><v:shape style="width:108pt;height:36pt">'
                           f'<v:imagedata r:id="{rid}"/></v:shape></w:pict>')
                data = re.sub(r"<w:drawing>.*?</w:drawing>", picture, text, flags=re.S).encode()
            out.writestr(name, data)
    house = load_house_style(vml)
    assert house is not None and house.logo == _logo_png() and house.logo_height_mm == 12.7  # 36 pt
    assert house.notes == ()


def test_a_letterhead_logo_on_the_first_page_only_stays_there(tmp_path: Path) -> None:
    # Letterheads often show the logo on the first page alone ("Different first page" in Word).
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].add_run().add_picture(io.BytesIO(_logo_png()), height=Mm(12))
    letterhead = tmp_path / "letterhead.docx"
    document.save(str(letterhead))
    house = load_house_style(letterhead)
    assert house is not None and house.logo == _logo_png() and house.logo_first_page
    agreement = assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv",
                         house_style=house).agreement
    pages = PdfReader(io.BytesIO(write_pdf(agreement))).pages

    def images(page: Any) -> int:
        xobjects = page["/Resources"].get("/XObject") or {}
        return sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    assert images(pages[0]) == 1 and all(images(p) == 0 for p in pages[1:])
