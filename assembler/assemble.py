"""The public pipeline: answers and library in, an assembled agreement and its files out."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from .answers import LANGUAGES, load_answers
from .errors import Problem, UsageError
from .layout import layout_agreement
from .library import Library, load_library
from .manifest import manifest_to_json
from .model import Agreement
from .output import write_files_atomically
from .render import render_plan
from .rules import Plan, resolve

FORMATS = ("docx", "pdf", "md", "html", "txt")
EXTENSIONS = {"docx": ".docx", "pdf": ".pdf", "md": ".md", "html": ".html", "txt": ".txt"}


@dataclass(frozen=True)
class Assembly:
    """An assembled agreement with the plan that made it and the warnings raised."""

    agreement: Agreement
    plan: Plan

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The guard and identifier warnings, also recorded in the manifest."""
        return self.plan.warnings


def parse_as_of(value: str | _dt.date | None) -> _dt.date:
    """Return the assembly date: the given ISO date, or today."""
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--as-of '{value}' is not a date: write it as YYYY-MM-DD") from None


def _library(library: Library | Path | str | None) -> Library:
    return library if isinstance(library, Library) else load_library(library)


def plan_answers(answers_path: Path | str, *, library: Library | Path | str | None = None,
                 as_of: str | _dt.date | None = None, draft: bool = False, strict: bool = False,
                 language: str | None = None, pins: Mapping[str, str] | None = None) -> Plan:
    """Validate an answer file and apply the rules and guards; return the plan (no output).

    ``pins`` maps clause ids to exact versions (used by rebuild).
    """
    if language is not None and language not in LANGUAGES:
        raise UsageError(f"--lang must be one of {', '.join(LANGUAGES)}")
    lib = _library(library)
    answers = load_answers(answers_path)
    return resolve(lib, answers, as_of=parse_as_of(as_of), draft=draft, strict=strict, language=language, pins=pins)


def assemble(answers_path: Path | str, *, library: Library | Path | str | None = None,
             as_of: str | _dt.date | None = None, draft: bool = False, strict: bool = False,
             language: str | None = None, pins: Mapping[str, str] | None = None) -> Assembly:
    """Assemble the agreement an answer file describes, in memory; ``pins`` fixes clause versions."""
    lib = _library(library)
    plan = plan_answers(answers_path, library=lib, as_of=as_of, draft=draft, strict=strict, language=language,
                        pins=pins)
    rendered = render_plan(plan, tuple(plan.language.split("+")))
    agreement = layout_agreement(plan, rendered, lib)
    return Assembly(agreement, plan)


def writer_for(fmt: str, pdf_engine: str = "reportlab") -> Callable[[Agreement], bytes]:
    """Return the writer of a format; each is imported only when used."""
    if fmt == "pdf" and pdf_engine == "libreoffice":
        from .pdf_libreoffice import write_pdf_libreoffice
        return write_pdf_libreoffice
    if fmt == "docx":
        from .docx_writer import write_docx
        return write_docx
    if fmt == "pdf":
        from .pdf_writer import write_pdf
        return write_pdf
    if fmt == "md":
        from .markdown_writer import write_markdown
        return write_markdown
    if fmt == "html":
        from .html_writer import write_html
        return write_html
    if fmt == "txt":
        from .text_writer import write_text
        return write_text
    raise UsageError(f"unknown format '{fmt}': choose from {', '.join(FORMATS)}")


def parse_formats(text: str) -> tuple[str, ...]:
    """Return the formats of a comma-separated list, checked and without repeats."""
    out: list[str] = []
    for part in text.split(","):
        fmt = part.strip().lower().lstrip(".")
        if fmt == "markdown":
            fmt = "md"
        if fmt == "text":
            fmt = "txt"
        if not fmt:
            continue
        if fmt not in FORMATS:
            raise UsageError(f"unknown format '{fmt}': choose from {', '.join(FORMATS)}")
        if fmt not in out:
            out.append(fmt)
    if not out:
        raise UsageError("no output format given")
    return tuple(out)


def output_paths(answers_path: Path, output: Path | None, formats: tuple[str, ...]) -> dict[str, Path]:
    """Return the file each format is written to.

    ``output`` may be a file (one format, or a name whose suffix is dropped
    and replaced per format) or a folder (existing, or given with a trailing
    slash, or without suffix).
    """
    stem = answers_path.stem
    if output is None:
        return {f: Path.cwd() / (stem + EXTENSIONS[f]) for f in formats}
    text = str(output)
    is_dir = output.is_dir() or text.endswith(("/", "\\")) or not output.suffix
    if is_dir:
        return {f: output / (stem + EXTENSIONS[f]) for f in formats}
    suffix = output.suffix.lower().lstrip(".")
    if len(formats) == 1:
        return {formats[0]: output}
    if suffix in FORMATS or suffix in ("markdown", "htm", "text"):
        base = output.with_suffix("")
        return {f: base.with_suffix(EXTENSIONS[f]) for f in formats}
    raise UsageError(f"-o '{output}' is a file name, but several formats were asked for: give a folder")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and the warnings it raised."""

    assembly: Assembly
    files: tuple[Path, ...]


def build(answers_path: Path | str, *, output: Path | str | None = None, formats: tuple[str, ...] = ("docx", "pdf"),
          library: Library | Path | str | None = None, as_of: str | _dt.date | None = None, draft: bool = False,
          strict: bool = False, language: str | None = None, manifest: bool = False,
          pdf_engine: str = "reportlab") -> BuildResult:
    """Assemble an agreement and write it in every format asked for, atomically.

    Every file is rendered in memory first; only then are all written, so a
    failure leaves no file behind.
    """
    answers_path = Path(answers_path)
    assembly = assemble(answers_path, library=library, as_of=as_of, draft=draft, strict=strict, language=language)
    targets = output_paths(answers_path, Path(output) if output is not None else None, formats)
    files: dict[Path, bytes] = {}
    for fmt, target in targets.items():
        files[target] = writer_for(fmt, pdf_engine)(assembly.agreement)
    if manifest:
        first = next(iter(targets.values()))
        files[first.with_name(first.stem + ".manifest.json")] = manifest_to_json(assembly.agreement.manifest).encode()
    written = write_files_atomically(files)
    return BuildResult(assembly, tuple(written))
