"""What a reference DOCX (the legal unit's house style) holds that writers need.

The DOCX writer uses the reference file as its template; the PDF writer
cannot read Word styles, so this module takes from it what the PDF can
honour: the page margins, the first image of the header (the logo) and its
printed height, the body font's name and the heading colour.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler.oxml.ns import qn

# The paragraph and table styles the DOCX writer uses, by the names python-docx reports.
REQUIRED_STYLES = (
    "Normal", "Title", "Subtitle", "Heading 1", "Section Heading", "Sub-clause", "Sub-clause Body",
    "List Letter", "List Bullet", "Header", "Footer", "Draft Mark", "Signature Party",
    "Signature Field", "Signature Caption", "Signature Table", "Parallel Table",
)
_EMU_PER_MM = 36000
_WP_EXTENT = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"


@dataclass(frozen=True)
class ReferenceFacts:
    """The house settings a reference DOCX carries, for the PDF, and the styles it lacks."""

    missing_styles: tuple[str, ...]
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    logo: bytes | None
    logo_height_mm: float
    font: str
    heading_colour: str


class NotADocx(ValueError):
    """The bytes are not a readable Word document."""


def open_reference(data: bytes) -> WordDocument:
    """Return the reference DOCX opened with python-docx; raise :class:`NotADocx` if it is none."""
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise NotADocx(str(exc) or type(exc).__name__) from None


def missing_styles(document: WordDocument) -> tuple[str, ...]:
    """Return the required styles a document does not define, in the writer's order."""
    names = {s.name for s in document.styles}
    return tuple(name for name in REQUIRED_STYLES if name not in names)


def _logo(document: WordDocument) -> tuple[bytes | None, float]:
    """Return the first image of the first section's header and its height in mm."""
    header = document.sections[0].header
    if header.is_linked_to_previous:
        return None, 0.0
    part = header.part
    images = [rel.target_part.blob for rel in part.rels.values() if rel.reltype == RT.IMAGE]
    if not images:
        return None, 0.0
    extent = next(part.element.iter(_WP_EXTENT), None)
    height = int(extent.get("cy", "0")) / _EMU_PER_MM if extent is not None else 15.0
    return images[0], round(height, 2)


def _font(document: WordDocument) -> str:
    name = document.styles["Normal"].font.name if "Normal" in [s.name for s in document.styles] else None
    if name:
        return str(name)
    fonts = document.styles.element.find(f"{qn('docDefaults')}/{qn('rPrDefault')}/{qn('rPr')}/{qn('rFonts')}")
    return fonts.get(qn("ascii"), "") if fonts is not None else ""


def reference_facts(data: bytes) -> ReferenceFacts:
    """Return what the reference DOCX ``data`` says about the house style."""
    document = open_reference(data)
    section = document.sections[0]
    margins = tuple(round(m.mm, 2) if m is not None else 25.0 for m in
                    (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin))
    logo, height = _logo(document)
    colour = ""
    if "Heading 1" in [s.name for s in document.styles]:
        rgb = document.styles["Heading 1"].font.color.rgb
        colour = str(rgb) if rgb is not None else ""
    return ReferenceFacts(missing_styles(document), (margins[0], margins[1], margins[2], margins[3]),
                          logo, height, _font(document), colour)
