"""Commands about one agreement: validate the library, check and build an answer file, inspect and rebuild."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assembler.cli._common import dump, echo, library_option, problem_to_dict, register_option, warn
from assembler.errors import UsageError


@click.command()
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--reference-docx", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also check a house-style reference DOCX for the styles the DOCX writer needs "
                   "(default: the workspace's house_style, if it names one).")
def validate(library: Path | None, as_json: bool, reference_docx: Path | None) -> None:
    """Check the whole clause library and list every problem.

    Checks the schemas of library.yaml, blueprints and clause front matter;
    that every clause template compiles; that every variable a clause uses is
    declared in the answers schema; that every cross-reference, appendix and
    term resolves; that every language is present with the same number of
    paragraphs and list items; and that approved versions are unchanged.
    """
    from assembler.cli._common import library_choice
    from assembler.library.lint import validate_library
    choice = library_choice(click.get_current_context())
    report = validate_library(library)
    extra = _house_style_problems(reference_docx, choice.settings)
    if extra:
        from dataclasses import replace
        report = replace(report, problems=report.problems + extra)
    errors = [p for p in report.problems if p.level == "error"]
    if as_json:
        echo(json.dumps({"library": str(report.root), "library_source": choice.source,
                               "clauses": report.clause_count,
                               "blueprints": report.blueprint_count,
                               "problems": [problem_to_dict(p) for p in report.problems]}, ensure_ascii=False, indent=2))
    else:
        echo(f"library: {choice.describe()}")
        for p in report.problems:
            echo(f"{p.level}: {p}", err=True)
        status = "ok" if not errors else f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        echo(f"{report.root}: {report.clause_count} clause versions, {report.blueprint_count} blueprint(s): {status}")
    if errors:
        sys.exit(1)


def _house_style_problems(reference_docx: Path | None, settings: Any) -> tuple[Any, ...]:
    """Return the problems of the reference DOCX given, else of the workspace's house style (missing styles warn)."""
    from assembler.errors import Location, Problem
    from assembler.library.house_style import HOUSE_STYLE_WARNINGS, check_reference_docx, workspace_reference_docx
    if reference_docx is None:
        try:
            reference_docx = workspace_reference_docx(settings)
        except UsageError as exc:  # named in assembler.toml but not there: a problem of the workspace
            return (Problem(exc.message, exc.location, code=exc.code),)
    if reference_docx is None:
        return ()
    return tuple(Problem(message, Location(str(reference_docx)), code=code,
                         level="warning" if code in HOUSE_STYLE_WARNINGS else "error")
                 for code, message in check_reference_docx(reference_docx))


def _build_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--lang", type=click.Choice(["sv", "en", "sv+en"]), default=None,
                      help="Language of the agreement (default: the answer file's 'language').")(fn)
    fn = click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
                      help="Assembly date: clause versions effective then are used (default: today).")(fn)
    fn = click.option("--draft", is_flag=True, help="Admit draft clause versions; the output is marked as a draft.")(fn)
    fn = click.option("--strict", is_flag=True, help="Treat guard warnings as errors.")(fn)
    return library_option(fn)


@click.command()
@click.argument("answers", type=click.Path(path_type=Path, dir_okay=True))
@_build_options
def check(answers: Path, library: Path | None, lang: str | None, as_of: str | None, draft: bool,
          strict: bool) -> None:
    """Validate an answer file and apply the guards, without writing anything."""
    from assembler.assembly.pipeline import assemble
    assembly = assemble(answers, library=library, as_of=as_of, draft=draft, strict=strict, language=lang)
    warn(assembly.warnings)
    n = len(assembly.agreement.documents[0].clauses)
    echo(f"{answers}: ok — {n} clauses, {len(assembly.warnings)} warning(s)")


