"""Re-cutting a run of edited paragraphs where the two sides split the same text differently.

Paragraphs are paired one to one, so an OLD paragraph that NEW splits in
three (a definition list, a heading run into its first sentence) pairs with
one part and leaves the others "added", although their words are all in
OLD.  Inside each run of edited paragraphs between unchanged ones, the
words of both sides are aligned as one stream; every NEW paragraph is then
paired with the stretch of OLD text its words came from (cut at OLD
paragraph ends where the alignment allows), and OLD paragraphs none of
whose words were kept stay "removed".  The re-cut run is taken only when it
marks fewer words than the one-to-one pairing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace

from assembler.compare.align import match_pairs, word_keys, word_segments
from assembler.compare.moves import Step
from assembler.compare.result import Unit
from assembler.model import Span

_WORD = re.compile(r"\w+")
_EDITS = ("insert", "delete", "replace")


def regroup(steps: list[Step], formatting: bool) -> list[Step]:
    """Return the steps of one clause with each run of edited paragraphs re-cut when that marks fewer words."""
    out: list[Step] = []
    run: list[Step] = []
    for step in steps:
        if step.tag in ("changed", "removed", "added") and not step.linked:
            run.append(step)
            continue
        out.extend(_regroup_run(run, formatting))
        run = []
        out.append(step)
    out.extend(_regroup_run(run, formatting))
    return out


def _marked(steps: list[Step], formatting: bool) -> int:
    """Return the words a run of steps marks: added and removed paragraphs, edited words of pairs."""
    total = 0
    for step in steps:
        if step.old is None or step.new is None:
            total += len(word_keys((step.old or step.new).text))  # type: ignore[union-attr]
        elif step.old.text != step.new.text:
            total += sum(len(word_keys(s.old_text)) + len(word_keys(s.new_text))
                         for s in word_segments(step.old.spans, step.new.spans, formatting=formatting)
                         if s.op in _EDITS)
    return total


class _Stream:
    """The words of a run of units as one stream: per word its unit and character offset."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.words: list[str] = []
        self.unit_of: list[int] = []
        self.offset: list[int] = []
        self.starts: list[int] = []  # index of each unit's first word
        for u, unit in enumerate(units):
            self.starts.append(len(self.words))
            for m in _WORD.finditer(unit.text):
                self.words.append(m.group())
                self.unit_of.append(u)
                self.offset.append(m.start())
        self.starts.append(len(self.words))


def _regroup_run(run: list[Step], formatting: bool) -> list[Step]:
    olds = [s.old for s in run if s.old is not None]
    news = [s.new for s in run if s.new is not None]
    if not olds or not news or all(s.tag == "changed" for s in run):
        return run
    a, b = _Stream(olds), _Stream(news)
    ids: dict[str, int] = {}
    pairs = match_pairs([ids.setdefault(w, len(ids)) for w in a.words],
                        [ids.setdefault(w, len(ids)) for w in b.words])
    if not pairs:
        return run
    cuts = _cuts(a, b, pairs)
    kept = {i for i, _ in pairs}
    out: list[Step] = []
    for k, unit in enumerate(news):
        out.extend(_pieces(a, cuts[k], cuts[k + 1], kept, unit))
    return out if _marked(out, formatting) < _marked(run, formatting) else run


def _cuts(a: _Stream, b: _Stream, pairs: list[tuple[int, int]]) -> list[int]:
    """Return where OLD's word stream is cut so that NEW paragraph k gets words ``cuts[k]:cuts[k+1]``.

    A cut must keep every aligned pair on its own side; within the freedom
    left (OLD words no NEW word was aligned with), it falls on the last OLD
    paragraph end, so whole OLD paragraphs stay whole where they can.
    """
    new_at = [j for _, j in pairs]
    ends = a.starts[1:-1]
    cuts = [0]
    for boundary in b.starts[1:-1]:
        k = bisect_left(new_at, boundary)
        lo = pairs[k - 1][0] + 1 if k else 0
        hi = pairs[k][0] if k < len(pairs) else len(a.words)
        e = bisect_right(ends, hi) - 1
        cuts.append(ends[e] if e >= 0 and ends[e] >= lo else hi)
    cuts.append(len(a.words))
    return cuts


def _pieces(a: _Stream, start: int, end: int, kept: set[int], new: Unit) -> list[Step]:
    """Return the steps for one NEW paragraph given OLD words ``start:end``.

    Whole OLD paragraphs at either end of the stretch with no word kept are
    "removed" before or after it; what is left is the OLD side of the pair,
    or the NEW paragraph is "added" when nothing is left.
    """
    before: list[Step] = []
    after: list[Step] = []
    units = sorted({a.unit_of[i] for i in range(start, end)})
    for u in units:  # leading OLD paragraphs with nothing kept
        if a.starts[u] >= start and a.starts[u + 1] <= end and not kept.intersection(range(a.starts[u], a.starts[u + 1])):
            before.append(Step(a.units[u], None, "removed"))
            start = a.starts[u + 1]
        else:
            break
    for u in reversed(units):  # trailing ones
        if start < a.starts[u] and a.starts[u + 1] <= end and not kept.intersection(range(a.starts[u], a.starts[u + 1])):
            after.insert(0, Step(a.units[u], None, "removed"))
            end = a.starts[u]
        else:
            break
    if start >= end:
        return [*before, Step(None, new, "added"), *after]
    return [*before, Step(_fragment(a, start, end, new), new, "changed"), *after]


def _fragment(a: _Stream, start: int, end: int, new: Unit) -> Unit:
    """Return OLD words ``start:end`` as one unit (OLD paragraphs joined by a space)."""
    first, last = a.unit_of[start], a.unit_of[end - 1]
    spans: list[Span] = []
    for u in range(first, last + 1):
        unit = a.units[u]
        lo = a.offset[start] if u == first and start > a.starts[u] else 0
        hi = a.offset[end] if u == last and end < a.starts[u + 1] else len(unit.text)
        while hi > lo and unit.text[hi - 1].isspace():
            hi -= 1  # the space at a cut belongs to neither part
        if spans:
            spans.append(Span(" "))
        spans.extend(_slice(unit.spans, lo, hi))
    head = a.units[first]
    if start == a.starts[first]:
        return Unit(head.kind, tuple(spans), head.label, head.style)
    # The tail of a split paragraph has no label of its own; it stands as NEW's paragraph.
    return Unit(new.kind, tuple(spans), "", new.style)


def _slice(spans: tuple[Span, ...], lo: int, hi: int) -> list[Span]:
    """Return the spans covering characters ``lo:hi`` of their joined text."""
    out: list[Span] = []
    at = 0
    for span in spans:
        s, e = max(lo, at), min(hi, at + len(span.text))
        if s < e:
            out.append(span if (s, e) == (at, at + len(span.text)) else replace(span, text=span.text[s - at:e - at]))
        at += len(span.text)
    return out
