"""A redline that is NEW's own DOCX with OLD's differences as tracked changes.

When NEW is a DOCX, the redline is that file: its styles, numbering, tables,
headers, footers, notes, text boxes and section properties stay as they
are.  Each paragraph the comparison read is found again in NEW's package
(:func:`assembler.readers.docx_walk.reading_slots` reads the same elements
in the same order, so the units of the comparison match them one to one by
text); then only what changed is marked:

- a paragraph NEW changed: its runs are split where words differ, inserted
  words wrapped in ``w:ins``, OLD's words put back in ``w:del`` (see
  :mod:`assembler.compare.tracked_runs`);
- a paragraph NEW added: its runs and its mark are inserted (a table row
  NEW added is an inserted row);
- a paragraph OLD had and NEW has not: a new paragraph (or table row) with
  OLD's text, deleted, at its old place, in the paragraph properties of a
  neighbour of the same kind so that Word's list numbers count it when
  changes are rejected;
- a moved paragraph: ``w:moveFrom`` at its old place, ``w:moveTo`` at its new one.

Accepting every change gives NEW, rejecting every change gives OLD, list
labels included: they come from NEW's numbering, which both views recount.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Literal

import docx
from lxml import etree

from assembler.compare.result import ClauseDiff, DiffResult, Unit, UnitDiff
from assembler.compare.tracked_labels import NOT_COPIED, Wanted, fix_labels, no_number, settle_last_marks, unnumber_before
from assembler.compare.tracked_runs import WordOps, all_inserted, mark_slot, text_run, word_ops
from assembler.oxml import revisions as oc
from assembler.oxml.ns import W_NS, qn
from assembler.readers.docx_parts import part_roots
from assembler.readers.docx_walk import Slot, numbering_of, open_docx, reading_slots

Role = Literal["normal", "from", "to"]

_NEAR = 40  # how far (in paragraphs) a restored paragraph looks for a like neighbour
_PART_TITLES = ("Header", "Footer", "Footnote", "Endnote")
_P, _TR, _TC, _PPR = qn("p"), qn("tr"), qn("tc"), qn("pPr")


@dataclass
class _Step:
    """One unit of the comparison, with where each side has it."""

    diff: UnitDiff
    role: Role
    move_id: int
    new: Slot | None = None
    old: Slot | None = None
    placed: etree._Element | None = None  # where OLD's paragraph is in the redline
    typed: bool = False  # OLD's label is spelled out in the text, not numbered
    old_index: int | None = None  # OLD's paragraph, in OLD's reading order

    @property
    def in_new(self) -> bool:
        return self.role != "from" and self.diff.new is not None and self.diff.status != "removed"

    @property
    def in_old(self) -> bool:
        return self.role != "to" and self.diff.old is not None and self.diff.status != "added"


def _part_key(clause: ClauseDiff) -> tuple[str, str] | None:
    """Return (kind, label) of a header, footer or note section, None for the body's."""
    if clause.kind == "back" and clause.ref.title in _PART_TITLES and clause.ref.number:
        return clause.ref.title.casefold(), clause.ref.number
    return None


def _steps(clauses: Iterable[ClauseDiff]) -> list[_Step]:
    """Return the units in merged order (NEW's order, OLD's at their old places).

    Each paragraph must be whole on both sides (a pair is one OLD paragraph
    and one NEW paragraph), so a clause whose edited paragraphs were re-cut
    across paragraph ends is taken as paired one to one.
    """
    out: list[_Step] = []
    for clause in clauses:
        for u in clause.whole_units:
            move = u.move or clause.move
            role: Role = "from" if move == "from" else ("to" if move == "to" else "normal")
            out.append(_Step(u, role, u.move_id if u.move else clause.move_id))
    return out


def _shape(label: str) -> str:
    """Return what kind of number a label is ("9.9", "(a)"), whatever its value."""
    return re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "a", label))


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def _unit_key(unit: Unit) -> str:
    return _key(unit.label + unit.text)


