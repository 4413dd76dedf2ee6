"""No traceback for a user mistake: every field of the basic example broken in every simple way."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO

from assembler.cli import cli

BASIC = yaml.safe_load((REPO / "examples" / "basic.yaml").read_text(encoding="utf-8"))
BAD_VALUES: list[Any] = [None, "", "text", 0, -1, 1.5, True, [], ["x"], {}, {"x": 1}, "{{ 7*7 }}"]


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield prefix + (key,)
            yield from paths(value, prefix + (key,))
    elif isinstance(data, list) and data:
        yield prefix + (0,)
        yield from paths(data[0], prefix + (0,))


def mutate(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASIC)
    node = data
    for part in path[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


_DELETE = object()
CASES = [(p, v) for p in paths(BASIC) if p[0] != "agreement" for v in [_DELETE, *BAD_VALUES]
         if not (v is _DELETE and isinstance(p[-1], int))]


@pytest.mark.parametrize("chunk", range(8))
def test_broken_answers_never_raise_a_traceback(chunk: int, tmp_path: Path) -> None:
    runner = CliRunner()
    answers = tmp_path / "answers.yaml"
    for path, value in CASES[chunk::8]:
        answers.write_text(yaml.safe_dump(mutate(path, value), allow_unicode=True), encoding="utf-8")
        result = runner.invoke(cli, ["build", str(answers), "-o", str(tmp_path / "out"), "--format", "md",
                                     "--as-of", "2026-03-01"])
        where = f"{'.'.join(map(str, path))} = {value if value is not _DELETE else '<deleted>'!r}"
        assert result.exit_code in (0, 1), f"{where}: exit {result.exit_code}\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{where}: {type(result.exception).__name__}: {result.exception}"
        if result.exit_code == 1:
            assert result.output.startswith("error: "), f"{where}: {result.output}"
