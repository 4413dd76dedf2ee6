"""Benchmark: write an agreement to PDF in-process, median of warm runs, beside reportlab's own.

    python bench/bench_pdf.py [--runs 30] [--only "basic example sv"]

Each case is an Agreement factory.  The writers are the public API's
(``assembler.writers.writer_for``: the collector tuned as for every user).
Beside each PDF figure: reportlab drawing the same text (title, headings,
numbered paragraphs and list items with their numbers, appendix list, signature
blocks, running header and "Sida N av M" footer) in the same fonts with its own
defaults (bench_scale's baseline, issue 16), and the ratio; then the DOCX
figure.  Our writer and reportlab's run alternately, so load on a shared
machine falls on both alike; wall and CPU medians are printed with the load
average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from assembler.model import (
    Agreement,
    Clause,
    Document,
    ItemList,
    ListItem,
    Paragraph,
    Span,
)
from assembler.writers import writer_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # for sample.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for bench_scale.py
from bench_scale import _header, _reportlab_own, _words
from sample import sample_agreement

write_pdf, write_docx = writer_for("pdf"), writer_for("docx")

Writer = Callable[[Agreement], bytes]


def _grow(doc: Document, clauses: int) -> Document:
    """Return ``doc`` with ``clauses`` clauses of three long sub-clauses and a list each.

    Every paragraph and item says which clause it belongs to, so no two are the same text: a real long
    agreement repeats few paragraphs, and the writers keep what they made of a paragraph for its repeats.
    """
    source = doc.clauses[1]
    words = " ".join(b.text for b in source.blocks if isinstance(b, Paragraph))
    grown = []
    for n in range(1, clauses + 1):
        paras = tuple(Paragraph((Span(f"{words} ({n}.{k}) {words}"),), f"{n}.{k}") for k in range(1, 4))
        items = ItemList(tuple(ListItem((Span(f"{words[:60]} ({n}.{k})"),), f"({chr(96 + k)})")
                               for k in range(1, 4)), "letter")
        grown.append(Clause(str(n), f"{source.title} {n}", (*paras, items),
                            id=f"{source.id}-{n}", version="1.0.0", sha256=source.sha256))
    return replace(doc, clauses=tuple(grown))


def large_agreement(language: str = "sv", clauses: int = 20) -> Agreement:
    """Return a synthetic agreement of ``clauses`` long clauses (about half a page each)."""
    base = sample_agreement(language)
    return replace(base, documents=tuple(_grow(d, clauses) for d in base.documents))


def median_ms(write: Writer, factory: Callable[[], Agreement], runs: int) -> tuple[float, bytes]:
    """Return the median wall time of ``write(factory())`` in ms over warm runs, and the output."""
    agreement = factory()
    out = write(agreement)  # warm: fonts, imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = write(agreement)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), out


def side_by_side(agreement: Agreement, runs: int) -> tuple[dict[str, float], bytes]:
    """Return wall and CPU medians (ms) of our PDF writer and of reportlab's own on the same words, run alternately."""
    words = _words(agreement)
    jobs: dict[str, Callable[[], bytes]] = {"ours": lambda: write_pdf(agreement),
                                            "reportlab": lambda: _reportlab_own(words, _header(agreement))}
    out = {name: job() for name, job in jobs.items()}  # warm: fonts, imports
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            out[name] = job()
            cpu[name].append((time.process_time() - c0) * 1000)
            wall[name].append((time.perf_counter() - w0) * 1000)
    figures = {f"{name} {kind}": statistics.median(values[name])
               for kind, values in (("wall", wall), ("cpu", cpu)) for name in jobs}
    return figures, out["ours"]


REPO = Path(__file__).resolve().parent.parent
BASIC = REPO / "examples" / "basic.yaml"


def basic_example(language: str) -> Agreement:
    """Return the basic example assembled from the bundled library, as of 2026-03-01."""
    from assembler.assembly.pipeline import assemble

    return assemble(BASIC, as_of="2026-03-01", language=language).agreement


CASES: dict[str, Callable[[], Agreement]] = {
    "basic example sv": lambda: basic_example("sv"),
    "basic example sv+en": lambda: basic_example("sv+en"),
    "sample sv": lambda: sample_agreement("sv"),
    "sample sv+en": lambda: sample_agreement("sv+en"),
    "sample sv draft": lambda: sample_agreement("sv", draft=True),
    "synthetic 20 clauses sv": lambda: large_agreement("sv", 20),
    "synthetic 20 clauses sv+en": lambda: large_agreement("sv+en", 20),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", help="run the cases whose names contain this text")
    args = parser.parse_args(argv)
    print(f"median of {args.runs} warm runs, in-process; load average {os.getloadavg()[0]:.1f} at start")
    print(f"{'':28} {'pdf wall':>9} {'cpu':>6} | {'reportlab wall':>14} {'cpu':>6} | "
          f"{'ratio wall':>10} {'cpu':>5} | pages | docx wall")
    for name, factory in CASES.items():
        if args.only and args.only not in name:
            continue
        agreement = factory()
        f, data = side_by_side(agreement, args.runs)
        pages = len(PdfReader(BytesIO(data)).pages)
        docx_ms, _ = median_ms(write_docx, lambda a=agreement: a, args.runs)
        print(f"{name:28} {f['ours wall']:6.1f} ms {f['ours cpu']:6.1f} | {f['reportlab wall']:11.1f} ms "
              f"{f['reportlab cpu']:6.1f} | {f['ours wall'] / f['reportlab wall']:10.2f} "
              f"{f['ours cpu'] / f['reportlab cpu']:5.2f} | {pages:5d} | {docx_ms:6.1f} ms")
    print(f"load average {os.getloadavg()[0]:.1f} at end; targets: basic example sv pdf <= 60 ms (issue 15), "
          "ratio <= 1.1 (issue 16)")


if __name__ == "__main__":
    main()
