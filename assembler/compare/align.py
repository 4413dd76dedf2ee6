"""The diff core: align two documents by clause, paragraph and word.

Alignment runs top-down so that no step sees more than it must: clauses are
paired by id (when both sides carry manifests), otherwise by heading title,
otherwise the whole text is one section whose paragraphs are paired by
their sentences; paragraphs are paired inside each clause pair; words are
compared only inside paragraphs whose text differs.  Every sequence step is
the patience diff of :mod:`assembler.compare.sequence`, so long or
repetitive text never costs quadratic time; :mod:`assembler.compare.pairing`
pairs keyed items (clauses, paragraphs) with their moves.  This module holds
the word level: tokens, segments and similarity.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Literal

from assembler.compare.pairing import Pairing, pair_sequences
from assembler.compare.sequence import block_opcodes, match_blocks, match_pairs, opcodes
from assembler.compare.trim import Trim, char_spans, trim
from assembler.model import Span

__all__ = ["Move", "Op", "Pairing", "Segment", "Status", "Tokens", "match_pairs", "normal_key", "opcodes",
           "pair_sequences", "similarity", "tokenize", "typographic_key", "word_keys", "word_segments"]

Op = Literal["equal", "insert", "delete", "replace", "typographic", "format"]
Status = Literal["unchanged", "changed", "added", "removed", "moved"]
Move = Literal["", "from", "to"]

_TOKEN_RE = re.compile(r"\w+(?:[-\u2010\u2011\u2013\u2014'\u2019]\w+)*|\s+|\.\.\.|[^\w\s]")
_WORD_RE = re.compile(r"\w+")
_TYPOGRAPHIC = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...",
})


_TYPOGRAPHIC_CHARS = re.compile("[" + "".join(chr(c) for c in _TYPOGRAPHIC) + "]")


def typographic_key(text: str) -> str:
    """Return ``text`` with quote, dash and ellipsis styles made uniform."""
    # str.translate with a dict looks up every character in Python; most
    # text has none of these, and a compiled character class finds that in C.
    return text.translate(_TYPOGRAPHIC) if _TYPOGRAPHIC_CHARS.search(text) else text


def normal_key(text: str) -> str:
    """Return the comparison key of a text: typography uniform, whitespace collapsed."""
    text = typographic_key(text)
    # Printable text has no whitespace but the plain space (every other
    # whitespace character is a control or separator): with no space
    # doubled or at either end it is collapsed already.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


# --------------------------------------------------------------------------
# Word-level difference


@dataclass(frozen=True)
class Segment:
    """One run of a word-level difference.

    ``op`` is ``equal``, ``insert``, ``delete``, ``replace``, ``typographic``
    (only quote, dash or whitespace styles differ) or ``format`` (same text,
    bold or italic differs).  ``old`` and ``new`` hold the text with its look.
    """

    op: Op
    old: tuple[Span, ...]
    new: tuple[Span, ...]

    @property
    def old_text(self) -> str:
        return "".join(s.text for s in self.old)

    @property
    def new_text(self) -> str:
        return "".join(s.text for s in self.new)


@dataclass(frozen=True)
class Tokens:
    """The word, space and punctuation tokens of a run of spans, with their look."""

    texts: list[str]
    looks: list[int]  # 1 bold, 2 italic

    def spans(self, start: int, end: int) -> tuple[Span, ...]:
        """Return tokens ``start:end`` as spans, one per run of the same look."""
        looks = self.looks[start:end]
        if not looks:
            return ()
        if looks.count(looks[0]) == len(looks):
            return (Span("".join(self.texts[start:end]), bool(looks[0] & 1), bool(looks[0] & 2)),)
        out: list[Span] = []
        k = start
        for look, run in groupby(looks):
            n = len(list(run))
            out.append(Span("".join(self.texts[k:k + n]), bool(look & 1), bool(look & 2)))
            k += n
        return tuple(out)


def tokenize(spans: Iterable[Span]) -> Tokens:
    """Return the tokens of spans."""
    texts: list[str] = []
    looks: list[int] = []
    for span in spans:
        found = _tokens(span.text)
        texts += found
        looks += [(1 if span.bold else 0) | (2 if span.italic else 0)] * len(found)
    return Tokens(texts, looks)


def _tokens(text: str) -> list[str]:
    """Return ``_TOKEN_RE.findall(text)``, in C for the usual text of words between single spaces.

    No token crosses a space, so each space-separated chunk is tokenised on
    its own; a chunk of letters and digits is one word token.  (Printable
    text has no whitespace but the plain space.)
    """
    if not text or not text.isprintable() or "  " in text or text[0] == " " or text[-1] == " ":
        return _TOKEN_RE.findall(text)
    chunks = text.split(" ")
    out = [" "] * (2 * len(chunks) - 1)
    out[::2] = chunks
    odd = [k for k, chunk in enumerate(chunks) if not chunk.isalnum()]
    for k in reversed(odd):
        out[2 * k:2 * k + 1] = _chunk_tokens(chunks[k])
    return out


@lru_cache(maxsize=1 << 16)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(chunk))


@lru_cache(maxsize=1 << 16)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(chunk))


@lru_cache(maxsize=1 << 16)
def _token_key(text: str) -> str:
    # Words repeat a great deal in contracts; the cache makes keys nearly free.
    return " " if text.isspace() else typographic_key(text)


def word_segments(old: Sequence[Span], new: Sequence[Span], *,
                  formatting: bool = True) -> tuple[Segment, ...]:
    """Return the word-level difference of two runs of spans as segments."""
    # Only the stretch between the first and the last difference is
    # tokenised and aligned; the common head and tail are one equal segment each.
    for cut in (trim(old, new), trim(old, new, tail=False)):
        if cut is None:
            break
        found = _trimmed_segments(old, new, cut, formatting)
        if found is not None:
            return found
        if not cut.tail:
            break
    return full_word_segments(old, new, formatting=formatting)


def full_word_segments(old: Sequence[Span], new: Sequence[Span], *,
                       formatting: bool = True) -> tuple[Segment, ...]:
    """Return :func:`word_segments` of two runs of spans, every token of both aligned."""
    a, b = tokenize(old), tokenize(new)
    ka, kb = _keys(a, b)
    raw = _raw_ops(a, b, match_blocks(ka, kb), formatting)
    return tuple(Segment(op, a.spans(i1, i2), b.spans(j1, j2)) for op, i1, i2, j1, j2 in raw)


def _trimmed_segments(old: Sequence[Span], new: Sequence[Span], cut: Trim,
                      formatting: bool) -> tuple[Segment, ...] | None:
    """Return the word segments with only the middle of ``cut`` aligned, or None when that could differ.

    The whole alignment starts by matching the longest common head; when the
    middle's common head uses up one side's middle, the whole's would run on
    into the common tail, so only a cut without a tail is then the same.
    """
    a, b = tokenize(cut.old), tokenize(cut.new)
    ka, kb = _keys(a, b)
    blocks = match_blocks(ka, kb)
    if cut.tail and (not ka or not kb or (blocks and blocks[0][:2] == (0, 0)
                                           and blocks[0][2] >= min(len(ka), len(kb)))):
        return None
    raw = _raw_ops(a, b, blocks, formatting)
    out = [Segment(op, a.spans(i1, i2), b.spans(j1, j2)) for op, i1, i2, j1, j2 in raw]
    # The common head and tail join an equal segment at either end of the
    # middle (with a tail the middle has a change, so these are two segments).
    first = out.pop(0) if cut.head and raw and raw[0][0] == "equal" else None
    last = out.pop() if cut.tail and out and raw[-1][0] == "equal" else None
    if cut.head:
        out.insert(0, Segment("equal", char_spans(old, 0, cut.head + len(first.old_text) if first else cut.head),
                              char_spans(new, 0, cut.head + len(first.new_text) if first else cut.head)))
    if cut.tail:
        size_a, size_b = sum(len(s.text) for s in old), sum(len(s.text) for s in new)
        more_a, more_b = (len(last.old_text), len(last.new_text)) if last else (0, 0)
        out.append(Segment("equal", char_spans(old, size_a - cut.tail - more_a, size_a),
                           char_spans(new, size_b - cut.tail - more_b, size_b)))
    return tuple(out)


def _keys(a: Tokens, b: Tokens) -> tuple[list[int], list[int]]:
    """Return the token streams of two sides as interned comparison keys."""
    ids: dict[str, int] = {}
    # Each distinct token is keyed once; the streams are then two lookups in C.
    table = {t: ids.setdefault(_token_key(t), len(ids)) for t in dict.fromkeys(a.texts + b.texts)}
    return list(map(table.__getitem__, a.texts)), list(map(table.__getitem__, b.texts))


def _raw_ops(a: Tokens, b: Tokens, blocks: list[tuple[int, int, int]],
             formatting: bool) -> list[tuple[Op, int, int, int, int]]:
    """Return the word-level runs ``(op, i1, i2, j1, j2)`` of two token streams aligned by ``blocks``."""
    raw: list[tuple[Op, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in block_opcodes(blocks, len(a.texts), len(b.texts)):
        if tag != "equal":
            raw.append((tag, i1, i2, j1, j2))  # type: ignore[arg-type]
            continue
        if a.texts[i1:i2] == b.texts[j1:j2] and (not formatting or a.looks[i1:i2] == b.looks[j1:j2]):
            raw.append(("equal", i1, i2, j1, j2))
            continue
        # An aligned run may still differ in typography or look: split it.
        for k in range(i2 - i1):
            ta, tb = a.texts[i1 + k], b.texts[j1 + k]
            op: Op = "equal"
            if ta != tb and not ta.isspace():
                # A no-break space for a space is no difference to a reader;
                # the segment still holds both texts for the tracked DOCX.
                op = "typographic"
            elif formatting and a.looks[i1 + k] != b.looks[j1 + k] and not ta.isspace():
                op = "format"
            if raw and raw[-1][0] == op and raw[-1][2] == i1 + k:
                last = raw[-1]
                raw[-1] = (op, last[1], i1 + k + 1, last[3], j1 + k + 1)
            else:
                raw.append((op, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1))
    raw = _merge_across_spaces(raw, a.texts)
    # Only spacing added or removed ("2.1" printed "2. 1"): typography, not wording.
    return [("typographic", i1, i2, j1, j2) if op in ("insert", "delete", "replace")
            and all(t.isspace() for t in a.texts[i1:i2] + b.texts[j1:j2]) else (op, i1, i2, j1, j2)
            for op, i1, i2, j1, j2 in raw]


def _merge_across_spaces(raw: list[tuple[Op, int, int, int, int]],
                         a: Sequence[str]) -> list[tuple[Op, int, int, int, int]]:
    """Return runs where word changes split only by a space become one replacement.

    "the quick fox" → "a slow fox" reads as one change, not two.
    """
    edits = {"insert", "delete", "replace"}
    out: list[tuple[Op, int, int, int, int]] = []
    for run in raw:
        if (run[0] in edits and len(out) >= 2 and out[-2][0] in edits and out[-1][0] == "equal"
                and all(t.isspace() for t in a[out[-1][1]:out[-1][2]])):
            first = out[-2]
            out[-2:] = [("replace", first[1], run[2], first[3], run[4])]
        elif run[0] in edits and out and out[-1][0] in edits:
            first = out[-1]
            out[-1] = ("replace", first[1], run[2], first[3], run[4])
        else:
            out.append(run)
    return [(_edit_kind(i1, i2, j1, j2) if op in edits else op, i1, i2, j1, j2)
            for op, i1, i2, j1, j2 in out]


def _edit_kind(i1: int, i2: int, j1: int, j2: int) -> Op:
    """Return the edit op of a changed range by what it holds on each side."""
    if i1 < i2 and j1 < j2:
        return "replace"
    return "delete" if i1 < i2 else "insert"


def word_keys(text: str) -> list[str]:
    """Return the words of a text (``\\w+`` runs), case and typography kept, for similarity."""
    # No word crosses whitespace: a whitespace-separated chunk of letters and
    # digits is one word, and only the other chunks need the pattern.
    out: list[str] = []
    for chunk in text.split():
        if chunk.isalnum():
            out.append(chunk)
        else:
            out += _chunk_words(chunk)
    return out


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Return the Dice coefficient of two word multisets (1.0 for two empty ones)."""
    if not a and not b:
        return 1.0
    ca, cb = Counter(a), Counter(b)
    shared = sum(min(n, cb[k]) for k, n in ca.items() if k in cb)
    return 2.0 * shared / (len(a) + len(b))
