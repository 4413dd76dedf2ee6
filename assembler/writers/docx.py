"""The DOCX writer: an agreement in the document model to the bytes of a Word file.

Content goes through python-docx's public API on top of the house template
(``resources/house.docx``, built by ``tools/make_house_template.py``) or the
unit's reference DOCX (:mod:`assembler.writers.docx_template`).  Clause and
sub-clause numbers are Word list numbering bound to the heading and
sub-clause styles, and every cross-reference is a ``REF`` field to a bookmark
on its target whose cached result is the number the layout stage computed:
the file opens showing exactly what the PDF shows, and Word renumbers and
updates the references after an edit.  A document whose numbers Word would
not count the same way (one read back from a file) keeps literal numbers.
Fields, bookmarks, numbering, the manifest part and languages come from
:mod:`assembler.oxml`.

The writer is a pure function: no clock, no files, no randomness; the same
agreement gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

from docx.section import Section
from docx.shared import Inches
from docx.text.paragraph import Paragraph as WordParagraph
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from assembler._dates import date_or_none, midnight_utc
from assembler.errors import RenderError
from assembler.manifest import manifest_to_json
from assembler.model import (
    Agreement,
    Block,
    Document,
    ItemList,
    Labels,
    Paragraph,
    Signature,
    Span,
)
from assembler.oxml import parts as ooxml
from assembler.oxml.fields import append_ref_field, append_run, bookmark_name, wrap_in_bookmark
from assembler.oxml.numbering import set_numbering
from assembler.oxml.package import package_bytes
from assembler.oxml.paragraph_xml import (
    RunSpec,
    Splices,
    paragraph_xml,
    parse_paragraphs,
    table_xml,
    written_as_is,
)
from assembler.writers.docx_memory import refs_key, remember_paragraph, written_paragraph
from assembler.writers.docx_properties import set_properties
from assembler.writers.docx_template import Prepared, embed_house_fonts, open_template

__all__ = ["write_docx"]


class _Row(NamedTuple):
    """One unit of text in a given style: a heading, a paragraph, a list item.

    A named tuple, not a dataclass: an agreement has a hundred-odd rows, each
    made and hashed (as the key of its remembered XML) once per build.

    ``num_id`` None leaves numbering to the style; 0 switches it off (the
    number is then the literal ``prefix``); another value numbers the
    paragraph from that list at ``level``.  ``bookmark`` names the bookmark
    around the paragraph, or around its first span alone with ``mark_first``.
    """

    style: str
    spans: tuple[Span, ...]
    prefix: str = ""  # a literal number or list label, followed by a tab
    num_id: int | None = None
    level: int | None = None
    bookmark: str = ""
    mark_first: bool = False
    keep_next: bool = False  # kept on the page of the next paragraph


@dataclass(frozen=True)
class _Column:
    """How one language's rows are written: its list, its bookmark names, whether Word numbers it."""

    num_id: int | None  # None: the style-bound list; else the list given to each paragraph
    suffix: str  # distinguishes the bookmarks of the two languages of a side-by-side table
    word_numbers: bool
    refs: dict[str, str]  # cross-reference target -> bookmark name
    marked: frozenset[str]  # targets that get a bookmark

    @property
    def fields(self) -> dict[str, str] | None:
        """Return the targets written as REF fields: none when Word does not print the numbers."""
        return self.refs if self.word_numbers else None


