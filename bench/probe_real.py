"""Run ``assembler diff`` over the real-document corpus and say what it missed.

For every pair in tests/fixtures/real/edits.json and every format (md, docx,
pdf) prints: the words each reader kept against the words an independent
extraction finds in the file (every w:t of every DOCX part; pypdf's plain
text; the raw Markdown), the exit code of ``diff --exit-code``, and for the
pairs with deliberate edits which edits the JSON output shows.

    python bench/probe_real.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

from pypdf import PdfReader

from assembler.model import Document, ItemList

REAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"
_WORD = re.compile(r"\w+", re.UNICODE)


def words_present(path: Path) -> int:
    """Words in the file by a plain extraction that knows nothing of structure."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            text = " ".join(" ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", z.read(n).decode()))
                            for n in z.namelist() if n.startswith("word/") and n.endswith(".xml"))
    elif path.suffix == ".pdf":
        text = " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    else:
        text = path.read_text(encoding="utf-8")
    return len(_WORD.findall(text))


def words_read(doc: Document | None) -> int:
    """Words the reader kept in the document model."""
    if doc is None:
        return 0
    texts = [doc.title]
    for block in list(doc.preamble) + [b for c in doc.clauses for b in c.blocks]:
        texts += [i.label + " " + i.text for i in block.items] if isinstance(block, ItemList) else [block.text]
    texts += [c.number + " " + c.title for c in doc.clauses]
    texts += [" ".join((s.party, s.orgnr, s.signatory, s.signatory_title)) for s in doc.signatures]
    return len(_WORD.findall(" ".join(texts)))


def found(edit: dict[str, str], diff: dict) -> bool:
    """Whether the JSON diff shows ``edit``: its new words inserted, or its paragraph moved."""
    units = [u for c in diff.get("clauses", []) for u in c.get("paragraphs", [])]
    if "move" in edit:
        return any(u["status"] == "moved" and edit["move"] in (u.get("new_text") or u.get("old_text") or "")
                   for u in units) or any(c["status"] == "moved" and edit["move"] in (c["new"]["title"] or "")
                                          for c in diff.get("clauses", []))
    old_c, new_c = Counter(_WORD.findall(edit["old"])), Counter(_WORD.findall(edit["new"]))
    shown = " ".join(ch.get("new") or "" for u in units for ch in u.get("changes", []))
    shown += " ".join(u.get("new_text") or "" for u in units if u["status"] == "added")
    gone = " ".join(ch.get("old") or "" for u in units for ch in u.get("changes", []))
    gone += " ".join(u.get("old_text") or "" for u in units if u["status"] == "removed")
    return not (new_c - old_c) - Counter(_WORD.findall(shown)) and not (old_c - new_c) - Counter(_WORD.findall(gone))


def main() -> int:
    from assembler.compare.sides import load_side

    pairs = json.loads((REAL / "edits.json").read_text(encoding="utf-8"))["pairs"]
    print(f"{'pair':10} {'fmt':5} {'old read/present':>18} {'new read/present':>18} exit  edits found")
    for pair in pairs:
        for fmt in ("md", "docx", "pdf"):
            old, new = REAL / f"{pair['old']}.{fmt}", REAL / f"{pair['new']}.{fmt}"
            counts = []
            for p in (old, new):
                try:
                    counts.append(f"{words_read(load_side(str(p)).document)}/{words_present(p)}")
                except Exception as exc:  # noqa: BLE001 - a probe reports every failure
                    counts.append(f"error {type(exc).__name__}")
            run = subprocess.run([sys.executable, "-m", "assembler", "diff", str(old), str(new), "--exit-code",
                                  "--format", "json"], capture_output=True, text=True)
            diff = json.loads(run.stdout) if run.stdout.startswith("{") else {}
            edits = pair.get("edits", [])
            hits = [found(e, diff) for e in edits]
            missed = [e.get("old", e.get("move")) for e, h in zip(edits, hits) if not h]
            print(f"{pair['name']:10} {fmt:5} {counts[0]:>18} {counts[1]:>18} {run.returncode:4}  "
                  f"{sum(hits)}/{len(edits)}" + (f"  missed: {missed}" if missed else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
