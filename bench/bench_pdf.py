"""Benchmark: write an agreement to PDF in-process, median of warm runs.

    python bench/bench_pdf.py [--runs 30]

Each case is an Agreement factory, so the real example build can replace the
hand-made sample without touching the timing code.  When
``assembler.docx_writer`` is importable, the DOCX figure of the same
agreement is printed beside the PDF one.
"""

from __future__ import annotations

import argparse
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
from assembler.writers.docx import write_docx
from assembler.writers.pdf import write_pdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # for sample.py
from sample import sample_agreement

Writer = Callable[[Agreement], bytes]


def _grow(doc: Document, clauses: int) -> Document:
    """Return ``doc`` with ``clauses`` clauses of three long sub-clauses and a list each."""
    source = doc.clauses[1]
    words = " ".join(b.text for b in source.blocks if isinstance(b, Paragraph))
    grown = []
    for n in range(1, clauses + 1):
        paras = tuple(Paragraph((Span(f"{words} {words}"),), f"{n}.{k}") for k in range(1, 4))
        items = ItemList(tuple(ListItem((Span(f"{words[:60]} ({k})"),), f"({chr(96 + k)})")
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
    args = parser.parse_args(argv)
    print(f"median of {args.runs} warm runs, in-process")
    for name, factory in CASES.items():
        pdf_ms, data = median_ms(write_pdf, factory, args.runs)
        pages = len(PdfReader(BytesIO(data)).pages)
        docx_ms, _ = median_ms(write_docx, factory, args.runs)
        print(f"{name:28} pdf {pdf_ms:7.1f} ms  {pages:3d} pages   docx {docx_ms:7.1f} ms")


if __name__ == "__main__":
    main()
