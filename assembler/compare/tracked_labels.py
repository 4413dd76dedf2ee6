"""List labels in the two views of a redline written into NEW's package.

Word and LibreOffice count list numbers again in each view of the tracked
changes, from NEW's numbering.  :func:`fix_labels` checks, with our own
count, that rejecting every change numbers each of OLD's paragraphs as OLD
did, and spells OLD's label out where it would not; :func:`settle_last_marks`
keeps the mark a story cannot lose from showing a stray number.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import docx
from lxml import etree

from assembler.compare.tracked_runs import text_run
from assembler.oxml import revisions as oc
from assembler.oxml.ns import qn
from assembler.readers.docx_walk import Walker, numbering_of, paragraph_elements

_P, _TC, _PPR = qn("p"), qn("tc"), qn("pPr")
NOT_COPIED = (qn("rPr"), qn("sectPr"), qn("pPrChange"))
_BEFORE_NUMPR = {qn(t) for t in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr",
                                 "widowControl")}


def _reject_labels(document: docx.document.Document) -> dict[etree._Element, str]:
    """Return the label each paragraph shows when every change is rejected."""
    walker = Walker("rejected", {}, numbering_of(document))
    out: dict[etree._Element, str] = {}
    for element in paragraph_elements(document.element.body):
        if element.tag == _P:
            out[element] = walker.paragraph(element).label
    return out


@dataclass(frozen=True)
class Wanted:
    """A paragraph OLD had, as placed in the redline, and the label OLD printed before it.

    ``label`` is "" when OLD's label is already spelled out in its text;
    ``restored`` says the paragraph is OLD's put back (not NEW's, edited);
    ``moved`` that it is the old place of a moved paragraph.
    """

    element: etree._Element
    label: str
    moved: bool
    restored: bool


def fix_labels(document: docx.document.Document, wanted: list[Wanted], rev: oc.Revisions) -> int:
    """Spell out OLD's label where rejecting the changes would not number a paragraph as OLD did.

    NEW's list numbering recounts in each view and mostly gives OLD's labels
    back; where OLD's lists were laid out otherwise, the paragraph loses its
    number when changes are rejected and OLD's label comes back as deleted
    text.  Return how many paragraphs were changed so.
    """
    spelled: set[int] = set()
    for _ in range(4):
        shown = _reject_labels(document)
        wrong = [k for k, want in enumerate(wanted)
                 if k not in spelled and shown.get(want.element, "") != want.label]
        if not wrong:
            break
        for k in wrong:
            want = wanted[k]
            _spell_label(want.element, want.label, want.moved, want.restored, rev)
        spelled.update(wrong)
    return len(spelled)


def _spell_label(p: etree._Element, label: str, moved: bool, restored: bool, rev: oc.Revisions) -> None:
    """Make ``p`` unnumbered when changes are rejected, OLD's ``label`` its first (deleted) text."""
    ppr = p.find(_PPR)
    if restored:
        if ppr is None:
            ppr = etree.Element(_PPR)
            p.insert(0, ppr)
        no_number(ppr)
    elif ppr is None or ppr.find(qn("pPrChange")) is None:
        unnumber_before(p, rev)
    else:
        no_number(ppr.find(qn("pPrChange")).find(_PPR))  # type: ignore[union-attr]
    if not label:
        return
    run = text_run(f"{label}\t", None, deleted=not moved)
    first = next((c for c in p if c.tag not in (_PPR, qn("moveFromRangeStart"))), None)
    mark = oc.revision("moveFrom" if moved else "del", [run], rev)
    if first is not None:
        first.addprevious(mark)
    else:
        p.append(mark)


def no_number(ppr: etree._Element) -> None:
    """Make paragraph properties number nothing (numId 0 also stops a style's numbering)."""
    for old in ppr.findall(qn("numPr")):
        ppr.remove(old)
    num = etree.Element(qn("numPr"))
    etree.SubElement(num, qn("ilvl")).set(qn("val"), "0")
    etree.SubElement(num, qn("numId")).set(qn("val"), "0")
    # numPr follows pStyle, keepNext, keepLines, pageBreakBefore, framePr, widowControl in CT_PPrBase.
    head = [c for c in ppr if c.tag in _BEFORE_NUMPR]
    if head:
        head[-1].addnext(num)
    else:
        ppr.insert(0, num)


def unnumber_before(p: etree._Element, rev: oc.Revisions) -> None:
    """Record (``w:pPrChange``) that ``p`` had no list number before: numId 0."""
    ppr = p.find(_PPR)
    if ppr is None:
        ppr = etree.Element(_PPR)
        p.insert(0, ppr)
    before = _properties_now(ppr)
    no_number(before)
    _record_change(ppr, before, rev)


def _properties_now(ppr: etree._Element) -> etree._Element:
    """Return a copy of ``ppr`` fit to stand in a ``w:pPrChange`` as the properties before a change."""
    before = copy.deepcopy(ppr)
    for child in [c for c in before if c.tag in NOT_COPIED]:
        before.remove(child)
    return before


def _record_change(ppr: etree._Element, before: etree._Element, rev: oc.Revisions) -> None:
    """Add to ``ppr`` a ``w:pPrChange`` by ``rev``'s author and date, holding ``before``."""
    change = etree.SubElement(ppr, qn("pPrChange"), {qn(k): v for k, v in rev.attrs().items()})
    change.append(before)


def settle_last_marks(body: etree._Element, rev: oc.Revisions) -> None:
    """Keep the last paragraph of each story from showing a stray list number.

    The mark of a story's last paragraph (the body's, a cell's, a text box's)
    cannot go, so when that paragraph was inserted (or deleted) whole, the
    view it is not in still shows an empty paragraph; it is made unnumbered
    in that view, so that it shows nothing at all.
    """
    stories = [body, *body.iter(_TC, qn("txbxContent"))]
    for story in stories:
        paragraphs = [c for c in story if c.tag == _P]
        if not paragraphs:
            continue
        last = paragraphs[-1]
        ppr = last.find(_PPR)
        rpr = ppr.find(qn("rPr")) if ppr is not None else None
        if rpr is None or ppr is None or ppr.find(qn("pPrChange")) is not None:
            continue
        if rpr.find(qn("ins")) is not None or rpr.find(qn("moveTo")) is not None:
            unnumber_before(last, rev)
        elif rpr.find(qn("del")) is not None or rpr.find(qn("moveFrom")) is not None:
            before = _properties_now(ppr)
            no_number(ppr)
            _record_change(ppr, before, rev)
