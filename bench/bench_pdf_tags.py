"""Benchmark: what tagging costs the PDF/A writer, tagged against untagged, side by side.

    python bench/bench_pdf_tags.py [--runs 30]

Each round writes the same agreement as PDF/A once tagged and once untagged
(the tagger switched off), alternating, so load on the machine hits both
alike; the plain PDF (no PDF/A, never tagged) is timed beside them.  Prints
medians in ms and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

import assembler.writers.pdf as pdf_module
from assembler.assembly.pipeline import assemble
from assembler.model import Agreement, HouseStyle
from assembler.writers.pdf import write_pdf

REPO = Path(__file__).resolve().parent.parent


def _timed(agreement: Agreement) -> float:
    start = time.perf_counter()
    write_pdf(agreement)
    return (time.perf_counter() - start) * 1000


def bench(agreement: Agreement, runs: int) -> tuple[float, float, float]:
    """Return the median ms of the PDF/A writer tagged, untagged, and of the plain PDF writer."""
    archive = replace(agreement, house_style=HouseStyle(pdf_a=True))
    plain = replace(agreement, house_style=None)
    tagger_for = pdf_module.tagger_for
    times: dict[str, list[float]] = {"tagged": [], "untagged": [], "plain": []}
    for run in range(runs + 1):  # the first round warms fonts, imports and caches
        pdf_module.tagger_for = tagger_for
        tagged = _timed(archive)
        pdf_module.tagger_for = lambda _agreement: None  # type: ignore[assignment]
        untagged = _timed(archive)
        pdf_module.tagger_for = tagger_for
        flat = _timed(plain)
        if run:
            times["tagged"].append(tagged)
            times["untagged"].append(untagged)
            times["plain"].append(flat)
    return (statistics.median(times["tagged"]), statistics.median(times["untagged"]),
            statistics.median(times["plain"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    print(f"median of {args.runs} warm runs, in-process; load average {os.getloadavg()[0]:.2f}")
    for example, language in (("basic", "sv"), ("basic", "sv+en"), ("research", None)):
        agreement = assemble(REPO / "examples" / f"{example}.yaml", as_of="2026-03-01", language=language).agreement
        tagged, untagged, plain = bench(agreement, args.runs)
        name = f"{example} {language or agreement.documents[0].language}"
        print(f"{name:16} PDF/A tagged {tagged:6.1f} ms  untagged {untagged:6.1f} ms  "
              f"(tags {tagged - untagged:+5.1f} ms)   plain PDF {plain:6.1f} ms")
    print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
