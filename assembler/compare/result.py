"""What a comparison produces: the diff of two documents, clause by clause and word by word.

A :class:`DiffResult` lists clauses in merged order (the order of NEW, with
removed clauses at their old places and a ``from`` placeholder where a moved
clause used to be); each :class:`ClauseDiff` lists its paragraphs the same
way, each :class:`UnitDiff` carries word-level :class:`~assembler.compare.align.Segment`\\ s.
Presenters (``present``, ``tracked_docx``) only read this structure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assembler.compare.align import Move, Segment, Status
from assembler.model import Document, Manifest, Span

if TYPE_CHECKING:
    from assembler.compare.coverage import Coverage
    from assembler.readers.docx import Comment, TrackedChange

UnitKind = Literal["title", "reference", "heading", "paragraph", "item",
                   "sig-party", "sig-field", "sig-caption"]
AlignedBy = Literal["clause", "heading", "sentence", "manifest"]
SectionKind = Literal["front", "clause", "back"]


@dataclass(frozen=True)
class Unit:
    """One comparable paragraph: a title, clause heading, paragraph or list item.

    ``label`` is its printed number or letter ("3", "3.1", "(a)"); ``style``
    is ``bullet`` or ``letter`` for list items.
    """

    kind: UnitKind
    spans: tuple[Span, ...]
    label: str = ""
    style: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class ClauseRef:
    """A clause as one side has it: number, title and, when known, id and version."""

    number: str
    title: str
    id: str = ""
    version: str = ""

    def __str__(self) -> str:
        head = " ".join(x for x in (self.number, self.title) if x) or self.id or "(untitled)"
        if self.id:
            head += f" [{self.id}@{self.version}]" if self.version else f" [{self.id}]"
        return head


@dataclass(frozen=True)
class UnitDiff:
    """How one paragraph differs.

    ``segments`` always spell out both texts (an unchanged paragraph is one
    ``equal`` segment).  A moved paragraph appears twice in the result:
    ``move == "from"`` at its old place, ``"to"`` at its new one, same ``move_id``.
    """

    status: Status
    old: Unit | None
    new: Unit | None
    segments: tuple[Segment, ...]
    move: Move = ""
    move_id: int = 0

    @property
    def changes(self) -> tuple[Segment, ...]:
        """Return the segments that are not equal."""
        return tuple(s for s in self.segments if s.op != "equal")

    @property
    def restyled(self) -> bool:
        """Return whether the paragraph changed kind (e.g. paragraph → bullet)."""
        return (self.old is not None and self.new is not None
                and (self.old.kind, self.old.style) != (self.new.kind, self.new.style))


@dataclass(frozen=True)
class ClauseDiff:
    """How one clause differs; ``units`` in merged order (see :class:`UnitDiff`).

    ``one_to_one`` is set only where edited paragraphs were re-cut across
    paragraph ends (:mod:`assembler.compare.regroup`): the same clause with
    each paragraph of either side whole, paired with at most one of the
    other's.  A redline written into NEW's own package marks changes on
    whole paragraphs and uses these units.
    """

    status: Status
    old: ClauseRef | None
    new: ClauseRef | None
    units: tuple[UnitDiff, ...]
    kind: SectionKind = "clause"
    move: Move = ""
    move_id: int = 0
    text_changed: bool = False
    one_to_one: tuple[UnitDiff, ...] = ()

    @property
    def whole_units(self) -> tuple[UnitDiff, ...]:
        """Return the units with every paragraph whole: ``one_to_one`` where set, else ``units``."""
        return self.one_to_one or self.units

    @property
    def ref(self) -> ClauseRef:
        """Return the clause as NEW has it, or as OLD had it when it is gone."""
        ref = self.new or self.old
        assert ref is not None
        return ref


@dataclass(frozen=True)
class Side:
    """One input of a comparison, read into the document model.

    ``document`` is None for a bare manifest; ``changes`` and ``comments``
    are what the other party left in a returned DOCX (its text is read with
    their changes accepted); ``formatting`` says whether bold and italic were
    readable (not from PDF or plain text); ``package`` is the file's
    bytes when the side is a DOCX file.
    """

    label: str
    kind: str
    document: Document | None
    manifest: Manifest | None = None
    changes: tuple[TrackedChange, ...] = ()
    comments: tuple[Comment, ...] = ()
    formatting: bool = True
    notes: tuple[str, ...] = ()
    coverage: Coverage | None = None  # words read against words present (files only)
    package: bytes = b""  # the DOCX file itself, for a redline written into its own package


@dataclass(frozen=True)
class DiffResult:
    """The difference between two sides, ready for any presenter.

    ``date`` is the assembly date presenters stamp on output (NEW's, else
    OLD's), so the same inputs always give the same files.
    """

    old: Side
    new: Side
    aligned_by: AlignedBy
    clauses: tuple[ClauseDiff, ...]
    date: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def differs(self) -> bool:
        """Return whether any difference was found (what ``--exit-code`` tests)."""
        return any(c.status != "unchanged" for c in self.clauses)

    def summary(self) -> dict[str, int]:
        """Return how many clauses are unchanged, changed, added, removed and moved."""
        counts = Counter(c.status for c in self.clauses if c.move != "from" and c.kind == "clause")
        return {k: counts.get(k, 0) for k in ("unchanged", "changed", "added", "removed", "moved")}

    def change_counts(self) -> dict[str, int]:
        """Return how many word-level changes of each kind were found (moves once)."""
        counts: Counter[str] = Counter()
        for clause in self.clauses:
            for unit in clause.units:
                if unit.move == "from" or (clause.move == "from"):
                    continue
                if unit.move == "to" or (unit.status == "moved"):
                    counts["move"] += 1
                for seg in unit.changes:
                    counts[seg.op] += 1
        return {k: counts.get(k, 0) for k in
                ("insert", "delete", "replace", "typographic", "format", "move")}


# --------------------------------------------------------------------------
# Documents as sections of units