class _Writer:
    """Fills one python-docx document; style ids are looked up once per build."""

    def __init__(self, prepared: Prepared) -> None:
        self.document = prepared.document
        self.prepared = prepared
        self.style_ids = prepared.style_ids
        self.bookmarks = 0
        # python-docx's add_paragraph looks for the body's closing w:sectPr among all its children on every
        # call, which makes a long agreement quadratic; held here, each paragraph goes straight before it.
        self._body = self.document.element.body
        self._sect_pr = self._body.sectPr
        self._pending: list[tuple[_Row, dict[str, str] | None]] = []
        self.splices = Splices()  # the body's paragraphs, as text the document part's bytes take as is

    def fill(self, paragraph: WordParagraph, row: _Row, refs: dict[str, str] | None = None) -> None:
        """Give ``paragraph`` the row's style, numbering, runs, fields and bookmark."""
        p = paragraph.paragraph_format.element
        if row.style != "Normal":
            ooxml.set_paragraph_style(p, self.style_ids[row.style])
        if row.num_id is not None:
            set_numbering(p, row.num_id, row.level)
        for text, bold, italic, target in _runs(row):
            if target is not None and refs and target in refs:
                append_ref_field(p, refs[target], text, "\\h" if target.startswith("appendix:") else "\\r \\h",
                                 bold=bold, italic=italic)
                continue
            append_run(p, text, bold, italic)
        if row.keep_next:
            paragraph.paragraph_format.keep_with_next = True
        if row.bookmark:
            self.bookmarks += 1
            wrap_in_bookmark(p, self.bookmarks, row.bookmark, 0, 0 if row.mark_first else None)

    def _holds_sect_pr(self) -> bool:
        """Whether the body's closing section properties are the ones held (nothing has replaced them)."""
        return self._sect_pr is not None and self._sect_pr.getparent() is self._body

    def section(self) -> Section:
        """Return the document's one section: from the section properties held, not by searching the body."""
        if not self._holds_sect_pr():
            return self.document.sections[0]
        return Section(self._sect_pr, self.document.part)

    def add(self, row: _Row, refs: dict[str, str] | None = None) -> None:
        """Queue a paragraph for ``row`` at the end of the body; :meth:`flush` writes the queue."""
        self._pending.append((row, refs))

    def flush(self) -> None:
        """Write the queued paragraphs before the body's closing section properties, parsed at once."""
        rows, self._pending = self._pending, []
        if not self._holds_sect_pr():
            for row, refs in rows:
                self.fill(self.document.add_paragraph(), row, refs)
            return
        first = self.bookmarks
        made = [self._xml(row, refs) for row, refs in rows]
        if all(as_is for _, as_is in made):
            self.splices.hold(self._sect_pr, "".join(xml for xml, _ in made))
            return
        try:
            elements = parse_paragraphs([xml for xml, _ in made])
        except etree.XMLSyntaxError:  # text XML cannot carry: made element by element, which names it
            self.bookmarks = first
            for row, refs in rows:
                p = self._body._new_p()
                self._sect_pr.addprevious(p)
                self.fill(WordParagraph(p, self.document._body), row, refs)
            return
        for p in elements:
            self._sect_pr.addprevious(p)

    def _xml(self, row: _Row, refs: dict[str, str] | None) -> tuple[str, bool]:
        """Return the paragraph :meth:`fill` would make of ``row``, as XML text, and whether lxml would write
        that text as it is (both remembered: see docx_memory)."""
        bookmark = None
        if row.bookmark:
            self.bookmarks += 1
            bookmark = (self.bookmarks, row.bookmark, row.mark_first)
        style_id = "" if row.style == "Normal" else self.style_ids[row.style]
        key = (row, style_id, refs_key(refs), bookmark)
        made = written_paragraph(key)
        if made is None:
            runs = [RunSpec(text, bold, italic, refs[target] if target is not None and refs and target in refs else "",
                            "\\h" if target is not None and target.startswith("appendix:") else "\\r \\h")
                    for text, bold, italic, target in _runs(row)]
            xml = paragraph_xml(style_id, runs, num_id=row.num_id, level=row.level, keep_next=row.keep_next,
                                bookmark=bookmark)
            made = (xml, written_as_is(xml))
            remember_paragraph(key, *made)
        return made

    def paragraphs(self, rows: Sequence[_Row]) -> list[etree._Element] | None:
        """Return the ``w:p`` elements of ``rows`` (no cross-references), or None if text XML cannot carry is there."""
        first = self.bookmarks
        try:
            return parse_paragraphs([self._xml(row, None)[0] for row in rows])
        except etree.XMLSyntaxError:
            self.bookmarks = first
            return None

    def splice_table(self, cells: Sequence[Sequence[_Row]], style_id: str) -> bool:
        """Put a two-column table of ``cells`` before the section properties as text, as ``add_table`` and
        :meth:`paragraphs` make it; return False (and do nothing) if some paragraph's text must be parsed."""
        if not self._holds_sect_pr():
            return False
        made = [[self._xml(row, None) for row in rows] for rows in cells]
        if not all(as_is for cell in made for _, as_is in cell):
            return False
        section = self.section()  # the block width as python-docx's Document._block_width works it out
        width = (section.page_width or Inches(8.5)) - (section.left_margin or Inches(1)) \
            - (section.right_margin or Inches(1))
        self.splices.hold(self._sect_pr, table_xml((len(cells) + 1) // 2, 2, width, style_id,
                                                   ["".join(xml for xml, _ in cell) for cell in made]))
        return True


