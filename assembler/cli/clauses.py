"""The `clauses` command group: read and maintain the clause library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assembler.cli._common import dump, echo, library_option, table


def _lenient_library(library: Path | None) -> Any:
    """Load a library for reading even when some files are broken, warning that they were skipped."""
    from assembler.library.load import load_library
    lib = load_library(library, collect=True)
    if lib.problems:
        echo(f"warning: {len(lib.problems)} problem(s) in the library; `assembler validate` lists them",
                   err=True)
    return lib


def complete_ref(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Complete a clause id, or after ``@`` one of its versions, from the library the command would use."""
    from click.shell_completion import CompletionItem

    from assembler.errors import AssemblerError
    from assembler.library.load import load_library
    try:
        lib = load_library(ctx.params.get("library"), collect=True)
    except AssemblerError:
        return []
    ident, at, _ = incomplete.partition("@")
    if at:
        return [CompletionItem(f"{ident}@{cv.version}", help=cv.status)
                for cv in lib.clauses.get(ident, ()) if f"{ident}@{cv.version}".startswith(incomplete)]
    return [CompletionItem(i, help=lib.clauses[i][-1].title.get("sv", "")) for i in lib.clauses if i.startswith(incomplete)]


def redline(library: Path | None, old_ref: str, new_ref: str, languages: tuple[str, ...], color: bool) -> str:
    """Return the terminal redline of two clause versions, one block per language."""
    from assembler.compare.diff import diff_documents
    from assembler.compare.libraries import clause_document
    from assembler.compare.present import render_terminal
    from assembler.library.load import load_library
    lib = load_library(library, collect=True)
    out = []
    for lang in languages:
        result = diff_documents(clause_document(lib, old_ref, lang), clause_document(lib, new_ref, lang),
                                old_label=old_ref, new_label=new_ref)
        out.append(f"[{lang}] {old_ref} -> {new_ref}\n" + render_terminal(result, color))
    return "".join(out)


def _color(color: bool | None) -> bool:
    import os
    import sys

    from assembler.compare.present import color_wanted
    return color if color is not None else color_wanted(os.environ, sys.stdout.isatty())


@click.group()
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
    from assembler.library.catalogue import list_clauses
    lib = _lenient_library(library)
    found = list_clauses(lib)
    if as_json:
        dump({"library": str(lib.root), "clauses": [c.to_dict() for c in found]})
        return
    rows = [["ID", "LATEST", "STATUS", "EFFECTIVE", "LANGUAGES", "USED BY"]]
    for c in found:
        status = c.status + (f" (draft {c.pending_draft})" if c.pending_draft else "")
        rows.append([c.id, c.latest or "-", status, c.effective, ",".join(c.languages),
                     ", ".join(str(u) for u in c.used_by) or "-"])
    table(rows)


@clauses.command("show")
@click.argument("ref", metavar="ID[@VERSION]", shell_complete=complete_ref)
@click.option("--lang", default=None, metavar="LANG", help="Show only this language (sv, en).")
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the clause as JSON.")
def clauses_show(ref: str, lang: str | None, library: Path | None, as_json: bool) -> None:
    """Show one clause version: text, metadata, changelog and sources (default: the latest approved)."""
    from assembler.library.catalogue import show_clause
    from assembler.library.lifecycle import parse_clause_ref
    clause_id, version = parse_clause_ref(ref, need_version=False)
    detail = show_clause(_lenient_library(library), clause_id, version, lang)
    data = detail.to_dict()
    if as_json:
        dump(data)
        return
    echo(f"{detail.clause.ref} — {' / '.join(data['title'].values())}")
    approval = (f" (by {data['approved_by']}" + (f", {data['approved_on']}" if data["approved_on"] else "") + ")"
                if data["approved_by"] else "")
    retired = f", retired {data['retired_on']}" if data["retired_on"] else ""
    echo(f"status:    {data['status']}{approval}{retired}"
               + (f", replaced by {data['replaced_by']}" if data["replaced_by"] else ""))
    echo(f"effective: {data['effective']}")
    if data["replaces"]:
        echo(f"replaces:  {data['replaces']}")
    check = {True: "as approved", False: "CHANGED since approval", None: "not recorded in approved.yaml"}
    echo(f"sha256:    {data['sha256']} ({check[detail.unchanged]})")
    echo(f"file:      {data['file']}")
    echo(f"summary:   {data['summary']}")
    echo(f"used by:   {', '.join(str(u) for u in detail.used_by) or '-'}")
    echo(f"versions:  {', '.join(data['versions'])}")
    echo("changelog:")
    for e in data["changelog"]:
        echo("  " + "  ".join(str(e[k]) for k in ("version", "date", "text") if e.get(k)))
    if data["sources"]:
        echo("sources:")
        for s in data["sources"]:
            echo(f"  {s.get('ref')}{'' if s.get('confirmed') else ' (not confirmed)'}")
    for language, body in data["text"].items():
        echo(f"\n# {language}\n\n{body}")