def _match(units: list[Unit], slots: list[Slot]) -> list[int | None]:
    """Return, for each unit, the index of the slot it was read from (None if not found).

    Both lists are in reading order; equal texts pair first, the units between
    two such pairs go to the slots between them whose text holds theirs.
    """
    a = [_unit_key(u) for u in units]
    b = [_key(s.label + s.text) for s in slots]
    out: list[int | None] = [None] * len(units)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                out[i1 + k] = j1 + k
            continue
        j = j1
        for i in range(i1, i2):
            for jj in range(j, min(j2, j + _NEAR)):
                if a[i] and (a[i] in b[jj] or b[jj] in a[i]) and b[jj]:
                    out[i], j = jj, jj + 1
                    break
    # A unit listed out of reading order still finds its slot by its text.
    free: dict[str, list[int]] = {}
    used = set(out)
    for j, key in enumerate(b):
        if j not in used:
            free.setdefault(key, []).append(j)
    for i, key in enumerate(a):
        if out[i] is None and free.get(key):
            out[i] = free[key].pop(0)
    return out


def _link(steps: list[_Step], slots: list[Slot], side: Literal["new", "old"]) -> None:
    """Record on each step the slot its unit came from on ``side``."""
    mine = [s for s in steps if (s.in_new if side == "new" else s.in_old)]
    units = [getattr(s.diff, side) for s in mine]
    for step, index in zip(mine, _match(units, slots)):
        if index is not None:
            setattr(step, side, slots[index])
            if side == "old":
                step.old_index = index


def _in_old_order(steps: list[_Step]) -> list[_Step]:
    """Return the steps with each paragraph only OLD has right after the one OLD had before it.

    NEW's paragraphs keep NEW's order; a paragraph OLD alone had goes back
    where OLD had it, even where the comparison listed it elsewhere.
    """
    indexed = sorted((s.old_index, k) for k, s in enumerate(steps) if s.old_index is not None)
    loose = {k for _, k in indexed if not steps[k].in_new}
    if not loose:
        return steps
    after: dict[int, list[int]] = {}
    first: list[int] = []
    previous = -1
    for _, k in indexed:
        if k in loose:
            (after.setdefault(previous, []) if previous >= 0 else first).append(k)
        previous = k
    out: list[_Step] = []
    # Each step, then the chain of OLD-only paragraphs that followed it in OLD.
    todo = list(reversed([k for k in range(len(steps)) if k not in loose])) + list(reversed(first))
    while todo:
        k = todo.pop()
        out.append(steps[k])
        todo.extend(reversed(after.get(k, [])))
    return out


def _old_text(step: _Step, numbered: bool) -> str:
    """Return OLD's text of a step, its label spelled out unless NEW's numbering prints it."""
    unit = step.diff.old
    assert unit is not None
    if step.old is not None:
        label, text = step.old.label, step.old.text
    else:
        label, text = unit.label, unit.text
    return text if numbered or not label else f"{label}\t{text}"


def _style_id(element: etree._Element) -> str:
    style = element.find(f"{_PPR}/{qn('pStyle')}") if element.tag == _P else None
    return style.get(qn("val"), "") if style is not None else ""


def _style_ids(document: docx.document.Document) -> frozenset[str]:
    return frozenset(s.style_id for s in document.styles if s.style_id)


def _revision_start(rev_base: etree._Element) -> int:
    """Return the first revision id above every id already used in the document."""
    ids = [int(v) for v in etree.ElementBase.xpath(rev_base, "//@w:id", namespaces={"w": W_NS})
           if str(v).isdigit()]
    return max(ids, default=0) + 1


