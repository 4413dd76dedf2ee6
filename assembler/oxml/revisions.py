"""WordprocessingML elements for tracked changes, built with lxml.

python-docx has no API for revisions, so this module builds them the way
python-docx's own ``oxml`` layer builds what it supports: one small function
per element, mirroring ECMA-376 part 1 §17.13.5 (revisions) and keeping the
schema's child order.  Nothing here parses or patches serialized XML.

- inserted text: ``w:ins`` around runs; deleted text: ``w:del`` around runs
  whose text is in ``w:delText`` (never ``w:t``);
- moved text: ``w:moveFrom`` / ``w:moveTo`` around runs (text in ``w:t``),
  inside a ``w:moveFromRangeStart``/``End`` (``…To…``) pair named alike;
- a paragraph mark inserted, deleted or moved: ``w:ins`` … in ``w:pPr/w:rPr``;
- a changed look: ``w:rPrChange`` (run) and ``w:pPrChange`` (paragraph style).

Every revision element gets an id from one :class:`Revisions` counter, so
ids are unique in the document; a range end repeats its start's id, as the
schema requires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from assembler.oxml.ns import W_NS, XML_SPACE, qn

RunKind = Literal["equal", "ins", "del", "moveFrom", "moveTo"]
MarkKind = Literal["ins", "del", "moveFrom", "moveTo"]

_PIECES = re.compile(r"(\t|\n)")


def _el(tag: str, **attrs: str) -> etree._Element:
    return etree.Element(qn(tag), {qn(k): v for k, v in attrs.items()}, nsmap={"w": W_NS})


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, qn(tag), {qn(k): v for k, v in attrs.items()})


@dataclass
class Revisions:
    """Hands out revision ids and stamps author and date on each revision."""

    author: str
    date: str  # xsd:dateTime, e.g. "2026-03-01T00:00:00Z"
    _next: int = field(default=1)

    def attrs(self) -> dict[str, str]:
        """Return the id, author and date attributes of a new revision."""
        rid = str(self._next)
        self._next += 1
        return {"id": rid, "author": self.author, "date": self.date}


def _look(rpr: etree._Element, bold: bool, italic: bool) -> None:
    if bold:
        _sub(rpr, "b")
    if italic:
        _sub(rpr, "i")


def run(text: str, *, bold: bool = False, italic: bool = False, deleted: bool = False,
        was: tuple[bool, bool] | None = None, revisions: Revisions | None = None) -> etree._Element:
    """Return a ``w:r`` holding ``text`` (tabs and line breaks as elements).

    ``deleted`` puts the text in ``w:delText``; ``was`` records the run's
    former (bold, italic) look as a tracked formatting change.
    """
    r = _el("r")
    if bold or italic or was is not None:
        rpr = _sub(r, "rPr")
        _look(rpr, bold, italic)
        if was is not None and revisions is not None:
            change = _sub(rpr, "rPrChange", **revisions.attrs())
            _look(_sub(change, "rPr"), *was)
    text_tag = "delText" if deleted else "t"
    for piece in _PIECES.split(text):
        if piece == "\t":
            _sub(r, "tab")
        elif piece == "\n":
            _sub(r, "br")
        elif piece:
            t = _sub(r, text_tag)
            t.text = piece
            if piece != piece.strip() or "  " in piece:
                t.set(XML_SPACE, "preserve")
    return r


def revision(kind: MarkKind, runs: Iterable[etree._Element], revisions: Revisions) -> etree._Element:
    """Return a ``w:ins``, ``w:del``, ``w:moveFrom`` or ``w:moveTo`` around runs."""
    el = _el(kind, **revisions.attrs())
    for r in runs:
        el.append(r)
    return el


def range_start(kind: Literal["moveFrom", "moveTo"], name: str, revisions: Revisions) -> etree._Element:
    """Return the start of a named move range (``w:moveFromRangeStart`` …)."""
    attrs = revisions.attrs()
    return _el(f"{kind}RangeStart", id=attrs["id"], author=attrs["author"], date=attrs["date"],
               name=name)


def range_end(kind: Literal["moveFrom", "moveTo"], start: etree._Element) -> etree._Element:
    """Return the end of the move range that ``start`` opened (same id)."""
    return _el(f"{kind}RangeEnd", id=start.get(qn("id"), ""))


def paragraph(style_id: str | None) -> etree._Element:
    """Return an empty ``w:p``, in ``style_id`` when given."""
    p = _el("p")
    ppr = _sub(p, "pPr")
    if style_id:
        _sub(ppr, "pStyle", val=style_id)
    return p


def mark_paragraph(p: etree._Element, kinds: Iterable[MarkKind], revisions: Revisions) -> None:
    """Record the paragraph mark of ``p`` as inserted, deleted or moved.

    A mark both inserted and deleted exists in neither view; that is how two
    paragraphs that share no text still stay apart in each view.
    """
    wanted = list(kinds)
    if not wanted:
        return
    ppr = p.find(qn("pPr"))
    if ppr is None:
        ppr = _el("pPr")
        p.insert(0, ppr)
    rpr = ppr.find(qn("rPr"))
    if rpr is None:
        rpr = _el("rPr")
        later = [c for c in ppr if c.tag in (qn("sectPr"), qn("pPrChange"))]
        # rPr precedes sectPr and pPrChange in CT_PPr.
        if later:
            later[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    order = ("ins", "del", "moveFrom", "moveTo")
    # The revision marks come first in CT_ParaRPr, before any run property
    # a paragraph mark of someone else's document may already carry.
    for k, kind in enumerate(sorted(wanted, key=order.index)):
        rpr.insert(k, _el(kind, **revisions.attrs()))


def restyle_paragraph(p: etree._Element, old_style_id: str | None, revisions: Revisions) -> None:
    """Record that ``p`` had paragraph style ``old_style_id`` before (``w:pPrChange``)."""
    ppr = p.find(qn("pPr"))
    if ppr is None:
        ppr = _el("pPr")
        p.insert(0, ppr)
    change = _sub(ppr, "pPrChange", **revisions.attrs())
    old = _sub(change, "pPr")
    if old_style_id:
        _sub(old, "pStyle", val=old_style_id)


def mark_row(tr: etree._Element, kind: Literal["ins", "del"], revisions: Revisions) -> None:
    """Record a table row as inserted or deleted (``w:trPr/w:ins``, ``w:trPr/w:del``)."""
    trpr = tr.find(qn("trPr"))
    if trpr is None:
        trpr = _el("trPr")
        # trPr follows only tblPrEx in CT_Row.
        index = 1 if len(tr) and tr[0].tag == qn("tblPrEx") else 0
        tr.insert(index, trpr)
    trpr.append(_el(kind, **revisions.attrs()))
