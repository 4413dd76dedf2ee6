"""Commands that compare and search issued documents: diff and where-used."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assembler.cli._common import dump, echo, library_option, register_option, table
from assembler.errors import UsageError


@click.command("where-used")
@click.argument("ref", metavar="ID[@VERSION]")
@click.argument("folder", type=click.Path(path_type=Path), required=False)
@click.option("--superseded", is_flag=True, help="Only agreements on a version the library has superseded.")
@click.option("--scan", "rescan", is_flag=True, help="Read the files under FOLDER even when there is a register.")
@register_option
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the agreements as JSON.")
@click.option("--follow-symlinks", is_flag=True,
              help="Also follow symbolic links that lead out of FOLDER (by default they are skipped).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes reading a large folder (default: the number of cores).")
def where_used(ref: str, folder: Path | None, superseded: bool, rescan: bool, register: str | None,
               library: Path | None, as_json: bool, follow_symlinks: bool, jobs: int | None) -> None:
    """List the agreements that use a clause: from the register, or under FOLDER (DOCX and PDF, recursively).

    With a register (--register or $ASSEMBLER_REGISTER) the register answers
    at once, for the files under FOLDER when one is named, and shows whether
    each agreement was sent, signed or terminated.  Without one, or with
    --scan, the manifest embedded in each file is read; with a register too,
    files it does not know are listed.  Unreadable and foreign files are
    named and counted; they never stop the search.
    """
    from assembler.register.where_used import where_used as find
    reg = None
    if register:
        from assembler.register.store import open_register
        reg = open_register(register, create=False)
    try:
        report = find(folder, ref, library=library, superseded_only=superseded, register=reg, rescan=rescan,
                      follow_symlinks=follow_symlinks, jobs=jobs or os.cpu_count() or 1)
    finally:
        if reg is not None:
            reg.close()
    if as_json:
        dump(report.to_dict())
        return
    from_register = report.source == "register"
    rows = [["FILE", "REFERENCE", "PARTIES", "ASSEMBLED", "VERSION"] + (["STATUS"] if from_register else [])]
    for u in report.uses:
        version = u.version + (f" (superseded by {u.superseded_by})" if u.superseded_by else "")
        rows.append([u.to_dict(report.folder)["file"], u.reference or "-", "; ".join(u.parties) or "-",
                     u.assembled, version] + ([f"{u.status} {u.status_date or ''}".strip()] if from_register else []))
    if report.uses:
        table(rows)
    what = ref + (" on a superseded version" if superseded else "")
    if from_register:
        if report.uses:
            echo(f"{len(report.uses)} file(s) of {report.agreements} registered agreement(s) use {what}")
        else:
            every = f" (name it without '@' to find every version: {ref.split('@')[0]})" if "@" in ref else ""
            echo(f"no registered agreement uses {what}{every}")
        return
    echo(f"{len(report.uses)} agreement(s) use {what}; {report.scanned} file(s) read, "
               f"{len(report.unreadable)} unreadable or not ours")
    for bad in report.unreadable:
        echo(f"skipped: {bad.file}: {bad.reason}", err=True)
    for path in report.unregistered:
        echo(f"not in the register: {path}", err=True)


@click.command()
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
              help="Date of the tracked changes (docx; default: the assembly date of NEW, else OLD, else today).")
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
    from assembler.assembly.pipeline import parse_as_of
    from assembler.library.load import load_library

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
    from assembler.compare.present import color_wanted
    return color_wanted(os.environ, sys.stdout.isatty())


def _diff_libraries(old_lib: Any, new_lib: Any, old_date: str, new_date: str, fmt: str, color: bool,
                    exit_code: bool) -> None:
    from assembler.compare.libraries import diff_libraries
    from assembler.compare.present import render_versions_terminal, versions_to_json
    changes = diff_libraries(old_lib, new_lib, old_as_of=old_date, new_as_of=new_date)
    if fmt == "json":
        echo(json.dumps(versions_to_json(changes), ensure_ascii=False, indent=2))
    elif fmt == "terminal":
        echo(render_versions_terminal(changes, color), nl=False, color=color)
    else:
        raise UsageError("a library comparison prints to the terminal or as JSON (--format terminal|json)")
    if exit_code and changes:
        sys.exit(1)


def _diff_files(old: str, new: str, *, fmt: str, output: Path | None, exit_code: bool, lang: str | None,
                as_of: str | None, old_as_of: str | None, draft: bool, author: str, change_date: str | None,
                color: bool, library: Path | None) -> None:
    from assembler._files import write_file_atomically
    from assembler.assembly.pipeline import assemble
    from assembler.compare.diff import diff_sides
    sides = [Path(p) for p in (old, new) if Path(p).exists()]
    from assembler.compare.libraries import clause_document
    from assembler.compare.sides import load_side
    from assembler.library.load import load_library

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
        from assembler.compare.tracked_docx import write_tracked_docx
        write_file_atomically(output, write_tracked_docx(result, author=author, date=change_date), inputs=sides)
        text = ""
    else:
        text = _render(fmt, result, color)
    if text:
        if output is not None:
            write_file_atomically(output, text.encode("utf-8"), inputs=sides)
        else:
            echo(text, nl=False, color=color and fmt == "terminal")
    if output is not None:
        echo(str(output), err=True)
    from assembler.compare.present import coverage_warnings
    warnings = coverage_warnings(result)
    for line in warnings:
        # Never a silent "no differences" for a file read in part.
        echo(f"warning: {line}", err=True)
    if exit_code and (result.differs or warnings):
        sys.exit(1)


def _render(fmt: str, result: Any, color: bool) -> str:
    from assembler.compare.present import render_html, render_terminal, result_to_json
    if fmt == "html":
        return render_html(result)
    if fmt == "json":
        return json.dumps(result_to_json(result), ensure_ascii=False, indent=2) + "\n"
    return render_terminal(result, color)