class _Writer:
    """Marks the comparison on NEW's body, step by step in merged order."""

    def __init__(self, steps: list[_Step], styles: frozenset[str], rev: oc.Revisions) -> None:
        self.steps = steps
        self.styles = styles  # NEW's paragraph style ids
        self.rev = rev
        self.anchor: etree._Element | None = None  # the last element placed, in document order

    def run(self) -> None:
        for index, step in enumerate(self.steps):
            if step.in_new and step.new is not None:
                self._edit(step)
                self.anchor = step.new.element
                if step.in_old and step.role == "normal":
                    step.placed = step.new.element
            elif step.in_old:
                self._restore(step, index)

    def _edit(self, step: _Step) -> None:
        slot = step.new
        assert slot is not None
        if not step.in_old and step.role != "to":
            self._insert_whole(slot, all_inserted(slot.text), "normal", step.move_id)
            return
        if step.diff.old is None:
            return
        old_numbered = step.old is not None and bool(step.old.label) or (
            step.old is None and bool(step.diff.old.label))
        step.typed = not (bool(slot.label) and old_numbered)
        ops = word_ops(_old_text(step, not step.typed), slot.text)
        if step.role == "to":
            self._insert_whole(slot, ops, "to", step.move_id)
            return
        if ops.changed:
            mark_slot(slot, ops, "normal", self.rev)
        if slot.label and not old_numbered and slot.element.tag == _P:
            # NEW numbers a paragraph OLD did not: rejecting must take the number away.
            unnumber_before(slot.element, self.rev)

    def _insert_whole(self, slot: Slot, ops: WordOps, mode: Literal["normal", "to"], move_id: int) -> None:
        element = slot.element
        if mode == "to":
            start = oc.range_start("moveTo", f"move{move_id}", self.rev)
        mark_slot(slot, ops, mode, self.rev)
        if element.tag == _TR:
            oc.mark_row(element, "ins", self.rev)
        else:
            # The mark is of the kind of the text before it: LibreOffice (7.4)
            # handles a moved paragraph whole only when its mark moved with it.
            oc.mark_paragraph(element, [_last_kind(element) if mode == "to" else "ins"], self.rev)
        if mode == "to":
            _wrap_range(element, start, "moveTo")

    def _restore(self, step: _Step, index: int) -> None:
        """Put OLD's paragraph back, deleted, after the last element placed."""
        nxt = next((s.new for s in self.steps[index + 1:] if s.in_new and s.new is not None), None)
        prev = self.anchor
        text_has_cells = "\t" in (step.diff.old.text if step.diff.old else "")
        row_source = prev if prev is not None and prev.tag == _TR else None
        if row_source is None and nxt is not None and nxt.element.tag == _TR and text_has_cells:
            row_source = nxt.element
        if row_source is not None and (text_has_cells or (nxt is not None and nxt.element.tag == _TR
                                                          and nxt.element.getparent() is row_source.getparent())):
            element = self._deleted_row(step, row_source)
        else:
            element = self._deleted_paragraph(step, index)
        self._place(element, nxt)
        self.anchor = step.placed = element

    def _place(self, element: etree._Element, nxt: Slot | None) -> None:
        prev = self.anchor
        if prev is not None and prev.tag == _TR and element.tag == _P:
            prev = prev.getparent()  # a paragraph goes after the table, not in it
        if prev is not None:
            prev.addnext(element)
            return
        if nxt is not None:
            target = nxt.element
            if target.tag == _TR and element.tag == _P:
                target = target.getparent()
            target.addprevious(element)

    def _neighbour_ppr(self, step: _Step, index: int) -> tuple[etree._Element | None, bool]:
        """Return the paragraph properties a restored paragraph borrows, and whether
        they number it: a neighbour of the same kind and the same numbering, if any."""
        want_number = step.old is not None and bool(step.old.label)
        kind = step.diff.old.kind if step.diff.old is not None else "paragraph"
        before = [s for s in reversed(self.steps[max(0, index - _NEAR):index]) if s.in_new and s.new is not None]
        after = [s for s in self.steps[index + 1:index + 1 + _NEAR] if s.in_new and s.new is not None]
        # Nearest first, alternating sides, so the closest like paragraph wins.
        near = [s for pair in zip_longest(before, after) for s in pair if s is not None]
        if step.role == "from":
            # A moved paragraph keeps its own properties (and so its own list).
            near = [s for s in self.steps if s.role == "to" and s.move_id == step.move_id
                    and s.diff.new == step.diff.new and s.new is not None] + near
        paragraphs = [s for s in near if s.new is not None and s.new.element.tag == _P]
        shape = _shape(step.old.label) if step.old is not None else ""
        label = step.old.label if step.old is not None else ""

        def rank(s: _Step) -> tuple[bool, bool, bool, bool]:
            assert s.new is not None
            # Same number first (the same place in the same list), then the same
            # kind of number, then the same kind of paragraph.
            return (bool(s.new.label) != want_number, s.new.label != label, _shape(s.new.label) != shape,
                    (s.diff.new.kind if s.diff.new else "") != kind)
        ranked = sorted(paragraphs, key=rank)
        if not ranked:
            return None, False
        best = ranked[0]
        assert best.new is not None
        ppr = best.new.element.find(_PPR)
        numbers = want_number and _shape(best.new.label) == shape
        if ppr is not None and best.new.label and not numbers:
            # No neighbour numbers like OLD did: the label is spelled out instead.
            ppr = copy.deepcopy(ppr)
            for num in ppr.findall(qn("numPr")):
                ppr.remove(num)
            no_number(ppr)
        return ppr, numbers

    def _deleted_paragraph(self, step: _Step, index: int) -> etree._Element:
        ppr, numbered = self._neighbour_ppr(step, index)
        p = etree.Element(_P)
        own = copy.deepcopy(ppr) if ppr is not None else etree.Element(_PPR)
        for child in [c for c in own if c.tag in NOT_COPIED]:
            own.remove(child)
        p.append(own)
        style = _style_id(step.old.element) if step.old is not None else ""
        if style in self.styles and not numbered:
            # OLD's own paragraph style, when NEW's package has it.
            for old in own.findall(qn("pStyle")):
                own.remove(old)
            etree.SubElement(own, qn("pStyle")).set(qn("val"), style)
            own.insert(0, own[-1])
        oc.mark_paragraph(p, ["moveFrom" if step.role == "from" else "del"], self.rev)
        text = _old_text(step, numbered)
        step.typed = not numbered
        run = text_run(text, None, deleted=step.role != "from")
        if step.role == "from":
            start = oc.range_start("moveFrom", f"move{step.move_id}", self.rev)
            p.append(oc.revision("moveFrom", [run], self.rev))
            _wrap_range(p, start, "moveFrom")
        else:
            p.append(oc.revision("del", [run], self.rev))
        return p

    def _deleted_row(self, step: _Step, source: etree._Element) -> etree._Element:
        """Return a deleted copy of the row ``source`` holding OLD's row text, cell by cell."""
        tr = copy.deepcopy(source)
        trpr = tr.find(qn("trPr"))
        if trpr is not None:
            for child in [c for c in trpr if c.tag in (qn("ins"), qn("del"), qn("trPrChange"))]:
                trpr.remove(child)
        cells = tr.findall(_TC)
        parts = _old_text(step, False).split("\t")
        if len(parts) != len(cells):
            parts = ["\t".join(parts)] + [""] * (len(cells) - 1)
        for cell, text in zip(cells, parts):
            first = cell.find(_P)
            ppr = first.find(_PPR) if first is not None else None
            for child in [c for c in cell if c.tag != qn("tcPr")]:
                cell.remove(child)
            p = etree.SubElement(cell, _P)
            if ppr is not None:
                own = copy.deepcopy(ppr)
                for child in [c for c in own if c.tag in NOT_COPIED]:
                    own.remove(child)
                for num in own.findall(qn("numPr")):
                    own.remove(num)
                p.append(own)
            if text:
                p.append(oc.revision("del", [text_run(text, None, deleted=True)], self.rev))
        oc.mark_row(tr, "del", self.rev)
        return tr


