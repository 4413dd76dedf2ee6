"""The DOCX writer: an agreement in the document model to the bytes of a Word file.

Content goes through python-docx's public API on top of the house template
(``resources/house.docx``, built by ``tools/make_house_template.py``), which
holds only the styles used here.  Numbers are literal text computed by the
layout stage, so what Word shows, what the PDF shows and what cross-references
say always agree.  Page fields, the manifest part and languages come from
:mod:`assembler.ooxml`.

The writer is a pure function: no clock, no files, no randomness; the same
agreement gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import docx
from docx.document import Document as WordDocument
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

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
    language_tag,
)
from assembler.oxml import parts as ooxml
from assembler.oxml.package import fixed_time_zip, house_template

__all__ = ["write_docx"]


# Zip entries carry a timestamp; python-docx stamps the current time.  We use
# the assembly date, or this when there is none (the earliest a zip can hold).


@dataclass(frozen=True)
class _Row:
    """One unit of text in a given style: a heading, a paragraph, a list item."""

    style: str
    spans: tuple[Span, ...]
    prefix: str = ""  # a literal number or list label, followed by a tab


class _Writer:
    """Fills one python-docx document; style ids are looked up once per build."""

    def __init__(self, document: WordDocument) -> None:
        self.document = document
        self.style_ids: dict[str, str] = {style.name: style.style_id for style in document.styles}

    def fill(self, paragraph: WordParagraph, row: _Row) -> None:
        """Give ``paragraph`` the row's style and runs."""
        if row.style != "Normal":
            ooxml.set_paragraph_style(paragraph.paragraph_format.element, self.style_ids[row.style])
        for text, bold, italic in _runs(row):
            run = paragraph.add_run()
            _put_text(run, text)
            if bold:
                run.bold = True
            if italic:
                run.italic = True

    def add(self, row: _Row) -> None:
        """Append a paragraph for ``row`` to the document body."""
        self.fill(self.document.add_paragraph(), row)


_BREAKS = re.compile(r"(\t|\r\n|\r|\n)")


def _put_text(run: Run, text: str) -> None:
    """Append ``text`` to ``run``, tabs and line breaks as Word tabs and breaks.

    ``Run.text`` does the same one character at a time in Python, which
    dominates the writer's time on long clauses.
    """
    if "\t" not in text and "\n" not in text and "\r" not in text:
        run.add_text(text)
        return
    for piece in _BREAKS.split(text):
        if piece == "\t":
            run.add_tab()
        elif piece in ("\r\n", "\r", "\n"):
            run.add_break()
        elif piece:
            run.add_text(piece)


def _runs(row: _Row) -> list[tuple[str, bool, bool]]:
    """Return the row's runs as (text, bold, italic), neighbours of one look merged.

    Each run costs python-docx real time, and Word would merge them anyway;
    terms and cross-references are plain text in Word.
    """
    runs: list[tuple[str, bool, bool]] = [(row.prefix + "\t", False, False)] if row.prefix else []
    for span in row.spans:
        if not span.text:
            continue
        if runs and runs[-1][1:] == (span.bold, span.italic):
            runs[-1] = (runs[-1][0] + span.text, span.bold, span.italic)
        else:
            runs.append((span.text, span.bold, span.italic))
    return runs


def _text(text: str) -> tuple[Span, ...]:
    return (Span(text),)


def _block_rows(block: Block, text_style: str) -> Iterator[_Row]:
    """Yield the rows of one block: a paragraph, or each item of a list."""
    if isinstance(block, Paragraph):
        if block.number:
            yield _Row("Sub-clause", block.spans, block.number)
        else:
            yield _Row(text_style, block.spans)
    elif isinstance(block, ItemList):
        style = "List Letter" if block.style == "letter" else "List Bullet"
        for item in block.items:
            yield _Row(style, item.spans, item.label if block.style == "letter" else "")


def _document_rows(doc: Document) -> Iterator[_Row]:
    """Yield the agreement text in reading order, from the title to the appendix list."""
    yield _Row("Title", _text(doc.title))
    if doc.reference:
        yield _Row("Subtitle", _text(f"{doc.labels.reference}: {doc.reference}"))
    for block in doc.preamble:
        yield from _block_rows(block, "Normal")
    for clause in doc.clauses:
        yield _Row("Heading 1", _text(clause.title), clause.number)
        for block in clause.blocks:
            yield from _block_rows(block, "Sub-clause Body")
    if doc.appendices:
        yield _Row("Section Heading", _text(doc.labels.appendices))
        for appendix in doc.appendices:
            yield _Row("Sub-clause Body", _text(f"{appendix.label} \u2013 {appendix.title}"))


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


