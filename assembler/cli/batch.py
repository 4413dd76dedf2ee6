"""Printing a batch build: the progress bar, the failures, the summary and the exit code.

The batch itself (items, workers, atomic writes) is
:mod:`assembler.assembly.batch`; this module only draws and records.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from assembler.assembly.batch import BatchOptions, Failure, collect_items, run_batch
from assembler.assembly.issued import Issued
from assembler.cli._common import echo
from assembler.errors import AssemblerError, UsageError

_RECORD_EVERY = 50  # agreements recorded per register transaction


def run(sources: list[Path], options: BatchOptions, *, jobs: int | None, quiet: bool, register: str | None) -> None:
    """Build every agreement of ``sources``; print failures and a summary; exit 1 if any failed."""
    from assembler.assembly.batch import is_sheet
    if options.base is not None and not any(is_sheet(s) for s in sources):
        raise UsageError("--base applies to the rows of a spreadsheet", option="base", code="usage.base")
    items = collect_items(sources, base=options.base)
    if not items:
        raise UsageError(f"no answer files or rows found in {', '.join(map(str, sources))}", code="batch.empty")
    reg = None
    if register:
        from assembler.register.store import open_register
        reg = open_register(register)
    unrecorded: list[tuple[Issued, str]] = []
    pending: list[Issued] = []
    bar = _progress(len(items), quiet)

    def flush() -> None:
        # One transaction per few dozen agreements: the register's lock and sync are paid once for all of them.
        if reg is not None and pending:
            try:
                reg.record_many(pending)
            except Exception as exc:  # noqa: BLE001 - the files are written; say which were not recorded, go on
                why = str(exc) if isinstance(exc, AssemblerError) else f"{type(exc).__name__}: {exc}"
                unrecorded.extend((outcome, why) for outcome in pending)
            pending.clear()

    def done(outcome: Issued | Failure) -> None:
        if reg is not None and isinstance(outcome, Issued):
            pending.append(outcome)
            if len(pending) >= _RECORD_EVERY:
                flush()
        if isinstance(outcome, Failure) and bar is not None:
            bar.write(f"failed: {outcome.item.label}", file=sys.stderr)
        if bar is not None:
            bar.update(1)

    try:
        result = run_batch(items, options, jobs=jobs, on_done=done)
        flush()
    finally:
        if bar is not None:
            bar.close()
        if reg is not None:
            reg.close()
    _summary(result.issued, result.failures, unrecorded, options.output, result.seconds)
    if result.failures or unrecorded:
        sys.exit(1)


def _progress(total: int, quiet: bool) -> Any:
    """Return a progress bar on a terminal, or None when quiet or when stderr is a pipe or file."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, unit="agreement", file=sys.stderr, dynamic_ncols=True, leave=False)


def _summary(issued: tuple[Issued, ...], failures: tuple[Failure, ...], unrecorded: list[tuple[Issued, str]],
             output: Path, seconds: float) -> None:
    for failure in failures:
        for problem in failure.problems:
            # A problem located in the item's own file already names it (sheet.csv:3:2, answers.yaml:7:5).
            own = failure.item.path if failure.item.path is not None else failure.item.row.sheet if failure.item.row else None
            named = problem.location is not None and own is not None and problem.location.file == str(own)
            where = "" if named or str(problem).startswith(failure.item.label) else f"{failure.item.label}: "
            echo(f"failed: {where}{problem}", err=True)
    for item, why in unrecorded:
        echo(f"not recorded in the register: {item.label}: {why}", err=True)
    for item in issued:
        for warning in item.warnings:
            echo(f"warning: {item.label}: {warning}", err=True)
    files = sum(len(i.files) for i in issued)
    total = len(issued) + len(failures)
    line = f"built {len(issued)} of {total} agreement(s), {files} file(s) in {output}, in {seconds:.1f} s"
    if failures:
        line += f"; {len(failures)} failed"
    echo(line)
