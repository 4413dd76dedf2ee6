"""The command line: a thin click layer over the library API.

This is the only module that prints or exits.  Every AssemblerError is caught
in one place (``_Group.invoke``) and reported as ``error: file:line:col: path:
message`` with the error's exit code: 1 for invalid content, 2 for usage.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import AssemblerError, Problem

LIBRARY_HELP = "Clause library folder (default: the bundled OPI library, or $ASSEMBLER_LIBRARY)."


def _echo_problem(problem: Problem | str, err: bool = True) -> None:
    click.echo(str(problem), err=err)


def _report(exc: AssemblerError) -> None:
    problems = exc.problems or (Problem(exc.message, exc.location),)
    for p in problems:
        text = str(p)
        click.echo(f"error: {text}" if p.level == "error" else text, err=True)


class _Group(click.Group):
    """A click group that turns AssemblerError into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssemblerError as exc:
            _report(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)


def library_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--library", "library", type=click.Path(path_type=Path, file_okay=False),
                        envvar="ASSEMBLER_LIBRARY", default=None, help=LIBRARY_HELP)(fn)


def _warn(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for p in problems:
        text = str(p)
        click.echo(text if text.startswith("warning") or ": warning: " in text else f"warning: {text}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="assembler")
def cli() -> None:
    """Assemble OPI agreements from a versioned clause library.

    An answer file (YAML or JSON) describes one collaboration; the library's
    blueprint says which clauses apply; the result is a numbered agreement in
    DOCX, PDF, Markdown, HTML or plain text with its manifest embedded.

    Exit codes: 0 success, 1 invalid content (validation failed, a guard
    stopped the build, differences found with --exit-code), 2 usage error.
    """


@cli.command()
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def validate(library: Path | None, as_json: bool) -> None:
    """Check the whole clause library and list every problem.

    Checks the schemas of library.yaml, blueprints and clause front matter;
    that every clause template compiles; that every variable a clause uses is
    declared in the answers schema; that every cross-reference, appendix and
    term resolves; that every language is present with the same number of
    paragraphs and list items; and that approved versions are unchanged.
    """
    from .validate import validate_library
    report = validate_library(library)
    errors = [p for p in report.problems if p.level == "error"]
    if as_json:
        click.echo(json.dumps({"library": str(report.root), "clauses": report.clause_count,
                               "blueprints": report.blueprint_count,
                               "problems": [{"level": p.level, "message": p.message,
                                             "file": p.location.file if p.location else None,
                                             "line": p.location.line if p.location else None,
                                             "path": p.location.path if p.location else None}
                                            for p in report.problems]}, ensure_ascii=False, indent=2))
    else:
        for p in report.problems:
            click.echo(f"error: {p}" if p.level == "error" else str(p), err=True)
        status = "ok" if not errors else f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        click.echo(f"{report.root}: {report.clause_count} clause versions, {report.blueprint_count} blueprint(s): {status}")
    if errors:
        sys.exit(1)


def _build_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--lang", type=click.Choice(["sv", "en", "sv+en"]), default=None,
                      help="Language of the agreement (default: the answer file's 'language').")(fn)
    fn = click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
                      help="Assembly date: clause versions effective then are used (default: today).")(fn)
    fn = click.option("--draft", is_flag=True, help="Admit draft clause versions; the output is marked as a draft.")(fn)
    fn = click.option("--strict", is_flag=True, help="Treat guard warnings as errors.")(fn)
    return library_option(fn)


@cli.command()
@click.argument("answers", type=click.Path(path_type=Path, dir_okay=True))
@_build_options
def check(answers: Path, library: Path | None, lang: str | None, as_of: str | None, draft: bool,
          strict: bool) -> None:
    """Validate an answer file and apply the guards, without writing anything."""
    from .assemble import assemble
    assembly = assemble(answers, library=library, as_of=as_of, draft=draft, strict=strict, language=lang)
    _warn(assembly.warnings)
    n = len(assembly.agreement.documents[0].clauses)
    click.echo(f"{answers}: ok — {n} clauses, {len(assembly.warnings)} warning(s)")


@cli.command()
@click.argument("answers", type=click.Path(path_type=Path, dir_okay=True))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Output file or folder (default: the current folder, named after the answer file).")
@click.option("--format", "formats", default="docx,pdf", show_default=True, metavar="LIST",
              help="Comma-separated formats: docx, pdf, md, html, txt.")
@click.option("--manifest", is_flag=True, help="Also write the manifest as JSON beside the output.")
@click.option("--pdf-engine", type=click.Choice(["reportlab", "libreoffice"]), default="reportlab", show_default=True,
              help="How the PDF is made: drawn directly, or converted from the DOCX by LibreOffice.")
@_build_options
def build(answers: Path, output: Path | None, formats: str, manifest: bool, pdf_engine: str,
          library: Path | None, lang: str | None, as_of: str | None, draft: bool, strict: bool) -> None:
    """Assemble the agreement an answer file describes and write it.

    Every file is written atomically: a failed build leaves no file behind.
    """
    from .assemble import build as run_build, parse_formats
    result = run_build(answers, output=output, formats=parse_formats(formats), library=library, as_of=as_of,
                       draft=draft, strict=strict, language=lang, manifest=manifest, pdf_engine=pdf_engine)
    _warn(result.assembly.warnings)
    for path in result.files:
        click.echo(str(path))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def inspect(file: Path, as_json: bool) -> None:
    """Print the manifest embedded in a built DOCX or PDF (or a manifest JSON file)."""
    from .manifest import manifest_to_dict, read_manifest_file
    m = read_manifest_file(file)
    if as_json:
        click.echo(json.dumps(manifest_to_dict(m), ensure_ascii=False, indent=2))
        return
    click.echo(f"agreement: {m.agreement}@{m.agreement_version}")
    click.echo(f"language:  {m.language}")
    click.echo(f"assembled: {m.assembled}")
    if m.reference:
        click.echo(f"reference: {m.reference}")
    if m.parties:
        click.echo(f"parties:   {'; '.join(m.parties)}")
    click.echo(f"draft:     {'yes' if m.draft else 'no'}")
    click.echo(f"answers:   sha256 {m.answers_sha256}")
    click.echo(f"tool:      assembler {m.tool_version}")
    click.echo(f"clauses ({len(m.clauses)}):")
    for c in m.clauses:
        click.echo(f"  {c.id}@{c.version}  sha256 {c.sha256}")
    if m.appendices:
        click.echo("appendices:")
        for a in m.appendices:
            click.echo(f"  {a}")
    for w in m.warnings:
        click.echo(f"warning: {w}")


def main() -> None:
    """Run the command line."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    cli(prog_name="assembler")
