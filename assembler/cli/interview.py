"""The guided interview on the command line: `assembler interview`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assembler.cli._common import echo, library_option
from assembler.errors import UsageError


class _ClickTerminal:
    """The interview's terminal: questions to stdout, answers from stdin, line by line."""

    def ask(self, prompt: str) -> str | None:
        echo(prompt, nl=False)
        line = sys.stdin.readline()
        if not line:
            echo()
            return None
        if not sys.stdin.isatty():
            echo(line.rstrip("\n"))  # echo piped answers so the transcript reads as a dialogue
        return line.rstrip("\r\n")

    def say(self, text: str) -> None:
        echo(text)


def _agreement(library: Any, agreement: str | None) -> str:
    ids = sorted(library.blueprints)
    if agreement is None:
        if len(ids) != 1:
            raise UsageError(f"the library has several agreement types; choose one with --agreement ({', '.join(ids)})",
                             code="usage.agreement")
        return ids[0]
    return agreement


@click.command("interview")
@click.argument("answers", type=click.Path(path_type=Path, dir_okay=False), default="answers.yaml", required=False)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the questions.")
@click.option("--agreement", default=None, help="Agreement type (default: the library's only one).")
@library_option
def interview(answers: Path, lang: str, agreement: str | None, library: Path | None) -> None:
    """Ask for the answers one question at a time and write a commented answer file.

    Only the questions the agreement needs are asked, given the earlier
    answers; every answer is checked at once.  Type < to go back, ? for help,
    q to stop: the answers so far are saved to ANSWERS (default answers.yaml),
    and running the command again on that file continues where you stopped.
    Works with piped input, one answer per line.
    """
    from assembler._files import write_file_atomically
    from assembler.interview.plan import plan_for
    from assembler.interview.session import Interview, read_partial, run_interview
    from assembler.interview.yamlout import answers_yaml
    from assembler.library.load import load_library

    lib = load_library(library)
    kind = _agreement(lib, agreement)
    plan = plan_for(lib, kind)
    start = read_partial(answers, kind) if answers.exists() else {}
    iv = Interview(plan, lang, start)
    complete = run_interview(iv, _ClickTerminal())
    text = answers_yaml(plan.form, iv.answers, lang, plan.form.schema_path.as_uri())
    write_file_atomically(answers, text.encode("utf-8"))
    if complete:
        echo(f"{answers}: written; build it with: assembler build {answers}")
        return
    echo(f"{answers}: saved unfinished; run 'assembler interview {answers}' to continue", err=True)
    sys.exit(1)