@clauses.command("history")
@click.argument("clause_id", metavar="ID", shell_complete=complete_ref)
@library_option
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
def clauses_history(clause_id: str, library: Path | None, as_json: bool) -> None:
    """List every version of a clause: status, effective date, approver, changelog, words added and removed."""
    from assembler.library.catalogue import clause_history
    entries = clause_history(_lenient_library(library), clause_id)
    if as_json:
        dump({"clause": clause_id, "versions": [e.to_dict() for e in entries]})
        return
    for e in entries:
        parts = [e.version.ljust(8), e.status.ljust(8), f"effective {e.effective}"]
        if e.approved_by:
            parts.append(f"approved by {e.approved_by}" + (f" on {e.approved_on}" if e.approved_on else ""))
        if e.retired_on:
            parts.append(f"retired {e.retired_on}" + (f", replaced by {e.replaced_by}" if e.replaced_by else ""))
        echo("  ".join(parts))
        if e.previous:
            words = ", ".join(f"{lang} +{w.added} -{w.removed}" for lang, w in e.words.items())
            echo(f"          words against {e.previous}: {words}")
        for entry in e.changelog:
            echo("          " + "  ".join(entry[k] for k in ("date", "text") if entry.get(k)))


@clauses.command("catalogue")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the catalogue to this file instead of printing it.")
@library_option
def clauses_catalogue(output: Path | None, library: Path | None) -> None:
    """Print the clause catalogue as Markdown: every clause, its variants, condition and sources."""
    from assembler._files import write_file_atomically
    from assembler.library.catalogue import catalogue_markdown
    from assembler.library.load import load_library
    text = catalogue_markdown(load_library(library))
    if output is None:
        echo(text, nl=False)
    else:
        write_file_atomically(output, text.encode("utf-8"))
        echo(str(output))


@clauses.command("new-version")
@click.argument("ref", metavar="ID[@VERSION]", shell_complete=complete_ref)
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default="minor", show_default=True,
              help="Which part of the version to raise.")
@click.option("--effective", metavar="YYYY-MM-DD", default=None,
              help="First day the new version may be used (default: today, or the latest's date if later).")
@click.option("-m", "--message", default=None, help="The changelog text of the new version.")
@click.option("--by", "by", default=None, metavar="NAME",
              help="Who drafts it (default: 'user' in the workspace's assembler.toml).")
@library_option
def clauses_new_version(ref: str, bump: str, effective: str | None, message: str | None, by: str | None,
                        library: Path | None) -> None:
    """Write the next version of a clause as a draft copy of the latest (or of ID@VERSION).

    An existing file is never overwritten.  Edit the draft's text, then
    approve it with `assembler clauses approve`.
    """
    from assembler.library.lifecycle import new_version
    change = new_version(library, ref, bump=bump, effective=effective, message=message, by=by)
    for w in change.warnings:
        echo(f"warning: {w}", err=True)
    echo(str(change.files[0]))
    echo(f"{change.ref} drafted: edit its text, then `assembler clauses approve {change.ref} --by NAME`",
               err=True)


@clauses.command("approve")
@click.argument("ref", metavar="ID@VERSION", shell_complete=complete_ref)
@click.option("--by", "by", default=None, metavar="NAME",
              help="Who approves the version (default: 'user' in the workspace's assembler.toml).")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD", help="Date of approval (default: today).")
@library_option
def clauses_approve(ref: str, by: str | None, date: str | None, library: Path | None) -> None:
    """Approve a clause version: set status, approver and date, and record its hash in approved.yaml.

    Four eyes: whoever drafted the version may not approve it, unless the
    workspace's assembler.toml says [approval] allow_self_approval = true.
    """
    from assembler.library.lifecycle import approve
    change = approve(library, ref, by=by, date=date)
    echo(f"{change.ref} approved; sha256 {change.sha256} recorded")


@clauses.command("retire")
@click.argument("ref", metavar="ID@VERSION", shell_complete=complete_ref)
@click.option("--replaced-by", "replaced_by", default=None, metavar="ID@VERSION",
              help="The approved version that replaces it.")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD",
              help="First day it is no longer used (default: today).")
