"""Reading our own layouts back into the document model.

Every reader (DOCX, PDF, Markdown, plain text) first turns its format into a
flat list of :class:`Line`\\ s, each with a *role* that says what our writers
made it (title, clause heading, numbered sub-clause, list item, signature
field …); :func:`build_document` then rebuilds one :class:`Document` from
those, the same way for every format, so that two formats of one agreement
give the same model.  The Markdown and text readers sit beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from assembler.model import (
    Appendix,
    Block,
    Clause,
    Document,
    ItemList,
    Labels,
    ListItem,
    Paragraph,
    Signature,
    Span,
)

Role = Literal["title", "subtitle", "draft", "heading", "section", "paragraph", "numbered",
               "letter", "bullet", "sig-party", "sig-field", "sig-caption"]

NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)+)\.?(?:\t| +)(.*)$", re.DOTALL)
HEADING_RE = re.compile(r"^(\d+)\.?(?:\t| +)(.+)$", re.DOTALL)
LETTER_RE = re.compile(r"^(\([a-zåäö]{1,3}\))(?:\t| +)(.*)$", re.DOTALL)
APPENDIX_RE = re.compile(r"^(.+?\s\d+)\s+[\u2013\u2014-]\s+(.+)$")
PARTY_RE = re.compile(r"^(.*?)\s*\(([^()]*\d[^()]*)\)$")
REFERENCE_RE = re.compile(r"^([^:\n]{1,40}):\s+(\S.*)$")


@dataclass(frozen=True)
class Line:
    """One paragraph of a read layout, with the role our writers gave it.

    ``label`` is the number or letter printed before the text ("3", "3.1",
    "(a)"), already split off.
    """

    role: Role
    spans: tuple[Span, ...]
    label: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


def split_label(role: Role, spans: tuple[Span, ...]) -> Line:
    """Return a line with its printed number or letter split from the text.

    A paragraph "3.1<TAB>text" becomes a numbered line, "(a)<TAB>text" a
    lettered item; a heading "3<TAB>Title" gets its number as label.
    """
    text = "".join(s.text for s in spans)
    patterns: tuple[tuple[re.Pattern[str], Role], ...]
    if role == "heading":
        patterns = ((HEADING_RE, "heading"),)
    elif role in ("paragraph", "numbered"):
        patterns = ((NUMBER_RE, "numbered"), (LETTER_RE, "letter"))
    elif role == "letter":
        patterns = ((LETTER_RE, "letter"),)
    else:
        return Line(role, spans)
    for pattern, new_role in patterns:
        m = pattern.match(text)
        if m:
            return Line(new_role, drop_prefix(spans, len(text) - len(m.group(2))), m.group(1))
    return Line(role, spans)


def drop_prefix(spans: tuple[Span, ...], count: int) -> tuple[Span, ...]:
    """Return spans without their first ``count`` characters."""
    out: list[Span] = []
    for span in spans:
        if count >= len(span.text):
            count -= len(span.text)
            continue
        out.append(replace(span, text=span.text[count:]) if count else span)
        count = 0
    return tuple(out)


def plain(text: str) -> tuple[Span, ...]:
    """Return text as one plain span (none for an empty text)."""
    return (Span(text),) if text else ()


class _Builder:
    """Rebuilds a document from lines; see :func:`build_document`."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.title = ""
        self.reference = ""
        self.draft = False
        self.labels: dict[str, str] = {}
        self.preamble: list[Block] = []
        self.clauses: list[Clause] = []
        self.appendices: list[Appendix] = []
        self.signatures: list[Signature] = []
        self.blocks: list[Block] = self.preamble
        self.section = ""  # "", "appendices", "signatures"
        self.pending_heading = ""
        self.sig: dict[str, str] = {}
        self.sig_values: list[str] = []
        self.captions: list[str] = []
        self._value = ""  # a signature field's value, waiting for its caption

    def add(self, line: Line) -> None:
        role = line.role
        if role == "title" and not self.title:
            self.title = line.text.strip()
        elif role == "draft":
            self.draft = True
        elif role == "subtitle" and not self.reference:
            m = REFERENCE_RE.match(line.text.strip())
            if m:
                self.labels["reference"], self.reference = m.group(1), m.group(2)
            else:
                self.reference = line.text.strip()
        elif role == "heading":
            self._end_signature()
            if self.section == "pending":
                self.clauses.append(Clause("", self.pending_heading, ()))  # a heading over headings
            self.section = ""
            self.clauses.append(Clause(line.label, line.text.strip(), ()))
            self.blocks = []
        elif role == "section":
            self._section(line.text.strip())
        elif self.section == "signatures" or role.startswith("sig-"):
            self._signature_line(line)
        elif self.section == "appendices" and APPENDIX_RE.match(line.text.strip()):
            m = APPENDIX_RE.match(line.text.strip())
            assert m is not None
            self.appendices.append(Appendix(len(self.appendices) + 1, m.group(1), m.group(2)))
        else:
            self._block(line)

    def _section(self, text: str) -> None:
        self._flush_clause()
        self._end_signature()
        if self.section == "pending":
            # Two unnumbered headings in a row: the first one heads an empty
            # section; it must not swallow what follows the second.
            self.clauses.append(Clause("", self.pending_heading, ()))
        self.blocks = []
        # An appendix list, a signature block or an ordinary section: which
        # one shows in the next line (an appendix line, a signature line with
        # its own role, or anything else), never in the heading alone.
        self.section = "pending"
        self.pending_heading = text

    def _block(self, line: Line) -> None:
        if self.section == "pending":
            if APPENDIX_RE.match(line.text.strip()):
                self.section = "appendices"
                self.labels["appendices"] = self.pending_heading
                self.add(line)
                return
            self.section = ""
            self.clauses.append(Clause("", self.pending_heading, ()))
            self.blocks = []
        if line.role in ("letter", "bullet"):
            style: Literal["bullet", "letter"] = "letter" if line.role == "letter" else "bullet"
            item = ListItem(strip_spans(line.spans), line.label if style == "letter" else "")
            last = self.blocks[-1] if self.blocks else None
            if isinstance(last, ItemList) and last.style == style:
                self.blocks[-1] = ItemList(last.items + (item,), style)
            else:
                self.blocks.append(ItemList((item,), style))
        else:
            self.blocks.append(Paragraph(strip_spans(line.spans), line.label or None))
        self._flush_clause()

    def _flush_clause(self) -> None:
        # Not while a heading waits to be placed: its (still empty) blocks
        # would overwrite the body of the clause before it.
        if self.clauses and self.blocks is not self.preamble and self.section == "":
            self.clauses[-1] = replace(self.clauses[-1], blocks=tuple(self.blocks))

    def _signature_line(self, line: Line) -> None:
        if self.section == "pending":
            self.section = "signatures"
            self.labels["signatures"] = self.pending_heading
        text = line.text.strip()
        if line.role == "sig-caption":
            self.captions.append(text)
            self.sig_values.append(self._value)
            self._value = ""
            if len(self.sig_values) == 4:
                self._end_signature()
        elif line.role == "sig-party" or not self.sig:
            self._end_signature()
            m = PARTY_RE.match(text)
            self.sig = {"party": m.group(1) if m else text, "orgnr": m.group(2) if m else ""}
            self._value = ""
        else:
            self._value = f"{self._value} {text}".strip()

    def _end_signature(self) -> None:
        if not self.sig:
            return
        values = (self.sig_values + ["", "", "", ""])[:4]
        place, _, date = values[0].partition(", ")
        self.signatures.append(Signature(self.sig["party"], self.sig["orgnr"], values[2], values[3],
                                         place, date))
        if len(self.captions) >= 4:
            for key, caption in zip(("place_date", "signature", "name_clarification", "title"),
                                    self.captions):
                self.labels.setdefault(key, caption)
        self.sig, self.sig_values, self.captions = {}, [], []

    def document(self) -> Document:
        self._end_signature()
        if self.section == "pending":
            self.clauses.append(Clause("", self.pending_heading, ()))
        return Document(language=self.language, title=self.title, clauses=tuple(self.clauses),
                        reference=self.reference, preamble=tuple(self.preamble),
                        appendices=tuple(self.appendices), signatures=tuple(self.signatures),
                        labels=replace(Labels(), **self.labels), draft=self.draft)


