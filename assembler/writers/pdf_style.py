"""The look of our PDF: fonts, page geometry, paragraph styles and the ReportLab flowables that draw them."""

from __future__ import annotations

import copy
import functools
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config  # type: ignore[import-untyped]
from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_LEFT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    Frame,
    Paragraph,
    Spacer,
)

from assembler._files import bundled_dir
from assembler.model import Span
from assembler.writers.pdf_font import SubsetFont
from assembler.writers.pdf_para import KEPT_TEXT_MAX, KeptLines, break_simple, own_frags

FONT_DIR = bundled_dir("resources") / "fonts"
FONT = "AssemblerSerif"
FONT_BOLD = "AssemblerSerif-Bold"
WATERMARK = "UTKAST / DRAFT"

PAGE_W, PAGE_H = A4
MARGIN_X = 25 * mm
MARGIN_TOP = 27 * mm
MARGIN_BOTTOM = 24 * mm
TEXT_W = PAGE_W - 2 * MARGIN_X
TEXT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
COLUMN_GAP = 7 * mm
GREY = Color(0.35, 0.35, 0.35)
WATERMARK_GREY = Color(0.86, 0.86, 0.86)
BLACK = Color(0, 0, 0)



FONTS_LOCK = threading.RLock()  # held while fonts are registered (also by pdf_look for house fonts)


def register_fonts() -> None:
    """Load the fonts once per process: parsing the TTF files is the slow part.

    Under a lock: the web app's first two PDFs may start at once, and a font
    registered again under the same name while a build draws with the first
    one would split that build's glyph codes over two font objects.
    """
    with FONTS_LOCK:
        _register_bundled_fonts()