def _runs(row: _Row) -> list[tuple[str, bool, bool, str | None]]:
    """Return the row's runs as (text, bold, italic, cross-reference target or None).

    Neighbours of one look are merged (each run costs python-docx real time,
    and Word would merge them anyway), except cross-references, which become
    fields, and a first span that carries a bookmark of its own.
    """
    runs: list[tuple[str, bool, bool, str | None]] = [(row.prefix + "\t", False, False, None)] if row.prefix else []
    frozen = len(runs) + 1 if row.mark_first else 0  # runs that must stay whole
    for span in row.spans:
        if not span.text:
            continue
        target = span.target if span.kind == "ref" else None
        last = runs[-1] if len(runs) > frozen else None
        if last is not None and target is None and last[3] is None and last[1:3] == (span.bold, span.italic):
            runs[-1] = (last[0] + span.text, span.bold, span.italic, None)
        else:
            runs.append((span.text, span.bold, span.italic, target))
    return runs


def _text(text: str) -> tuple[Span, ...]:
    return (Span(text),)


def _numbered(col: _Column, style: str, spans: tuple[Span, ...], number: str, level: int,
              bookmark: str = "") -> _Row:
    """Return a heading or sub-clause row, numbered by Word or, failing that, literally."""
    if col.word_numbers:
        return _Row(style, spans, num_id=col.num_id, level=level, bookmark=bookmark)
    return _Row(style, spans, number, num_id=0, bookmark=bookmark)


def _block_rows(block: Block, text_style: str, col: _Column, clause_key: str = "") -> Iterator[_Row]:
    """Yield the rows of one block: a paragraph, or each item of a list."""
    if isinstance(block, Paragraph):
        if block.number:
            target = f"{clause_key}:{block.number.rsplit('.', 1)[-1]}"
            mark = col.refs[target] if target in col.marked else ""
            yield _numbered(col, "Sub-clause", block.spans, block.number, 1, mark)
        else:
            yield _Row(text_style, block.spans)
    elif isinstance(block, ItemList):
        style = "List Letter" if block.style == "letter" else "List Bullet"
        for item in block.items:
            yield _Row(style, item.spans, item.label if block.style == "letter" else "")


def _document_rows(doc: Document, col: _Column) -> Iterator[_Row]:
    """Yield the agreement text in reading order, from the title to the appendix list."""
    yield _Row("Title", _text(doc.title))
    if doc.reference:
        yield _Row("Subtitle", _text(f"{doc.labels.reference}: {doc.reference}"))
    for block in doc.preamble:
        yield from _block_rows(block, "Normal", col)
    for clause in doc.clauses:
        key = clause.id or clause.number
        yield _numbered(col, "Heading 1", _text(clause.title), clause.number, 0, col.refs[key])
        for block in clause.blocks:
            yield from _block_rows(block, "Sub-clause Body", col, key)
    if doc.appendices:
        yield _Row("Section Heading", _text(doc.labels.appendices))
        last = len(doc.appendices) - 1
        for i, appendix in enumerate(doc.appendices):
            # The list stays in one piece with its heading (which keeps with its next).
            target = f"appendix:{appendix.id}"
            yield _Row("Sub-clause Body", (Span(appendix.label), Span(f" \u2013 {appendix.title}")),
                       bookmark=col.refs[target] if target in col.marked else "", mark_first=True,
                       keep_next=i < last)


def _word_counts_alike(doc: Document) -> bool:
    """Return whether Word's list counters give exactly the layout's numbers.

    Headings count 1, 2 … and the numbered paragraphs of clause n count
    n.1, n.2 …; a document read back from a file may number otherwise.
    """
    if any(isinstance(b, Paragraph) and b.number for b in doc.preamble):
        return False
    for i, clause in enumerate(doc.clauses, start=1):
        if clause.number != str(i):
            return False
        numbers = [b.number for b in clause.blocks if isinstance(b, Paragraph) and b.number]
        if numbers != [f"{i}.{k}" for k in range(1, len(numbers) + 1)]:
            return False
    return True


