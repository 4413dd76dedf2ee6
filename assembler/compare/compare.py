"""Comparing two documents: cut them into sections and units, pair them, and diff the words of each pair.

The result is the structure of :mod:`assembler.compare.result`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assembler.compare.align import Move, Segment, Status, pair_sequences, similarity, word_keys, word_segments
from assembler.compare.moves import MOVE_MIN_WORDS, Entry, Step, find_paragraph_moves
from assembler.compare.regroup import regroup
from assembler.compare.result import AlignedBy, ClauseDiff, SectionKind, Unit, UnitDiff
from assembler.compare.units import Section, UnitScorer, alignment, sections, unit_key
from assembler.model import Document

# Above this share of words in clauses found on one side only, the headings
# are not trusted to pair the text.
_RESTRUCTURED = 0.1
# Paragraphs sharing this much of their wording are one paragraph edited; the
# global alignment takes the best set of such pairs, so a low bar is safe.
_PAIR_AT = 0.3


def compare_documents(old: Document, new: Document, *, formatting: bool = True
                      ) -> tuple[AlignedBy, tuple[ClauseDiff, ...]]:
    """Return how two documents were aligned and their clause diffs in merged order.

    Documents whose headings do not pair up (a revision that restructured
    its clauses) are compared once more as one flow of paragraphs, and the
    alignment that marks fewer words wins: a renamed heading must not turn
    its whole clause into a deletion and an insertion.
    """
    by = alignment(old, new)
    clauses = _compare_by(old, new, by, formatting)
    if by == "heading" and _unpaired_share(clauses) > _RESTRUCTURED:
        flat = _compare_by(old, new, "sentence", formatting)
        if marked_words(flat) < marked_words(clauses):
            return "sentence", flat
    return by, clauses


def _compare_by(old: Document, new: Document, by: AlignedBy, formatting: bool) -> tuple[ClauseDiff, ...]:
    entries = _pair_sections(sections(old, by), sections(new, by))
    find_paragraph_moves(entries)
    for entry in entries:
        if entry.tag not in ("from", "to"):
            steps = regroup(entry.steps, formatting)
            if len(steps) != len(entry.steps) or any(a is not b for a, b in zip(steps, entry.steps)):
                entry.one_to_one = list(entry.steps)
            entry.steps[:] = steps
    return _finish(entries, formatting)


def _unit_words(unit: Unit | None) -> int:
    return len(word_keys(unit.text)) if unit is not None else 0


def _unpaired_share(clauses: Sequence[ClauseDiff]) -> float:
    """Return the share of words that sit in clauses found on one side only."""
    total = unpaired = 0
    for clause in clauses:
        words = sum(_unit_words(u.new or u.old) for u in clause.units)
        total += words
        if clause.status in ("added", "removed"):
            unpaired += words
    return unpaired / total if total else 0.0


def marked_words(clauses: Sequence[ClauseDiff]) -> int:
    """Return how many words a diff marks: inside changed runs, added, removed and moved paragraphs."""
    marked = 0
    for clause in clauses:
        for unit in clause.units:
            if unit.status in ("added", "removed") or unit.move:
                marked += _unit_words(unit.old if unit.move == "from" or unit.status == "removed" else unit.new)
                continue
            marked += sum(len(word_keys(s.old_text)) + len(word_keys(s.new_text))
                          for s in unit.segments if s.op in ("insert", "delete", "replace"))
    return marked


def _section_words(section: Section) -> list[str]:
    return [w for u in section.units if u.kind != "heading" for w in word_keys(u.text)]


def _pair_sections(sec_a: list[Section], sec_b: list[Section]) -> list[Entry]:
    """Return clause pairings in merged order, each with its paragraph steps."""
    # Words are counted only for sections left unpaired by their keys.
    words: dict[tuple[int, int], list[str]] = {}

    def similar(i: int, j: int) -> float:
        if sec_a[i].kind != sec_b[j].kind:
            return 0.0
        if (0, i) not in words:
            words[0, i] = _section_words(sec_a[i])
        if (1, j) not in words:
            words[1, j] = _section_words(sec_b[j])
        return similarity(words[0, i], words[1, j])

    pairing = pair_sequences([s.key for s in sec_a], [s.key for s in sec_b], similar=similar,
                             movable=lambda j: sec_b[j].kind == "clause")
    entries: list[Entry] = []
    moved: dict[tuple[int | None, int | None], Entry] = {}
    for i, j, tag in pairing.steps:
        a = sec_a[i] if i is not None else None
        b = sec_b[j] if j is not None else None
        if tag in ("from", "to"):
            twin = moved.get((i, j))
            entry = Entry(a, b, tag, twin.steps if twin else _pair_units(a, b, moves=False))
            if twin:
                entry.partner, twin.partner = twin, entry
            moved[(i, j)] = entry
        elif tag == "removed":
            entry = Entry(a, None, tag, [Step(u, None, "removed") for u in a.units] if a else [])
        elif tag == "added":
            entry = Entry(None, b, tag, [Step(None, u, "added") for u in b.units] if b else [])
        else:
            entry = Entry(a, b, tag, _pair_units(a, b, moves=True))
        entries.append(entry)
    return entries


def _pair_units(a: Section | None, b: Section | None, *, moves: bool) -> list[Step]:
    """Return the paragraph steps of one clause pair, in merged order."""
    old = a.units if a else ()
    new = b.units if b else ()
    scorer = UnitScorer(old, new)
    pairing = pair_sequences(
        [unit_key(u) for u in old], [unit_key(u) for u in new], similar=scorer, threshold=_PAIR_AT,
        movable=(lambda j: moves and len(scorer.words(1, j)) >= MOVE_MIN_WORDS))
    steps: list[Step] = []
    open_moves: dict[tuple[int | None, int | None], Step] = {}
    for i, j, tag in pairing.steps:
        step = Step(old[i] if i is not None else None, new[j] if j is not None else None, tag)
        if tag in ("from", "to"):
            twin = open_moves.pop((i, j), None)
            if twin:
                step.partner, twin.partner = twin, step
            else:
                open_moves[(i, j)] = step
        steps.append(step)
    return steps

def _finish(entries: list[Entry], formatting: bool) -> tuple[ClauseDiff, ...]:
    """Return the frozen clause diffs, numbering moves in reading order."""
    counter = 0
    for entry in entries:
        if entry.tag in ("from", "to") and not entry.move_id:
            counter += 1
            entry.move_id = counter
            if entry.partner:
                entry.partner.move_id = counter
        for step in entry.steps:
            if step.tag in ("from", "to") and not step.move_id:
                counter += 1
                step.move_id = counter
                if step.partner:
                    step.partner.move_id = counter
    out: list[ClauseDiff] = []
    for entry in entries:
        units = tuple(_unit_diff(s, formatting) for s in entry.steps)
        whole = tuple(_unit_diff(s, formatting) for s in entry.one_to_one) if entry.one_to_one else ()
        text_changed = any(u.status != "unchanged" for u in units)
        ref_a = entry.old.ref if entry.old else None
        ref_b = entry.new.ref if entry.new else None
        section = entry.new or entry.old
        kind: SectionKind = section.kind if section is not None else "clause"
        status: Status
        if entry.tag in ("from", "to"):
            status, move = "moved", entry.tag
        elif entry.tag in ("removed", "added"):
            status, move = entry.tag, ""  # type: ignore[assignment]
        else:
            status, move = ("changed" if text_changed else "unchanged"), ""
        out.append(ClauseDiff(status, ref_a, ref_b, units, kind, move,  # type: ignore[arg-type]
                              entry.move_id, text_changed, whole))
    return tuple(out)


def _unit_diff(step: Step, formatting: bool) -> UnitDiff:
    """Return the frozen diff of one paragraph step (computed once per move pair)."""
    if step.diff is not None:
        return step.diff
    old, new = step.old, step.new
    move: Move = step.tag if step.tag in ("from", "to") else ""  # type: ignore[assignment]
    if step.partner is not None and step.partner.diff is not None:
        step.diff = replace(step.partner.diff, move=move)
        return step.diff
    status: Status
    segments: tuple[Segment, ...]
    if old is None and new is not None:
        status, segments = "added", (Segment("insert", (), new.spans),)
    elif new is None and old is not None:
        status, segments = "removed", (Segment("delete", old.spans, ()),)
    else:
        assert old is not None and new is not None
        same_look = not formatting or old.spans == new.spans
        if old.text == new.text and same_look:
            segments = (Segment("equal", old.spans, new.spans),)
        else:
            segments = word_segments(old.spans, new.spans, formatting=formatting)
        differs = any(s.op != "equal" for s in segments) or (
            (old.kind, old.style) != (new.kind, new.style))
        status = "moved" if move else ("changed" if differs else "unchanged")
    step.diff = UnitDiff(status, old, new, segments, move, step.move_id)
    return step.diff
