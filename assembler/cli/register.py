"""The agreement register commands: list, show and mark issued agreements."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from assembler.cli._common import REGISTER_HELP, dump, echo, table, workspace_register
from assembler.errors import UsageError

if TYPE_CHECKING:
    from assembler.register.store import Register


def _open(location: str | None) -> Register:
    if not location:
        raise UsageError("no register: give --register PATH|URL, set $ASSEMBLER_REGISTER or work in a workspace "
                         "that has built an agreement", option="register",
                         code="register.none")
    from assembler.register.store import open_register
    return open_register(location, create=False)


_register_option = click.option("--register", "location", metavar="PATH|URL", envvar="ASSEMBLER_REGISTER",
                                default=None, help=REGISTER_HELP, callback=workspace_register)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group()
def register() -> None:
    """The register of issued agreements: what was built, for whom, and whether it was sent, signed or terminated."""


@register.command("list")
@_register_option
@click.option("--status", type=click.Choice(["issued", "sent", "returned", "signed", "terminated"]), default=None,
              help="Only agreements with this status.")
@_json_option
def list_(location: str | None, status: str | None, as_json: bool) -> None:
    """List the registered agreements, newest first."""
    with _open(location) as reg:
        found = reg.agreements(status=status)
    if as_json:
        dump([r.to_dict() for r in found])
        return
    rows = [["REFERENCE", "ID", "AGREEMENT", "LANG", "ASSEMBLED", "STATUS", "PARTIES"]]
    for r in found:
        rows.append([r.reference or "-", r.id[:12], f"{r.agreement}@{r.agreement_version}", r.language, r.assembled,
                     r.status + (f" {r.status_date}" if r.status_date else ""),
                     "; ".join(f"{n} ({o})" if o else n for _, n, o in r.parties) or "-"])
    if found:
        table(rows)
    echo(f"{len(found)} agreement(s)")


@register.command()
@click.argument("ref", metavar="REF")
@_register_option
@_json_option
def show(ref: str, location: str | None, as_json: bool) -> None:
    """Show everything recorded about REF (a reference such as 'KS 2026/0412', or an id prefix)."""
    with _open(location) as reg:
        found = reg.find(ref)
    if not found:
        raise UsageError(f"the register has no agreement '{ref}'", code="register.unknown")
    if as_json:
        dump([r.to_dict() for r in found])
        return
    for i, r in enumerate(found):
        if i:
            echo("")
        echo(f"reference: {r.reference or '-'}")
        echo(f"id:        {r.id}")
        echo(f"agreement: {r.agreement}@{r.agreement_version}, {r.language}, assembled {r.assembled}"
                   + (" (draft)" if r.draft else ""))
        echo(f"status:    {r.status}" + (f" {r.status_date}" if r.status_date else ""))
        echo(f"built:     {r.built_at} by {r.built_by} from {r.source}")
        for role, name, orgnr in r.parties:
            echo(f"party:     {name} ({orgnr or 'no org. number'}), {role}")
        for path, fmt, sha, size in r.files:
            echo(f"file:      {path}  {fmt}, {size} bytes, sha256 {sha}")
        echo(f"clauses ({len(r.clauses)}):")
        for cid, version, sha in r.clauses:
            echo(f"  {cid}@{version}  sha256 {sha}")
        for status, date, by, at in r.events:
            echo(f"event:     {status} {date} (recorded by {by} at {at})")


@register.command()
@click.argument("ref", metavar="REF")
@click.option("--status", required=True, type=click.Choice(["sent", "returned", "signed", "terminated"]),
              help="What happened to the agreement.")
@click.option("--date", "date", metavar="YYYY-MM-DD", default=None, help="When it happened (default: today).")
@_register_option
@_json_option
def mark(ref: str, status: str, date: str | None, location: str | None, as_json: bool) -> None:
    """Record that REF was sent, returned, signed or terminated (its latest issue, when it has several)."""
    with _open(location) as reg:
        updated = reg.mark(ref, status, date)
    if as_json:
        dump(updated.to_dict())
        return
    echo(f"{updated.reference or updated.id[:12]}: {updated.status} {updated.status_date}")
