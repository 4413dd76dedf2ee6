"""The diff core: align two documents by clause, paragraph and word.

Alignment runs top-down so that no step sees more than it must: clauses are
paired by id (when both sides carry manifests), otherwise by heading title,
otherwise the whole text is one section whose paragraphs are paired by
their sentences; paragraphs are paired inside each clause pair; words are
compared only inside paragraphs whose text differs.  Every sequence step is
a patience diff anchored on tokens that occur once on each side, with rarer
tokens as a histogram-style fallback and a bounded exact LCS for small
remainders, so long or repetitive text never costs quadratic time.

Moves are found after the in-order alignment: a clause or paragraph whose key
is unmatched on both sides, at different positions, is one move.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from typing import Literal

from assembler.model import Span

Op = Literal["equal", "insert", "delete", "replace", "typographic", "format"]
Status = Literal["unchanged", "changed", "added", "removed", "moved"]
Move = Literal["", "from", "to"]

# Small remainders without anchors get an exact LCS; above this many cells
# they are reported as one replacement rather than risk quadratic time.
_EXACT_LCS_CELLS = 40_000
_RARE_LIMIT = 4

_TOKEN_RE = re.compile(r"\.\.\.|\w+(?:[-\u2010\u2011\u2013\u2014'\u2019]\w+)*|\s+|[^\w\s]")
_WORD_RE = re.compile(r"\w+")
_TYPOGRAPHIC = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...",
})


def typographic_key(text: str) -> str:
    """Return ``text`` with quote, dash and ellipsis styles made uniform."""
    return text.translate(_TYPOGRAPHIC)


def normal_key(text: str) -> str:
    """Return the comparison key of a text: typography uniform, whitespace collapsed."""
    return " ".join(typographic_key(text).split())


# --------------------------------------------------------------------------
# Sequence alignment on interned keys


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the longest run of ``pairs`` (sorted by first item) increasing in the second."""
    tails: list[int] = []
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    out: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    out.reverse()
    return out


