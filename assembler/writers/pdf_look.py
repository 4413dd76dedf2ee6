"""The look of the PDF pages: fonts, page geometry, colours and the header logo.

By default the text is set in Liberation Serif (shipped in
``resources/fonts``, the font the DOCX names too) on A4 with the house
margins.  A :class:`assembler.model.HouseStyle` can bring its own TrueType
fonts, margins, heading and text colours and a logo, all as bytes read
before writing; fonts are embedded as subsets either way.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from io import BytesIO

from PIL import Image as PILImage  # ReportLab's own image dependency
from reportlab.lib.colors import Color, HexColor  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from assembler.model import FontFiles, HouseStyle
from assembler.writers.pdf_font import SubsetFont
from assembler.writers.pdf_style import (
    BLACK,
    FONT,
    FONT_BOLD,
    FONTS_LOCK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    register_fonts,
)


@dataclass(frozen=True)
class Look:
    """Fonts (registered ReportLab names), margins in points, colours and the logo of one build."""

    font: str = FONT
    font_bold: str = FONT_BOLD
    top: float = MARGIN_TOP
    right: float = MARGIN_X
    bottom: float = MARGIN_BOTTOM
    left: float = MARGIN_X
    heading_colour: Color = BLACK
    text_colour: Color = BLACK
    logo: bytes | None = None
    logo_height: float = 0.0
    opaque: bool = False  # PDF/A: no transparency, so a logo's alpha channel is flattened onto white
    logo_first_page: bool = False  # drawn on the first page only, as the reference's first-page header has it

    @property
    def text_width(self) -> float:
        return float(PAGE_W - self.left - self.right)

    @property
    def text_height(self) -> float:
        return float(PAGE_H - self.top - self.bottom)


def _register_family(name: str, faces: tuple[bytes, bytes | None, bytes | None, bytes | None]) -> None:
    """Register a family under ``name`` from the bytes of four faces; a missing face uses the regular one."""
    names = (name, f"{name}-Bold", f"{name}-Italic", f"{name}-BoldItalic")
    for face_name, data in zip(names, faces):
        pdfmetrics.registerFont(SubsetFont(face_name, BytesIO(data if data is not None else faces[0])))
    pdfmetrics.registerFontFamily(name, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])


def _house_fonts(fonts: FontFiles) -> tuple[str, str]:
    """Register a house font family once per process (see ``register_fonts``); return its regular and bold names."""
    with FONTS_LOCK:
        return _register_house_fonts(fonts)


@functools.cache
def _register_house_fonts(fonts: FontFiles) -> tuple[str, str]:
    digest = hashlib.sha256(b"".join(f or b"" for f in (fonts.regular, fonts.bold, fonts.italic,
                                                         fonts.bold_italic))).hexdigest()[:12]
    name = f"House{digest}"
    _register_family(name, (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic))
    return name, f"{name}-Bold"


def _colour(text: str, default: Color) -> Color:
    if len(text) == 6 and all(c in "0123456789abcdefABCDEF" for c in text):
        return HexColor("#" + text)
    return default


def look_for(house: HouseStyle | None) -> Look:
    """Return the look of a build: the default, or what the house style sets."""
    register_fonts()
    if house is None:
        return Look()
    font, bold = _house_fonts(house.fonts) if house.fonts is not None else (FONT, FONT_BOLD)
    top, right, bottom, left = (m * mm for m in house.margins_mm) if house.margins_mm else (
        Look.top, Look.right, Look.bottom, Look.left)
    return Look(font, bold, top, right, bottom, left, _colour(house.heading_colour, BLACK),
                _colour(house.text_colour, BLACK), house.logo, house.logo_height_mm * mm, house.pdf_a,
                house.logo_first_page)


def draw_logo(c: Canvas, look: Look, baseline: float) -> float:
    """Draw the house logo at the top left, its foot above ``baseline``; return the width it took."""
    if not look.logo:
        return 0.0
    image = ImageReader(_flattened(look.logo) if look.opaque else BytesIO(look.logo))
    width, height = image.getSize()
    room = PAGE_H - baseline - 3 * mm - 5 * mm  # between the header line and the page edge
    h = min(look.logo_height or 15 * mm, room)
    w = h * width / height if height else 0
    # A transparent logo keeps its alpha, except in PDF/A, where it was flattened onto white.
    c.drawImage(image, look.left, baseline + 3 * mm, width=w, height=h, mask=None if look.opaque else "auto")
    return float(w)


def _flattened(data: bytes) -> PILImage.Image:
    """Return the image with any transparency composed onto white (PDF/A admits no soft masks)."""
    image = PILImage.open(BytesIO(data))
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        white = PILImage.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")
