"""Benchmark: where-used over a folder of agreements, DOCX and PDF mixed, a few corrupt files among them.

    python bench/bench_where_used.py [--count 200] [--copies 0] [--runs 7] [--clause sekretess-offentlighet]
                                     [--keep DIR]

The agreements are made from the bundled examples with the bundled library,
each with its own reference and assembly date, alternately as DOCX and PDF,
in nested folders; ``--copies N`` adds N copies of them (a folder of 10,000
files without building 10,000 agreements).  Five corrupt or foreign files are
added.  Printed side by side: the in-process time of
:func:`assembler.register.where_used.where_used` (one process) with its CPU
time per file, and the command line's wall time, process start included,
with one worker process and with two (``-j``).  Medians of ``--runs`` runs,
with the load average: a busy machine inflates wall times, not CPU times.
"""

from __future__ import annotations

import argparse
import functools
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
from assembler.errors import AssemblerError
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
    skipped: set[str] = set()
    for n in range(count):
        example = examples[n % len(examples)]
        text = example.read_text(encoding="utf-8")
        reference = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("reference:"))
        answers = answers_dir / f"{n:03d}-{example.name}"
        answers.write_text(text.replace(f"reference: {reference}", f"reference: {reference}-{n:03d}"),
                           encoding="utf-8")
        fmt = "docx" if n % 2 == 0 else "pdf"
        try:
            assembly = assemble(answers, as_of=DATES[n % len(DATES)])
        except AssemblerError as exc:  # an example the bundled library cannot build on that date: the basic one
            if example.name not in skipped:
                print(f"note: {example.name} is not built ({exc.message[:80]}); basic.yaml is used in its place")
                skipped.add(example.name)
            assembly = assemble(EXAMPLES / "basic.yaml", as_of=DATES[n % len(DATES)])
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


def copy_agreements(root: Path, copies: int) -> int:
    """Add ``copies`` copies of the agreements under ``root`` (in folders of 500); return how many were added."""
    made = sorted(p for p in root.rglob("*") if p.suffix in (".docx", ".pdf") and "inbox" not in p.parts)
    for n in range(copies):
        target = root / "copies" / f"{n // 500:03d}" / f"{n:05d}-{made[n % len(made)].name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made[n % len(made)], target)
    return copies


def median_seconds(fn: object, runs: int) -> tuple[float, float]:
    """Return the median wall time and CPU time (this process and its children) of calling ``fn`` ``runs`` times."""
    walls, cpus = [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(sum(after[:4]) - sum(before[:4]))
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--copies", type=int, default=0, help="Copies of the agreements to add (a large folder).")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clause", default="sekretess-offentlighet")
    parser.add_argument("--keep", type=Path, default=None, help="Make the folder here and keep it.")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-where-used-"))
    try:
        start = time.perf_counter()
        using, bad = make_folder(root, args.count, args.clause)
        print(f"made {args.count} agreements (+{bad} corrupt or foreign files) in {time.perf_counter() - start:.1f} s")
        copies = copy_agreements(root, args.copies)
        files = args.count + copies + bad
        report = where_used(root, args.clause)
        assert report.scanned == files and len(report.unreadable) == bad, (report.scanned, len(report.unreadable))
        assert args.copies or len(report.uses) == using, (len(report.uses), using)
        in_process, cpu = median_seconds(lambda: where_used(root, args.clause), args.runs)
        exe = Path(sys.executable).with_name("assembler")
        command = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "assembler"]),
                   "where-used", args.clause, str(root), "--json"]
        env = dict(os.environ)
        cli = {jobs: median_seconds(functools.partial(subprocess.run, command + ["-j", str(jobs)], check=True,
                                                      capture_output=True, env=env), args.runs)
               for jobs in (1, 2)}
        print(f"where-used {args.clause}: {len(report.uses)} uses in {files} files, {bad} named as unreadable")
        print(f"median of {args.runs} runs, load average {os.getloadavg()[0]:.1f}:")
        print(f"  in-process (one process): {in_process:6.3f} s wall, {cpu * 1000 / files:.3f} ms CPU per file "
              f"(target <= 0.15)")
        for jobs, (wall, cpu) in cli.items():
            print(f"  command, -j {jobs}:          {wall:6.3f} s wall, {cpu:6.3f} s CPU (limit 2 s wall)")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