def _anchors(a: Sequence[int], alo: int, ahi: int,
             b: Sequence[int], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Return in-order anchor pairs: unique common keys, else the rarest common ones."""
    ca = Counter(a[alo:ahi])
    cb = Counter(b[blo:bhi])
    common = [k for k in ca if k in cb]
    if not common:
        return []
    for limit in (1, _RARE_LIMIT):
        chosen = {k for k in common if ca[k] == cb[k] <= limit}
        if not chosen:
            continue
        # Pair the n-th occurrence on one side with the n-th on the other:
        # for unique keys this is patience diff, for rare ones histogram-like.
        seen_b: dict[int, list[int]] = {}
        for j in range(blo, bhi):
            if b[j] in chosen:
                seen_b.setdefault(b[j], []).append(j)
        taken: Counter[int] = Counter()
        pairs: list[tuple[int, int]] = []
        for i in range(alo, ahi):
            key = a[i]
            if key in chosen:
                pairs.append((i, seen_b[key][taken[key]]))
                taken[key] += 1
        found = _longest_increasing(pairs)
        if found:
            return found
    return _gram_anchors(a, alo, ahi, b, blo, bhi)


def _gram_anchors(a: Sequence[int], alo: int, ahi: int,
                  b: Sequence[int], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Return anchor pairs from runs of k tokens that occur once on each side.

    Repetitive text (every word frequent) still has unique phrases; the
    shortest unique runs anchor the alignment where single tokens cannot.
    """
    k = 2
    while k <= min(ahi - alo, bhi - blo, 32):
        grams_a = Counter(tuple(a[i:i + k]) for i in range(alo, ahi - k + 1))
        where_b: dict[tuple[int, ...], int] = {}
        count_b: Counter[tuple[int, ...]] = Counter()
        for j in range(blo, bhi - k + 1):
            gram = tuple(b[j:j + k])
            count_b[gram] += 1
            where_b[gram] = j
        starts = [(i, where_b[g]) for i in range(alo, ahi - k + 1)
                  if grams_a[g := tuple(a[i:i + k])] == 1 and count_b.get(g) == 1]
        out: list[tuple[int, int]] = []
        next_i = next_j = -1
        for i, j in _longest_increasing(starts):
            # Overlapping runs would pair one token twice; keep those that follow on.
            if i >= next_i and j >= next_j:
                out.extend((i + d, j + d) for d in range(k))
                next_i, next_j = i + k, j + k
            elif i - next_i == j - next_j and i < next_i:
                extra = range(next_i - i, k)
                out.extend((i + d, j + d) for d in extra)
                next_i, next_j = i + k, j + k
        if out:
            return out
        k *= 2
    return []


def _exact_lcs(a: Sequence[int], alo: int, ahi: int,
               b: Sequence[int], blo: int, bhi: int) -> list[tuple[int, int]]:
    """Return the matched index pairs of an exact LCS of two small ranges."""
    n, m = ahi - alo, bhi - blo
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = table[i], table[i + 1]
        ai = a[alo + i]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if ai == b[blo + j] else max(below[j], row[j + 1])
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[alo + i] == b[blo + j]:
            out.append((alo + i, blo + j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def match_pairs(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Return the pairs ``(i, j)`` with ``a[i] == b[j]`` kept by the alignment, in order."""
    out: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            out.append((alo, blo))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            out.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        found = _anchors(a, alo, ahi, b, blo, bhi)
        if found:
            out.extend(found)
            prev_i, prev_j = alo, blo
            for i, j in found:
                stack.append((prev_i, i, prev_j, j))
                prev_i, prev_j = i + 1, j + 1
            stack.append((prev_i, ahi, prev_j, bhi))
        elif (ahi - alo) * (bhi - blo) <= _EXACT_LCS_CELLS:
            out.extend(_exact_lcs(a, alo, ahi, b, blo, bhi))
    out.sort()
    return out


def opcodes(pairs: list[tuple[int, int]], n: int, m: int) -> list[tuple[str, int, int, int, int]]:
    """Return difflib-style opcodes (tag, i1, i2, j1, j2) for matched pairs."""
    out: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for pi, pj in [*pairs, (n, m)]:
        if pi > i or pj > j:
            tag = "replace" if pi > i and pj > j else ("delete" if pi > i else "insert")
            out.append((tag, i, pi, j, pj))
        if pi < n and pj < m:
            if out and out[-1][0] == "equal" and out[-1][2] == pi:
                last = out[-1]
                out[-1] = ("equal", last[1], pi + 1, last[3], pj + 1)
            else:
                out.append(("equal", pi, pi + 1, pj, pj + 1))
        i, j = pi + 1, pj + 1
    return out


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
        found = _TOKEN_RE.findall(span.text)
        texts += found
        looks += [(1 if span.bold else 0) | (2 if span.italic else 0)] * len(found)
    return Tokens(texts, looks)


@lru_cache(maxsize=1 << 16)
def _token_key(text: str) -> str:
    # Words repeat a great deal in contracts; the cache makes keys nearly free.
    return " " if text.isspace() else typographic_key(text)


def word_segments(old: Sequence[Span], new: Sequence[Span], *,
                  formatting: bool = True) -> tuple[Segment, ...]:
    """Return the word-level difference of two runs of spans as segments."""
    a, b = tokenize(old), tokenize(new)
    ids: dict[str, int] = {}
    ka = [ids.setdefault(_token_key(t), len(ids)) for t in a.texts]
    kb = [ids.setdefault(_token_key(t), len(ids)) for t in b.texts]
    raw: list[tuple[Op, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in opcodes(match_pairs(ka, kb), len(ka), len(kb)):
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
    raw = [("typographic", i1, i2, j1, j2) if op in ("insert", "delete", "replace")
           and all(t.isspace() for t in a.texts[i1:i2] + b.texts[j1:j2]) else (op, i1, i2, j1, j2)
           for op, i1, i2, j1, j2 in raw]
    return tuple(Segment(op, a.spans(i1, i2), b.spans(j1, j2)) for op, i1, i2, j1, j2 in raw)


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
    """Return the words of a text, case and typography kept, for similarity."""
    return _WORD_RE.findall(text)


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Return the Dice coefficient of two word multisets (1.0 for two empty ones)."""
    if not a and not b:
        return 1.0
    ca, cb = Counter(a), Counter(b)
    shared = sum(min(n, cb[k]) for k, n in ca.items() if k in cb)
    return 2.0 * shared / (len(a) + len(b))


# --------------------------------------------------------------------------
# Aligning sequences of keyed items, with moves and similarity pairing


@dataclass(frozen=True)
class Pairing:
    """How two sequences of items were paired.

    ``steps`` is the merged order: ``(old_index, new_index, tag)`` with tag
    ``equal`` or ``changed`` (both present), ``removed``, ``added``,
    ``from`` (old position of a moved item) or ``to`` (its new position).
    """

    steps: tuple[tuple[int | None, int | None, str], ...]


def pair_sequences(old_keys: Sequence[str], new_keys: Sequence[str], *,
                   similar: Callable[[int, int], float] | None = None,
                   threshold: float = 0.5,
                   movable: Callable[[int], bool] | None = None) -> Pairing:
    """Return the pairing of two keyed sequences.

    Items with equal keys are aligned in order; equal keys left over on both
    sides become moves when ``movable`` allows; the rest are paired inside
    each gap when ``similar`` scores them at least ``threshold``.
    """
    ids: dict[str, int] = {}
    ka = [ids.setdefault(k, len(ids)) for k in old_keys]
    kb = [ids.setdefault(k, len(ids)) for k in new_keys]
    pairs = match_pairs(ka, kb)
    paired_old = {i for i, _ in pairs}
    paired_new = {j for _, j in pairs}
    moves: dict[int, int] = {}
    waiting: dict[int, list[int]] = {}
    for j, key in enumerate(kb):
        if j not in paired_new and (movable is None or movable(j)):
            waiting.setdefault(key, []).append(j)
    gap_of_old = {i: bisect_left(pairs, (i, -1)) for i in range(len(ka)) if i not in paired_old}
    gap_of_new = {j: bisect_left([q for _, q in pairs], j) for j in range(len(kb)) if j not in paired_new}
    for i, key in enumerate(ka):
        if i not in paired_old and waiting.get(key):
            j = waiting[key][0]
            if gap_of_old[i] == gap_of_new[j]:
                continue  # same place between the same neighbours: no move, paired below
            moves[i] = waiting[key].pop(0)
    moved_new = {j: i for i, j in moves.items()}

    steps: list[tuple[int | None, int | None, str]] = []
    prev_i = prev_j = 0
    for i, j in [*pairs, (len(ka), len(kb))]:
        gap_old = [x for x in range(prev_i, i)]
        gap_new = [y for y in range(prev_j, j)]
        steps.extend(_pair_gap(gap_old, gap_new, moves, moved_new, similar, threshold))
        if i < len(ka):
            steps.append((i, j, "equal"))
        prev_i, prev_j = i + 1, j + 1
    return Pairing(tuple(steps))


def _pair_gap(gap_old: list[int], gap_new: list[int], moves: dict[int, int],
              moved_new: dict[int, int], similar: Callable[[int, int], float] | None,
              threshold: float) -> list[tuple[int | None, int | None, str]]:
    """Return the merged steps of one gap between aligned items."""
    free_old = [i for i in gap_old if i not in moves]
    free_new = [j for j in gap_new if j not in moved_new]
    matched: dict[int, int] = {}
    if similar is not None and free_old and free_new:
        matched = _global_pairs(free_old, free_new, similar, threshold)
    matched_new = {j: i for i, j in matched.items()}
    out: list[tuple[int | None, int | None, str]] = []
    oi = 0
    # Old-only items go before the new item they were paired with or, when
    # unpaired, as early as possible: deletions read before insertions.
    for j in gap_new:
        partner = matched_new.get(j)
        if partner is not None:
            while oi < len(gap_old) and gap_old[oi] <= partner:
                i = gap_old[oi]
                if i == partner:
                    out.append((i, j, "changed"))
                elif i in moves:
                    out.append((i, moves[i], "from"))
                else:
                    out.append((i, None, "removed"))
                oi += 1
            continue
        while oi < len(gap_old) and gap_old[oi] not in matched:
            i = gap_old[oi]
            out.append((i, moves[i], "from") if i in moves else (i, None, "removed"))
            oi += 1
        out.append((moved_new[j], j, "to") if j in moved_new else (None, j, "added"))
    for i in gap_old[oi:]:
        out.append((i, moves[i], "from") if i in moves else (i, None, "removed"))
    return out


# Above this many cells a gap is paired by the bounded look-ahead instead
# of the full alignment, so a pathological gap never costs quadratic time.
_DP_CELLS = 250_000


def _global_pairs(old: list[int], new: list[int], similar: Callable[[int, int], float],
                  threshold: float) -> dict[int, int]:
    """Return the in-order pairing of similar items that maximises total similarity.

    A Needleman-Wunsch alignment without gap penalties: every pair scoring
    at least ``threshold`` may be taken, and the set of pairs with the
    highest sum wins, so a lightly edited paragraph is never left unpaired
    because a worse pair came first.  Only cells whose items share a word
    are scored (``similar`` sees the rest as 0).
    """
    n, m = len(old), len(new)
    if n * m > _DP_CELLS:
        return _greedy_pairs(old, new, similar, threshold)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    take = [[False] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        row, below = score[x], score[x + 1]
        trow = take[x]
        for y in range(m - 1, -1, -1):
            best = below[y] if below[y] >= row[y + 1] else row[y + 1]
            s = similar(old[x], new[y])
            if s >= threshold and below[y + 1] + s > best:
                best = below[y + 1] + s
                trow[y] = True
            row[y] = best
    out: dict[int, int] = {}
    x = y = 0
    while x < n and y < m:
        if take[x][y]:
            out[old[x]] = new[y]
            x += 1
            y += 1
        elif score[x + 1][y] >= score[x][y + 1]:
            x += 1
        else:
            y += 1
    return out


def _greedy_pairs(old: list[int], new: list[int], similar: Callable[[int, int], float],
                  threshold: float, window: int = 6) -> dict[int, int]:
    """Return an in-order pairing of similar items, looking a few items ahead.

    The look-ahead window bounds the work to linear in the gap length.
    """
    out: dict[int, int] = {}
    x = y = 0
    while x < len(old) and y < len(new):
        best = (threshold, -1, -1)
        for dx in range(min(window, len(old) - x)):
            for dy in range(min(window, len(new) - y)):
                score = similar(old[x + dx], new[y + dy]) - 0.02 * (dx + dy)
                if score >= best[0] and (score > best[0] or best[1] < 0):
                    best = (score, dx, dy)
        if best[1] < 0:
            x += 1
            continue
        out[old[x + best[1]]] = new[y + best[2]]
        x += best[1] + 1
        y += best[2] + 1
    return out
