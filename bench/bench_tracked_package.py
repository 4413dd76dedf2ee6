"""Benchmark: a redline written into NEW's own DOCX package, for two ~200-page agreements.

Both agreements are written as DOCX files first (our writer, as a company
would return one), read back as files, compared, and the redline written
into NEW's package.  Prints the median of each phase next to the rendering
of the same comparison in our own styles (NEW not a DOCX), so the two can be
compared side by side in one run on a loaded machine:

    .venv/bin/python bench/bench_tracked_package.py [--runs 5] [--words 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_diff import agreement_of, edited_document, long_document, median  # noqa: E402

from assembler.compare.diff import diff_sides  # noqa: E402
from assembler.compare.sides import load_side  # noqa: E402
from assembler.compare.tracked_docx import write_tracked_docx  # noqa: E402
from assembler.writers.docx import write_docx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", type=int, default=100_000)
    args = parser.parse_args()
    old = long_document(args.words)
    new, edits = edited_document(old)
    with tempfile.TemporaryDirectory() as tmp:
        old_path, new_path = Path(tmp, "old.docx"), Path(tmp, "new.docx")
        old_path.write_bytes(write_docx(agreement_of(old)))
        new_path.write_bytes(write_docx(agreement_of(new)))
        print(f"pair: {edits} word edits, 3 clauses moved; NEW is {new_path.stat().st_size:,} bytes of DOCX; "
              f"load {os.getloadavg()[0]:.2f}")
        result = diff_sides(load_side(str(old_path)), load_side(str(new_path)))
        ours = replace(result, new=replace(result.new, package=b""))
        t_read = median(lambda: diff_sides(load_side(str(old_path)), load_side(str(new_path))), args.runs)
        t_package = median(lambda: write_tracked_docx(result, date="2026-03-01"), args.runs)
        t_ours = median(lambda: write_tracked_docx(ours, date="2026-03-01"), args.runs)
    print(f"read both files + compare:           {t_read * 1000:8.1f} ms median")
    print(f"redline into NEW's package:          {t_package * 1000:8.1f} ms median")
    print(f"redline in our own styles (same diff): {t_ours * 1000:6.1f} ms median")
    print(f"total file to redline:               {(t_read + t_package) * 1000:8.1f} ms (target <= 1000 ms)")


if __name__ == "__main__":
    main()
