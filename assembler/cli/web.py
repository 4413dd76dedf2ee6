"""The local web app on the command line: `assembler serve`."""

from __future__ import annotations

from pathlib import Path

import click

from assembler.cli._common import echo, library_option
from assembler.errors import UsageError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep the default so that only this computer can reach the app.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--agreements", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Folder of issued agreements (DOCX/PDF), to show where each clause is used.")
@click.option("--read-only", "read_only", is_flag=True,
              help="Show no drafting or approval forms, even for a workspace's library.")
@library_option
def serve(host: str, port: int, agreements: Path | None, read_only: bool, library: Path | None) -> None:
    """Start the local web app: new agreement form, clause library, compare.

    Open the address it prints in a browser.  It serves only the library it
    was started on, and by default only to this computer.  In a workspace
    (the library is the unit's own and writable) lawyers also draft and
    approve clause versions there, with the four-eyes rule of `assembler
    clauses approve`.  Stop it with Ctrl+C.
    """
    try:
        import waitress
    except ImportError:
        raise UsageError("the web app needs the 'web' extra: pip install 'assembler[web]'", code="usage.web-extra") from None
    from assembler.web import create_app

    hosts = ("127.0.0.1", "localhost") if host in ("127.0.0.1", "localhost") else (host,)
    app = create_app(library, agreements=agreements, hosts=tuple(f"{h}:{port}" for h in hosts) + hosts,
                     read_only=read_only)
    mode = "drafting and approval on" if app.extensions["assembler"].writable else "read-only"
    echo(f"Serving the clause library ({mode}) on http://{host}:{port}/  (Ctrl+C stops)")
    waitress.serve(app, host=host, port=port, threads=4, ident="assembler", _quiet=True)
