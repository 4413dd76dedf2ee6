"""What a reference DOCX (the legal unit's house style) holds that writers need.

The DOCX writer uses the reference file as its template; the PDF writer
cannot read Word styles, so this module takes from it what the PDF can
honour: the page margins, the first image of the header (the logo) and its
printed height, the body font's name and the heading colour.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler._limits import check_zip
from assembler.errors import InputError, Location
from assembler.oxml.ns import qn

# The paragraph and table styles the DOCX writer uses, by the names python-docx reports.
REQUIRED_STYLES = (
    "Normal", "Title", "Subtitle", "Heading 1", "Section Heading", "Sub-clause", "Sub-clause Body",
    "List Letter", "List Bullet", "Header", "Footer", "Draft Mark", "Signature Party",
    "Signature Field", "Signature Caption", "Signature Table", "Parallel Table",
)
_EMU_PER_MM = 36000
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_WP_EXTENT, _WP_INLINE, _WP_ANCHOR = _WP + "extent", _WP + "inline", _WP + "anchor"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_RASTER = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff")  # what ReportLab draws (through Pillow)
_LOGO_PIXELS = 25_000_000  # a 5,000 x 5,000 logo is already far more than a page header needs


@dataclass(frozen=True)
class ReferenceFacts:
    """The house settings a reference DOCX carries, for the PDF, and the styles it lacks."""

    missing_styles: tuple[str, ...]
    margins_mm: tuple[float, float, float, float]  # top, right, bottom, left
    logo: bytes | None
    logo_height_mm: float
    font: str
    heading_colour: str
    logo_note: str = ""  # why the PDF has no logo although the header has a picture
    logo_first_page: bool = False  # the logo is in the first page's own header only


class NotADocx(ValueError):
    """The bytes are not a readable Word document."""


_WORDML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_MACRO_ENABLED = (b"application/vnd.ms-word.document.macroEnabled.main+xml",
                  b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml")


def as_document(data: bytes, where: Location | None = None) -> bytes:
    """Return a reference as a Word document: a .docx as it is, a Word template (.dotx) as the document it makes.

    A legal unit's letterhead is usually a template; it differs from a
    document only in the content type of its main part.  A macro-enabled
    file (.docm, .dotm) is refused: its macros would travel into every
    agreement.  Raises LimitError for a zip of hostile shape, NotADocx for a
    macro-enabled file.
    """
    check_zip(data, "the reference DOCX", where)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            types = package.read("[Content_Types].xml")
            if any(kind in types for kind in _MACRO_ENABLED):
                raise NotADocx("it is macro-enabled (.docm or .dotm); save it in Word as a Word Document (.docx) or "
                               "a Word Template (.dotx)")
            template = (_WORDML + "template.main+xml").encode()
            if template not in types:
                return data
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
                for info in package.infolist():
                    part = package.read(info)
                    if info.filename == "[Content_Types].xml":
                        part = part.replace(template, (_WORDML + "document.main+xml").encode())
                    copy.writestr(info, part)
            return out.getvalue()
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        return data  # not a package: open_reference says so


def open_reference(data: bytes) -> WordDocument:
    """Return a reference opened with python-docx; raise :class:`NotADocx` if it is none.

    ``data`` has been through :func:`as_document`: checked for a hostile zip
    shape (python-docx reads every part into memory) and a template made a
    document.
    """
    try:
        return docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise NotADocx("it is not a Word file (.docx or .dotx)") from None
    except KeyError:
        raise NotADocx("a part the package names is missing: open it in Word and save it again") from None
    except etree.XMLSyntaxError:
        raise NotADocx("a part of it is damaged XML: open it in Word and save it again") from None
    except ValueError as exc:
        if "content type is" in str(exc):
            kind = str(exc).rsplit("content type is", 1)[1]
            what = ("an Excel workbook" if "spreadsheetml" in kind else
                    "a PowerPoint presentation" if "presentationml" in kind else "another kind of Office file")
            raise NotADocx(f"it is {what}, not a Word document") from None
        raise NotADocx("it cannot be read as a Word document: open it in Word and save it again") from None


def missing_styles(document: WordDocument) -> tuple[str, ...]:
    """Return the required styles a document does not define, in the writer's order."""
    names = {s.name for s in document.styles}
    return tuple(name for name in REQUIRED_STYLES if name not in names)


def _logo(document: WordDocument, where: Location | None) -> tuple[bytes | None, float, str, bool]:
    """Return the logo of the first section: its picture, height in mm, a note when it is left out, and whether
    it is the first page's only (a letterhead whose "different first page" header alone carries it)."""
    section = document.sections[0]
    logo, height, note = _header_picture(section.header, where)
    if logo is None and section.different_first_page_header_footer:
        first, first_height, first_note = _header_picture(section.first_page_header, where)
        if first is not None:
            return first, first_height, "", True
        note = note or first_note
    return logo, height, note, False