def _ref_targets(doc: Document) -> set[str]:
    """Return every cross-reference target used in the document's text."""
    blocks = [*doc.preamble, *(b for c in doc.clauses for b in c.blocks)]
    spans = [s for b in blocks for s in (b.spans if isinstance(b, Paragraph)
                                         else tuple(x for i in b.items for x in i.spans))]
    return {s.target for s in spans if s.kind == "ref" and s.target}


def _column(doc: Document, num_id: int | None, suffix: str) -> _Column:
    """Return how to write ``doc``: every heading bookmarked, sub-clauses and appendices when referred to."""
    refs: dict[str, str] = {}
    for clause in doc.clauses:
        key = clause.id or clause.number
        refs[key] = bookmark_name(key, suffix)
        for block in clause.blocks:
            if isinstance(block, Paragraph) and block.number:
                sub = block.number.rsplit(".", 1)[-1]
                refs[f"{key}:{sub}"] = bookmark_name(key, sub, suffix)
    for appendix in doc.appendices:
        refs[f"appendix:{appendix.id}"] = bookmark_name("appendix", appendix.id or str(appendix.number), suffix)
    marked = frozenset(t for t in _ref_targets(doc) if t in refs)
    return _Column(num_id, suffix, _word_counts_alike(doc), refs, marked)


def _joined(values: Iterable[str]) -> str:
    """Return the distinct non-empty values joined with " / ", in order."""
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return " / ".join(seen)


def _merged_labels(docs: Sequence[Document]) -> Labels:
    """Return labels that read "Ort och datum / Place and date" across the languages."""
    return Labels(**{f.name: _joined(getattr(d.labels, f.name) for d in docs) for f in fields(Labels)})


def _merged_signatures(docs: Sequence[Document]) -> tuple[Signature, ...]:
    """Return one signature block per party, language-dependent words joined."""
    return tuple(
        Signature(**{f.name: _joined(getattr(s, f.name) for s in group) for f in fields(Signature)})
        for group in zip(*(d.signatures for d in docs))
    )


def _signature_rows(labels: Labels, sig: Signature) -> tuple[_Row, ...]:
    """Return the paragraphs of one party's signature block."""
    place_date = ", ".join(v for v in (sig.place, sig.date) if v)
    party = f"{sig.party} ({sig.orgnr})" if sig.orgnr else sig.party
    return (
        _Row("Signature Party", _text(party)),
        _Row("Signature Field", _text(place_date)),
        _Row("Signature Caption", _text(labels.place_date)),
        _Row("Signature Field", ()),
        _Row("Signature Caption", _text(labels.signature)),
        _Row("Signature Field", _text(sig.signatory)),
        _Row("Signature Caption", _text(labels.name_clarification)),
        _Row("Signature Field", _text(sig.signatory_title)),
        _Row("Signature Caption", _text(labels.title)),
    )