def _last_kind(p: etree._Element) -> oc.MarkKind:
    """Return whether the last text of a moved paragraph's new place is moved or inserted."""
    kinds = [el.tag for el in p.iter(qn("ins"), qn("moveTo")) if el.getparent() is not None
             and el.getparent().tag != qn("rPr")]
    return "ins" if kinds and kinds[-1] == qn("ins") else "moveTo"


def _wrap_range(element: etree._Element, start: etree._Element, kind: Literal["moveFrom", "moveTo"]) -> None:
    """Open a move range at the start of a paragraph (or row's first paragraph) and close it at its end."""
    paragraphs = [element] if element.tag == _P else list(element.iter(_P))
    if not paragraphs:
        return
    first, last = paragraphs[0], paragraphs[-1]
    ppr = first.find(_PPR)
    if ppr is not None:
        ppr.addnext(start)
    else:
        first.insert(0, start)
    last.append(oc.range_end(kind, start))


def _slots_of(data: bytes) -> tuple[docx.document.Document, list[Slot]]:
    document = open_docx(data)
    return document, reading_slots(document.element.body, numbering_of(document))


def steps_for(clauses: Iterable[ClauseDiff], new_slots: list[Slot], old_slots: list[Slot] | None) -> list[_Step]:
    """Return the steps of ``clauses``, each linked to its slots on both sides."""
    steps = _steps(clauses)
    _link(steps, new_slots, "new")
    if old_slots is not None:
        _link(steps, old_slots, "old")
        steps = _in_old_order(steps)
    return steps