@functools.cache
def _register_bundled_fonts() -> None:
    faces = {FONT: "Regular", FONT_BOLD: "Bold",
             f"{FONT}-Italic": "Italic", f"{FONT}-BoldItalic": "BoldItalic"}
    # Binary Flate streams, not ASCII85 text: a quarter smaller and faster to write.
    # (A process-wide ReportLab setting; this module is the package's only ReportLab user.)
    rl_config.useA85 = 0
    for name, face in faces.items():
        pdfmetrics.registerFont(SubsetFont(name, str(FONT_DIR / f"LiberationSerif-{face}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD,
                                  italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic")


class Styles:
    """The paragraph styles of one layout: full width, or one of two columns."""

    def __init__(self, paired: bool, font: str = FONT, font_bold: str = FONT_BOLD,
                 heading: Color = BLACK, text: Color = BLACK) -> None:
        FONT, FONT_BOLD = font, font_bold  # noqa: N806 - the house fonts, read as the constants they replace
        size = 9.5 if paired else 10.5
        lead = size * 1.32
        self.indent = 24.0 if paired else 34.0
        base = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=lead,
                              spaceAfter=size * 0.6, alignment=TA_LEFT, textColor=text,
                              bulletFontName=FONT, bulletFontSize=size)
        self.body = base
        self.numbered = ParagraphStyle("numbered", base, leftIndent=self.indent)
        self.letter = ParagraphStyle("letter", base, leftIndent=self.indent + 22,
                                     bulletIndent=self.indent, spaceAfter=size * 0.3)
        self.bullet = ParagraphStyle("bullet", base, leftIndent=self.indent + 22,
                                     bulletIndent=self.indent + 7, spaceAfter=size * 0.3)
        # The last item of a list ends with a paragraph's space, not an item's.
        self.letter_end = ParagraphStyle("letter_end", self.letter, spaceAfter=base.spaceAfter)
        self.bullet_end = ParagraphStyle("bullet_end", self.bullet, spaceAfter=base.spaceAfter)
        self.heading = ParagraphStyle("heading", base, fontName=FONT_BOLD, fontSize=size + 1.5,
                                      leading=(size + 1.5) * 1.25, spaceBefore=size * 1.1,
                                      spaceAfter=size * 0.5, leftIndent=self.indent,
                                      bulletFontName=FONT_BOLD, bulletFontSize=size + 1.5,
                                      keepWithNext=1, alignment=TA_LEFT, textColor=heading)
        self.plain_heading = ParagraphStyle("plain_heading", self.heading, leftIndent=0)
        self.title = ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=size + 7.5,
                                    leading=(size + 7.5) * 1.2, alignment=TA_CENTER, spaceAfter=size * 0.6)
        self.subtitle = ParagraphStyle("subtitle", base, alignment=TA_CENTER, spaceAfter=size * 1.6)
        self.small = ParagraphStyle("small", base, alignment=TA_LEFT, spaceAfter=0)
        self.cover = ParagraphStyle("cover", self.title, fontSize=20, leading=26, spaceAfter=10)


@functools.cache
def styles(paired: bool, font: str = FONT, font_bold: str = FONT_BOLD, heading: Color = BLACK,
           text: Color = BLACK) -> Styles:
    """Return the paragraph styles of a layout in the given fonts and colours (made once per process)."""
    return Styles(paired, font, font_bold, heading, text)


def markup(spans: Sequence[Span]) -> str:
    """Return spans as ReportLab paragraph markup; the text itself is always escaped."""
    parts = []
    for span in spans:
        text = escape(span.text)
        if span.bold:
            text = f"<b>{text}</b>"
        if span.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


class Para(Paragraph):
    """A paragraph that parses our markup and breaks its lines the quick way, and once per width.

    :mod:`assembler.writers.pdf_para` gives ReportLab's results without its
    general parser and line-breaking loop where our paragraphs allow.  Frames,
    KeepTogether and side-by-side pairs ask a paragraph for its size several
    times at the same width; line breaking is most of the build time.
    """

    _wrapped: tuple[float, Any, float] | None = None
    _source: tuple[Any, ...] | None = None  # (style, markup, bullet) of a paragraph of our markup: KeptLines' key

    def __init__(self, text: str | None, style: ParagraphStyle, bulletText: str | None = None,
                 frags: list[Any] | None = None, **kwargs: Any) -> None:
        if frags is None and text is not None:
            parsed = own_frags(text, style)
            if parsed is not None:
                if not kwargs and (bulletText is None or isinstance(bulletText, str)) and len(text) <= KEPT_TEXT_MAX:
                    self._source = (style, text, bulletText)
                text, frags = parsed
        super().__init__(text, style, bulletText=bulletText, frags=frags, **kwargs)

    def breakLines(self, width: Any) -> Any:
        lines = break_simple(self, width)
        return lines if lines is not None else super().breakLines(width)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        done = self._wrapped
        if done is not None and done[0] == availWidth and done[1] is getattr(self, "blPara", None):
            return availWidth, done[2]
        source = self._source
        kept = KeptLines.get((*source, availWidth)) if source is not None else None
        if kept is not None:
            width, height = availWidth, kept.put_on(self, availWidth)
        else:
            width, height = super().wrap(availWidth, availHeight)
            if source is not None and getattr(self, "blPara", None) is not None:
                KeptLines.keep((*source, availWidth), self)
        self._wrapped = (availWidth, getattr(self, "blPara", None), height)
        return width, height


class Heading(Para):
    """A paragraph that notes the page and height where it is drawn, for the outline."""

    def __init__(self, text: str, style: ParagraphStyle, marks: dict[str, tuple[int, float]],
                 key: str, bulletText: str | None = None) -> None:
        super().__init__(text, style, bulletText=bulletText)
        self._marks = marks
        self._key = key

    def draw(self) -> None:
        super().draw()
        if self._key not in self._marks:
            _, top = self.canv.absolutePosition(0, self.height)
            # Outline entries count pages from 0; the canvas counts from 1.
            self._marks[self._key] = (self.canv.getPageNumber() - 1, top + self.style.fontSize)


class Pair(Flowable):
    """Two flowables side by side, top-aligned: the two languages of one paragraph."""

    def __init__(self, left: Flowable, right: Flowable, keep_with_next: bool = False) -> None:
        super().__init__()
        self.left, self.right = left, right
        self.keepWithNext = int(keep_with_next)
        self._sizes = (0.0, 0.0)

    def _column(self, avail_width: float) -> float:
        return (avail_width - COLUMN_GAP) / 2

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        col = self._column(availWidth)
        _, lh = self.left.wrap(col, availHeight)
        _, rh = self.right.wrap(col, availHeight)
        self._sizes = (lh, rh)
        self.width, self.height = availWidth, max(lh, rh)
        return self.width, self.height

    def draw(self) -> None:
        lh, rh = self._sizes
        col = self._column(self.width)
        self.left.drawOn(self.canv, 0, self.height - lh)
        self.right.drawOn(self.canv, col + COLUMN_GAP, self.height - rh)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        col = self._column(availWidth)
        if self.wrap(availWidth, availHeight)[1] <= TEXT_H:
            # A pair that fits on a page is never split: the two languages stay side by
            # side, and the text reads (and extracts) as Swedish paragraph, then English.
            return []
        halves: list[tuple[Flowable, Flowable | None]] = []
        for side in (self.left, self.right):
            _, h = side.wrap(col, availHeight)
            if h <= availHeight:
                halves.append((side, None))
                continue
            parts = side.split(col, availHeight)
            if len(parts) != 2:
                return []  # one side cannot break here: move the pair to the next page
            halves.append((parts[0], parts[1]))
        (l0, l1), (r0, r1) = halves
        if l1 is None and r1 is None:
            return []
        return [Pair(l0, r0), Pair(l1 or Spacer(0, 0), r1 or Spacer(0, 0))]

    def getSpaceBefore(self) -> float:
        return float(max(self.left.getSpaceBefore(), self.right.getSpaceBefore()))

    def getSpaceAfter(self) -> float:
        return float(max(self.left.getSpaceAfter(), self.right.getSpaceAfter()))


class Field(Flowable):
    """One signature field: an optional value above a rule, its label in small print below."""

    def __init__(self, value: str, label: str, room: float, size: float, font: str = FONT) -> None:
        super().__init__()
        self.value, self.label, self.room, self.size, self.font = value, label, room, size, font

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.room + 3 + self.size
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        rule_y = self.size + 1
        if self.value:
            c.setFont(self.font, self.size)
            c.drawString(0, rule_y + self.size * 0.45, self.value)
        c.setLineWidth(0.5)
        c.line(0, rule_y, self.width, rule_y)
        c.setFont(self.font, self.size - 1)
        c.setFillColor(GREY)
        c.drawString(0, 1, self.label)


class PagedCanvas(Canvas):
    """A canvas that holds pages back until the end, so the footer can say "X of Y".

    ``kinds`` is filled by the page templates ("body" or "cover"), one entry
    per page; only body pages get a footer and count towards Y.
    """

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None],
                 kinds: list[str], finish: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._footer = footer
        self._kinds = kinds
        self._finish = finish  # a pdf_meta.CanvasFinish: outline, labels, metadata written as the pages go out

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = self._kinds.count("body")
        for index, state in enumerate(self._held):
            self.__dict__.update(state)
            if self._kinds[index] == "body":
                self._footer(self, index + 1, total)
            if self._finish is not None:
                self._finish.page(self, index)
            super().showPage()
        if self._finish is not None:
            self._finish.save(self)
        super().save()


