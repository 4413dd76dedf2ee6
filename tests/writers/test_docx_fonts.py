"""The DOCX carries the fonts it is set in (Word's embedded fonts), so a reader without them keeps the pages.

The font parts are read back here the way a word processor reads them
(ECMA-376 part 1, 17.8.1): the font table's ``w:embedRegular`` … names a
relationship and a GUID key, and the part's first 32 bytes are XORed with
the key's bytes taken from the GUID's last hex pair to its first.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import REPO
from lxml import etree

from assembler.assembly.pipeline import assemble
from assembler.library.house_style import load_house_style
from assembler.writers.docx import write_docx
from assembler.writers.docx_template import embed_house_fonts, open_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
BUNDLED = REPO / "assembler" / "resources" / "fonts"
SANS = Path("/usr/share/fonts/truetype/liberation")  # fonts-liberation, installed by .ci/run


def _deobfuscated(blob: bytes, key: str) -> bytes:
    digits = key.strip("{}").replace("-", "")
    mask = [int(digits[i:i + 2], 16) for i in range(30, -1, -2)]
    return bytes(b ^ mask[i % 16] for i, b in enumerate(blob[:32])) + blob[32:]


def _embedded(data: bytes) -> dict[str, dict[str, bytes]]:
    """Return family -> face ("Regular", "Bold" …) -> the font file, read back from a DOCX package."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        table = etree.fromstring(package.read("word/fontTable.xml"))
        names = package.namelist()
        rels = etree.fromstring(package.read("word/_rels/fontTable.xml.rels")) \
            if "word/_rels/fontTable.xml.rels" in names else []
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        types = package.read("[Content_Types].xml").decode()
        found: dict[str, dict[str, bytes]] = {}
        for font in table.iter(f"{W}font"):
            for embed in font:
                tag = etree.QName(embed).localname
                if not tag.startswith("embed"):
                    continue
                name = "word/" + targets[embed.get(f"{R}id")]
                assert "application/vnd.openxmlformats-officedocument.obfuscatedFont" in types
                found.setdefault(font.get(f"{W}name"), {})[tag[len("embed"):]] = \
                    _deobfuscated(package.read(name), embed.get(f"{W}fontKey"))
        return found


def _settings(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/settings.xml"))


def test_the_house_template_embeds_the_liberation_serif_it_names() -> None:
    data = write_docx(assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv").agreement)
    embedded = _embedded(data)
    assert set(embedded) == {"Liberation Serif"}
    # The basic agreement has no italic text: only the faces it is set in travel with it.
    assert set(embedded["Liberation Serif"]) == {"Regular", "Bold"}
    for face, font in embedded["Liberation Serif"].items():
        assert font == (BUNDLED / f"LiberationSerif-{face}.ttf").read_bytes()
    assert _settings(data).find(f"{W}embedTrueTypeFonts") is not None  # Word keeps them when it saves
    assert docx.Document(io.BytesIO(data)).styles["Normal"].font.name in (None, "Liberation Serif")


def test_italic_text_brings_the_italic_faces() -> None:
    document = open_template(None, False).document
    document.add_paragraph().add_run("se bilaga 2").italic = True
    embed_house_fonts(document, None)
    out = io.BytesIO()
    document.save(out)
    faces = _embedded(out.getvalue())["Liberation Serif"]
    assert set(faces) == {"Regular", "Bold", "Italic", "BoldItalic"}
    assert faces["BoldItalic"] == (BUNDLED / "LiberationSerif-BoldItalic.ttf").read_bytes()


def _reference(tmp_path: Path) -> Path:
    reference = docx.Document()
    reference.styles["Normal"].font.name = "Liberation Sans"
    path = tmp_path / "reference.docx"
    reference.save(str(path))
    return path


@pytest.mark.skipif(not (SANS / "LiberationSans-Regular.ttf").exists(), reason="fonts-liberation is not installed")
def test_a_house_style_embeds_its_own_font_files_under_its_family(tmp_path: Path) -> None:
    files = [SANS / "LiberationSans-Regular.ttf", SANS / "LiberationSans-Bold.ttf"]
    house = load_house_style(_reference(tmp_path), files)
    data = write_docx(assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv",
                               house_style=house).agreement)
    embedded = _embedded(data)
    assert set(embedded) == {"Liberation Sans"}
    assert embedded["Liberation Sans"] == {"Regular": files[0].read_bytes(), "Bold": files[1].read_bytes()}


def test_a_reference_without_font_files_keeps_its_fonts_by_name_only(tmp_path: Path) -> None:
    house = load_house_style(_reference(tmp_path))
    data = write_docx(assemble(REPO / "examples" / "basic.yaml", as_of="2026-12-01", language="sv",
                               house_style=house).agreement)
    assert _embedded(data) == {}
    assert docx.Document(io.BytesIO(data)).styles["Normal"].font.name == "Liberation Sans"
