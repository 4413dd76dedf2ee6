"""The wheel carries every subpackage, the data folders and the py.typed marker."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    on_disk = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "assembler").rglob("__init__.py")}
    assert on_disk - set(_config()["packages"]) == set()


def test_the_typed_marker_ships() -> None:
    assert (REPO / "assembler" / "py.typed").is_file()
    assert "py.typed" in _config()["package-data"]["assembler"]
