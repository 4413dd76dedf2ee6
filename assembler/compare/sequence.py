"""Sequence alignment on interned keys: which items of two sequences are kept as equal.

A patience diff anchored on keys that occur once on each side, with rarer
keys as a histogram-style fallback, unique runs of keys where every single
key repeats, and a bounded exact LCS for small remainders, so long or
repetitive sequences never cost quadratic time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

# Small remainders without anchors get an exact LCS; above this many cells
# they are reported as one replacement rather than risk quadratic time.
_EXACT_LCS_CELLS = 40_000
_RARE_LIMIT = 4


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
    sa, sb = a[alo:ahi], b[blo:bhi]
    ca = Counter(sa)
    cb = Counter(sb)
    if ca.keys().isdisjoint(cb.keys()):
        return []
    unique = [k for k, n in ca.items() if n == 1 and cb.get(k) == 1]
    if unique:
        # Patience diff: each unique key's one place on either side (built in
        # C; a repeated key's place is never looked up).
        at_a = dict(zip(sa, range(alo, ahi)))
        at_b = dict(zip(sb, range(blo, bhi)))
        return _longest_increasing(sorted((at_a[k], at_b[k]) for k in unique))
    chosen = {k for k, n in ca.items() if n == cb.get(k, 0) <= _RARE_LIMIT}
    if chosen:
        # Pair the n-th occurrence on one side with the n-th on the other,
        # histogram-like.
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


def common_run(a: Sequence[object], alo: int, b: Sequence[object], blo: int, limit: int, step: int) -> int:
    """Return how many items match from ``a[alo]``/``b[blo]`` on (``step`` 1) or back from before them (-1).

    Slices are compared in C, doubling and then halving the length, so a
    long common run costs O(n log n) in C instead of a Python step per item.
    """
    if limit <= 0:
        return 0
    # Most runs end at once: one item compared before any slice is made.
    if (a[alo] != b[blo]) if step == 1 else (a[alo - 1] != b[blo - 1]):
        return 0

    def same(k: int) -> bool:
        if step == 1:
            return a[alo:alo + k] == b[blo:blo + k]
        return a[alo - k:alo] == b[blo - k:blo]

    good, k = 1, 2
    while k <= limit and same(k):
        good, k = k, k * 2
    bad = min(k, limit + 1)
    while bad - good > 1:
        mid = (good + bad) // 2
        if same(mid):
            good = mid
        else:
            bad = mid
    return good


def match_blocks(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int, int]]:
    """Return the runs ``(i, j, size)`` with ``a[i:i+size] == b[j:j+size]`` kept by the alignment, in order."""
    out: list[tuple[int, int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        head = common_run(a, alo, b, blo, min(ahi - alo, bhi - blo), 1)
        if head:
            out.append((alo, blo, head))
            alo, blo = alo + head, blo + head
        tail = common_run(a, ahi, b, bhi, min(ahi - alo, bhi - blo), -1)
        if tail:
            ahi, bhi = ahi - tail, bhi - tail
            out.append((ahi, bhi, tail))
        if alo == ahi or blo == bhi:
            continue
        found = _anchors(a, alo, ahi, b, blo, bhi)
        if found:
            out.extend((i, j, 1) for i, j in found)
            prev_i, prev_j = alo, blo
            for i, j in found:
                if prev_i < i and prev_j < j:  # an empty side has nothing to match
                    stack.append((prev_i, i, prev_j, j))
                prev_i, prev_j = i + 1, j + 1
            if prev_i < ahi and prev_j < bhi:
                stack.append((prev_i, ahi, prev_j, bhi))
        elif (ahi - alo) * (bhi - blo) <= _EXACT_LCS_CELLS:
            out.extend((i, j, 1) for i, j in _exact_lcs(a, alo, ahi, b, blo, bhi))
    out.sort()
    merged: list[tuple[int, int, int]] = []
    for i, j, size in out:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        else:
            merged.append((i, j, size))
    return merged


def match_pairs(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Return the pairs ``(i, j)`` with ``a[i] == b[j]`` kept by the alignment, in order."""
    return [(i + d, j + d) for i, j, size in match_blocks(a, b) for d in range(size)]


def block_opcodes(blocks: list[tuple[int, int, int]], n: int, m: int) -> list[tuple[str, int, int, int, int]]:
    """Return difflib-style opcodes (tag, i1, i2, j1, j2) for matched runs."""
    out: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for bi, bj, size in [*blocks, (n, m, 0)]:
        if bi > i or bj > j:
            tag = "replace" if bi > i and bj > j else ("delete" if bi > i else "insert")
            out.append((tag, i, bi, j, bj))
        if size:
            out.append(("equal", bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
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
