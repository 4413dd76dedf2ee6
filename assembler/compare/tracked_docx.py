"""A redline as a Word file: NEW's text with native tracked changes from OLD.

The body is laid out the way :mod:`assembler.docx_writer` lays out an
agreement (house styles, "3<TAB>Title" headings, "3.1<TAB>text" sub-clauses,
the appendix list, the signature table), so that accepting every change
gives NEW's paragraphs and rejecting every change gives OLD's.  Changes are
``w:ins``/``w:del`` runs, moved clauses and paragraphs are
``w:moveFrom``/``w:moveTo`` ranges, bold/italic changes ``w:rPrChange`` and
paragraph style changes ``w:pPrChange`` (elements from
:mod:`assembler.ooxml_changes`).

Paragraph marks follow one rule: a mark exists in a view when the
paragraph it ends does; the last mark of the body and of each table cell
must exist in both views, so near the end the marks shift one paragraph
earlier — the way Word itself records deleting a document's last paragraph.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

import docx
from lxml import etree

from assembler._dates import date_or_none, midnight_utc
from assembler.compare.align import Segment
from assembler.compare.result import DiffResult, Unit, UnitDiff
from assembler.compare.tracked_xml import RevisionMarkup
from assembler.errors import UsageError
from assembler.model import Span
from assembler.oxml import revisions as oc
from assembler.oxml.ns import qn
from assembler.oxml.package import fixed_time_zip, house_template, package_bytes
from assembler.oxml.paragraph_xml import parse_paragraphs
from assembler.oxml.parts import cell_element, row_element

Mode = Literal["normal", "from", "to"]

_SIG_KINDS = ("sig-party", "sig-field", "sig-caption")


@dataclass
class _Piece:
    kind: oc.RunKind
    text: str
    bold: bool = False
    italic: bool = False
    was: tuple[bool, bool] | None = None


@dataclass
class _Para:
    style: str
    pieces: list[_Piece]
    in_old: bool
    in_new: bool
    old_style: str = ""
    move: Literal["", "from", "to"] = ""
    opens: tuple[Literal["moveFrom", "moveTo"], str] | None = None
    closes: bool = False


@dataclass
class _Cell:
    """One party's cell of the signature table: its paragraphs, and whether each side has it."""

    paras: list[_Para] = field(default_factory=list)
    in_old: bool = True
    in_new: bool = True


def _style(unit: Unit, section: str) -> str:
    """Return the house style our DOCX writer gives a paragraph of this kind."""
    if unit.kind == "title":
        return "Title"
    if unit.kind == "reference":
        return "Subtitle"
    if unit.kind == "heading":
        return "Section Heading" if section == "back" else "Heading 1"
    if unit.kind == "item":
        return "List Letter" if unit.style == "letter" else "List Bullet"
    if unit.kind == "sig-party":
        return "Signature Party"
    if unit.kind == "sig-field":
        return "Signature Field"
    if unit.kind == "sig-caption":
        return "Signature Caption"
    if unit.label:
        return "Sub-clause"
    return "Normal" if section == "front" else "Sub-clause Body"


def _prefix(unit: Unit | None) -> str:
    return f"{unit.label}\t" if unit is not None and unit.label and unit.style != "bullet" else ""


def _pieces(kind: oc.RunKind, spans: Sequence[Span]) -> list[_Piece]:
    return [_Piece(kind, s.text, s.bold, s.italic) for s in spans if s.text]


def _looks(spans: Sequence[Span]) -> list[tuple[bool, bool]]:
    return [(s.bold, s.italic) for s in spans for _ in s.text]


def _unit_pieces(u: UnitDiff, mode: Mode) -> list[_Piece]:
    """Return the runs of one paragraph seen from ``mode``.

    ``from`` shows the old text where a moved paragraph was, ``to`` the new
    text where it went; ``normal`` interleaves deletions and insertions.
    """
    out: list[_Piece] = []
    old_prefix, new_prefix = _prefix(u.old), _prefix(u.new)
    if mode == "from":
        out += [_Piece("moveFrom" if u.status != "removed" else "del", old_prefix)]
    elif mode == "to":
        out += [_Piece("moveTo" if old_prefix == new_prefix and u.status != "added" else "ins", new_prefix)]
    elif old_prefix == new_prefix:
        out.append(_Piece("equal", new_prefix))
    else:
        out += [_Piece("del", old_prefix), _Piece("ins", new_prefix)]
    for seg in u.segments:
        op = seg.op
        if mode == "from":
            if op in ("equal", "format"):
                out += _pieces("del" if u.status == "removed" else "moveFrom", seg.old)
            elif op != "insert":
                out += _pieces("del", seg.old)
        elif mode == "to":
            if op in ("equal", "format"):
                out += _pieces("ins" if u.status == "added" else "moveTo", seg.new)
            elif op != "delete":
                out += _pieces("ins", seg.new)
        elif op == "equal" and seg.old_text == seg.new_text:
            out += _pieces("equal", seg.new)
        elif op == "format":
            looks = _looks(seg.old)
            offset = 0
            for span in seg.new:
                was = looks[offset] if offset < len(looks) else (False, False)
                out.append(_Piece("equal", span.text, span.bold, span.italic,
                                  was if was != (span.bold, span.italic) else None))
                offset += len(span.text)
        else:
            out += _pieces("del", seg.old) + _pieces("ins", seg.new)
    # Neighbouring runs of one kind and look become one run: fewer elements
    # to build and a file Word opens faster.
    merged: list[_Piece] = []
    for piece in out:
        if not piece.text:
            continue
        last = merged[-1] if merged else None
        if (last is not None and piece.was is None and last.was is None
                and (last.kind, last.bold, last.italic) == (piece.kind, piece.bold, piece.italic)):
            last.text += piece.text
        else:
            merged.append(piece)
    return merged


