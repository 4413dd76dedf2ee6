"""Write an agreement as PDF: ReportLab (platypus) draws the pages from the model.

The layout follows the DOCX: a heading block with title and reference,
numbered clauses ("3  Title") with hanging sub-clause numbers ("3.1"),
lettered and bulleted lists, the appendix list and one signature block per
party; a header with the title and reference and a footer "Sida X av Y" on
every agreement page; A4.  ``sv+en`` puts the languages side by side,
Swedish left, paragraph beside paragraph.  The text is set in Liberation
Serif, shipped in ``resources/fonts`` and embedded as subsets.

:func:`write_pdf` then hands the pages to :mod:`assembler.pdf_post`, which
merges appendix PDFs, adds outline, metadata and the manifest.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config  # type: ignore[import-untyped]
from reportlab.lib.colors import Color  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_LEFT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from assembler._files import bundled_dir
from assembler.model import Agreement, Appendix, Block, ItemList, Span
from assembler.model import Paragraph as ModelParagraph
from assembler.writers.pdf_finish import OutlineMark, RenderedPdf, finish_pdf, load_appendices

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


def write_pdf(agreement: Agreement) -> bytes:
    """Return the agreement as PDF bytes, with its appendix files merged after it.

    The appendix files are the bytes the agreement carries
    (``Agreement.appendix_files``); nothing is read from or written to disk.
    Raise :class:`assembler.errors.AppendixError` naming the file if one is
    not a PDF, encrypted or corrupt.
    """
    appendices = load_appendices(agreement)
    rendered = render_pages(agreement, [loaded.appendix for loaded in appendices])
    return finish_pdf(rendered, agreement, appendices)


def is_draft(agreement: Agreement) -> bool:
    """Return whether the agreement must carry the draft watermark."""
    return agreement.manifest.draft or any(d.draft for d in agreement.documents)


@functools.cache
def _register_fonts() -> None:
    """Load the fonts once per process: parsing the TTF files is the slow part."""
    faces = {FONT: "Regular", FONT_BOLD: "Bold",
             f"{FONT}-Italic": "Italic", f"{FONT}-BoldItalic": "BoldItalic"}
    # Binary Flate streams, not ASCII85 text: a quarter smaller and faster to write.
    # (A process-wide ReportLab setting; this module is the package's only ReportLab user.)
    rl_config.useA85 = 0
    for name, face in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"LiberationSerif-{face}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD,
                                  italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic")


class _Styles:
    """The paragraph styles of one layout: full width, or one of two columns."""

    def __init__(self, paired: bool) -> None:
        size = 9.5 if paired else 10.5
        lead = size * 1.32
        self.indent = 24.0 if paired else 34.0
        base = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=lead,
                              spaceAfter=size * 0.6, alignment=TA_LEFT,
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
                                      keepWithNext=1, alignment=TA_LEFT)
        self.plain_heading = ParagraphStyle("plain_heading", self.heading, leftIndent=0)
        self.title = ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=size + 7.5,
                                    leading=(size + 7.5) * 1.2, alignment=TA_CENTER, spaceAfter=size * 0.6)
        self.subtitle = ParagraphStyle("subtitle", base, alignment=TA_CENTER, spaceAfter=size * 1.6)
        self.small = ParagraphStyle("small", base, alignment=TA_LEFT, spaceAfter=0)
        self.cover = ParagraphStyle("cover", self.title, fontSize=20, leading=26, spaceAfter=10)


@functools.cache
def _styles(paired: bool) -> _Styles:
    return _Styles(paired)


def _markup(spans: Sequence[Span]) -> str:
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


class _Para(Paragraph):
    """A paragraph that breaks its lines once per width.

    Frames, KeepTogether and side-by-side pairs ask a paragraph for its size
    several times at the same width; line breaking is most of the build time.
    """

    _wrapped: tuple[float, Any, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        done = self._wrapped
        if done is not None and done[0] == availWidth and done[1] is getattr(self, "blPara", None):
            return availWidth, done[2]
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, getattr(self, "blPara", None), height)
        return width, height


class _Heading(_Para):
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


class _Pair(Flowable):
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
        return [_Pair(l0, r0), _Pair(l1 or Spacer(0, 0), r1 or Spacer(0, 0))]

    def getSpaceBefore(self) -> float:
        return float(max(self.left.getSpaceBefore(), self.right.getSpaceBefore()))

    def getSpaceAfter(self) -> float:
        return float(max(self.left.getSpaceAfter(), self.right.getSpaceAfter()))


class _Field(Flowable):
    """One signature field: an optional value above a rule, its label in small print below."""

    def __init__(self, value: str, label: str, room: float, size: float) -> None:
        super().__init__()
        self.value, self.label, self.room, self.size = value, label, room, size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.room + 3 + self.size
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        rule_y = self.size + 1
        if self.value:
            c.setFont(FONT, self.size)
            c.drawString(0, rule_y + self.size * 0.45, self.value)
        c.setLineWidth(0.5)
        c.line(0, rule_y, self.width, rule_y)
        c.setFont(FONT, self.size - 1)
        c.setFillColor(GREY)
        c.drawString(0, 1, self.label)


class _PagedCanvas(Canvas):
    """A canvas that holds pages back until the end, so the footer can say "X of Y".

    ``kinds`` is filled by the page templates ("body" or "cover"), one entry
    per page; only body pages get a footer and count towards Y.
    """

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None],
                 kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []
        self._footer = footer
        self._kinds = kinds

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = self._kinds.count("body")
        for index, state in enumerate(self._held):
            self.__dict__.update(state)
            if self._kinds[index] == "body":
                self._footer(self, index + 1, total)
            super().showPage()
        super().save()


def _draw_watermark(c: Canvas, alpha: float | None = None) -> None:
    """Draw the draft mark across the page: pale under the text, or translucent over it."""
    c.saveState()
    c.setFillColor(WATERMARK_GREY)
    if alpha is not None:
        c.setFillColor(Color(0.55, 0.55, 0.55))
        c.setFillAlpha(alpha)
    c.setFont(FONT_BOLD, 64)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(math.degrees(math.atan2(PAGE_H, PAGE_W)))  # along the page diagonal
    c.drawCentredString(0, -22, WATERMARK)
    c.restoreState()


def _fit_text(c: Canvas, text: str, size: float, width: float) -> float:
    """Return the largest font size up to ``size`` at which ``text`` fits ``width``."""
    natural = c.stringWidth(text, FONT, size)
    return size if natural <= width else size * width / natural


class _Builder:
    """Turns the documents of one agreement into flowables, noting outline marks."""

    def __init__(self, agreement: Agreement) -> None:
        self.docs = agreement.documents
        self.paired = len(self.docs) > 1
        self.st = _styles(self.paired)
        self.marks: dict[str, tuple[int, float]] = {}

    def _joined(self, texts: Sequence[str]) -> str:
        """Return the distinct non-empty texts joined with " / ": "Titel / Title"."""
        unique = list(dict.fromkeys(t for t in texts if t))
        return " / ".join(unique)

    def side_by_side(self, flowables: Sequence[Flowable], keep: bool = False) -> Flowable:
        """Return the flowables of one paragraph in each language: itself, or a pair."""
        if not self.paired:
            return flowables[0]
        return _Pair(flowables[0], flowables[1], keep_with_next=keep)

    def story(self, covers: Sequence[Appendix]) -> list[Flowable]:
        """Return the flowables of the agreement, then of a cover page per appendix in ``covers``."""
        st, docs, first = self.st, self.docs, self.docs[0]
        out: list[Flowable] = [self.side_by_side([_Para(escape(d.title), st.title) for d in docs])]
        if first.reference:
            out.append(self.side_by_side([_Para(escape(f"{d.labels.reference}: {d.reference}"),
                                                    st.subtitle) for d in docs]))
        for i in range(len(first.preamble)):
            out.extend(self._blocks([d.preamble[i] for d in docs], numbered=False))
        for c, clause in enumerate(first.clauses):
            key = f"clause:{clause.number}"
            out.append(self.side_by_side([
                _Heading(escape(d.clauses[c].title), st.heading, self.marks, key,
                         bulletText=d.clauses[c].number) for d in docs], keep=True))
            for b in range(len(clause.blocks)):
                out.extend(self._blocks([d.clauses[c].blocks[b] for d in docs], numbered=True))
        if first.appendices:
            out.append(self.side_by_side(
                [_Para(escape(d.labels.appendices), st.plain_heading) for d in docs], keep=True))
            for a, appendix in enumerate(first.appendices):
                key = f"appendix:{appendix.number}"
                out.append(self.side_by_side([
                    _Heading(escape(f"{d.appendices[a].label} – {d.appendices[a].title}"),
                             st.numbered, self.marks, key) for d in docs]))
        if first.signatures:
            # The signature page must carry agreement text, not stand alone: the last
            # paragraph, the appendix list and the signatures move to a new page together.
            tail = len(out) - 1 - (1 + len(first.appendices) if first.appendices else 0)
            for flowable in out[max(tail, 0):]:
                flowable.keepWithNext = 1
            out.extend(self._signatures())
        for appendix in covers:
            out += [NextPageTemplate("cover"), PageBreak(), *self.cover(appendix)]
        return out

    def _blocks(self, blocks: Sequence[Block], numbered: bool) -> list[Flowable]:
        """Return the flowables of one block given in every language."""
        st = self.st
        paragraphs = [b for b in blocks if isinstance(b, ModelParagraph)]
        if paragraphs:
            style = st.numbered if numbered else st.body
            return [self.side_by_side([_Para(_markup(p.spans), style, bulletText=p.number)
                                       for p in paragraphs])]
        lists = [b for b in blocks if isinstance(b, ItemList)]
        letter = lists[0].style == "letter"
        count = len(lists[0].items)
        out = []
        for i in range(count):
            if i < count - 1:
                style = st.letter if letter else st.bullet
            else:
                style = st.letter_end if letter else st.bullet_end
            out.append(self.side_by_side([_Para(_markup(lst.items[i].spans), style,
                                                    bulletText=lst.items[i].label or "•")
                                          for lst in lists]))
        return out

    def _signatures(self) -> list[Flowable]:
        """Return the signatures heading and a table of one block per party, two abreast."""
        st, docs = self.st, self.docs
        labels = [d.labels for d in docs]
        heading = _Para(escape(self._joined([lb.signatures for lb in labels])), st.plain_heading)
        size = st.body.fontSize
        cells: list[list[Flowable]] = []
        for s, sig in enumerate(docs[0].signatures):
            sigs = [d.signatures[s] for d in docs]
            place_date = self._joined([", ".join(t for t in (x.place, x.date) if t) for x in sigs])
            # Party and organisation number on one line, as the DOCX prints them.
            party = f"<b>{escape(sig.party)}</b>"
            if sig.orgnr:
                party += f" ({escape(sig.orgnr)})"
            cell: list[Flowable] = [_Para(party, st.small)]
            cell += [
                Spacer(0, size * 1.2),
                _Field(place_date, self._joined([lb.place_date for lb in labels]), size * 2.2, size),
                _Field("", self._joined([lb.signature for lb in labels]), size * 3.6, size),
                _Field(sig.signatory, self._joined([lb.name_clarification for lb in labels]), size * 2.2, size),
                _Field(self._joined([x.signatory_title for x in sigs]),
                       self._joined([lb.title for lb in labels]), size * 2.2, size),
            ]
            cells.append(cell)
        rows = [cells[i:i + 2] + [[]] * (2 - len(cells[i:i + 2])) for i in range(0, len(cells), 2)]
        table = Table(rows, colWidths=[TEXT_W / 2] * 2, style=TableStyle([
            # Cells name a font even when they hold only flowables; Helvetica would go unembedded.
            ("FONT", (0, 0), (-1, -1), FONT, size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), size * 1.5),
        ]))
        gap = Spacer(0, size)
        gap.keepWithNext = heading.keepWithNext = 1
        return [gap, heading, table]

    def cover(self, appendix: Appendix) -> list[Flowable]:
        """Return the flowables of an appendix's cover page: its name in every language."""
        st = self.st
        lines = [_Para(escape(f"{a.label} – {a.title}"), st.cover)
                 for d in self.docs for a in d.appendices if a.number == appendix.number]
        first = self.docs[0]
        under = self._joined([d.title for d in self.docs])
        if first.reference:
            under += f", {first.reference}"
        return [Spacer(0, PAGE_H * 0.28), *lines, Spacer(0, 8), _Para(escape(under), st.subtitle)]

    def header(self, c: Canvas) -> None:
        """Draw the page header: the title left, the reference right, a rule below."""
        c.saveState()
        c.setFillColor(GREY)
        first = self.docs[0]
        title = self._joined([d.title for d in self.docs])
        ref = first.reference
        y = PAGE_H - 15 * mm
        ref_w = c.stringWidth(ref, FONT, 8.5) if ref else 0
        c.setFont(FONT, _fit_text(c, title, 8.5, TEXT_W - ref_w - 10 * mm))
        c.drawString(MARGIN_X, y, title)
        if ref:
            c.setFont(FONT, 8.5)
            c.drawRightString(PAGE_W - MARGIN_X, y, ref)
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.line(MARGIN_X, y - 2.5 * mm, PAGE_W - MARGIN_X, y - 2.5 * mm)
        c.restoreState()

    def footer(self, c: Canvas, page: int, total: int) -> None:
        """Draw "Sida X av Y" (in each language) at the foot of an agreement page."""
        text = " / ".join(f"{d.labels.page} {page} {d.labels.of} {total}" for d in self.docs)
        c.saveState()
        c.setFillColor(GREY)
        c.setFont(FONT, 8.5)
        c.drawCentredString(PAGE_W / 2, 12 * mm, text)
        c.restoreState()

    def outline(self) -> tuple[tuple[OutlineMark, ...], tuple[tuple[int, OutlineMark], ...]]:
        """Return the outline marks of the clauses and of the appendices, as drawn."""
        first = self.docs[0]
        clauses = []
        for c, clause in enumerate(first.clauses):
            page, top = self.marks[f"clause:{clause.number}"]
            title = self._joined([d.clauses[c].title for d in self.docs])
            clauses.append(OutlineMark(f"{clause.number} {title}", page, top))
        appendices = []
        for a, appendix in enumerate(first.appendices):
            page, top = self.marks[f"appendix:{appendix.number}"]
            title = self._joined([d.appendices[a].title for d in self.docs])
            appendices.append((appendix.number, OutlineMark(f"{appendix.label} – {title}", page, top)))
        return tuple(clauses), tuple(appendices)


