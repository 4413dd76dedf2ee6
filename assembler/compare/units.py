"""The comparable units of a document: its sections (front matter, clauses, back matter and parts), their
paragraphs as units, their keys, and how similar two units are."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assembler.compare.align import normal_key, word_keys
from assembler.compare.result import AlignedBy, ClauseRef, SectionKind, Unit
from assembler.compare.sequence import common_run
from assembler.model import Block, Document, ItemList, Paragraph, Span


@dataclass(frozen=True)
class Section:
    key: str
    ref: ClauseRef
    units: tuple[Unit, ...]
    kind: SectionKind


def block_units(blocks: Sequence[Block]) -> list[Unit]:
    out: list[Unit] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(Unit("paragraph", block.spans, block.number or ""))
        elif isinstance(block, ItemList):
            out.extend(Unit("item", item.spans, item.label, block.style) for item in block.items)
    return out


def sections(doc: Document, by: AlignedBy) -> list[Section]:
    """Return a document as sections: front matter, clauses, back matter."""
    front: list[Unit] = []
    if doc.title:
        front.append(Unit("title", (Span(doc.title),)))
    if doc.reference:
        front.append(Unit("reference", (Span(f"{doc.labels.reference}: {doc.reference}"),)))
    front.extend(block_units(doc.preamble))
    out = [Section("front", ClauseRef("", ""), tuple(front), "front")]
    for clause in doc.clauses:
        units = [Unit("heading", (Span(clause.title),), clause.number)] if (
            clause.title or clause.number) else []
        units.extend(block_units(clause.blocks))
        ref = ClauseRef(clause.number, clause.title, clause.id, clause.version)
        if by == "sentence":
            out[0] = replace(out[0], units=out[0].units + tuple(units))
            continue
        key = f"id:{clause.id}" if by == "clause" else (
            "title:" + normal_key(clause.title).casefold() if clause.title else f"number:{clause.number}")
        out.append(Section(key, ref, tuple(units), "clause"))
    if doc.appendices:
        units = [Unit("heading", (Span(doc.labels.appendices),))]
        units.extend(Unit("paragraph", (Span(f"{a.label} \u2013 {a.title}"),)) for a in doc.appendices)
        out.append(Section("back:appendices", ClauseRef("", doc.labels.appendices),
                            tuple(units), "back"))
    if doc.signatures:
        out.append(Section("back:signatures", ClauseRef("", doc.labels.signatures),
                            tuple(_signature_units(doc)), "back"))
    for part in doc.parts:
        # Headers, footers and notes compare with their namesakes on the other
        # side: "footnote 3" with "footnote 3", wherever the reference sits.
        out.append(Section(f"part:{part.kind}:{part.label}", ClauseRef(part.label, _PART_TITLES[part.kind]),
                            tuple(block_units(part.blocks)), "back"))
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


def alignment(old: Document, new: Document) -> AlignedBy:
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


def unit_key(unit: Unit) -> str:
    return f"{unit.kind}:{unit.style}:{normal_key(unit.text)}"


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")


def _sentences(text: str) -> list[str]:
    return [s for s in (normal_key(x) for x in _SENTENCE_END.split(text)) if s]


class UnitScorer:
    """Similarity of paragraphs by shared words and shared sentences, memoised.

    The global alignment scores every pair in a gap, so each paragraph's
    words and sentence counts are found once, and pairs without a common
    word cost one set test.
    """

    def __init__(self, old: Sequence[Unit], new: Sequence[Unit]) -> None:
        self.old, self.new = old, new
        self._words_of: dict[tuple[int, int], list[str]] = {}
        self._counts: dict[tuple[int, int], tuple[Counter[str], frozenset[str]]] = {}
        self._sentences: dict[tuple[int, int], tuple[Counter[str], int]] = {}

    def _unit(self, side: int, i: int) -> Unit:
        return (self.old if side == 0 else self.new)[i]

    def words(self, side: int, i: int) -> list[str]:
        """Return the words of unit ``i`` of OLD (side 0) or NEW (side 1)."""
        key = (side, i)
        found = self._words_of.get(key)
        if found is None:
            found = self._words_of[key] = word_keys(self._unit(side, i).text)
        return found

    def _w(self, side: int, i: int) -> tuple[Counter[str], frozenset[str]]:
        key = (side, i)
        found = self._counts.get(key)
        if found is None:
            counts = Counter(self.words(side, i))
            found = self._counts[key] = (counts, frozenset(counts))
        return found

    def _s(self, side: int, i: int) -> tuple[Counter[str], int]:
        key = (side, i)
        found = self._sentences.get(key)
        if found is None:
            sentences = _sentences(self._unit(side, i).text)
            found = self._sentences[key] = (Counter(sentences), len(sentences))
        return found

    def _words(self, i: int, j: int) -> float:
        wa, wb = self.words(0, i), self.words(1, j)
        na, nb = len(wa), len(wb)
        if not na and not nb:
            return 1.0
        # Words both share at the start and end count once each (a multiset's
        # common head and tail are in its intersection); only the rest is counted.
        head = common_run(wa, 0, wb, 0, min(na, nb), 1)
        tail = common_run(wa, na, wb, nb, min(na, nb) - head, -1)
        if 2 * (head + tail) < min(na, nb):
            (ca, keys_a), (cb, keys_b) = self._w(0, i), self._w(1, j)
            if keys_a.isdisjoint(keys_b):
                return 0.0
            head = tail = 0
        else:
            ca, cb = Counter(wa[head:na - tail]), Counter(wb[head:nb - tail])
        small, large = (ca, cb) if len(ca) <= len(cb) else (cb, ca)
        shared = head + tail + sum(min(n, large[k]) for k, n in small.items() if k in large)
        return 2.0 * shared / (na + nb)

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
