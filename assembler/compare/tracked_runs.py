"""Word-level changes marked on the runs of someone else's paragraph, in place.

:func:`word_ops` diffs OLD's text of a paragraph against the text NEW's
package holds for it; :func:`mark_slot` then splits NEW's runs where the
changes begin and end, wraps inserted text in ``w:ins`` and puts OLD's
deleted text, in a ``w:del``, where it stood.  Runs keep their own
properties (``w:rPr`` is copied into each piece), so NEW's look is kept;
what is not text (fields, drawings, note references) stays where it was.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Literal

from lxml import etree

from assembler.oxml import revisions as oc
from assembler.oxml.ns import qn
from assembler.readers.docx_walk import Slot

_WORDS = re.compile(r"\w+|[^\w\s]")
_KEYS = re.compile(r" ?(?:\w+|[^\w\s])")
_SPACE = re.compile(r"\s+")
_TEXT_TAGS = {qn("t"), qn("tab"), qn("br"), qn("cr"), qn("noBreakHyphen"), qn("lastRenderedPageBreak")}
_TRACKED = {qn("ins"), qn("del"), qn("moveFrom"), qn("moveTo")}

Mode = Literal["normal", "to"]


@dataclass(frozen=True)
class WordOps:
    """How NEW's text differs from OLD's: ``inserted[i]`` for each character of
    NEW's text, and OLD's deleted text by the NEW offset it stood before."""

    inserted: tuple[bool, ...]
    deleted: dict[int, str]

    @property
    def changed(self) -> bool:
        return any(self.inserted) or bool(self.deleted)


def _tokens(text: str) -> tuple[list[str], list[re.Match[str]]]:
    """Return the words and punctuation of ``text``, each keyed with whether space
    comes before it ("a (b" and "a(b" split into other words), and where each is."""
    return _KEYS.findall(_SPACE.sub(" ", text)), list(_WORDS.finditer(text))


def word_ops(old: str, new: str) -> WordOps:
    """Return the word-level changes that turn ``old`` into ``new``.

    A changed word takes the space before it along (after it, at the start of
    a paragraph), so that each view keeps its words apart as they were.
    """
    inserted = [False] * len(new)
    deleted: dict[int, str] = {}
    if old.split() == new.split():
        return WordOps(tuple(inserted), deleted)
    ka, a_found = _tokens(old)
    kb, b_found = _tokens(new)
    # Most edits touch a few words of a long paragraph: the common head and
    # tail are equal without asking difflib, which is quadratic in the worst case.
    head = 0
    while head < min(len(ka), len(kb)) and ka[head] == kb[head]:
        head += 1
    tail = 0
    while tail < min(len(ka), len(kb)) - head and ka[-1 - tail] == kb[-1 - tail]:
        tail += 1
    matcher = difflib.SequenceMatcher(None, ka[head:len(ka) - tail], kb[head:len(kb) - tail], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            _one_change(old, new, (a_found, b_found), (i1 + head, i2 + head, j1 + head, j2 + head),
                        inserted, deleted)
    return WordOps(tuple(inserted), deleted)


def _one_change(old: str, new: str, found: tuple[list[re.Match[str]], list[re.Match[str]]],
                span: tuple[int, int, int, int], inserted: list[bool], deleted: dict[int, str]) -> None:
    """Record one changed stretch: OLD's tokens i1:i2 became NEW's j1:j2."""
    a, b = found
    i1, i2, j1, j2 = span

    def b_end(k: int) -> int:
        return b[k].end()

    def b_start(k: int) -> int:
        return b[k].start() if k < len(b) else len(new)
    at = b_end(j1 - 1) if j1 else 0
    if j2 > j1:
        first = b_end(j1 - 1) if j1 else 0
        last = b_end(j2 - 1) if j1 else b_start(j2)
        for k in range(first, last):
            inserted[k] = True
        if j2 == len(b) and i2 == len(a):
            # At the end of a paragraph OLD's words follow NEW's: an insertion
            # that ends a paragraph would otherwise join, in LibreOffice, the
            # insertion of a paragraph after it, and rejecting both would
            # merge the paragraphs around them.
            at = len(new)
    if i2 > i1:
        if i1:
            gone = old[a[i1 - 1].end():a[i2 - 1].end()]
        else:
            gone = old[:a[i2].start() if i2 < len(a) else len(old)]
        deleted[at] = deleted.get(at, "") + gone


def all_inserted(new: str) -> WordOps:
    """Return the changes of a paragraph NEW added whole."""
    return WordOps((True,) * len(new), {})


def text_run(text: str, rpr: etree._Element | None, *, deleted: bool) -> etree._Element:
    """Return a run of ``text`` with a copy of ``rpr`` (its look), in w:delText when deleted."""
    r = oc.run(text, deleted=deleted)
    if rpr is not None:
        own = copy.deepcopy(rpr)
        for change in own.findall(qn("rPrChange")):
            own.remove(change)
        r.insert(0, own)
    return r


def _pieces(text: str, start: int, ops: WordOps, mode: Mode) -> list[tuple[str, str]]:
    """Return ``text`` (at ``start`` of the slot) cut where changes begin and end,
    as (kind, text): kinds ``equal``, ``ins``, ``del``."""
    end = start + len(text)
    inside = sorted(at for at in ops.deleted if start < at < end)
    if not inside and not any(ops.inserted[start:end]):
        return [("equal", text)]
    out: list[tuple[str, str]] = []
    cuts = [start, *inside, end]
    for s, e in zip(cuts, cuts[1:]):
        if s != start and mode == "normal":
            out.append(("del", ops.deleted[s]))
        k = s
        for flag, group in groupby(ops.inserted[s:e]):
            n = sum(1 for _ in group)
            kind = "ins" if flag else "equal"
            piece = text[k - start:k - start + n]
            if out and out[-1][0] == kind:
                out[-1] = (kind, out[-1][1] + piece)
            else:
                out.append((kind, piece))
            k += n
    return out


def _replace_run(run: etree._Element, pieces: Sequence[tuple[str, str]], mode: Mode,
                 rev: oc.Revisions) -> etree._Element:
    """Put ``pieces`` where ``run`` is, each in its own run with the run's properties;
    return the last element put there."""
    rpr = run.find(qn("rPr"))
    others = [c for c in run if c.tag not in _TEXT_TAGS and c.tag != qn("rPr")]
    new: list[etree._Element] = []
    for kind, text in pieces:
        r = text_run(text, rpr, deleted=kind == "del")
        if not new:
            for other in others:
                r.append(other)  # a drawing or field mark stays with the first piece
        if kind == "equal" and mode == "normal":
            new.append(r)
        else:
            wrapper: oc.MarkKind = "moveTo" if kind == "equal" else kind  # type: ignore[assignment]
            new.append(oc.revision(wrapper, [r], rev))
    for el in new:
        run.addprevious(el)
    run.getparent().remove(run)  # type: ignore[union-attr]
    return new[-1]


def _deletion(text: str, rpr: etree._Element | None, rev: oc.Revisions) -> etree._Element:
    return oc.revision("del", [text_run(text, rpr, deleted=True)], rev)


def mark_slot(slot: Slot, ops: WordOps, mode: Mode, rev: oc.Revisions) -> None:
    """Mark ``ops`` on the runs of ``slot`` in place.

    ``mode`` ``to`` is the new end of a moved paragraph: unchanged text is
    ``w:moveTo``, and OLD's deleted words are left to the ``from`` end.
    """
    offset = 0
    last: etree._Element | None = None
    for run, text, para in slot.trace:
        start, offset = offset, offset + len(text)
        pending = ops.deleted.get(start) if mode == "normal" else None
        tracked = run is not None and run.getparent() is not None and run.getparent().tag in _TRACKED
        if run is None or tracked:
            if pending:
                _place_deletion(_deletion(pending, None, rev), last, para)
            continue
        pieces = _pieces(text, start, ops, mode)
        if pending:
            pieces.insert(0, ("del", pending))
        if pieces != [("equal", text)] or mode == "to":
            last = _replace_run(run, pieces, mode, rev)
        else:
            last = run
    end = ops.deleted.get(offset) if mode == "normal" else None
    if end:
        _place_deletion(_deletion(end, None, rev), last, _last_paragraph(slot))


def _last_paragraph(slot: Slot) -> etree._Element:
    if slot.element.tag == qn("p"):
        return slot.element
    paragraphs = list(slot.element.iter(qn("p")))
    return paragraphs[-1] if paragraphs else slot.element


def _place_deletion(deletion: etree._Element, after: etree._Element | None, para: etree._Element) -> None:
    """Put a deletion after a run, or else at the end of the paragraph."""
    if after is not None and after.getparent() is not None:
        after.addnext(deletion)
    elif para.tag == qn("p"):
        para.append(deletion)