def _write_signatures(writer: _Writer, labels: Labels, signatures: Sequence[Signature]) -> None:
    """Write the signatures heading and one table, two party blocks side by side per row."""
    if not signatures:
        return
    writer.add(_Row("Section Heading", _text(labels.signatures)))
    writer.flush()
    blocks = [_signature_rows(labels, sig) for sig in signatures]
    style_id = writer.style_ids["Signature Table"]  # by id: the style is there (template check)
    if writer.splice_table(blocks, style_id):
        return
    table = writer.document.add_table(rows=(len(signatures) + 1) // 2, cols=2)
    table._tbl.tblStyle_val = style_id
    cells = [cell for row in table.rows for cell in row.cells]
    for cell, rows in zip(cells, blocks):
        elements = writer.paragraphs(rows)
        if elements is None:  # text XML cannot carry: made element by element, which names it
            writer.fill(cell.paragraphs[0], rows[0])
            for row in rows[1:]:
                writer.fill(cell.add_paragraph(), row)
            continue
        tc = cell._tc
        tc.remove(tc.p_lst[0])  # the cell's empty paragraph, in the place of the first filled one
        tc.extend(elements)


def _write_single(writer: _Writer, doc: Document) -> None:
    """Write one language as running text."""
    col = _column(doc, None, "")
    for row in _document_rows(doc, col):
        writer.add(row, col.fields)
    writer.flush()
    _write_signatures(writer, doc.labels, doc.signatures)


def _write_parallel(writer: _Writer, docs: Sequence[Document]) -> None:
    """Write two languages in one two-column table, aligned row by row; signatures once.

    The documents of an agreement share their structure, so their rows pair up.
    """
    cols = (_column(docs[0], None, docs[0].language), _column(docs[1], writer.prepared.num_ids[1], docs[1].language))
    left, right = list(_document_rows(docs[0], cols[0])), list(_document_rows(docs[1], cols[1]))
    if len(left) != len(right):
        raise RenderError("the two languages of a side-by-side agreement differ in structure", code="render.languages-differ")
    table = writer.document.add_table(rows=len(left), cols=2)
    table.style = writer.document.styles["Parallel Table"]
    ooxml.use_last_column_format(writer.document.element.body)
    for table_row, pair in zip(table.rows, zip(left, right)):
        for cell, row, col in zip(table_row.cells, pair, cols):
            writer.fill(cell.paragraphs[0], row, col.fields)
    _write_signatures(writer, _merged_labels(docs), _merged_signatures(docs))


def _write_header_footer(writer: _Writer, docs: Sequence[Document]) -> None:
    """Write the header (title, reference, draft mark) and the "Sida X av Y" footer.

    A reference DOCX's own header or footer is kept as it is; the draft mark
    is put above it all the same.
    """
    section = writer.section()
    header = section.header
    draft = _Row("Draft Mark", _text(_joined(d.labels.draft for d in docs)))
    is_draft = any(d.draft for d in docs)
    if not writer.prepared.own_header:
        if is_draft:
            writer.fill(header.paragraphs[0].insert_paragraph_before(), draft)
    else:
        paragraphs: list[_Row] = [draft] if is_draft else []
        title = _joined(d.title for d in docs)
        reference = _joined(d.reference for d in docs)
        paragraphs.append(_Row("Header", _text(f"{title}\t{reference}" if reference else title)))
        first = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        writer.fill(first, paragraphs[0])
        for row in paragraphs[1:]:
            writer.fill(header.add_paragraph(), row)
    if writer.prepared.own_footer:
        _write_footer(writer, section, docs)


def _write_footer(writer: _Writer, section: Section, docs: Sequence[Document]) -> None:
    """Write "Sida X av Y" (per language) into the footer's first paragraph."""
    footer_part = section.footer
    paragraphs = footer_part.paragraphs
    p = (paragraphs[0] if paragraphs else footer_part.add_paragraph()).paragraph_format.element
    if p.style != writer.style_ids["Footer"]:  # by id: looking a style up by name searches every style
        ooxml.set_paragraph_style(p, writer.style_ids["Footer"])
    for i, doc in enumerate(docs):
        append_run(p, f"{' / ' if i else ''}{doc.labels.page} ")
        ooxml.append_field(p, "PAGE")
        append_run(p, f" {doc.labels.of} ")
        ooxml.append_field(p, "NUMPAGES")


def write_docx(agreement: Agreement) -> bytes:
    """Return the bytes of a .docx file for ``agreement``, the same for the same input.

    One language is written as running text; two (``side_by_side``) as a
    two-column table, Swedish left and English right.  The manifest is
    embedded as a custom XML part that :func:`read_docx_manifest` reads back.
    """
    if not agreement.documents:
        raise RenderError("the agreement has no document to write", code="render.no-document")
    prepared = open_template(agreement.house_style, agreement.side_by_side)
    document = prepared.document
    writer = _Writer(prepared)
    docs = agreement.documents[:2] if agreement.side_by_side else agreement.documents[:1]
    if agreement.side_by_side:
        _write_parallel(writer, docs)
    else:
        _write_single(writer, docs[0])
    _write_header_footer(writer, docs)
    first = docs[0]
    date = (first.properties.date if first.properties else "") or agreement.manifest.assembled
    when = midnight_utc(date_or_none(date))
    set_properties(document, agreement, when)
    ooxml.add_manifest_part(document.part, manifest_to_json(agreement.manifest))
    embed_house_fonts(document, agreement.house_style, italic_text=writer.splices.contain("<w:i/>"))
    return package_bytes(document.part.package, when.date() if when else None,
                         spliced={document.part.partname: writer.splices.apply})
