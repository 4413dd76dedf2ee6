"""The public pipeline: answers and library in, an assembled agreement and its files out."""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from assembler._dates import parse_date
from assembler._files import write_files_atomically
from assembler._gc import quiet_collector
from assembler.assembly.answers import LANGUAGES, Answers, load_answers
from assembler.assembly.appendices import active_content_notes, read_appendix_files
from assembler.assembly.layout import layout_agreement
from assembler.assembly.outputs import output_paths
from assembler.assembly.render import render_plan
from assembler.assembly.rules import Plan, resolve
from assembler.errors import Location, Problem, UsageError
from assembler.library.load import Library, load_library
from assembler.manifest import manifest_to_json
from assembler.model import Agreement, HouseStyle
from assembler.writers import writer_for


@dataclass(frozen=True)
class Assembly:
    """An assembled agreement with the plan that made it and the warnings raised."""

    agreement: Agreement
    plan: Plan
    notes: tuple[Problem, ...] = ()

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The guard and identifier warnings (recorded in the manifest), then what was done to the inputs."""
        return self.plan.warnings + self.notes


def parse_as_of(value: str | _dt.date | None) -> _dt.date:
    """Return the assembly date: the given ISO date, or today."""
    return parse_date(value, option="as_of")


def _library(library: Library | Path | str | None) -> Library:
    return library if isinstance(library, Library) else load_library(library)


def plan_answers(answers_path: Path | str | Answers, *, library: Library | Path | str | None = None,
                 as_of: str | _dt.date | None = None, draft: bool = False, strict: bool = False,
                 language: str | None = None, pins: Mapping[str, str] | None = None,
                 blueprint_version: str | None = None, embed_text: bool = False,
                 appendix_dir: Path | None = None) -> Plan:
    """Validate an answer file (or answers already read) and apply the rules and guards; return the plan (no output).

    ``pins`` maps clause ids to exact versions, ``blueprint_version`` picks an archived blueprint and
    ``embed_text`` embeds the raw answer text as older manifests did (all three used by rebuild).
    """
    if language is not None and language not in LANGUAGES:
        raise UsageError(f"'{language}' is not one of {', '.join(LANGUAGES)}", code="usage.language", option="lang")
    lib = _library(library)
    answers = answers_path if isinstance(answers_path, Answers) else load_answers(answers_path)
    return resolve(lib, answers, as_of=parse_as_of(as_of), draft=draft, strict=strict, language=language, pins=pins,
                   blueprint_version=blueprint_version, embed_text=embed_text, appendix_dir=appendix_dir)


def assemble(answers_path: Path | str | Answers, *, library: Library | Path | str | None = None,
             as_of: str | _dt.date | None = None, draft: bool = False, strict: bool = False,
             language: str | None = None, pins: Mapping[str, str] | None = None,
             blueprint_version: str | None = None, embed_text: bool = False,
             house_style: HouseStyle | None = None, appendix_dir: Path | None = None) -> Assembly:
    """Assemble the agreement an answer file describes, in memory; ``pins`` fixes clause versions.

    ``house_style`` (see :func:`assembler.library.house_style.load_house_style`)
    is carried by the agreement to the writers.  Appendix files are read from
    the answer file's folder, or ``appendix_dir``; never from outside it.
    """
    with quiet_collector():
        lib = _library(library)
        plan = plan_answers(answers_path, library=lib, as_of=as_of, draft=draft, strict=strict, language=language,
                            pins=pins, blueprint_version=blueprint_version, embed_text=embed_text,
                            appendix_dir=appendix_dir)
        rendered = render_plan(plan, tuple(plan.language.split("+")))
        agreement = read_appendix_files(layout_agreement(plan, rendered, lib))
    if house_style is not None:
        # The manifest records which house style made the files, so that rebuild can find it again.
        manifest = replace(agreement.manifest, house_style=house_style.stamp)
        agreement = replace(agreement, house_style=house_style, manifest=manifest)
    notes = active_content_notes(agreement)
    if house_style is not None:
        where = Location(house_style.source or None)
        notes += tuple(Problem(note, where, "warning", code="house-style.note") for note in house_style.notes)
    return Assembly(agreement, plan, notes)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and the warnings it raised."""

    assembly: Assembly
    files: tuple[Path, ...]
    sha256: tuple[str, ...] = ()  # of each file written, in the same order


def render_files(assembly: Assembly, targets: Mapping[str, Path], *, manifest: bool = False,
                 pdf_engine: str = "reportlab") -> dict[Path, bytes]:
    """Return the bytes of every target file (format -> path), and of the manifest JSON when asked for."""
    files: dict[Path, bytes] = {}
    with quiet_collector():
        for fmt, target in targets.items():
            files[target] = writer_for(fmt, pdf_engine)(assembly.agreement)
    if manifest:
        first = next(iter(targets.values()))
        files[first.with_name(first.stem + ".manifest.json")] = manifest_to_json(assembly.agreement.manifest).encode()
    return files


def build(answers_path: Path | str, *, output: Path | str | None = None, formats: tuple[str, ...] = ("docx", "pdf"),
          library: Library | Path | str | None = None, as_of: str | _dt.date | None = None, draft: bool = False,
          strict: bool = False, language: str | None = None, manifest: bool = False,
          pdf_engine: str = "reportlab", house_style: HouseStyle | None = None,
          appendix_dir: Path | str | None = None) -> BuildResult:
    """Assemble an agreement and write it in every format asked for, atomically.

    Every file is rendered in memory first; only then are all written, so a
    failure leaves no file behind.
    """
    answers_path = Path(answers_path)
    assembly = assemble(answers_path, library=library, as_of=as_of, draft=draft, strict=strict, language=language,
                        house_style=house_style, appendix_dir=Path(appendix_dir) if appendix_dir is not None else None)
    targets = output_paths(answers_path, Path(output) if output is not None else None, formats)
    files = render_files(assembly, targets, manifest=manifest, pdf_engine=pdf_engine)
    inputs = [answers_path] + [Path(f.source) for f in assembly.agreement.appendix_files]
    written = write_files_atomically(files, inputs=inputs)
    return BuildResult(assembly, tuple(written), tuple(hashlib.sha256(files[p]).hexdigest() for p in written))
