"""Benchmark: build the basic example agreement.

Prints the median in-process time to build each format (warm: the library is
loaded and templates compiled by a first build), then the median wall time of
`assembler build` to DOCX as a fresh process beside the bare import of its
dependencies, measured in the same run.

    python bench/bench_build.py [--runs N] [--answers FILE]

Run it in a regular install (`pip install .`): an editable install adds an
import hook that costs a fresh process about 10 ms.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assembler.assembly.pipeline import assemble
from assembler.writers import writer_for

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-03-01"


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--process-runs", type=int, default=10)
    parser.add_argument("--answers", type=Path, default=ROOT / "examples" / "basic.yaml")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    print(f"answers: {args.answers}")
    assemble(args.answers, as_of=AS_OF)  # warm: library loaded, templates compiled
    t_asm = median_ms(lambda: assemble(args.answers, as_of=AS_OF), args.runs)
    print(f"assemble (validate, rules, render, layout): {t_asm:7.2f} ms median")
    for fmt in ("docx", "pdf", "md", "html", "txt"):
        writer = writer_for(fmt)
        writer(assemble(args.answers, as_of=AS_OF).agreement)  # warm the writer (template, fonts)
        t = median_ms(lambda w=writer: w(assemble(args.answers, as_of=AS_OF).agreement), args.runs)
        print(f"build to {fmt:4} in-process:               {t:7.2f} ms median (target docx <= 20, pdf <= 60)")

    with tempfile.TemporaryDirectory() as tmp:
        cli = [sys.executable, "-m", "assembler", "build", str(args.answers), "-o", tmp, "--format", "docx",
               "--as-of", AS_OF]
        bare = [sys.executable, "-c", "import docx, jinja2, click, jsonschema, yaml"]
        subprocess.run(cli, check=True, capture_output=True)
        cli_times, bare_times = [], []
        for _ in range(args.process_runs):  # interleaved so both see the same machine load
            cli_times.append(median_ms(lambda: subprocess.run(cli, check=True, capture_output=True), 1))
            bare_times.append(median_ms(lambda: subprocess.run(bare, check=True, capture_output=True), 1))
        c, b = statistics.median(cli_times), statistics.median(bare_times)
        print(f"`assembler build --format docx` fresh process: {c:7.1f} ms median")
        print(f"`python -c 'import docx, jinja2, click, jsonschema, yaml'`: {b:7.1f} ms median")
        print(f"ratio: {c / b:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
