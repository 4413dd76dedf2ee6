"""The command line: a thin click layer over the library API.

This is the only module that prints or exits.  Every AssemblerError is caught
in one place (``_Group.invoke``) and reported as ``error: file:line:col: path:
message`` with the error's exit code: 1 for invalid content, 2 for usage.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .errors import AssemblerError, Problem, UsageError

LIBRARY_HELP = "Clause library folder (default: the bundled OPI library, or $ASSEMBLER_LIBRARY)."


def _report(exc: AssemblerError) -> None:
    problems = exc.problems or (Problem(exc.message, exc.location),)
    for p in problems:
        click.echo(f"{p.level}: {p}", err=True)


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
        click.echo(f"warning: {p}", err=True)


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
            click.echo(f"{p.level}: {p}", err=True)
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


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())


def _lenient_library(library: Path | None) -> Any:
    """Load a library for reading even when some files are broken, warning that they were skipped."""
    from .library import load_library
    lib = load_library(library, collect=True)
    if lib.problems:
        click.echo(f"warning: {len(lib.problems)} problem(s) in the library; `assembler validate` lists them",
                   err=True)
    return lib


@cli.group()
def clauses() -> None:
    """Read and change the clause library: list, show, history, new-version, approve, retire.

    Approved versions never change: new wording is drafted as a new version,
    approved with a name and a date, and the old version retired.  Agreements
    already made keep their versions and can still be rebuilt exactly.
    """


@clauses.command("list")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def clauses_list(library: Path | None, as_json: bool) -> None:
    """List every clause: latest approved version, status, effective date, languages, blueprints using it."""
    from .catalogue import list_clauses
    lib = _lenient_library(library)
    found = list_clauses(lib)
    if as_json:
        _dump({"library": str(lib.root), "clauses": [c.to_dict() for c in found]})
        return
    rows = [["ID", "LATEST", "STATUS", "EFFECTIVE", "LANGUAGES", "USED BY"]]
    for c in found:
        status = c.status + (f" (draft {c.pending_draft})" if c.pending_draft else "")
        rows.append([c.id, c.latest or "-", status, c.effective, ",".join(c.languages),
                     ", ".join(str(u) for u in c.used_by) or "-"])
    _table(rows)


@clauses.command("show")
@click.argument("ref", metavar="ID[@VERSION]")
@click.option("--lang", default=None, metavar="LANG", help="Show only this language (sv, en).")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the clause as JSON.")
def clauses_show(ref: str, lang: str | None, library: Path | None, as_json: bool) -> None:
    """Show one clause version: text, metadata, changelog and sources (default: the latest approved)."""
    from .catalogue import show_clause
    from .lifecycle import parse_clause_ref
    clause_id, version = parse_clause_ref(ref, need_version=False)
    detail = show_clause(_lenient_library(library), clause_id, version, lang)
    data = detail.to_dict()
    if as_json:
        _dump(data)
        return
    click.echo(f"{detail.clause.ref} — {' / '.join(data['title'].values())}")
    approval = f" (by {data['approved_by']}, {data['approved_on']})" if data["approved_by"] else ""
    retired = f", retired {data['retired_on']}" if data["retired_on"] else ""
    click.echo(f"status:    {data['status']}{approval}{retired}"
               + (f", replaced by {data['replaced_by']}" if data["replaced_by"] else ""))
    click.echo(f"effective: {data['effective']}")
    if data["replaces"]:
        click.echo(f"replaces:  {data['replaces']}")
    check = {True: "as approved", False: "CHANGED since approval", None: "not recorded in approved.yaml"}
    click.echo(f"sha256:    {data['sha256']} ({check[detail.unchanged]})")
    click.echo(f"file:      {data['file']}")
    click.echo(f"summary:   {data['summary']}")
    click.echo(f"used by:   {', '.join(str(u) for u in detail.used_by) or '-'}")
    click.echo(f"versions:  {', '.join(data['versions'])}")
    click.echo("changelog:")
    for e in data["changelog"]:
        click.echo("  " + "  ".join(str(e[k]) for k in ("version", "date", "text") if e.get(k)))
    if data["sources"]:
        click.echo("sources:")
        for s in data["sources"]:
            click.echo(f"  {s.get('ref')}{'' if s.get('confirmed') else ' (not confirmed)'}")
    for language, body in data["text"].items():
        click.echo(f"\n# {language}\n\n{body}")


@clauses.command("history")
@click.argument("clause_id", metavar="ID")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
def clauses_history(clause_id: str, library: Path | None, as_json: bool) -> None:
    """List every version of a clause: status, effective date, approver, changelog, words added and removed."""
    from .catalogue import clause_history
    entries = clause_history(_lenient_library(library), clause_id)
    if as_json:
        _dump({"clause": clause_id, "versions": [e.to_dict() for e in entries]})
        return
    for e in entries:
        parts = [e.version.ljust(8), e.status.ljust(8), f"effective {e.effective}"]
        if e.approved_by:
            parts.append(f"approved by {e.approved_by} on {e.approved_on}")
        if e.retired_on:
            parts.append(f"retired {e.retired_on}" + (f", replaced by {e.replaced_by}" if e.replaced_by else ""))
        click.echo("  ".join(parts))
        if e.previous:
            words = ", ".join(f"{lang} +{w.added} -{w.removed}" for lang, w in e.words.items())
            click.echo(f"          words against {e.previous}: {words}")
        for entry in e.changelog:
            click.echo("          " + "  ".join(entry[k] for k in ("date", "text") if entry.get(k)))


@clauses.command("catalogue")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the catalogue to this file instead of printing it.")
@library_option
def clauses_catalogue(output: Path | None, library: Path | None) -> None:
    """Print the clause catalogue as Markdown: every clause, its variants, condition and sources."""
    from .catalogue import catalogue_markdown
    from .library import load_library
    from .output import write_file_atomically
    text = catalogue_markdown(load_library(library))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file_atomically(output, text.encode("utf-8"))
        click.echo(str(output))


@clauses.command("new-version")
@click.argument("ref", metavar="ID[@VERSION]")
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default="minor", show_default=True,
              help="Which part of the version to raise.")
@click.option("--effective", metavar="YYYY-MM-DD", default=None,
              help="First day the new version may be used (default: today, or the latest's date if later).")
@click.option("-m", "--message", default=None, help="The changelog text of the new version.")
@library_option
def clauses_new_version(ref: str, bump: str, effective: str | None, message: str | None,
                        library: Path | None) -> None:
    """Write the next version of a clause as a draft copy of the latest (or of ID@VERSION).

    An existing file is never overwritten.  Edit the draft's text, then
    approve it with `assembler clauses approve`.
    """
    from .lifecycle import new_version
    change = new_version(library, ref, bump=bump, effective=effective, message=message)
    for w in change.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(str(change.files[0]))
    click.echo(f"{change.ref} drafted: edit its text, then `assembler clauses approve {change.ref} --by NAME`",
               err=True)


@clauses.command("approve")
@click.argument("ref", metavar="ID@VERSION")
@click.option("--by", "by", required=True, metavar="NAME", help="Who approves the version.")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD", help="Date of approval (default: today).")
@library_option
def clauses_approve(ref: str, by: str, date: str | None, library: Path | None) -> None:
    """Approve a clause version: set status, approver and date, and record its hash in approved.yaml."""
    from .lifecycle import approve
    change = approve(library, ref, by=by, date=date)
    click.echo(f"{change.ref} approved; sha256 {change.sha256} recorded")


@clauses.command("retire")
@click.argument("ref", metavar="ID@VERSION")
@click.option("--replaced-by", "replaced_by", default=None, metavar="ID@VERSION",
              help="The approved version that replaces it.")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD",
              help="First day it is no longer used (default: today).")
@library_option
def clauses_retire(ref: str, replaced_by: str | None, date: str | None, library: Path | None) -> None:
    """Retire an approved clause version; agreements already made keep it and still rebuild."""
    from .lifecycle import retire
    change = retire(library, ref, replaced_by=replaced_by, date=date)
    for w in change.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"{change.ref} retired")


@cli.command("where-used")
@click.argument("ref", metavar="ID[@VERSION]")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--superseded", is_flag=True, help="Only agreements on a version the library has superseded.")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the agreements as JSON.")
def where_used(ref: str, folder: Path, superseded: bool, library: Path | None, as_json: bool) -> None:
    """List the agreements under FOLDER (DOCX and PDF, recursively) that use a clause.

    Reads the manifest embedded in each file.  Unreadable and foreign files
    are named and counted; they never stop the search.
    """
    from .where_used import where_used as find
    report = find(folder, ref, library=library, superseded_only=superseded)
    if as_json:
        _dump(report.to_dict())
        return
    rows = [["FILE", "REFERENCE", "PARTIES", "ASSEMBLED", "VERSION"]]
    for u in report.uses:
        version = u.version + (f" (superseded by {u.superseded_by})" if u.superseded_by else "")
        rows.append([u.to_dict(report.folder)["file"], u.reference or "-", "; ".join(u.parties) or "-",
                     u.assembled, version])
    if report.uses:
        _table(rows)
    what = ref + (" on a superseded version" if superseded else "")
    click.echo(f"{len(report.uses)} agreement(s) use {what}; {report.scanned} file(s) read, "
               f"{len(report.unreadable)} unreadable or not ours")
    for bad in report.unreadable:
        click.echo(f"skipped: {bad.file}: {bad.reason}", err=True)


@cli.command()
@click.argument("source", metavar="FILE_OR_MANIFEST", type=click.Path(path_type=Path))
@click.option("--answers", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The answer file (default: the answers recorded in the manifest).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Also write the rebuilt file(s) here (file or folder).")
@click.option("--format", "formats", default=None, metavar="LIST",
              help="Formats to write with -o (default: the original's; docx,pdf for a manifest).")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def rebuild(source: Path, answers: Path | None, output: Path | None, formats: str | None,
            library: Path | None, as_json: bool) -> None:
    """Rebuild an issued agreement from its manifest and check it is byte-identical.

    Uses the pinned clause versions, the assembly date, the language and the
    answers the manifest records.  Exit code 0 when identical; 1 with every
    difference named (a clause file changed, the answers differ, the tool
    version differs, ...).
    """
    from .assemble import output_paths, parse_formats
    from .output import write_files_atomically
    from .rebuild import SIBLING_MANIFEST, read_source, rebuild as run_rebuild
    kinds: tuple[str, ...] = ()
    if output is not None:
        original = read_source(source)[0]
        kinds = parse_formats(formats) if formats else ((original,) if original else ("docx", "pdf"))
    result = run_rebuild(source, library=library, answers=answers, formats=kinds)
    written: list[Path] = []
    if output is not None:
        stem = source.name[: -len(SIBLING_MANIFEST)] if source.name.endswith(SIBLING_MANIFEST) else source.stem
        targets = output_paths(source.with_name(stem + ".yaml"), output, kinds)
        if any(t.resolve() == source.resolve() for t in targets.values()):
            raise UsageError(f"-o would overwrite '{source}', the agreement being checked: write elsewhere")
        written = write_files_atomically({t: result.data[f] for f, t in targets.items() if f in result.data})
    if as_json:
        _dump({**result.to_dict(), "written": [str(p) for p in written]})
    else:
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        m = result.manifest
        what = f"{m.agreement}@{m.agreement_version}, {m.language}, assembled {m.assembled}, {len(m.clauses)} clauses"
        if result.identical:
            click.echo(f"{source}: rebuilt {'byte-identical' if result.format else 'identically'} ({what})")
        else:
            click.echo(f"{source}: the rebuild differs ({what}):")
            for d in result.differences:
                click.echo(f"  {d.kind}: {d.message}")
        for path in written:
            click.echo(str(path))
    if not result.identical:
        sys.exit(1)


@cli.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(["terminal", "html", "docx", "json"]), default="terminal",
              show_default=True, help="How to present the differences.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the redline to this file (needed for --format docx).")
@click.option("--exit-code", is_flag=True, help="Exit 1 when differences were found, as `git diff --exit-code` does.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
              help="Language to compare when a side holds several (default: the first).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None,
              help="Assembly date for answer-file sides and library comparisons (default: today).")
@click.option("--old-as-of", "old_as_of", metavar="YYYY-MM-DD", default=None,
              help="A different date for the OLD side; with a library and no files, compares it at two dates.")
@click.option("--draft", is_flag=True, help="Admit draft clause versions when assembling answer files.")
@click.option("--author", default="assembler", show_default=True, help="Author of the tracked changes (docx).")
@click.option("--date", "change_date", metavar="YYYY-MM-DD", default=None,
              help="Date of the tracked changes (docx; default: the assembly date of NEW).")
@click.option("--color/--no-color", default=None, help="Colour the terminal output (default: when a terminal, unless NO_COLOR).")
@library_option
def diff(old: str | None, new: str | None, fmt: str, output: Path | None, exit_code: bool, lang: str | None,
         as_of: str | None, old_as_of: str | None, draft: bool, author: str, change_date: str | None,
         color: bool | None, library: Path | None) -> None:
    """Compare two agreements, drafts, clause versions or libraries.

    OLD and NEW may each be a clause version (id@version), an answer file
    (assembled first), a built DOCX, PDF, Markdown or text file, or a
    manifest; sides of different kinds compare with each other. Two library
    folders (or --library OLD_DIR NEW_DIR, or --library DIR with --old-as-of
    and --as-of) list the clauses and blueprints whose versions changed, with
    the redline of each.
    """
    from .assemble import parse_as_of
    from .library import load_library

    want_color = color if color is not None else _color_wanted()
    if old is not None and new is None and library is not None and Path(old).is_dir():
        old, new = str(library), old  # assembler diff --library OLD_DIR NEW_DIR
    if (old is None and new is None) or (old is not None and new is not None
                                         and Path(old).is_dir() and Path(new).is_dir()):
        new_date = parse_as_of(as_of).isoformat()
        old_date = parse_as_of(old_as_of).isoformat() if old_as_of else new_date
        if old is None and old_date == new_date:
            raise UsageError("give OLD and NEW, two library folders, or --old-as-of DATE to compare "
                             "one library at two dates")
        _diff_libraries(load_library(old or library), load_library(new or library), old_date, new_date,
                        fmt, want_color, exit_code)
        return
    if old is None or new is None:
        raise UsageError("give both OLD and NEW")
    _diff_files(old, new, fmt=fmt, output=output, exit_code=exit_code, lang=lang, as_of=as_of,
                old_as_of=old_as_of, draft=draft, author=author, change_date=change_date, color=want_color,
                library=library)


def _color_wanted() -> bool:
    from .redline import color_wanted
    return color_wanted(os.environ, sys.stdout.isatty())


def _diff_libraries(old_lib: Any, new_lib: Any, old_date: str, new_date: str, fmt: str, color: bool,
                    exit_code: bool) -> None:
    from .library_diff import diff_libraries
    from .redline import render_versions_terminal, versions_to_json
    changes = diff_libraries(old_lib, new_lib, old_as_of=old_date, new_as_of=new_date)
    if fmt == "json":
        click.echo(json.dumps(versions_to_json(changes), ensure_ascii=False, indent=2))
    elif fmt == "terminal":
        click.echo(render_versions_terminal(changes, color), nl=False)
    else:
        raise UsageError("a library comparison prints to the terminal or as JSON (--format terminal|json)")
    if exit_code and changes:
        sys.exit(1)


def _diff_files(old: str, new: str, *, fmt: str, output: Path | None, exit_code: bool, lang: str | None,
                as_of: str | None, old_as_of: str | None, draft: bool, author: str, change_date: str | None,
                color: bool, library: Path | None) -> None:
    from .assemble import assemble
    from .library import load_library
    from .library_diff import clause_document
    from .output import write_file_atomically
    from .sides import diff_sides, load_side

    def assembler_for(date: str | None) -> Callable[[Path], Any]:
        return lambda path: assemble(path, library=library, as_of=date, draft=draft).agreement

    def clause_side(ref: str) -> Any:
        return clause_document(load_library(library), ref, lang or "sv")

    old_side = load_side(old, assemble=assembler_for(old_as_of or as_of), clause_side=clause_side, language=lang)
    new_side = load_side(new, assemble=assembler_for(as_of), clause_side=clause_side, language=lang)
    result = diff_sides(old_side, new_side)
    if fmt == "terminal":
        text = _render("terminal", result, color)
    elif fmt == "docx":
        if output is None:
            raise UsageError("--format docx writes a file: give -o FILE.docx")
        from .tracked_docx import write_tracked_docx
        write_file_atomically(output, write_tracked_docx(result, author=author, date=change_date))
        text = ""
    else:
        text = _render(fmt, result, color)
    if text:
        if output is not None:
            write_file_atomically(output, text.encode("utf-8"))
        else:
            click.echo(text, nl=False)
    if output is not None:
        click.echo(str(output), err=True)
    if exit_code and result.differs:
        sys.exit(1)


def _render(fmt: str, result: Any, color: bool) -> str:
    from .redline import render_html, render_terminal, result_to_json
    if fmt == "html":
        return render_html(result)
    if fmt == "json":
        return json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
    return render_terminal(result, color)


def main() -> None:
    """Run the command line."""
    # A command lives for a fraction of a second and allocates mostly
    # long-lived objects (modules, compiled templates, the loaded library);
    # collecting them again and again costs more than the few cycles it frees.
    gc.set_threshold(100_000, 50, 1000)
    try:
        cli(prog_name="assembler")
    finally:
        # At exit the interpreter's collector would walk every one of those
        # objects again; frozen, they are simply released with the process.
        gc.freeze()
