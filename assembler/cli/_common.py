"""What every command shares: the library option, printing problems, JSON and tables."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assembler.errors import AssemblerError, Problem, UsageError

LIBRARY_HELP = "Clause library folder (default: the bundled OPI library, or $ASSEMBLER_LIBRARY)."


def report(exc: AssemblerError, ctx: click.Context | None = None) -> None:
    """Print an error's problems, one line each, to stderr.

    A usage error about a parameter is prefixed with the flag that sets it
    (``--as-of``): the library names parameters, only this layer knows flags.
    """
    flag = flag_of(ctx, exc.option) if isinstance(exc, UsageError) and exc.option else None
    for p in exc.as_problems():
        text = f"{flag} {p}" if flag and not exc.problems else str(p)
        click.echo(f"{p.level}: {text}", err=True)


def problem_to_dict(p: Problem) -> dict[str, Any]:
    """Return a problem as JSON-ready data: level, code, message and where."""
    loc = p.location
    return {"level": p.level, "code": p.code, "message": p.message, "file": loc.file if loc else None,
            "line": loc.line if loc else None, "column": loc.column if loc else None, "path": loc.path if loc else None}


def flag_of(ctx: click.Context | None, name: str) -> str:
    """Return the longest flag of the parameter ``name`` (``as_of`` -> ``--as-of``).

    Parameters of one name mean one thing in every command, so the first
    command found that has it answers.
    """
    pending: list[click.Command] = [ctx.find_root().command] if ctx is not None else []
    while pending:
        command = pending.pop(0)
        for param in command.params:
            if param.name == name and isinstance(param, click.Option):
                return max(param.opts, key=len)
        if isinstance(command, click.Group):
            pending.extend(command.commands[key] for key in sorted(command.commands))
    return "--" + name.replace("_", "-")


def library_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the --library option (also read from $ASSEMBLER_LIBRARY)."""
    return click.option("--library", "library", type=click.Path(path_type=Path, file_okay=False),
                        envvar="ASSEMBLER_LIBRARY", default=None, help=LIBRARY_HELP)(fn)


REGISTER_HELP = ("The agreement register: a SQLite file or a postgresql:// URL (also $ASSEMBLER_REGISTER). "
                 "Builds record what they issue in it.")


def register_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the --register option (also read from $ASSEMBLER_REGISTER)."""
    return click.option("--register", "register", metavar="PATH|URL", envvar="ASSEMBLER_REGISTER", default=None,
                        help=REGISTER_HELP)(fn)


def warn(problems: tuple[Problem, ...] | list[Problem]) -> None:
    """Print warnings to stderr."""
    for p in problems:
        click.echo(f"warning: {p}", err=True)


def dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
