"""Shared fixtures: the mini test library, answer files, and the CLI runner."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))  # makes tests/sample.py importable

FIXTURES = TESTS / "fixtures"
MINI = FIXTURES / "mini"
REPO = TESTS.parent


@pytest.fixture
def mini_library() -> Path:
    return MINI


@pytest.fixture
def mini_answers(tmp_path: Path) -> Path:
    """A copy of the mini answers in a temporary folder, free to edit."""
    target = tmp_path / "answers.yaml"
    shutil.copy(FIXTURES / "mini-answers.yaml", target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def load_bench(name: str) -> ModuleType:
    """Import a script from bench/ (its generators make the large inputs some tests need)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
