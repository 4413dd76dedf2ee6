"""Benchmark: where-used over a folder of 200 agreements, DOCX and PDF mixed, a few corrupt files among them.

    python bench/bench_where_used.py [--count 200] [--runs 7] [--clause sekretess-offentlighet] [--keep DIR]

The agreements are made from the bundled examples with the bundled library,
each with its own reference and assembly date, alternately as DOCX and PDF,
in nested folders.  Five corrupt or foreign files are added.  The figure
the issue asks for (≤ 2 s) is the command line's wall time, process start
included; the in-process time of :func:`assembler.where_used.where_used` is
printed beside it.  Both are medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx

from assembler.assembly.pipeline import assemble
from assembler.register.where_used import where_used
from assembler.writers import writer_for

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DATES = ("2026-02-01", "2026-03-15", "2026-05-01", "2026-07-01", "2026-09-15", "2026-11-01")


def make_folder(root: Path, count: int, clause: str) -> tuple[int, int]:
    """Write ``count`` agreements and 5 bad files under ``root``; return (agreements using ``clause``, bad files)."""
    examples = sorted(EXAMPLES.glob("*.yaml"))
    answers_dir = root / ".answers"
    answers_dir.mkdir(parents=True)
    if (EXAMPLES / "appendices").is_dir():  # answer files name their appendix PDFs relative to themselves
        shutil.copytree(EXAMPLES / "appendices", answers_dir / "appendices")
    using = 0
    samples: dict[str, bytes] = {}
    for n in range(count):
        example = examples[n % len(examples)]
        text = example.read_text(encoding="utf-8")
        reference = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("reference:"))
        answers = answers_dir / f"{n:03d}-{example.name}"
        answers.write_text(text.replace(f"reference: {reference}", f"reference: {reference}-{n:03d}"),
                           encoding="utf-8")
        fmt = "docx" if n % 2 == 0 else "pdf"
        assembly = assemble(answers, as_of=DATES[n % len(DATES)])
        data = writer_for(fmt)(assembly.agreement)
        samples.setdefault(fmt, data)
        target = root / f"{2026}" / f"month-{n % 12 + 1:02d}" / f"{example.stem}-{n:03d}.{fmt}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        using += any(c.id == clause for c in assembly.agreement.manifest.clauses)
    shutil.rmtree(answers_dir)
    bad = root / "inbox"
    bad.mkdir()
    (bad / "half.docx").write_bytes(samples["docx"][: len(samples["docx"]) // 2])
    (bad / "half.pdf").write_bytes(samples["pdf"][: len(samples["pdf"]) // 2])
    (bad / "scan.pdf").write_bytes(b"\xff\xd8\xff\xe0 a JPEG saved with the wrong name")
    (bad / "empty.docx").write_bytes(b"")
    letter = io.BytesIO()
    docx.Document().save(letter)
    (bad / "letter.docx").write_bytes(letter.getvalue())
    return using, 5


def median_seconds(fn: object, runs: int) -> float:
    """Return the median wall time of calling ``fn`` ``runs`` times."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clause", default="sekretess-offentlighet")
    parser.add_argument("--keep", type=Path, default=None, help="Make the folder here and keep it.")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-where-used-"))
    try:
        start = time.perf_counter()
        using, bad = make_folder(root, args.count, args.clause)
        print(f"made {args.count} agreements (+{bad} corrupt or foreign files) in {time.perf_counter() - start:.1f} s")
        report = where_used(root, args.clause)
        assert len(report.uses) == using, (len(report.uses), using)
        assert len(report.unreadable) == bad and report.scanned == args.count + bad
        in_process = median_seconds(lambda: where_used(root, args.clause), args.runs)
        exe = Path(sys.executable).with_name("assembler")
        command = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "assembler"]),
                   "where-used", args.clause, str(root), "--json"]
        env = dict(os.environ)
        cli = median_seconds(lambda: subprocess.run(command, check=True, capture_output=True, env=env), args.runs)
        print(f"where-used {args.clause}: {len(report.uses)} of {args.count} agreements, {bad} files named as unreadable")
        print(f"median of {args.runs} runs: command line {cli:.3f} s (limit 2 s), in-process {in_process:.3f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