def strip_spans(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    """Return spans with the outer whitespace of the whole run removed, empties dropped."""
    out = [s for s in spans if s.text]
    while out and not out[0].text.strip():
        out.pop(0)
    while out and not out[-1].text.strip():
        out.pop()
    if out:
        out[0] = replace(out[0], text=out[0].text.lstrip())
        out[-1] = replace(out[-1], text=out[-1].text.rstrip())
    return tuple(out)


def build_document(lines: Sequence[Line], language: str = "") -> Document:
    """Return the document a sequence of read lines describes.

    Ids and versions stay empty: a layout does not know them (a manifest
    does, see :func:`assembler.comparison.attach_manifest`).
    """
    builder = _Builder(language)
    for line in lines:
        builder.add(line)
    return builder.document()


# --------------------------------------------------------------------------
# Markdown and plain text


DRAFT_WORDS = {"UTKAST", "DRAFT", "UTKAST / DRAFT"}
FIELD_RE = re.compile(r"^([^:]{1,40}):\s*(.*)$")


def back_matter(lines: list[Line]) -> list[Line]:
    """Return lines with the signature blocks after an unnumbered heading recognised.

    Markdown and text print each field as "Caption: value"; the builder
    expects the value, then the caption, as DOCX and PDF give them.
    """
    out: list[Line] = []
    mode = ""
    for k, line in enumerate(lines):
        if line.role == "section":
            following = lines[k + 1].text if k + 1 < len(lines) else ""
            mode = "appendices" if APPENDIX_RE.match(following) else (
                "signatures" if _signature_block_follows(lines, k + 1) else "")
        elif line.role == "heading":
            mode = ""
        elif mode == "signatures":
            text = line.text.strip()
            field = FIELD_RE.match(text)
            if field is None:
                out.append(Line("sig-party" if PARTY_RE.match(text) else "sig-field", line.spans))
                continue
            value = field.group(2).strip("_ ").strip()
            if value:
                out.append(Line("sig-field", plain(value)))
            out.append(Line("sig-caption", plain(field.group(1))))
            continue
        out.append(line)
    return out


# The captions our writers print under each signature field, in every
# language the library has; a block that shows none of them is not ours.
SIGNATURE_CAPTIONS = frozenset({
    "place and date", "signature", "name in print", "title",
    "ort och datum", "namnteckning", "namnförtydligande", "titel",
})


def is_signature_caption(text: str) -> bool:
    """Return whether ``text`` is a caption of our signature block ("Ort och datum", "Titel / Title")."""
    parts = [p.strip().casefold() for p in text.split(" / ")]
    return bool(parts) and all(p in SIGNATURE_CAPTIONS for p in parts)


def _signature_block_follows(lines: Sequence[Line], start: int) -> bool:
    """Return whether the lines from ``start`` to the next heading are a signature block.

    Positive evidence only: at least two of our captions ("Caption: value"
    in Markdown and text), never an unnumbered heading alone.
    """
    captions = 0
    for line in lines[start:]:
        if line.role in ("heading", "section"):
            break
        field = FIELD_RE.match(line.text.strip())
        if field and is_signature_caption(field.group(1)):
            captions += 1
    return captions >= 2


def one_language(doc: Document, index: int, count: int = 2) -> Document:
    """Return a document whose shared parts ("Titel / Title") keep only language ``index``.

    Side-by-side layouts print the signatures once, each word in every
    language joined with " / "; the model holds one language per document.
    """
    def pick(text: str) -> str:
        parts = text.split(" / ")
        return parts[index] if len(parts) == count else text

    labels = replace(doc.labels, **{k: pick(getattr(doc.labels, k)) for k in (
        "signatures", "place_date", "signature", "name_clarification", "title")})
    signatures = tuple(replace(s, party=pick(s.party), signatory_title=pick(s.signatory_title),
                               place=pick(s.place)) for s in doc.signatures)
    return replace(doc, labels=labels, signatures=signatures)