def _unit_para(u: UnitDiff, mode: Mode, section: str) -> _Para | None:
    """Return the paragraph one unit diff shows in ``mode``, or None when it shows nothing."""
    if u.move == "from":
        mode = "from"
    elif u.move == "to":
        mode = "to"
    if (mode == "from" and u.old is None) or (mode == "to" and u.new is None):
        return None
    if mode == "from" and u.status == "added":
        return None
    if mode == "to" and u.status == "removed":
        return None
    unit = u.new if mode != "from" and u.new is not None else u.old
    assert unit is not None
    para = _Para(_style(unit, section), _unit_pieces(u, mode),
                 in_old=mode != "to" and u.old is not None and u.status != "added",
                 in_new=mode != "from" and u.new is not None and u.status != "removed")
    if mode == "normal" and u.old is not None and u.new is not None:
        old_style = _style(u.old, section)
        para.old_style = old_style if old_style != para.style else ""
    if u.move:
        kind: Literal["moveFrom", "moveTo"] = "moveFrom" if u.move == "from" else "moveTo"
        para.move, para.opens, para.closes = u.move, (kind, f"move{u.move_id}"), True
    elif mode != "normal":
        para.move = mode
    return para


def _layout(result: DiffResult) -> tuple[list[_Para], list[_Cell]]:
    """Return the body paragraphs in merged order, and the signature cells slot by slot."""
    body: list[_Para] = []
    signatures: list[UnitDiff] = []
    for clause in result.clauses:
        mode: Mode = "from" if clause.move == "from" else ("to" if clause.move == "to" else "normal")
        paras: list[_Para] = []
        for u in clause.units:
            unit = u.new or u.old
            if unit is not None and unit.kind in _SIG_KINDS:
                signatures.append(u)
                continue
            para = _unit_para(u, mode, clause.kind)
            if para is not None:
                paras.append(para)
        if paras and clause.move:
            kind: Literal["moveFrom", "moveTo"] = "moveFrom" if clause.move == "from" else "moveTo"
            paras[0].opens = (kind, f"move{clause.move_id}")
            paras[-1].closes = True
        body += paras
    return body, _signature_cells(signatures)


def _signature_cells(units: list[UnitDiff]) -> list[_Cell]:
    """Return one cell per party slot: the k-th party of OLD against the k-th of NEW.

    The table is laid out by position, so a slot whose two parties are the
    same one shows their word changes; otherwise OLD's party is deleted and
    NEW's inserted in that cell.
    """
    old_slot: list[int] = []
    new_slot: list[int] = []
    o = n = -1
    for u in units:
        if u.old is not None and u.old.kind == "sig-party":
            o += 1
        if u.new is not None and u.new.kind == "sig-party":
            n += 1
        old_slot.append(o if u.old is not None else -1)
        new_slot.append(n if u.new is not None else -1)
    cells: list[_Cell] = []
    for k in range(max(o, n) + 1):
        mine = [i for i, u in enumerate(units) if old_slot[i] == k or new_slot[i] == k]
        paired = all(old_slot[i] == new_slot[i] == k for i in mine)
        cell = _Cell(in_old=k <= o, in_new=k <= n)
        if paired:
            cell.paras = [p for p in (_unit_para(units[i], "normal", "back") for i in mine) if p]
        else:
            gone = [replace(units[i], status="removed", new=None, segments=(
                Segment("delete", units[i].old.spans, ()),)) for i in mine  # type: ignore[union-attr]
                if old_slot[i] == k]
            came = [replace(units[i], status="added", old=None, segments=(
                Segment("insert", (), units[i].new.spans),)) for i in mine  # type: ignore[union-attr]
                if new_slot[i] == k]
            cell.paras = [p for p in (_unit_para(u, "normal", "back") for u in gone + came) if p]
        cells.append(cell)
    return cells


