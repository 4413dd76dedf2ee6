"""Paragraph steps and clause entries while a comparison is worked out, and the moves found among them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from assembler.compare.align import similarity, word_keys
from assembler.compare.result import Unit, UnitDiff
from assembler.compare.units import Section, unit_key

# A paragraph must have this many words before an unmatched copy elsewhere
# counts as a move; shorter ones ("Ja.", "(a) och") repeat by chance.
MOVE_MIN_WORDS = 3
_APPROX_MOVE = 0.8


@dataclass(eq=False)
class Step:
    """A paragraph pairing while it is being worked out (mutable, internal)."""

    old: Unit | None
    new: Unit | None
    tag: str  # equal changed removed added from to
    partner: Step | None = None
    move_id: int = 0
    diff: UnitDiff | None = None
    linked: bool = False  # paired across a clause boundary: its old unit sits in another clause


@dataclass(eq=False)
class Entry:
    """A clause pairing while it is being worked out (mutable, internal)."""

    old: Section | None
    new: Section | None
    tag: str
    steps: list[Step]
    partner: Entry | None = None
    move_id: int = 0
    one_to_one: list[Step] | None = None  # the steps before re-cutting, when re-cutting changed them


def find_paragraph_moves(entries: list[Entry]) -> None:
    """Turn removed/added paragraph pairs across clauses into moves, in place.

    Only a paragraph that changed place relative to the paragraphs around it
    is a move; one that only crossed a clause boundary (a heading added or
    removed beside it) stays where it is, as an unchanged or changed paragraph.
    """
    free = [e for e in entries if e.tag not in ("from", "to")]
    place = _places(free)
    removed = [s for e in free for s in e.steps if s.tag == "removed" and s.old is not None]
    added = [s for e in free for s in e.steps if s.tag == "added" and s.new is not None]
    by_key: dict[str, list[Step]] = {}
    for step in removed:
        assert step.old is not None
        if len(word_keys(step.old.text)) >= MOVE_MIN_WORDS:
            by_key.setdefault(unit_key(step.old), []).append(step)
    left: list[Step] = []
    for step in added:
        assert step.new is not None
        waiting = by_key.get(unit_key(step.new))
        if waiting:
            _link(waiting.pop(0), step, place)
        else:
            left.append(step)
    _find_approximate_moves([s for s in removed if s.tag == "removed"], left, place)
    for entry in free:
        entry.steps[:] = [s for s in entry.steps if s.tag != "dropped"]


def _places(entries: list[Entry]) -> dict[int, int]:
    """Return, per step, how many paired paragraphs come before it in reading order."""
    out: dict[int, int] = {}
    count = 0
    for entry in entries:
        for step in entry.steps:
            out[id(step)] = count
            if step.tag in ("equal", "changed"):
                count += 1
    return out


def _link(gone: Step, came: Step, place: dict[int, int]) -> None:
    """Link a removed and an added paragraph: a move, or a change in place when neither moved."""
    if place.get(id(gone)) != place.get(id(came)):
        _link_move(gone, came)
        return
    came.tag, came.old, came.linked = "changed", gone.old, True
    gone.tag = "dropped"  # its text now sits in ``came``


def _find_approximate_moves(removed: list[Step], added: list[Step], place: dict[int, int]) -> None:
    """Link removed/added paragraphs that are near copies, looking only at likely ones.

    An index from each rare word to the removed paragraphs holding it keeps
    this linear in practice: each added paragraph is scored against at most a
    few candidates that share its rarest words.
    """
    long_removed = [s for s in removed if s.old and len(word_keys(s.old.text)) >= 8]
    if not long_removed or not added:
        return
    words = {id(s): word_keys(s.old.text) for s in long_removed if s.old}
    frequency: Counter[str] = Counter(w for ws in words.values() for w in set(ws))
    index: dict[str, list[Step]] = {}
    for step in long_removed:
        for w in set(words[id(step)]):
            if frequency[w] <= 3:
                index.setdefault(w, []).append(step)
    for step in added:
        assert step.new is not None
        new_words = word_keys(step.new.text)
        if len(new_words) < 8:
            continue
        hits: Counter[int] = Counter()
        lookup = {id(s): s for w in set(new_words) for s in index.get(w, ())}
        for w in set(new_words):
            for cand in index.get(w, ()):
                hits[id(cand)] += 1
        best: tuple[float, Step | None] = (_APPROX_MOVE, None)
        for cand_id, _ in hits.most_common(5):
            cand = lookup[cand_id]
            if cand.tag != "removed":
                continue
            score = similarity(words[cand_id], new_words)
            if score >= best[0]:
                best = (score, cand)
        if best[1] is not None:
            _link(best[1], step, place)


def _link_move(gone: Step, came: Step) -> None:
    gone.tag, came.tag = "from", "to"
    gone.new, came.old = came.new, gone.old
    gone.partner, came.partner = came, gone