def _write_signatures(writer: _Writer, labels: Labels, signatures: Sequence[Signature]) -> None:
    """Write the signatures heading and one table, two party blocks side by side per row."""
    if not signatures:
        return
    writer.add(_Row("Section Heading", _text(labels.signatures)))
    document = writer.document
    table = document.add_table(rows=(len(signatures) + 1) // 2, cols=2)
    table.style = document.styles["Signature Table"]
    cells = [cell for row in table.rows for cell in row.cells]
    for cell, sig in zip(cells, signatures):
        place_date = ", ".join(v for v in (sig.place, sig.date) if v)
        party = f"{sig.party} ({sig.orgnr})" if sig.orgnr else sig.party
        rows = (
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
        writer.fill(cell.paragraphs[0], rows[0])
        for row in rows[1:]:
            writer.fill(cell.add_paragraph(), row)


def _write_single(writer: _Writer, doc: Document) -> None:
    """Write one language as running text."""
    for row in _document_rows(doc):
        writer.add(row)
    _write_signatures(writer, doc.labels, doc.signatures)


def _write_parallel(writer: _Writer, docs: Sequence[Document]) -> None:
    """Write two languages in one two-column table, aligned row by row; signatures once.

    The documents of an agreement share their structure, so their rows pair up.
    """
    left, right = list(_document_rows(docs[0])), list(_document_rows(docs[1]))
    if len(left) != len(right):
        raise RenderError("the two languages of a side-by-side agreement differ in structure", code="render.languages-differ")
    table = writer.document.add_table(rows=len(left), cols=2)
    table.style = writer.document.styles["Parallel Table"]
    ooxml.use_last_column_format(writer.document.element.body)
    for table_row, pair in zip(table.rows, zip(left, right)):
        for cell, row in zip(table_row.cells, pair):
            writer.fill(cell.paragraphs[0], row)
    _write_signatures(writer, _merged_labels(docs), _merged_signatures(docs))


def _write_header_footer(writer: _Writer, docs: Sequence[Document]) -> None:
    """Write the header (title, reference, draft mark) and the "Sida X av Y" footer."""
    section = writer.document.sections[0]
    header = section.header
    paragraphs: list[_Row] = []
    if any(d.draft for d in docs):
        paragraphs.append(_Row("Draft Mark", _text(_joined(d.labels.draft for d in docs))))
    title = _joined(d.title for d in docs)
    reference = _joined(d.reference for d in docs)
    paragraphs.append(_Row("Header", _text(f"{title}\t{reference}" if reference else title)))
    writer.fill(header.paragraphs[0], paragraphs[0])
    for row in paragraphs[1:]:
        writer.fill(header.add_paragraph(), row)

    footer = section.footer.paragraphs[0]  # the template's empty "Footer" paragraph
    for i, doc in enumerate(docs):
        _put_text(footer.add_run(), f"{' / ' if i else ''}{doc.labels.page} ")
        ooxml.append_field(footer.paragraph_format.element, "PAGE")
        _put_text(footer.add_run(), f" {doc.labels.of} ")
        ooxml.append_field(footer.paragraph_format.element, "NUMPAGES")


def _language_tag(doc: Document) -> str:
    if doc.properties and doc.properties.language:
        return doc.properties.language
    return language_tag(doc.language)


def _set_properties(document: WordDocument, agreement: Agreement, when: datetime | None) -> None:
    """Set core properties and the default language from the first document."""
    doc = agreement.documents[0]
    props = doc.properties
    core = document.core_properties
    core.title = props.title if props else doc.title
    if props:
        core.subject = props.subject
        core.keywords = ", ".join(props.keywords)
        core.author = props.author
        core.comments = props.comments
        core.last_modified_by = props.author
    lang = _language_tag(doc)
    core.language = lang
    core.revision = 1
    if when is not None:
        core.created = when
        core.modified = when
    ooxml.set_default_language(document.styles.element, lang)
    ooxml.set_theme_language(document.settings.element, lang)
    if agreement.side_by_side:
        ooxml.set_last_column_language(document.styles["Parallel Table"].element,
                                       _language_tag(agreement.documents[1]))


def write_docx(agreement: Agreement) -> bytes:
    """Return the bytes of a .docx file for ``agreement``, the same for the same input.

    One language is written as running text; two (``side_by_side``) as a
    two-column table, Swedish left and English right.  The manifest is
    embedded as a custom XML part that :func:`read_docx_manifest` reads back.
    """
    if not agreement.documents:
        raise RenderError("the agreement has no document to write", code="render.no-document")
    document = docx.Document(io.BytesIO(house_template()))
    writer = _Writer(document)
    docs = agreement.documents[:2] if agreement.side_by_side else agreement.documents[:1]
    if agreement.side_by_side:
        _write_parallel(writer, docs)
    else:
        _write_single(writer, docs[0])
    _write_header_footer(writer, docs)
    first = docs[0]
    date = (first.properties.date if first.properties else "") or agreement.manifest.assembled
    when = midnight_utc(date_or_none(date))
    _set_properties(document, agreement, when)
    ooxml.add_manifest_part(document.part, manifest_to_json(agreement.manifest))
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_time_zip(buffer.getvalue(), when.date() if when else None)