def _shared(paras: list[_Para]) -> list[_Para]:
    """Return a story's paragraphs with at least one shared by both views.

    When OLD's and NEW's paragraphs of a story (a table cell) share none,
    some mark would have to be inserted *and* deleted, which not every word
    processor honours; instead the last paragraph of each side becomes one
    paragraph holding both texts, one deleted and one inserted.
    """
    if not paras or any(p.in_old and p.in_new for p in paras):
        return paras
    olds = [k for k, p in enumerate(paras) if p.in_old]
    news = [k for k, p in enumerate(paras) if p.in_new]
    if not olds or not news:
        return paras
    a, b = olds[-1], news[-1]
    gone, came = paras[a], paras[b]
    both = _Para(came.style, gone.pieces + came.pieces, True, True,
                 old_style=gone.style if gone.style != came.style else "",
                 opens=gone.opens or came.opens, closes=gone.closes or came.closes)
    out = [p for k, p in enumerate(paras) if k not in (a, b)]
    out.insert(max(a, b) - 1, both)
    return out


def _marks(paras: Sequence[_Para]) -> list[list[oc.MarkKind]]:
    """Return the tracked kinds of each paragraph mark of one story (body or cell)."""
    n = len(paras)
    both = [i for i, p in enumerate(paras) if p.in_old and p.in_new]
    last_both = both[-1] if both else -1
    seen_old = seen_new = False
    out: list[list[oc.MarkKind]] = []
    for i, p in enumerate(paras):
        seen_old, seen_new = seen_old or p.in_old, seen_new or p.in_new
        if i == n - 1:
            old, new = True, True
        elif i < last_both:
            old, new = p.in_old, p.in_new
        else:
            # Near the end a mark belongs to the next paragraph's view, so
            # that the story's last mark (which cannot go) is shared.
            old = paras[i + 1].in_old and seen_old
            new = paras[i + 1].in_new and seen_new
        kinds: list[oc.MarkKind] = []
        native = i < last_both
        if not new:
            # A moved-away paragraph's mark is recorded as deleted, not moved:
            # LibreOffice (7.4) leaves an empty paragraph when it accepts the
            # moveFrom mark of an edited move; accepting gives the same text.
            kinds.append("del")
        if not old:
            kinds.append("moveTo" if native and p.move == "to" else "ins")
        out.append(kinds)
    return out


def _element(para: _Para, kinds: list[oc.MarkKind], style_ids: dict[str, str],
             rev: oc.Revisions, open_ranges: list[tuple[str, etree._Element]]) -> etree._Element:
    p = oc.paragraph(style_ids.get(para.style))
    oc.mark_paragraph(p, kinds, rev)
    if para.old_style:
        oc.restyle_paragraph(p, style_ids.get(para.old_style), rev)
    if para.opens:
        start = oc.range_start(para.opens[0], para.opens[1], rev)
        p.append(start)
        open_ranges.append((para.opens[0], start))
    group: list[etree._Element] = []
    group_kind: oc.RunKind = "equal"

    def flush() -> None:
        if group and group_kind != "equal":
            p.append(oc.revision(group_kind, group, rev))  # type: ignore[arg-type]
        else:
            for r in group:
                p.append(r)
        group.clear()

    for piece in para.pieces:
        if piece.kind != group_kind:
            flush()
            group_kind = piece.kind
        group.append(oc.run(piece.text, bold=piece.bold, italic=piece.italic,
                            deleted=piece.kind == "del", was=piece.was, revisions=rev))
    flush()
    if para.closes and open_ranges:
        kind, start = open_ranges.pop()
        p.append(oc.range_end(kind, start))  # type: ignore[arg-type]
    return p


def _element_xml(para: _Para, kinds: list[oc.MarkKind], style_ids: dict[str, str], markup: RevisionMarkup,
                 open_ranges: list[tuple[str, str]]) -> str:
    """Return the paragraph :func:`_element` makes, as XML text (ids drawn in the same order)."""
    out = ["<w:p>", markup.paragraph_properties(style_ids.get(para.style), kinds,
                                                style_ids.get(para.old_style), bool(para.old_style))]
    if para.opens:
        start, rid = markup.range_start(para.opens[0], para.opens[1])
        out.append(start)
        open_ranges.append((para.opens[0], rid))
    group: list[str] = []
    group_kind: oc.RunKind = "equal"
    for piece in para.pieces:
        if piece.kind != group_kind:
            if group:
                out.append(markup.revision(group_kind, group) if group_kind != "equal" else "".join(group))
                group = []
            group_kind = piece.kind
        group.append(markup.run(piece.text, bold=piece.bold, italic=piece.italic,
                                deleted=piece.kind == "del", was=piece.was))
    if group:
        out.append(markup.revision(group_kind, group) if group_kind != "equal" else "".join(group))
    if para.closes and open_ranges:
        kind, rid = open_ranges.pop()
        out.append(f'<w:{kind}RangeEnd w:id="{rid}"/>')
    out.append("</w:p>")
    return "".join(out)


