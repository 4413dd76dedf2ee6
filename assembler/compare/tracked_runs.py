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
from typing import Literal

from lxml import etree

from assembler.oxml import revisions as oc
from assembler.oxml.ns import qn
from assembler.readers.docx_walk import Slot

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
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


def _key(token: str) -> str:
    # Any run of white space matches any other: a tab for a space is not an edit.
    return " " if token.isspace() else token


def word_ops(old: str, new: str) -> WordOps:
    """Return the word-level changes that turn ``old`` into ``new``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    starts = [0]
    for token in b:
        starts.append(starts[-1] + len(token))
    inserted = [False] * len(new)
    deleted: dict[int, str] = {}
    matcher = difflib.SequenceMatcher(None, [_key(t) for t in a], [_key(t) for t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if i2 > i1:
            # At the end of a paragraph OLD's words follow NEW's: an insertion
            # that ends a paragraph would otherwise join, in LibreOffice, the
            # insertion of a paragraph after it, and rejecting both would
            # merge the paragraphs around them.
            at = starts[j2] if j2 == len(b) and j2 > j1 else starts[j1]
            deleted[at] = deleted.get(at, "") + "".join(a[i1:i2])
        for k in range(starts[j1], starts[j2]):
            inserted[k] = True
    return WordOps(tuple(inserted), deleted)


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
    out: list[tuple[str, str]] = []
    for k, ch in enumerate(text):
        at = start + k
        if at in ops.deleted and mode == "normal" and k:
            out.append(("del", ops.deleted[at]))
        kind = "ins" if ops.inserted[at] else "equal"
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + ch)
        else:
            out.append((kind, ch))
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