def write_into_package(result: DiffResult, author: str, when: str) -> bytes:
    """Return NEW's DOCX package with the comparison marked in it as tracked changes.

    ``when`` is the xsd:dateTime stamped on every revision.
    """
    document, new_slots = _slots_of(result.new.package)
    old_document, old_slots = _slots_of(result.old.package) if result.old.package else (None, None)
    body = [c for c in result.clauses if _part_key(c) is None]
    steps = steps_for(body, new_slots, old_slots)
    rev = oc.Revisions(author, when, _revision_start(document.element))
    styles = _style_ids(document)
    _Writer(steps, styles, rev).run()
    fix_labels(document, [Wanted(s.placed, "" if s.typed or s.old is None else s.old.label, s.role == "from",
                                 s.new is None or s.placed is not s.new.element)
                          for s in steps if s.placed is not None and s.placed.tag == _P], rev)
    settle_last_marks(document.element.body, rev)
    _mark_parts(result, document, old_document, rev)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _mark_parts(result: DiffResult, document: docx.document.Document,
                old_document: docx.document.Document | None, rev: oc.Revisions) -> None:
    """Mark the changes of headers, footers and notes in NEW's own parts.

    A part NEW has not (a note OLD alone had) cannot be put back; its text is
    listed in the other outputs of the comparison.
    """
    roots = {(kind, label): (root, part) for kind, label, root, part in part_roots(document)}
    old_roots = ({(kind, label): root for kind, label, root, _ in part_roots(old_document)}
                 if old_document is not None else {})
    touched: dict[int, Any] = {}
    for clause in result.clauses:
        key = _part_key(clause)
        if key is None or key not in roots:
            continue
        root, part = roots[key]
        slots = reading_slots(root, None)
        old_root = old_roots.get(key)
        steps = steps_for([clause], slots, reading_slots(old_root, None) if old_root is not None else None)
        _Writer(steps, _style_ids(document), rev).run()
        if getattr(part, "element", None) is None:
            touched[id(part)] = part
    for part in touched.values():
        # python-docx keeps notes parts as bytes: the edited tree goes back in.
        tree = next(root for root, p in roots.values() if p is part).getroottree()
        part._blob = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
