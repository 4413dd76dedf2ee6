"""The cache holds data, not code: planted files in any cache folder never run and never change an agreement."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from generate import basic_answers, extract_text_or_empty, plant_cache, poison_cache
from harness import Workspace, expect_safe, run

BUILD = ["build", "basic.yaml", "-o", "out/", "--format", "docx", "--as-of", "2026-06-01"]
OUT = ["work/out/basic.docx"]


def _warm(ws: Workspace, cache: Path) -> None:
    """Fill ``cache`` as a normal build would (private folder, the user's own)."""
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    basic_answers(ws.work)
    o = run(ws, BUILD, env=ws.env(ASSEMBLER_CACHE_DIR=str(cache)))
    assert o.rc == 0, o.stderr
    shutil.rmtree(ws.work / "out")
    if not any(p.is_file() for p in cache.rglob("*")):
        # Nothing cached (as it should be): plant where the old cache kept its pickle and code objects,
        # so the case keeps guarding against a cache that would read them.
        legacy = cache / "assembler" / "planted"
        legacy.mkdir(parents=True)
        (legacy / "library-planted.pickle").write_bytes(b"placeholder")
        (legacy / "planted.bin").write_bytes(b"placeholder")


def _shared(ws: Workspace, mode: int, owner: int | None) -> Path:
    """A cache folder another user can write (mode) or owns (owner), full of planted code."""
    private = ws.root / "warm"
    _warm(ws, private)
    plant_cache(private, ws.marker)
    shared = ws.root / "shared-cache"
    shutil.copytree(private, shared)
    shutil.rmtree(private)
    for path in [shared, *shared.rglob("*")]:
        os.chmod(path, mode if path.is_dir() else 0o666 & mode)
        if owner is not None:
            os.chown(path, owner, owner)
    return shared


def _no_poison(o: object, ws: Workspace) -> list[str]:
    docx = ws.work / "out" / "basic.docx"
    return ["unsafe-output: the agreement carries poisoned cache text"] if "POISONED" in extract_text_or_empty(docx) else []


def test_cache_planting(ws: Workspace, record: list, case: str) -> None:
    env = ws.env()
    if case == "own-folder-pickle-and-code":
        _warm(ws, ws.cache)
        plant_cache(ws.cache, ws.marker)
    elif case == "own-folder-poisoned-text":
        _warm(ws, ws.cache)
        poison_cache(ws.cache)
    elif case == "world-writable-folder":
        env = ws.env(ASSEMBLER_CACHE_DIR=str(_shared(ws, 0o777, None)))
    elif case == "folder-of-another-user":
        env = ws.env(ASSEMBLER_CACHE_DIR=str(_shared(ws, 0o755, 65534)))
    elif case == "default-location-world-writable":
        xdg = ws.root / "xdg"
        xdg.mkdir()
        shared = _shared(ws, 0o777, None)
        shutil.move(str(shared / "assembler"), str(xdg / "assembler"))
        os.chmod(xdg, 0o777)
        env = {k: v for k, v in ws.env(XDG_CACHE_HOME=str(xdg)).items() if k != "ASSEMBLER_CACHE_DIR"}
        # The planted tree was made under ASSEMBLER_CACHE_DIR=warm; its layout below the base is the same.
    elif case == "fifo-as-cache-file":
        _warm(ws, ws.cache)
        for path in [p for p in ws.cache.rglob("*") if p.is_file()]:
            path.unlink()
            os.mkfifo(path)
    basic_answers(ws.work)
    o = run(ws, BUILD, env=env)
    expect_safe(record, ws, o, accept=True, outputs=OUT, extra=lambda out: _no_poison(out, ws))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames and metafunc.function.__name__ == "test_cache_planting":
        metafunc.parametrize("case", ["own-folder-pickle-and-code", "own-folder-poisoned-text", "world-writable-folder",
                                      "folder-of-another-user", "default-location-world-writable",
                                      "fifo-as-cache-file"])
