"""The project's promises to its users: the public API, help for every command, the README."""

from __future__ import annotations

import json
import re

import click
import pytest
from click.testing import CliRunner
from conftest import REPO

import assembler
from assembler.cli import cli
from assembler.library.load import bundled_library_dir
from assembler.library.schemas import bundled_schema_dir, check_schema_file

PUBLIC_API = [
    "Agreement", "AnswersError", "AssemblerError", "Assembly", "BuildResult", "Clause", "Document",
    "GuardError", "Library", "LibraryError", "Location", "Manifest", "Problem", "RenderError", "UsageError",
    "ValidationReport", "__version__", "assemble", "build", "diff_documents", "diff_sides", "load_library",
    "load_side", "manifest_from_json",
    "manifest_to_json", "plan_answers", "read_manifest_file", "validate_library", "writer_for",
    "BatchOptions", "collect_items", "run_batch", "open_register",
]


def test_public_api_is_deliberate() -> None:
    assert assembler.__all__ == sorted(PUBLIC_API)
    for name in assembler.__all__:
        assert getattr(assembler, name) is not None


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        out.append((full, command))
        if isinstance(command, click.Group):
            out += _commands(command, full + " ")
    return out


@pytest.mark.parametrize("name, command", _commands(cli))
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no help text"
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    top = name.split()[0]
    assert f"assembler {top}" in readme, f"`assembler {top}` is missing from README.md"
    if " " in name:
        assert name.split()[1] in readme, f"`assembler {name}` is missing from README.md"


def test_readme_starts_with_the_two_command_quick_start() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme[readme.index("## Quick start"):readme.index("## How it works")]
    commands = re.findall(r"^python3 -m venv .*$", quick, re.MULTILINE)
    assert len(commands) == 2
    assert "assembler build examples/basic.yaml" in commands[0]
    assert "pytest" in commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, "the CI script must run the README's test command"


@pytest.mark.parametrize("path", sorted(bundled_schema_dir().rglob("*.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_and_documents_every_property(path) -> None:  # type: ignore[no-untyped-def]
    assert check_schema_file(path) == []
    schema = json.loads(path.read_text(encoding="utf-8"))
    missing: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, sub in (node.get("properties") or {}).items():
                if not isinstance(sub, dict) or not sub.get("title") or not sub.get("description"):
                    missing.append(f"{where}.{key}")
                walk(sub, f"{where}.{key}")
            for key in ("items", "additionalProperties"):  # if/then/else constrain, not declare
                if isinstance(node.get(key), dict):
                    walk(node[key], f"{where}[{key}]")
            for key in ("oneOf", "anyOf"):
                for i, sub in enumerate(node.get(key) or []):
                    walk(sub, f"{where}.{key}[{i}]")
            for name, sub in (node.get("$defs") or {}).items():
                walk(sub, f"{where}.$defs.{name}")

    walk(schema, path.stem)
    assert missing == [], f"properties without title and description: {missing}"


def test_bundled_library_is_found() -> None:
    assert (bundled_library_dir() / "library.yaml").is_file()
