"""Shared fixtures: the mini test library, answer files, and the CLI runner."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

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


POSTGRES_ENV = "ASSEMBLER_TEST_POSTGRES"


def postgres_url() -> str | None:
    """The PostgreSQL server the tests may use (.ci/run starts one and sets it), or None."""
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def register_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty register: a SQLite file, or a fresh schema on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield str(tmp_path / "register.sqlite3")
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"no PostgreSQL server: set ${POSTGRES_ENV} to a postgresql:// URL (.ci/run starts one)")
    import psycopg
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@contextlib.contextmanager
def threads_switching_often() -> Iterator[None]:
    """Let threads take turns every microsecond, so that a race between them shows in a short test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
