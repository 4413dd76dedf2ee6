"""Batch builds: many answer files, a folder of them, or a spreadsheet's rows, built by parallel workers.

Each worker loads the clause library (and the base answer file) once, then
builds agreement after agreement; each agreement's files are written
atomically by the worker that built it.  A failure is collected with its
file or row and location, never raised, so one bad row does not stop the
other nineteen.  Nothing here prints: the caller is told of each outcome
as it arrives (to draw progress, to record it in the register).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler._files import write_files_atomically
from assembler.assembly.answers import Answers, load_answers
from assembler.assembly.issued import Issued, WrittenFile, builder, format_of, issued, parties_of
from assembler.assembly.outputs import output_paths
from assembler.assembly.pipeline import BuildResult, assemble, parse_as_of, render_files
from assembler.assembly.sheets import SHEET_SUFFIXES, Row, read_sheet, row_answers
from assembler.errors import AssemblerError, Location, Problem, UsageError
from assembler.library.load import Library, load_library
from assembler.model import HouseStyle
from assembler.writers import EXTENSIONS

ANSWER_SUFFIXES = (".yaml", ".yml", ".json")
_CHUNK_MAX = 8  # agreements sent to a worker at once


@dataclass(frozen=True)
class BatchItem:
    """One agreement to build: from an answer file or from a spreadsheet row; ``stem`` names its output files."""

    label: str
    stem: str
    path: Path | None = None
    row: Row | None = None


@dataclass(frozen=True)
class BatchOptions:
    """What every agreement of a batch shares: output folder, formats, library, date and switches."""

    output: Path
    formats: tuple[str, ...] = ("docx", "pdf")
    library: Path | None = None
    as_of: str | None = None
    draft: bool = False
    strict: bool = False
    language: str | None = None
    manifest: bool = False
    pdf_engine: str = "reportlab"
    base: Path | None = None
    house_style: HouseStyle | None = None


@dataclass(frozen=True)
class Failure:
    """An agreement that could not be built: its item and every problem, each with its location."""

    item: BatchItem
    problems: tuple[Problem, ...]
    code: str


@dataclass(frozen=True)
class BatchResult:
    """The outcome of a batch: what was issued and what failed, in the order of the items."""

    issued: tuple[Issued, ...]
    failures: tuple[Failure, ...]
    seconds: float = field(default=0.0, compare=False)

    @property
    def total(self) -> int:
        return len(self.issued) + len(self.failures)


def is_sheet(path: Path) -> bool:
    """Whether a path is a spreadsheet of agreements (CSV or XLSX)."""
    return path.suffix.lower() in SHEET_SUFFIXES


def collect_items(sources: Sequence[Path], *, base: Path | None = None) -> list[BatchItem]:
    """Return the agreements to build: each answer file, each answer file in a folder, each row of a sheet.

    Raises UsageError when a source does not exist or two agreements would
    be written to the same file.
    """
    items: list[BatchItem] = []
    skip = base.resolve() if base is not None else None
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.rglob("*") if p.suffix.lower() in ANSWER_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(source).parts))
            items += [BatchItem(str(p), p.stem, path=p) for p in found if p.resolve() != skip]
        elif is_sheet(source):
            rows = read_sheet(source)
            width = len(str(max((r.line for r in rows), default=1)))
            items += [BatchItem(r.label, f"{source.stem}-{r.line:0{width}d}", row=r) for r in rows]
        elif source.exists():
            items.append(BatchItem(str(source), source.stem, path=source))
        else:
            raise UsageError(f"the answer file '{source}' does not exist", code="input.missing")
    seen: dict[str, BatchItem] = {}
    for item in items:
        other = seen.setdefault(item.stem, item)
        if other is not item:
            raise UsageError(f"'{item.label}' and '{other.label}' would both be written as '{item.stem}.*': "
                             "rename one or build them into separate folders", code="batch.clash")
    return items


# One worker's state: the library and the base answers, loaded once by the pool's initializer.
_STATE: dict[str, Any] = {}


def _start_worker(options: BatchOptions) -> None:
    _STATE["library"] = load_library(options.library)
    _STATE["base"] = load_answers(options.base) if options.base is not None else None
    _STATE["options"] = options


def _build_item(item: BatchItem) -> Issued | Failure:
    options: BatchOptions = _STATE["options"]
    library: Library = _STATE["library"]
    try:
        answers: Path | Answers = item.path if item.path is not None else row_answers(_row(item), _STATE["base"])
        assembly = assemble(answers, library=library, as_of=options.as_of, draft=options.draft,
                            strict=options.strict, language=options.language, house_style=options.house_style)
        targets = output_paths(Path(item.stem + ".yaml"), options.output, options.formats)
        files = render_files(assembly, targets, manifest=options.manifest, pdf_engine=options.pdf_engine)
        write_files_atomically(files, sync=False)  # flushed once when the batch ends
        return issued(item.label, assembly.agreement.manifest, assembly.plan.answers.data, files, assembly.warnings)
    except AssemblerError as exc:
        return Failure(item, exc.as_problems(), exc.code)
    except Exception as exc:  # noqa: BLE001 - one agreement's unforeseen failure must not stop the other rows
        where = Location(item.label)
        return Failure(item, (Problem(f"internal error: {type(exc).__name__}: {exc}", where, code="internal"),),
                       "internal")


def _build_chunk(chunk: list[BatchItem]) -> list[Issued | Failure]:
    return [_build_item(item) for item in chunk]


def _row(item: BatchItem) -> Row:
    assert item.row is not None  # an item is a file or a row
    return item.row


def run_batch(items: Sequence[BatchItem], options: BatchOptions, *, jobs: int | None = None,
              on_done: Callable[[Issued | Failure], None] | None = None) -> BatchResult:
    """Build every item with ``jobs`` worker processes (default: the number of cores); return every outcome.

    The library and the base answer file are read here first, so that a
    broken library or base stops the batch at once with its own error
    rather than failing every row.  ``on_done`` is called in this process
    with each outcome as it arrives.
    """
    started = time.perf_counter()
    options = _checked(options)
    _start_worker(options)  # fails early; a forked worker also starts from the loaded library
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items) or 1))
    outcomes: dict[int, Issued | Failure] = {}

    def done(index: int, outcome: Issued | Failure) -> None:
        outcomes[index] = outcome
        if on_done is not None:
            on_done(outcome)

    if jobs == 1:
        for index, item in enumerate(items):
            done(index, _build_item(item))
    else:
        # multiprocessing costs a one-agreement build tens of milliseconds of imports: only here
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # Items go to the workers a few at a time: one message each way per chunk rather than per agreement,
        # chunks small enough that the progress bar moves and the workers finish together.
        size = max(1, min(_CHUNK_MAX, len(items) // (jobs * 8)))
        chunks = [list(range(start, min(start + size, len(items)))) for start in range(0, len(items), size)]
        with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(options,)) as pool:
            futures = {pool.submit(_build_chunk, [items[i] for i in chunk]): chunk for chunk in chunks}
            for future in as_completed(futures):
                for index, outcome in zip(futures[future], future.result()):
                    done(index, outcome)
    if hasattr(os, "sync"):
        os.sync()  # every file of the batch on disk before the summary says it was written
    ordered = [outcomes[i] for i in range(len(items))]
    return BatchResult(tuple(o for o in ordered if isinstance(o, Issued)),
                       tuple(o for o in ordered if isinstance(o, Failure)), time.perf_counter() - started)


def _checked(options: BatchOptions) -> BatchOptions:
    out = options.output
    if out.exists() and not out.is_dir() or (not out.exists() and out.suffix.lower() in EXTENSIONS.values()):
        raise UsageError(f"-o '{out}' is a file, but a batch writes many agreements: give a folder",
                         code="usage.output", option="output")
    # One date for the whole batch, even when it runs past midnight.
    return BatchOptions(**{**options.__dict__, "as_of": parse_as_of(options.as_of).isoformat()})


def issued_from_build(label: str, result: BuildResult) -> Issued:
    """Return the register's view of a single build (its files already written)."""
    files = tuple(WrittenFile(p.resolve(), format_of(p), digest, p.stat().st_size)
                  for p, digest in zip(result.files, result.sha256))
    return Issued(label, result.assembly.agreement.manifest, parties_of(result.assembly.plan.answers.data), files,
                  builder(), result.assembly.warnings)
