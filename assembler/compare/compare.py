"""Comparing two documents: cut them into sections and units, pair them, and diff the words of each pair.

The result is the structure of :mod:`assembler.compare.result`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assembler.compare.align import (
    Move,
    Segment,
    Status,
    normal_key,
    pair_sequences,
    similarity,
    word_keys,
    word_segments,
)
from assembler.compare.result import AlignedBy, ClauseDiff, ClauseRef, SectionKind, Unit, UnitDiff
from assembler.model import Block, Document, ItemList, Paragraph, Span

# A paragraph must have this many words before an unmatched copy elsewhere
# counts as a move; shorter ones ("Ja.", "(a) och") repeat by chance.
_MOVE_MIN_WORDS = 3
_APPROX_MOVE = 0.8
# Above this share of words in clauses found on one side only, the headings
# are not trusted to pair the text.
_RESTRUCTURED = 0.1
# Paragraphs sharing this much of their wording are one paragraph edited; the
# global alignment takes the best set of such pairs, so a low bar is safe.
_PAIR_AT = 0.3


@dataclass(frozen=True)
class _Section:
    key: str
    ref: ClauseRef
    units: tuple[Unit, ...]
    kind: SectionKind


def _block_units(blocks: Sequence[Block]) -> list[Unit]:
    out: list[Unit] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Unit("paragraph", block.spans, block.number or ""))
        elif isinstance(block, ItemList):
            out.extend(Unit("item", item.spans, item.label, block.style) for item in block.items)
    return out


def _sections(doc: Document, by: AlignedBy) -> list[_Section]:
    """Return a document as sections: front matter, clauses, back matter."""
    front: list[Unit] = []
    if doc.title:
        front.append(Unit("title", (Span(doc.title),)))
    if doc.reference:
        front.append(Unit("reference", (Span(f"{doc.labels.reference}: {doc.reference}"),)))
    front.extend(_block_units(doc.preamble))
    out = [_Section("front", ClauseRef("", ""), tuple(front), "front")]
    for clause in doc.clauses:
        units = [Unit("heading", (Span(clause.title),), clause.number)] if (
            clause.title or clause.number) else []
        units.extend(_block_units(clause.blocks))
        ref = ClauseRef(clause.number, clause.title, clause.id, clause.version)
        if by == "sentence":
            out[0] = replace(out[0], units=out[0].units + tuple(units))
            continue
        key = f"id:{clause.id}" if by == "clause" else (
            "title:" + normal_key(clause.title).casefold() if clause.title else f"number:{clause.number}")
        out.append(_Section(key, ref, tuple(units), "clause"))
    if doc.appendices:
        units = [Unit("heading", (Span(doc.labels.appendices),))]
        units.extend(Unit("paragraph", (Span(f"{a.label} \u2013 {a.title}"),)) for a in doc.appendices)
        out.append(_Section("back:appendices", ClauseRef("", doc.labels.appendices),
                            tuple(units), "back"))
    if doc.signatures:
        out.append(_Section("back:signatures", ClauseRef("", doc.labels.signatures),
                            tuple(_signature_units(doc)), "back"))
    for part in doc.parts:
        # Headers, footers and notes compare with their namesakes on the other
        # side: "footnote 3" with "footnote 3", wherever the reference sits.
        out.append(_Section(f"part:{part.kind}:{part.label}", ClauseRef(part.label, _PART_TITLES[part.kind]),
                            tuple(_block_units(part.blocks)), "back"))
    return out


_PART_TITLES = {"header": "Header", "footer": "Footer", "footnote": "Footnote", "endnote": "Endnote"}


def _signature_units(doc: Document) -> list[Unit]:
    """Return the signature blocks as our writers print each party's cell.

    Party, then value and caption of each field (place and date, signature,
    name, title); an empty value is an empty paragraph, as in the DOCX.
    """
    labels = doc.labels
    units = [Unit("heading", (Span(labels.signatures),))]
    for sig in doc.signatures:
        party = f"{sig.party} ({sig.orgnr})" if sig.orgnr else sig.party
        place_date = ", ".join(x for x in (sig.place, sig.date) if x)
        units.append(Unit("sig-party", _plain(party)))
        for value, caption in ((place_date, labels.place_date), ("", labels.signature),
                               (sig.signatory, labels.name_clarification),
                               (sig.signatory_title, labels.title)):
            units.append(Unit("sig-field", _plain(value)))
            units.append(Unit("sig-caption", _plain(caption)))
    return units


def _plain(text: str) -> tuple[Span, ...]:
    return (Span(text),) if text else ()


def _alignment(old: Document, new: Document) -> AlignedBy:
    """Return how two documents can be aligned: by clause id, heading or sentence."""
    def has_ids(doc: Document) -> bool:
        return bool(doc.clauses) and all(c.id for c in doc.clauses)

    def has_headings(doc: Document) -> bool:
        return any(c.title or c.number for c in doc.clauses)

    if has_ids(old) and has_ids(new):
        return "clause"
    if has_headings(old) and has_headings(new):
        return "heading"
    return "sentence"


def _unit_key(unit: Unit) -> str:
    return f"{unit.kind}:{unit.style}:{normal_key(unit.text)}"


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")


def _sentences(text: str) -> list[str]:
    return [s for s in (normal_key(x) for x in _SENTENCE_END.split(text)) if s]


class _UnitScorer:
    """Similarity of paragraphs by shared words and shared sentences, memoised.

    The global alignment scores every pair in a gap, so each paragraph's
    word and sentence counts are made once and pairs without a common word
    cost one set test.
    """

    def __init__(self, old: Sequence[Unit], new: Sequence[Unit]) -> None:
        self.old, self.new = old, new
        self._counts: dict[tuple[int, int], tuple[Counter[str], int, frozenset[str]]] = {}
        self._sentences: dict[tuple[int, int], tuple[Counter[str], int]] = {}

    def _unit(self, side: int, i: int) -> Unit:
        return (self.old if side == 0 else self.new)[i]

    def _w(self, side: int, i: int) -> tuple[Counter[str], int, frozenset[str]]:
        key = (side, i)
        found = self._counts.get(key)
        if found is None:
            words = word_keys(self._unit(side, i).text)
            counts = Counter(words)
            found = self._counts[key] = (counts, len(words), frozenset(counts))
        return found

    def _s(self, side: int, i: int) -> tuple[Counter[str], int]:
        key = (side, i)
        found = self._sentences.get(key)
        if found is None:
            sentences = _sentences(self._unit(side, i).text)
            found = self._sentences[key] = (Counter(sentences), len(sentences))
        return found

    def _words(self, i: int, j: int) -> float:
        ca, na, keys_a = self._w(0, i)
        cb, nb, keys_b = self._w(1, j)
        if not na and not nb:
            return 1.0
        if keys_a.isdisjoint(keys_b):
            return 0.0
        small, large = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
        return 2.0 * sum(min(n, large[k]) for k, n in small.items() if k in large) / (na + nb)

    def __call__(self, i: int, j: int) -> float:
        a, b = self.old[i], self.new[j]
        if a.kind == b.kind and a.kind in ("heading", "title", "reference", "sig-field", "sig-caption"):
            # One of each per place: the layout, not the wording, pairs them;
            # among many (a clause-less flow of headings) the wording decides.
            return 0.5 + 0.5 * self._words(i, j)
        if (a.kind == "heading") != (b.kind == "heading"):
            return 0.0
        words = self._words(i, j)
        if words >= 0.5 or words == 0.0:
            return words
        # Paragraphs split or merged still share whole sentences.
        (sa, la), (sb, lb) = self._s(0, i), self._s(1, j)
        if la <= 1 and lb <= 1:
            return words
        shared = sum(min(n, sb[k]) for k, n in sa.items() if k in sb)
        return max(words, 2.0 * shared / (la + lb))


# --------------------------------------------------------------------------
# The comparison


@dataclass(eq=False)
class _Step:
    """A paragraph pairing while it is being worked out (mutable, internal)."""

    old: Unit | None
    new: Unit | None
    tag: str  # equal changed removed added from to
    partner: _Step | None = None
    move_id: int = 0
    diff: UnitDiff | None = None


@dataclass(eq=False)
class _Entry:
    """A clause pairing while it is being worked out (mutable, internal)."""

    old: _Section | None
    new: _Section | None
    tag: str
    steps: list[_Step]
    partner: _Entry | None = None
    move_id: int = 0


def compare_documents(old: Document, new: Document, *, formatting: bool = True
                      ) -> tuple[AlignedBy, tuple[ClauseDiff, ...]]:
    """Return how two documents were aligned and their clause diffs in merged order.

    Documents whose headings do not pair up (a revision that restructured
    its clauses) are compared once more as one flow of paragraphs, and the
    alignment that marks fewer words wins: a renamed heading must not turn
    its whole clause into a deletion and an insertion.
    """
    by = _alignment(old, new)
    clauses = _compare_by(old, new, by, formatting)
    if by == "heading" and _unpaired_share(clauses) > _RESTRUCTURED:
        flat = _compare_by(old, new, "sentence", formatting)
        if marked_words(flat) < marked_words(clauses):
            return "sentence", flat
    return by, clauses


def _compare_by(old: Document, new: Document, by: AlignedBy, formatting: bool) -> tuple[ClauseDiff, ...]:
    entries = _pair_sections(_sections(old, by), _sections(new, by))
    _find_paragraph_moves(entries)
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


def _section_words(section: _Section) -> list[str]:
    return [w for u in section.units if u.kind != "heading" for w in word_keys(u.text)]


def _pair_sections(sec_a: list[_Section], sec_b: list[_Section]) -> list[_Entry]:
    """Return clause pairings in merged order, each with its paragraph steps."""
    words_a = [_section_words(s) for s in sec_a]
    words_b = [_section_words(s) for s in sec_b]

    def similar(i: int, j: int) -> float:
        if sec_a[i].kind != sec_b[j].kind:
            return 0.0
        return similarity(words_a[i], words_b[j])

    pairing = pair_sequences([s.key for s in sec_a], [s.key for s in sec_b], similar=similar,
                             movable=lambda j: sec_b[j].kind == "clause")
    entries: list[_Entry] = []
    moved: dict[tuple[int | None, int | None], _Entry] = {}
    for i, j, tag in pairing.steps:
        a = sec_a[i] if i is not None else None
        b = sec_b[j] if j is not None else None
        if tag in ("from", "to"):
            twin = moved.get((i, j))
            entry = _Entry(a, b, tag, twin.steps if twin else _pair_units(a, b, moves=False))
            if twin:
                entry.partner, twin.partner = twin, entry
            moved[(i, j)] = entry
        elif tag == "removed":
            entry = _Entry(a, None, tag, [_Step(u, None, "removed") for u in a.units] if a else [])
        elif tag == "added":
            entry = _Entry(None, b, tag, [_Step(None, u, "added") for u in b.units] if b else [])
        else:
            entry = _Entry(a, b, tag, _pair_units(a, b, moves=True))
        entries.append(entry)
    return entries


def _pair_units(a: _Section | None, b: _Section | None, *, moves: bool) -> list[_Step]:
    """Return the paragraph steps of one clause pair, in merged order."""
    old = a.units if a else ()
    new = b.units if b else ()
    scorer = _UnitScorer(old, new)
    pairing = pair_sequences(
        [_unit_key(u) for u in old], [_unit_key(u) for u in new], similar=scorer, threshold=_PAIR_AT,
        movable=(lambda j: moves and len(word_keys(new[j].text)) >= _MOVE_MIN_WORDS))
    steps: list[_Step] = []
    open_moves: dict[tuple[int | None, int | None], _Step] = {}
    for i, j, tag in pairing.steps:
        step = _Step(old[i] if i is not None else None, new[j] if j is not None else None, tag)
        if tag in ("from", "to"):
            twin = open_moves.pop((i, j), None)
            if twin:
                step.partner, twin.partner = twin, step
            else:
                open_moves[(i, j)] = step
        steps.append(step)
    return steps


def _find_paragraph_moves(entries: list[_Entry]) -> None:
    """Turn removed/added paragraph pairs across clauses into moves, in place.

    Only a paragraph that changed place relative to the paragraphs around it
    is a move; one that only crossed a clause boundary (a heading added or
    removed beside it) stays where it is, as an unchanged or changed paragraph.
    """
    free = [e for e in entries if e.tag not in ("from", "to")]
    place = _places(free)
    removed = [s for e in free for s in e.steps if s.tag == "removed" and s.old is not None]
    added = [s for e in free for s in e.steps if s.tag == "added" and s.new is not None]
    by_key: dict[str, list[_Step]] = {}
    for step in removed:
        assert step.old is not None
        if len(word_keys(step.old.text)) >= _MOVE_MIN_WORDS:
            by_key.setdefault(_unit_key(step.old), []).append(step)
    left: list[_Step] = []
    for step in added:
        assert step.new is not None
        waiting = by_key.get(_unit_key(step.new))
        if waiting:
            _link(waiting.pop(0), step, place)
        else:
            left.append(step)
    _find_approximate_moves([s for s in removed if s.tag == "removed"], left, place)
    for entry in free:
        entry.steps[:] = [s for s in entry.steps if s.tag != "dropped"]


def _places(entries: list[_Entry]) -> dict[int, int]:
    """Return, per step, how many paired paragraphs come before it in reading order."""
    out: dict[int, int] = {}
    count = 0
    for entry in entries:
        for step in entry.steps:
            out[id(step)] = count
            if step.tag in ("equal", "changed"):
                count += 1
    return out


def _link(gone: _Step, came: _Step, place: dict[int, int]) -> None:
    """Link a removed and an added paragraph: a move, or a change in place when neither moved."""
    if place.get(id(gone)) != place.get(id(came)):
        _link_move(gone, came)
        return
    came.tag, came.old = "changed", gone.old
    gone.tag = "dropped"  # its text now sits in ``came``


def _find_approximate_moves(removed: list[_Step], added: list[_Step], place: dict[int, int]) -> None:
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
    index: dict[str, list[_Step]] = {}
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
        best: tuple[float, _Step | None] = (_APPROX_MOVE, None)
        for cand_id, _ in hits.most_common(5):
            cand = lookup[cand_id]
            if cand.tag != "removed":
                continue
            score = similarity(words[cand_id], new_words)
            if score >= best[0]:
                best = (score, cand)
        if best[1] is not None:
            _link(best[1], step, place)


def _link_move(gone: _Step, came: _Step) -> None:
    gone.tag, came.tag = "from", "to"
    gone.new, came.old = came.new, gone.old
    gone.partner, came.partner = came, gone


def _finish(entries: list[_Entry], formatting: bool) -> tuple[ClauseDiff, ...]:
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
                              entry.move_id, text_changed))
    return tuple(out)


def _unit_diff(step: _Step, formatting: bool) -> UnitDiff:
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