class _Story:
    """Writes the paragraphs of one story (the body, a table cell) into a parent element.

    As text parsed once per story (fast), or element by element: text XML
    cannot carry (a control character) is then named by lxml's own error.
    """

    def __init__(self, style_ids: dict[str, str], rev: oc.Revisions, as_text: bool) -> None:
        self.style_ids, self.rev, self.as_text = style_ids, rev, as_text
        self.markup = RevisionMarkup(rev)
        self.open_xml: list[tuple[str, str]] = []
        self.open_elements: list[tuple[str, etree._Element]] = []

    def elements(self, paras: list[_Para]) -> list[etree._Element]:
        """Return the tracked paragraphs of a story, in order."""
        story = _shared(paras)
        if self.as_text:
            return parse_paragraphs([_element_xml(p, kinds, self.style_ids, self.markup, self.open_xml)
                                     for p, kinds in zip(story, _marks(story))])
        return [_element(p, kinds, self.style_ids, self.rev, self.open_elements)
                for p, kinds in zip(story, _marks(story))]


def write_tracked_docx(result: DiffResult, *, author: str = "assembler",
                       date: str | None = None) -> bytes:
    """Return a .docx of NEW with every difference from OLD as a Word tracked change.

    ``date`` (ISO, default the assembly date of the result, else today) stamps each
    revision and the file, so the same comparison gives the same bytes.
    Raise UsageError for a comparison of bare manifests (there is no text).
    """
    if result.aligned_by == "manifest":
        raise UsageError("a bare manifest has no text to show as tracked changes; use another --format")
    # Neither side dated (anyone else's files): the changes are made today.
    day = (date or result.date or datetime.now(UTC).date().isoformat())[:10]
    if result.new.kind == "docx" and result.new.package:
        # NEW is someone's DOCX: the redline is that file with the changes marked.
        from assembler.compare.tracked_package import write_into_package

        return fixed_time_zip(write_into_package(result, author, f"{day}T00:00:00Z"), date_or_none(day))
    try:
        return _write(result, author, day, as_text=True)
    except etree.XMLSyntaxError:  # text XML cannot carry: made element by element, which names it
        return _write(result, author, day, as_text=False)


def _write(result: DiffResult, author: str, day: str, *, as_text: bool) -> bytes:
    """Return the tracked DOCX of a text comparison (see :func:`write_tracked_docx`)."""
    document = docx.Document(io.BytesIO(house_template()))
    style_ids = {s.name: s.style_id for s in document.styles}
    story = _Story(style_ids, oc.Revisions(author, f"{day}T00:00:00Z"), as_text)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("sectPr"):
            body.remove(child)
    anchor = body.find(qn("sectPr"))
    paras, cells = _layout(result)
    for el in story.elements(paras):
        if anchor is not None:
            anchor.addprevious(el)
        else:
            body.append(el)
    if cells:
        _signature_table(document, cells, style_ids, story)
    _set_properties(document, result, author, day)
    return package_bytes(document.part.package, date_or_none(day))


def _signature_table(document: docx.document.Document, cells: list[_Cell], style_ids: dict[str, str],
                     story: _Story) -> None:
    """Append the signature table, two party cells a row, rows only one side has tracked."""
    table = document.add_table(rows=(len(cells) + 1) // 2, cols=2)
    if "Signature Table" in style_ids:
        table.style = document.styles["Signature Table"]
    for r, row in enumerate(table.rows):
        pair = cells[2 * r:2 * r + 2]
        # A row only one side has is a tracked row insertion or deletion.
        if not any(c.in_old for c in pair):
            oc.mark_row(row_element(row), "ins", story.rev)
        elif not any(c.in_new for c in pair):
            oc.mark_row(row_element(row), "del", story.rev)
        for cell, content in zip(row.cells, pair):
            tc = cell_element(cell)
            if not content.paras:
                continue
            for old in tc.findall(qn("p")):
                tc.remove(old)
            for el in story.elements(content.paras):
                tc.append(el)


def _set_properties(document: docx.document.Document, result: DiffResult, author: str, day: str) -> None:
    core = document.core_properties
    new_doc = result.new.document
    core.title = new_doc.title if new_doc is not None else ""
    core.subject = f"{result.old.label} \u2192 {result.new.label}"
    core.author = author
    core.last_modified_by = author
    core.revision = 1
    when = midnight_utc(date_or_none(day))
    if when is None:
        return
    core.created = when
    core.modified = when