@click.command()
@click.argument("answers", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file or folder (default: the current folder, named after the answer file).")
@click.option("--format", "formats", default="docx,pdf", show_default=True, metavar="LIST",
              help="Comma-separated formats: docx, pdf, md, html, txt.")
@click.option("--manifest", is_flag=True, help="Also write the manifest as JSON beside the output.")
@click.option("--pdf-engine", type=click.Choice(["reportlab", "libreoffice"]), default="reportlab", show_default=True,
              help="How the PDF is made: drawn directly, or converted from the DOCX by LibreOffice.")
@click.option("--reference-docx", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A Word file whose styles, page setup, headers and footers the DOCX uses (house style); "
                   "the PDF takes its margins, header logo and heading colour (default: the workspace's "
                   "house_style).")
@click.option("--pdf-font", "pdf_fonts", type=click.Path(path_type=Path, dir_okay=False), multiple=True,
              help="A TrueType file for the PDF text, embedded; repeat for regular, bold, italic, bold italic.")
@click.option("--pdf-a/--no-pdf-a", "pdf_a", default=None,
              help="Write the PDF as PDF/A-2b for archiving (default: the workspace's pdf_a, else no).")
@click.option("--appendix-dir", "appendix_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder the appendix files are read from (default: the answer file's folder); "
                   "no appendix is read from outside it.")
@click.option("--base", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Answer file that spreadsheet rows are set over (what the agreements share).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for a batch (default: the number of cores).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar for a batch.")
@register_option
@_build_options
def build(answers: tuple[Path, ...], output: Path | None, formats: str, manifest: bool, pdf_engine: str,
          appendix_dir: Path | None,
          reference_docx: Path | None, pdf_fonts: tuple[Path, ...], pdf_a: bool | None,
          base: Path | None, jobs: int | None, quiet: bool, register: str | None,
          library: Path | None, lang: str | None, as_of: str | None, draft: bool, strict: bool) -> None:
    """Assemble the agreements answer files describe and write them.

    ANSWERS is one answer file, several, a folder of them, or a spreadsheet
    (CSV or XLSX) whose first row names fields (private_parties[0].orgnr)
    and whose every other row is one agreement, set over --base FILE.  A
    batch runs in parallel, collects every failure and exits 1 if any
    agreement failed; the others are still written.  Every file is written
    atomically: a failed build leaves no file behind, and never one over
    the answer file or an appendix.
    """
    from assembler.assembly.batch import is_sheet
    from assembler.cli._common import library_choice
    from assembler.library.house_style import house_style_for
    from assembler.writers import parse_formats
    kinds = parse_formats(formats)
    # Options win; otherwise the workspace's house_style and pdf_a settings apply.
    house = house_style_for(library_choice(click.get_current_context()).settings, reference_docx, pdf_fonts, pdf_a)
    if len(answers) == 1 and not answers[0].is_dir() and not is_sheet(answers[0]):
        if base is not None:
            raise UsageError("--base applies to the rows of a spreadsheet", option="base", code="usage.base")
        _build_one(answers[0], output, kinds, manifest, pdf_engine, register, library, lang, as_of, draft, strict,
                   house, appendix_dir)
        return
    if appendix_dir is not None:
        raise UsageError("a folder for appendices applies to one answer file; in a batch each answer file's own "
                         "folder holds its appendices", option="appendix_dir", code="usage.appendix-dir")
    from assembler.assembly.batch import BatchOptions
    from assembler.cli.batch import run
    options = BatchOptions(output if output is not None else Path.cwd(), kinds, library, as_of, draft, strict, lang,
                           manifest, pdf_engine, base, house)
    run(list(answers), options, jobs=jobs, quiet=quiet, register=register)


def _build_one(answers: Path, output: Path | None, kinds: tuple[str, ...], manifest: bool, pdf_engine: str,
               register: str | None, library: Path | None, lang: str | None, as_of: str | None, draft: bool,
               strict: bool, house: Any, appendix_dir: Path | None = None) -> None:
    from assembler.assembly.pipeline import build as run_build
    reg = _open_register(register)
    try:
        result = run_build(answers, output=output, formats=kinds, library=library, as_of=as_of, draft=draft,
                           strict=strict, language=lang, manifest=manifest, pdf_engine=pdf_engine,
                           house_style=house, appendix_dir=appendix_dir)
        if reg is not None:
            from assembler.assembly.batch import issued_from_build
            reg.record(issued_from_build(str(answers), result))
    finally:
        if reg is not None:
            reg.close()
    warn(result.assembly.warnings)
    if house is not None and house.pdf_a:
        from assembler.errors import Problem
        from assembler.writers.pdf_archive import appendix_problems
        warn([Problem(m, level="warning", code="pdf-a.appendix-not-pdf-a")
              for m in appendix_problems(result.assembly.agreement)])
    for path in result.files:
        echo(str(path))


def _open_register(location: str | None) -> Any:
    if not location:
        return None
    from assembler.register.store import open_register
    return open_register(location)


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def inspect(file: Path, as_json: bool) -> None:
    """Print the manifest embedded in a built DOCX or PDF (or a manifest JSON file)."""
    from assembler.manifest import manifest_to_dict
    from assembler.readers import read_manifest_file
    m = read_manifest_file(file)
    if as_json:
        echo(json.dumps(manifest_to_dict(m), ensure_ascii=False, indent=2))
        return
    echo(f"agreement: {m.agreement}@{m.agreement_version}")
    echo(f"language:  {m.language}")
    echo(f"assembled: {m.assembled}")
    if m.reference:
        echo(f"reference: {m.reference}")
    if m.parties:
        echo(f"parties:   {'; '.join(m.parties)}")
    echo(f"draft:     {'yes' if m.draft else 'no'}")
    echo(f"answers:   sha256 {m.answers_sha256}")
    echo(f"tool:      assembler {m.tool_version}")
    echo(f"clauses ({len(m.clauses)}):")
    for c in m.clauses:
        echo(f"  {c.id}@{c.version}  sha256 {c.sha256}")
    if m.appendices:
        echo("appendices:")
        for a in m.appendices:
            echo(f"  {a}")
    for w in m.warnings:
        echo(f"warning: {w}")


@click.command()
@click.argument("source", metavar="FILE_OR_MANIFEST", type=click.Path(path_type=Path))
@click.option("--answers", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The answer file (default: the answers recorded in the manifest).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Also write the rebuilt file(s) here (file or folder).")
@click.option("--format", "formats", default=None, metavar="LIST",
              help="Formats to write with -o (default: the original's; docx,pdf for a manifest).")
@click.option("--reference-docx", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The house-style reference DOCX the agreement was built with (default: the workspace's "
                   "house_style, or the file of the recorded name beside the agreement).")
@click.option("--pdf-font", "pdf_fonts", type=click.Path(path_type=Path, dir_okay=False), multiple=True,
              help="The PDF font files the agreement was built with, in the same order.")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def rebuild(source: Path, answers: Path | None, output: Path | None, formats: str | None,
            reference_docx: Path | None, pdf_fonts: tuple[Path, ...], library: Path | None, as_json: bool) -> None:
    """Rebuild an issued agreement from its manifest and check it is byte-identical.

    Uses the pinned clause versions, the assembly date, the language and the
    answers the manifest records.  Exit code 0 when identical; 1 with every
    difference named (a clause file changed, the answers differ, the tool
    version differs, ...).
    """
    from assembler._files import write_files_atomically
    from assembler.assembly.outputs import output_paths
    from assembler.assembly.rebuild import SIBLING_MANIFEST, read_source
    from assembler.assembly.rebuild import rebuild as run_rebuild
    from assembler.writers import parse_formats
    kinds: tuple[str, ...] = ()
    if output is not None:
        original = read_source(source)[0]
        kinds = parse_formats(formats) if formats else ((original,) if original else ("docx", "pdf"))
    from assembler.assembly.rebuild import HouseFiles
    from assembler.cli._common import library_choice
    from assembler.library.house_style import workspace_reference_docx
    settings = library_choice(click.get_current_context()).settings
    try:
        ours = workspace_reference_docx(settings) if reference_docx is None else None
    except UsageError:  # named but missing: rebuild says so if the agreement needs it
        ours = None
    house = HouseFiles(reference_docx, pdf_fonts, ours)
    result = run_rebuild(source, library=library, answers=answers, formats=kinds, house=house)
    written: list[Path] = []
    if output is not None:
        stem = source.name[: -len(SIBLING_MANIFEST)] if source.name.endswith(SIBLING_MANIFEST) else source.stem
        targets = output_paths(source.with_name(stem + ".yaml"), output, kinds)
        if any(t.resolve() == source.resolve() for t in targets.values()):
            raise UsageError(f"-o would overwrite '{source}', the agreement being checked: write elsewhere")
        written = write_files_atomically({t: result.data[f] for f, t in targets.items() if f in result.data},
                                         inputs=[source] + ([answers] if answers is not None else []))
    if as_json:
        dump({**result.to_dict(), "written": [str(p) for p in written]})
    else:
        for note in result.notes:
            echo(f"note: {note}", err=True)
        m = result.manifest
        what = f"{m.agreement}@{m.agreement_version}, {m.language}, assembled {m.assembled}, {len(m.clauses)} clauses"
        if result.identical:
            echo(f"{source}: rebuilt {'byte-identical' if result.format else 'identically'} ({what})")
        else:
            echo(f"{source}: the rebuild differs ({what}):")
            for d in result.differences:
                echo(f"  {d.kind}: {d.message}")
        for path in written:
            echo(str(path))
    if not result.identical:
        sys.exit(1)
