"""Write an agreement as PDF: ReportLab (platypus) draws the pages from the model.

The layout follows the DOCX: a heading block with title and reference,
numbered clauses ("3  Title") with hanging sub-clause numbers ("3.1"),
lettered and bulleted lists, the appendix list and one signature block per
party; a header with the title and reference and a footer "Sida X av Y" on
every agreement page; A4.  ``sv+en`` puts the languages side by side,
Swedish left, paragraph beside paragraph.  The text is set in Liberation
Serif, shipped in ``resources/fonts`` and embedded as subsets.

:func:`write_pdf` then hands the pages to :mod:`assembler.writers.pdf_finish`, which
merges appendix PDFs, adds outline, metadata and the manifest.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from assembler.model import Agreement, Appendix, Block, ItemList
from assembler.model import Paragraph as ModelParagraph
from assembler.writers.pdf_archive import is_pdf_a
from assembler.writers.pdf_finish import PRODUCER, OutlineMark, RenderedPdf, finish_pdf, load_appendices
from assembler.writers.pdf_look import Look, draw_logo, look_for
from assembler.writers.pdf_meta import CanvasFinish
from assembler.writers.pdf_para import word_widths
from assembler.writers.pdf_style import (
    FONT,
    GREY,
    PAGE_H,
    PAGE_W,
    Field,
    Heading,
    PagedCanvas,
    Pair,
    Para,
    TextFrame,
    draw_watermark,
    fit_text,
    markup,
    register_fonts,
    styles,
)
from assembler.writers.pdf_tags import artifact, tagger_for


def write_pdf(agreement: Agreement) -> bytes:
    """Return the agreement as PDF bytes, with its appendix files merged after it.

    The appendix files are the bytes the agreement carries
    (``Agreement.appendix_files``); nothing is read from or written to disk.
    Raise :class:`assembler.errors.AppendixError` naming the file if one is
    not a PDF, encrypted or corrupt.
    """
    appendices = load_appendices(agreement)
    if not appendices and not is_pdf_a(agreement):
        # Nothing to merge and no output intent: ReportLab writes the finished file in one pass.
        return render_pages(agreement, finish=True).data
    rendered = render_pages(agreement, [loaded.appendix for loaded in appendices])
    return finish_pdf(rendered, agreement, appendices)


def is_draft(agreement: Agreement) -> bool:
    """Return whether the agreement must carry the draft watermark."""
    return agreement.manifest.draft or any(d.draft for d in agreement.documents)


class _Builder:
    """Turns the documents of one agreement into flowables, noting outline marks."""

    def __init__(self, agreement: Agreement, look: Look) -> None:
        self.docs = agreement.documents
        self.paired = len(self.docs) > 1
        self.look = look
        self.st = styles(self.paired, look.font, look.font_bold, look.heading_colour, look.text_colour)
        self.marks: dict[str, tuple[int, float]] = {}

    def _joined(self, texts: Sequence[str]) -> str:
        """Return the distinct non-empty texts joined with " / ": "Titel / Title"."""
        unique = list(dict.fromkeys(t for t in texts if t))
        return " / ".join(unique)

    def side_by_side(self, flowables: Sequence[Flowable], keep: bool = False) -> Flowable:
        """Return the flowables of one paragraph in each language: itself, or a pair."""
        if not self.paired:
            if keep:
                flowables[0].keepWithNext = 1
            return flowables[0]
        return Pair(flowables[0], flowables[1], keep_with_next=keep)

    def story(self, covers: Sequence[Appendix]) -> list[Flowable]:
        """Return the flowables of the agreement, then of a cover page per appendix in ``covers``."""
        st, docs, first = self.st, self.docs, self.docs[0]
        out: list[Flowable] = [self.side_by_side([Para(escape(d.title), st.title) for d in docs])]
        if first.reference:
            out.append(self.side_by_side([Para(escape(f"{d.labels.reference}: {d.reference}"),
                                                    st.subtitle) for d in docs]))
        for i in range(len(first.preamble)):
            out.extend(self._blocks([d.preamble[i] for d in docs], numbered=False))
        for c, clause in enumerate(first.clauses):
            key = f"clause:{clause.number}"
            out.append(self.side_by_side([
                Heading(escape(d.clauses[c].title), st.heading, self.marks, key,
                         bulletText=d.clauses[c].number) for d in docs], keep=True))
            for b in range(len(clause.blocks)):
                out.extend(self._blocks([d.clauses[c].blocks[b] for d in docs], numbered=True))
        if first.appendices:
            out.append(self.side_by_side(
                [Para(escape(d.labels.appendices), st.plain_heading) for d in docs], keep=True))
            for a, appendix in enumerate(first.appendices):
                key = f"appendix:{appendix.number}"
                # The list never splits from its heading: each entry keeps with the next.
                out.append(self.side_by_side([
                    Heading(escape(f"{d.appendices[a].label} – {d.appendices[a].title}"),
                            st.numbered, self.marks, key) for d in docs],
                    keep=a < len(first.appendices) - 1))
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
            return [self.side_by_side([Para(markup(p.spans), style, bulletText=p.number)
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
            out.append(self.side_by_side([Para(markup(lst.items[i].spans), style,
                                                    bulletText=lst.items[i].label or "•")
                                          for lst in lists]))
        return out

    def _signatures(self) -> list[Flowable]:
        """Return the signatures heading and a table of one block per party, two abreast."""
        st, docs = self.st, self.docs
        labels = [d.labels for d in docs]
        heading = Para(escape(self._joined([lb.signatures for lb in labels])), st.plain_heading)
        size = st.body.fontSize
        font = self.look.font
        cells: list[list[Flowable]] = []
        for s, sig in enumerate(docs[0].signatures):
            sigs = [d.signatures[s] for d in docs]
            # Place and date joined field by field, as the DOCX does: "Göteborg, 2 mars 2026 / 2 March 2026".
            place_date = ", ".join(t for t in (self._joined([x.place for x in sigs]),
                                               self._joined([x.date for x in sigs])) if t)
            # Party and organisation number on one line, as the DOCX prints them.
            party = f"<b>{escape(sig.party)}</b>"
            if sig.orgnr:
                party += f" ({escape(sig.orgnr)})"
            cell: list[Flowable] = [Para(party, st.small)]
            cell += [
                Spacer(0, size * 1.2),
                Field(place_date, self._joined([lb.place_date for lb in labels]), size * 2.2, size, font),
                Field("", self._joined([lb.signature for lb in labels]), size * 3.6, size, font),
                Field(sig.signatory, self._joined([lb.name_clarification for lb in labels]), size * 2.2, size, font),
                Field(self._joined([x.signatory_title for x in sigs]),
                       self._joined([lb.title for lb in labels]), size * 2.2, size, font),
            ]
            cells.append(cell)
        rows = [cells[i:i + 2] + [[]] * (2 - len(cells[i:i + 2])) for i in range(0, len(cells), 2)]
        table = Table(rows, colWidths=[self.look.text_width / 2] * 2, style=TableStyle([
            # Cells name a font even when they hold only flowables; Helvetica would go unembedded.
            ("FONT", (0, 0), (-1, -1), font, size),
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
        lines = [Para(escape(f"{a.label} – {a.title}"), st.cover)
                 for d in self.docs for a in d.appendices if a.number == appendix.number]
        first = self.docs[0]
        under = self._joined([d.title for d in self.docs])
        if first.reference:
            under += f", {first.reference}"
        return [Spacer(0, PAGE_H * 0.28), *lines, Spacer(0, 8), Para(escape(under), st.subtitle)]

    def header(self, c: Canvas) -> None:
        """Draw the page header: the title left, the reference right, a rule below."""
        look = self.look
        c.saveState()
        first = self.docs[0]
        title = self._joined([d.title for d in self.docs])
        ref = first.reference
        y = PAGE_H - look.top + 12 * mm  # 12 mm above the text (15 mm below the page top by default)
        if not look.logo_first_page or c.getPageNumber() == 1:
            draw_logo(c, look, y)
        c.setFillColor(GREY)
        ref_w = c.stringWidth(ref, look.font, 8.5) if ref else 0
        c.setFont(look.font, fit_text(c, title, 8.5, look.text_width - ref_w - 10 * mm, look.font))
        c.drawString(look.left, y, title)
        if ref:
            c.setFont(look.font, 8.5)
            c.drawRightString(PAGE_W - look.right, y, ref)
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.line(look.left, y - 2.5 * mm, PAGE_W - look.right, y - 2.5 * mm)
        c.restoreState()

    def footer(self, c: Canvas, page: int, total: int) -> None:
        """Draw "Sida X av Y" (in each language) at the foot of an agreement page."""
        text = " / ".join(f"{d.labels.page} {page} {d.labels.of} {total}" for d in self.docs)
        c.saveState()
        c.setFillColor(GREY)
        c.setFont(self.look.font, 8.5)
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


def render_pages(agreement: Agreement, covers: Sequence[Appendix] = (), finish: bool = False) -> RenderedPdf:
    """Return the agreement pages drawn by ReportLab, one cover page per appendix in ``covers``.

    With ``finish`` (no covers), the data is the finished PDF: outline, labels, metadata and manifest included.
    """
    look = look_for(agreement.house_style)
    builder = _Builder(agreement, look)
    draft = is_draft(agreement)
    kinds: list[str] = []
    tagger = tagger_for(agreement)  # PDF/A is tagged: marked content, structure tree

    def on_body(c: Canvas, _doc: Any) -> None:
        kinds.append("body")
        if draft:
            with artifact(tagger, c, "Watermark"):
                draw_watermark(c, font_bold=look.font_bold)
        with artifact(tagger, c, "Header"):
            builder.header(c)

    def on_cover(c: Canvas, _doc: Any) -> None:
        kinds.append("cover")
        if draft:
            with artifact(tagger, c, "Watermark"):
                draw_watermark(c, font_bold=look.font_bold)

    buf = BytesIO()
    frame = (tagger.frame if tagger else TextFrame)(look.left, look.bottom, look.text_width, look.text_height,
                                                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
                                                     id="text")
    story = builder.story(covers)
    if tagger:
        tagger.tag_story(story)
    # The initial font is named in every page's preamble: ours, so no font is left unembedded.
    doc = BaseDocTemplate(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=look.font,
                          leftMargin=look.left, rightMargin=look.right, topMargin=look.top,
                          bottomMargin=look.bottom,
                          pageTemplates=[PageTemplate("body", [frame], onPage=on_body),
                                         PageTemplate("cover", [frame], onPage=on_cover)])
    finisher = CanvasFinish(agreement, lambda: _flat_marks(builder), PRODUCER) if finish else None
    with word_widths():
        doc.build(story, canvasmaker=functools.partial(
            PagedCanvas, footer=tagger.footer(builder.footer) if tagger else builder.footer, kinds=kinds,
            finish=finisher))
    clause_marks, appendix_marks = builder.outline()
    body = kinds.count("body")
    return RenderedPdf(
        data=buf.getvalue(), body_pages=body, clause_marks=clause_marks,
        appendix_marks=appendix_marks, covers=tuple(range(body, body + len(covers))),
        stamp=watermark_stamp(opaque=is_pdf_a(agreement)) if draft and covers else None,
        tags=tagger.tree() if tagger else None)


def _flat_marks(builder: _Builder) -> list[tuple[str, int, float | None]]:
    """Return the outline entries in order: the clauses, then the appendices by number."""
    clause_marks, appendix_marks = builder.outline()
    marks = list(clause_marks) + [mark for _number, mark in sorted(appendix_marks, key=lambda m: m[0])]
    return [(m.title, m.page, m.top) for m in marks]


def render_covers(agreement: Agreement, covers: Sequence[Appendix]) -> bytes:
    """Return a PDF of the cover pages alone, one per appendix in ``covers``.

    For engines that draw the agreement pages elsewhere (LibreOffice).
    """
    look = look_for(agreement.house_style)
    builder = _Builder(agreement, look)
    draft = is_draft(agreement)

    def on_cover(c: Canvas, _doc: Any) -> None:
        if draft:
            draw_watermark(c, font_bold=look.font_bold)

    buf = BytesIO()
    frame = Frame(look.left, look.bottom, look.text_width, look.text_height, id="text")
    doc = BaseDocTemplate(buf, pagesize=A4, invariant=1, initialFontName=look.font,
                          pageTemplates=[PageTemplate("cover", [frame], onPage=on_cover)])
    story: list[Flowable] = []
    for appendix in covers:
        story += [PageBreak()] if story else []
        story += builder.cover(appendix)
    doc.build(story)
    return buf.getvalue()


@functools.cache
def watermark_stamp(opaque: bool = False) -> bytes:
    """Return a one-page A4 PDF with the draft watermark alone, to lay over appendix pages.

    PDF/A forbids transparency: ``opaque`` draws the mark pale and solid, to be
    laid under the appendix page instead of over it.
    """
    register_fonts()
    buf = BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, initialFontName=FONT)
    draw_watermark(c, alpha=None if opaque else 0.35)
    c.showPage()
    c.save()
    return buf.getvalue()
