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
@click.argument("ref", metavar="ID[@VERSION]")
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
    approval = f" (by {data['approved_by']}, {data['approved_on']})" if data["approved_by"] else ""
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
@click.argument("clause_id", metavar="ID")
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
            parts.append(f"approved by {e.approved_by} on {e.approved_on}")
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
    from assembler.library.lifecycle import new_version
    change = new_version(library, ref, bump=bump, effective=effective, message=message)
    for w in change.warnings:
        echo(f"warning: {w}", err=True)
    echo(str(change.files[0]))
    echo(f"{change.ref} drafted: edit its text, then `assembler clauses approve {change.ref} --by NAME`",
               err=True)


@clauses.command("approve")
@click.argument("ref", metavar="ID@VERSION")
@click.option("--by", "by", required=True, metavar="NAME", help="Who approves the version.")
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD", help="Date of approval (default: today).")
@library_option
def clauses_approve(ref: str, by: str, date: str | None, library: Path | None) -> None:
    """Approve a clause version: set status, approver and date, and record its hash in approved.yaml."""
    from assembler.library.lifecycle import approve
    change = approve(library, ref, by=by, date=date)
    echo(f"{change.ref} approved; sha256 {change.sha256} recorded")


@clauses.command("retire")
@click.argument("ref", metavar="ID@VERSION")
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
