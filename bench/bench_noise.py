"""Changed-word noise: words our diff marks against words difflib marks, per real pair.

For every pair of tests/fixtures/real/edits.json and every format, both
sides are read as ``assembler diff`` reads them; their word streams (every
unit's words in reading order, labels left out) go through
:class:`difflib.SequenceMatcher`, and the words inside its non-equal opcodes
(both sides) are difflib's count.  Ours is the words inside our insert,
delete and replace segments plus added and removed paragraphs, both ends of
a move counted as difflib would see them.  The issue's target is a ratio of
at most 1.2 on the real revisions.

    python bench/bench_noise.py [--formats md,docx,pdf]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

REAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    from assembler.compare.align import typographic_key

    return _WORD.findall(typographic_key(text))


def stream(doc: object) -> list[str]:
    """Return a document's words in its own reading order (labels left out), as difflib sees it."""
    texts = [doc.title]  # type: ignore[attr-defined]
    blocks = list(doc.preamble)  # type: ignore[attr-defined]
    for clause in doc.clauses:  # type: ignore[attr-defined]
        texts += _texts(blocks)
        blocks = list(clause.blocks)
        texts.append(clause.title)
    texts += _texts(blocks)
    for part in doc.parts:  # type: ignore[attr-defined]
        texts += _texts(part.blocks)
    return [w for t in texts for w in _words(t)]


def _texts(blocks: list) -> list[str]:  # type: ignore[type-arg]
    from assembler.model import ItemList

    return [i.text for b in blocks for i in (b.items if isinstance(b, ItemList) else (b,))]


def ours(result: object) -> int:
    """Return the words inside the changes our diff reports, both sides."""
    marked = 0
    for clause in result.clauses:  # type: ignore[attr-defined]
        for unit in clause.units:
            if unit.status in ("added", "removed") or unit.move:
                text = (unit.new if unit.move == "to" or unit.status == "added" else unit.old)
                marked += len(_words(text.text)) if text is not None and (
                    unit.status in ("added", "removed") or unit.move) else 0
                continue
            for seg in unit.segments:
                if seg.op in ("insert", "delete", "replace"):
                    marked += len(_words(seg.old_text)) + len(_words(seg.new_text))
    return marked


def theirs(old: list[str], new: list[str]) -> int:
    """Return the words inside difflib's non-equal opcodes, both sides."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def main() -> int:
    from assembler.compare.diff import diff_sides
    from assembler.compare.sides import load_side

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="md,docx,pdf")
    args = parser.parse_args()
    pairs = json.loads((REAL / "edits.json").read_text(encoding="utf-8"))["pairs"]
    print(f"{'pair':10} {'fmt':5} {'words':>7} {'difflib':>8} {'ours':>6} {'ratio':>6}")
    worst = 0.0
    for pair in pairs:
        for fmt in args.formats.split(","):
            old = load_side(str(REAL / f"{pair['old']}.{fmt}"))
            new = load_side(str(REAL / f"{pair['new']}.{fmt}"))
            result = diff_sides(old, new)
            base = theirs(stream(old.document), stream(new.document))
            mine = ours(result)
            ratio = mine / base if base else (1.0 if not mine else float("inf"))
            worst = max(worst, ratio) if pair["kind"] == "revision" else worst
            print(f"{pair['name']:10} {fmt:5} {len(stream(new.document)):7} {base:8} {mine:6} {ratio:6.2f}"
                  + ("" if pair["kind"] == "revision" else "  (deliberate edits)"))
    print(f"worst ratio on real revisions: {worst:.2f} (target <= 1.20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
