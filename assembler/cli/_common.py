"""What every command shares: the library option, printing problems, JSON and tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assembler.errors import AssemblerError, Problem, UsageError

LIBRARY_HELP = ("Clause library folder (default: $ASSEMBLER_LIBRARY, else the workspace found from the current "
                "folder upwards, else the bundled OPI library, read-only).")


# Control characters but newline and tab, DEL and the C1 range: a name, an
# answer or a manifest could otherwise move the cursor, clear the screen or
# retitle the terminal of whoever reads the output.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SGR = re.compile("\x1b\\[[0-9;]*m")


def safe(text: str, color: bool = False) -> str:
    """Return ``text`` with every control character shown as ``\\u001b`` (keeping colour codes when ``color``)."""
    if not _CONTROL.search(text):
        return text
    if color:
        parts = _SGR.split(text)
        codes = _SGR.findall(text)
        return "".join(safe(part) + (codes[i] if i < len(codes) else "") for i, part in enumerate(parts))
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(message: Any = "", err: bool = False, nl: bool = True, color: bool = False) -> None:
    """Print to stdout (or stderr) with control characters escaped: the only way the command line prints."""
    click.echo(safe(str(message), color), err=err, nl=nl)


def report(exc: AssemblerError, ctx: click.Context | None = None) -> None:
    """Print an error's problems, one line each, to stderr.

    A usage error about a parameter is prefixed with the flag that sets it
    (``--as-of``): the library names parameters, only this layer knows flags.
    """
    flag = flag_of(ctx, exc.option) if isinstance(exc, UsageError) and exc.option else None
    for p in exc.as_problems():
        text = f"{flag} {p}" if flag and not exc.problems else str(p)
        echo(f"{p.level}: {text}", err=True)


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


def _choose_library(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Resolve --library, $ASSEMBLER_LIBRARY, the workspace or the bundled library; None stands for the bundled one.

    The choice is kept in ``ctx.meta`` for commands that say which library they use.
    """
    from click.core import ParameterSource

    from assembler.library.workspace import resolve_library
    source = "environment" if ctx.get_parameter_source(param.name or "") == ParameterSource.ENVIRONMENT else "option"
    choice = resolve_library(value, source)
    ctx.meta["assembler.library"] = choice
    return None if choice.source == "bundled" else choice.path


def library_choice(ctx: click.Context) -> Any:
    """Return the LibraryChoice the --library option resolved for this command."""
    from assembler.library.workspace import resolve_library
    return ctx.meta.get("assembler.library") or resolve_library(None)


def library_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the --library option (also read from $ASSEMBLER_LIBRARY; else the workspace, else the bundled library)."""
    return click.option("--library", "library", type=click.Path(path_type=Path, file_okay=False),
                        envvar="ASSEMBLER_LIBRARY", default=None, help=LIBRARY_HELP, callback=_choose_library)(fn)


REGISTER_HELP = ("The agreement register: a SQLite file or a postgresql:// URL (also $ASSEMBLER_REGISTER; in a "
                 "workspace, its 'register' setting, else register.sqlite3 there). Builds record what they issue in it.")


def workspace_register(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Return --register or $ASSEMBLER_REGISTER when given, else the register of the workspace (None outside one).

    Commands that only read (where-used, register list/show) take the
    workspace's SQLite register only once it exists: before the first build
    there is nothing in it, and where-used then reads the files.
    """
    if value is not None:
        return value
    from assembler.register.store import workspace_register as found
    return found(existing_only=ctx.info_name != "build")


def register_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the --register option (also read from $ASSEMBLER_REGISTER; else the workspace's register)."""
    return click.option("--register", "register", metavar="PATH|URL", envvar="ASSEMBLER_REGISTER", default=None,
                        help=REGISTER_HELP, callback=workspace_register)(fn)


def warn(problems: tuple[Problem, ...] | list[Problem]) -> None:
    """Print warnings to stderr."""
    for p in problems:
        echo(f"warning: {p}", err=True)


def dump(data: Any) -> None:
    echo(json.dumps(data, ensure_ascii=False, indent=2))


def table(rows: list[list[str]]) -> None:
    """Print rows as columns padded to their widest cell; in one write (where-used can list ten thousand rows)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    echo("\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows))