def _header_picture(header: Any, where: Location | None) -> tuple[bytes | None, float, str]:
    """Return the first picture of a header, its height in mm, and a note when it is left out.

    Pictures are taken in the order the header shows them (``a:blip``; Word's
    SVG logos carry a PNG there, the SVG in an extension).  A picture the PDF
    cannot draw (EMF, WMF) leaves the PDF without a logo, with a note; one
    that is broken, or too large to be a logo, is an error.
    """
    if header.is_linked_to_previous:
        return None, 0.0, ""
    part = header.part
    skipped = []
    for rid, height in _pictures(part.element):
        rel = part.rels.get(rid)
        if rel is None or rel.is_external or rel.reltype != RT.IMAGE:
            continue
        image = rel.target_part
        if image.content_type not in _RASTER:
            # image/x-emf, image/x-wmf, image/svg+xml: EMF, WMF, SVG
            skipped.append(image.content_type.split("/")[-1].removeprefix("x-").split("+")[0].upper())
            continue
        _check_picture(image.blob, where)
        return image.blob, height, ""
    if skipped:
        return None, 0.0, (f"the header logo of the reference DOCX is in {skipped[0]} format, which the PDF cannot "
                           "draw: the PDF has no logo (insert the logo in Word as PNG or JPEG)")
    return None, 0.0, ""


def _pictures(header: etree._Element) -> Iterator[tuple[str, float]]:
    """Yield (relationship id, height in mm) of each picture of a header: DrawingML first, in the order shown,
    then VML (files from older Word)."""
    for drawing in header.iter(_WP_INLINE, _WP_ANCHOR):
        blip = next(drawing.iter(_A_BLIP), None)
        if blip is not None and blip.get(_R_EMBED):
            extent = drawing.find(_WP_EXTENT)
            height = int(extent.get("cy", "0")) / _EMU_PER_MM if extent is not None else 15.0
            yield blip.get(_R_EMBED), round(height, 2)
    for picture in header.iter(_V_IMAGEDATA):
        if picture.get(_R_ID):
            yield picture.get(_R_ID), _vml_height(picture.getparent())


def _vml_height(shape: etree._Element | None) -> float:
    """Return the height in mm a VML shape's style gives (``height:42pt``), or 15 mm."""
    style = shape.get("style", "") if shape is not None else ""
    found = re.search(r"(?:^|;)\s*height:\s*([0-9.]+)\s*(pt|mm|cm|in|px)?", style)
    if not found:
        return 15.0
    per_mm = {"pt": 72 / 25.4, "mm": 1.0, "cm": 0.1, "in": 1 / 25.4, "px": 96 / 25.4}[found.group(2) or "px"]
    return round(float(found.group(1)) / per_mm, 2)


def _check_picture(data: bytes, where: Location | None) -> None:
    """Raise InputError unless ``data`` is a picture the PDF can draw, of a logo's size."""
    from PIL import Image, UnidentifiedImageError

    too_large = InputError(f"the header logo of the reference DOCX is larger than a logo may be ({_LOGO_PIXELS:,} "
                           "pixels): save a smaller picture in Word".replace(",", " "), where,
                           code="house-style.logo-too-large")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if width * height > _LOGO_PIXELS:
                raise too_large
            picture.load()
    except Image.DecompressionBombError:
        raise too_large from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InputError("the header logo of the reference DOCX is not a readable picture: insert it again in Word "
                         "as PNG or JPEG", where, code="house-style.logo-unreadable") from None


def _font(document: WordDocument) -> str:
    name = document.styles["Normal"].font.name if "Normal" in [s.name for s in document.styles] else None
    if name:
        return str(name)
    fonts = document.styles.element.find(f"{qn('docDefaults')}/{qn('rPrDefault')}/{qn('rPr')}/{qn('rFonts')}")
    return fonts.get(qn("ascii"), "") if fonts is not None else ""


def reference_facts(data: bytes, where: Location | None = None) -> ReferenceFacts:
    """Return what a reference (``data`` from :func:`as_document`, read from ``where``) says about the house style."""
    document = open_reference(data)
    section = document.sections[0]
    margins = tuple(round(m.mm, 2) if m is not None else 25.0 for m in
                    (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin))
    logo, height, note, first_page = _logo(document, where)
    colour = ""
    if "Heading 1" in [s.name for s in document.styles]:
        rgb = document.styles["Heading 1"].font.color.rgb
        colour = str(rgb) if rgb is not None else ""
    return ReferenceFacts(missing_styles(document), (margins[0], margins[1], margins[2], margins[3]),
                          logo, height, _font(document), colour, note, first_page)
