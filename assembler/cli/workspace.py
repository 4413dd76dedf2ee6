"""The `init` command: start a legal unit's own clause library outside the installed package."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from assembler.cli._common import echo


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return ""


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path("."), required=False)
@click.option("--user", default=None, metavar="NAME",
              help="Your name, recorded on the drafts you make (default: your login name).")
def init(folder: Path, user: str | None) -> None:
    """Make FOLDER (default: here) a workspace: a copy of the bundled library to maintain as your own.

    Writes clauses/, examples/, schemas/answers/, a README for the legal unit,
    the settings file assembler.toml and a .gitignore; the folder is then
    ready for `git init`.  Every command run inside it uses this library.
    """
    from assembler.library.workspace import SETTINGS_FILE, init_workspace
    files = init_workspace(folder, user=_default_user() if user is None else user)
    root = folder.resolve()
    echo(f"{root}: workspace with {len(files)} files; settings in {root / SETTINGS_FILE}")
    echo("next: cd into it, `git init && git add . && git commit -m 'Clause library'`, "
               "and set your name as user in assembler.toml", err=True)