@library_option
def clauses_retire(ref: str, replaced_by: str | None, date: str | None, library: Path | None) -> None:
    """Retire an approved clause version; agreements already made keep it and still rebuild."""
    from assembler.library.lifecycle import retire
    change = retire(library, ref, replaced_by=replaced_by, date=date)
    for w in change.warnings:
        echo(f"warning: {w}", err=True)
    echo(f"{change.ref} retired")


@clauses.command("review")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None, help="Show the redline of this language only.")
@click.option("--color/--no-color", default=None, help="Colour the redlines (default: when a terminal, unless NO_COLOR).")
@library_option
def clauses_review(lang: str | None, color: bool | None, library: Path | None) -> None:
    """List the drafts waiting for approval, each with its redline against the approved version it replaces."""
    from assembler.library.catalogue import pending_drafts
    lib = _lenient_library(library)
    waiting = pending_drafts(lib)
    echo(f"{len(waiting)} draft(s) waiting for approval in {lib.root}")
    for cv, base in waiting:
        author = cv.meta.get("drafted_by") or "unknown author"
        entries = [e for e in (cv.meta.get("changelog") or []) if str(e.get("version")) == str(cv.version)]
        echo(f"\n{cv.ref}  drafted by {author}, effective {cv.effective}"
                   + (f", replaces {base.ref}" if base else ", a new clause"))
        for e in entries:
            echo(f"  {e.get('date', '')}  {e.get('text', '')}")
        if base is not None:
            languages = (lang,) if lang else tuple(x for x in lib.languages if x in cv.bodies)
            want = _color(color)
            echo(redline(lib.root, base.ref, cv.ref, languages, want), nl=False, color=want)
        echo(f"  approve: assembler clauses approve {cv.ref} --by NAME (not {author})")


@clauses.command("export")
@click.argument("ref", metavar="ID[@VERSION]", shell_complete=complete_ref)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The Word document to write (.docx).")
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None, help="Only this language (default: all).")
@library_option
def clauses_export(ref: str, output: Path, lang: str | None, library: Path | None) -> None:
    """Write a clause version as a Word document to edit (default: the latest version, draft or not).

    Every placeholder, condition and term or clause reference is a locked
    content control with a readable label: the prose around them can be
    edited freely, with tracked changes and comments.  Read it back with
    `assembler clauses import`.
    """
    from assembler._files import write_file_atomically
    from assembler.library.catalogue import show_clause
    from assembler.library.clause_word import export_clause, languages_for
    from assembler.library.lifecycle import parse_clause_ref
    clause_id, version = parse_clause_ref(ref, need_version=False)
    lib = _lenient_library(library)
    if version is None and lib.clauses.get(clause_id):
        cv = lib.clauses[clause_id][-1]
    else:  # the library's own "no such clause or version"
        cv = show_clause(lib, clause_id, version, None).clause
    write_file_atomically(output, export_clause(lib, cv, languages_for(lib, cv, lang)))
    echo(str(output))
    echo(f"{cv.ref} exported: edit it in Word, then `assembler clauses import {output}`", err=True)


@clauses.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--by", "by", default=None, metavar="NAME",
              help="Who brings the edits in (default: 'user' in the workspace's assembler.toml).")
@click.option("--bump", type=click.Choice(["major", "minor", "patch"]), default="minor", show_default=True,
              help="For an exported approved version: which part of the new draft's version to raise.")
@click.option("--color/--no-color", default=None, help="Colour the redline (default: when a terminal, unless NO_COLOR).")
@library_option
def clauses_import(file: Path, by: str | None, bump: str, color: bool | None, library: Path | None) -> None:
    """Make the next draft of a clause from an exported Word document edited by a lawyer.

    Tracked changes are accepted and their authors recorded in the changelog;
    comments become the changelog text; the template fields come back from
    the locked controls.  An exported draft is updated; an approved version
    gets a new draft version.  Prints the redline against the parent.
    """
    from assembler.library.clause_word_import import import_clause
    done = import_clause(library, file, by=by, bump=bump)
    if done.ref is None:
        echo(f"{file} holds no change to {done.edit.ref}; nothing was written")
        return
    for path in done.files:
        echo(str(path))
    lib = _lenient_library(library)
    if done.parent is not None:
        want = _color(color)
        echo(redline(lib.root, done.parent, done.ref, lib.languages, want), nl=False, color=want)
    echo(f"{done.ref} drafted from {file}: review it, then a second person approves it "
               f"(`assembler clauses approve {done.ref} --by NAME`)", err=True)