def draw_watermark(c: Canvas, alpha: float | None = None, font_bold: str = FONT_BOLD) -> None:
    """Draw the draft mark across the page: pale under the text, or translucent over it."""
    c.saveState()
    c.setFillColor(WATERMARK_GREY)
    if alpha is not None:
        c.setFillColor(Color(0.55, 0.55, 0.55))
        c.setFillAlpha(alpha)
    c.setFont(font_bold, 64)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(math.degrees(math.atan2(PAGE_H, PAGE_W)))  # along the page diagonal
    c.drawCentredString(0, -22, WATERMARK)
    c.restoreState()


def fit_text(c: Canvas, text: str, size: float, width: float, font: str = FONT) -> float:
    """Return the largest font size up to ``size`` at which ``text`` fits ``width``."""
    natural = c.stringWidth(text, font, size)
    return size if natural <= width else size * width / natural




class TextFrame(Frame):
    """A frame that copies itself shallowly: ReportLab deep-copies the frame each time it measures a group
    of flowables kept together (a heading and its first paragraph), and a frame holds only numbers, names
    and flags, plus lists that are copied here."""

    def __deepcopy__(self, memo: dict[int, Any]) -> TextFrame:
        twin = copy.copy(self)
        for name, value in vars(self).items():
            if isinstance(value, (list, dict)):
                setattr(twin, name, copy.deepcopy(value, memo))
        return twin
