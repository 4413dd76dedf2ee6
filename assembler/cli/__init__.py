"""The command line: a thin click layer over the library API.

This package is the only place that prints or exits.  Every AssemblerError is caught
in one place (``_Group.invoke``) and reported as ``error: file:line:col: path:
message`` with the error's exit code: 1 for invalid content, 2 for usage.
"""

from __future__ import annotations

import gc
import os
import signal
from pathlib import Path
from typing import Any

import click

from assembler._version import __version__
from assembler.cli import agreements, clauses, compare, interview, register, web, workspace
from assembler.cli._common import echo, report
from assembler.errors import AssemblerError


class _Group(click.Group):
    """A click group that turns AssemblerError into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssemblerError as exc:
            report(exc, ctx)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            echo("error: interrupted; nothing was written", err=True)
            ctx.exit(130)
        except MemoryError:
            echo("error: the input needs more memory than there is (code limit.memory)", err=True)
            ctx.exit(1)


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """Print the version and the library commands run here use, then exit."""
    if not value or ctx.resilient_parsing:
        return
    from assembler.library.workspace import ENV_VAR, resolve_library
    echo(f"assembler {__version__}")
    explicit = os.environ.get(ENV_VAR) or None
    try:
        choice = resolve_library(Path(explicit) if explicit else None, "environment")
    except AssemblerError as exc:
        report(exc, ctx)
        ctx.exit(exc.exit_code)
    echo(f"library: {choice.describe()}")
    ctx.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and which clause library is used, then exit.")
def cli() -> None:
    """Assemble OPI agreements from a versioned clause library.

    An answer file (YAML or JSON) describes one collaboration; the library's
    blueprint says which clauses apply; the result is a numbered agreement in
    DOCX, PDF, Markdown, HTML or plain text with its manifest embedded.

    Exit codes: 0 success, 1 invalid content (validation failed, a guard
    stopped the build, differences found with --exit-code), 2 usage error.
    """


for _command in (agreements.validate, agreements.check, agreements.build, agreements.inspect, clauses.clauses,
                 compare.where_used, agreements.rebuild, compare.diff, workspace.init, register.register,
                 interview.interview, web.serve):
    cli.add_command(_command)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Run the command line."""
    # A command lives for a fraction of a second and allocates mostly
    # long-lived objects (modules, compiled templates, the loaded library);
    # collecting them again and again costs more than the few cycles it frees.
    gc.set_threshold(100_000, 50, 1000)
    # SIGTERM (a stopped job, a closing terminal) unwinds like Ctrl-C, so that
    # temporary files are removed on the way out instead of left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        cli(prog_name="assembler")
    finally:
        # At exit the interpreter's collector would walk every one of those
        # objects again; frozen, they are simply released with the process.
        gc.freeze()