def render_pages(agreement: Agreement, covers: Sequence[Appendix] = ()) -> RenderedPdf:
    """Return the agreement pages drawn by ReportLab, one cover page per appendix in ``covers``."""
    _register_fonts()
    builder = _Builder(agreement)
    draft = is_draft(agreement)
    kinds: list[str] = []

    def on_body(c: Canvas, _doc: Any) -> None:
        kinds.append("body")
        if draft:
            _draw_watermark(c)
        builder.header(c)

    def on_cover(c: Canvas, _doc: Any) -> None:
        kinds.append("cover")
        if draft:
            _draw_watermark(c)

    buf = BytesIO()
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_W, TEXT_H,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="text")
    # The initial font is named in every page's preamble: ours, so no font is left unembedded.
    doc = BaseDocTemplate(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT,
                          leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                          bottomMargin=MARGIN_BOTTOM,
                          pageTemplates=[PageTemplate("body", [frame], onPage=on_body),
                                         PageTemplate("cover", [frame], onPage=on_cover)])
    doc.build(builder.story(covers),
              canvasmaker=functools.partial(_PagedCanvas, footer=builder.footer, kinds=kinds))
    clause_marks, appendix_marks = builder.outline()
    body = kinds.count("body")
    return RenderedPdf(
        data=buf.getvalue(), body_pages=body, clause_marks=clause_marks,
        appendix_marks=appendix_marks, covers=tuple(range(body, body + len(covers))),
        stamp=watermark_stamp() if draft and covers else None)


def render_covers(agreement: Agreement, covers: Sequence[Appendix]) -> bytes:
    """Return a PDF of the cover pages alone, one per appendix in ``covers``.

    For engines that draw the agreement pages elsewhere (LibreOffice).
    """
    _register_fonts()
    builder = _Builder(agreement)
    draft = is_draft(agreement)

    def on_cover(c: Canvas, _doc: Any) -> None:
        if draft:
            _draw_watermark(c)

    buf = BytesIO()
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_W, TEXT_H, id="text")
    doc = BaseDocTemplate(buf, pagesize=A4, invariant=1, initialFontName=FONT,
                          pageTemplates=[PageTemplate("cover", [frame], onPage=on_cover)])
    story: list[Flowable] = []
    for appendix in covers:
        story += [PageBreak()] if story else []
        story += builder.cover(appendix)
    doc.build(story)
    return buf.getvalue()


@functools.cache
def watermark_stamp() -> bytes:
    """Return a one-page A4 PDF with the draft watermark alone, to lay over appendix pages."""
    _register_fonts()
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, initialFontName=FONT)
    _draw_watermark(c, alpha=0.35)
    c.showPage()
    c.save()
    return buf.getvalue()
