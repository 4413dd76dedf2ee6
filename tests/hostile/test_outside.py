"""Reading where it should not: forged appendix paths, symlinks out of a library, where-used following symlinks."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from generate import basic_answers, copy_library, forge_docx_manifest
from harness import CANARY, Workspace, expect_safe, run

APPENDIX = "\nappendices:\n  - title: Bilaga\n    file: {path}\n"


def _forged_answers(answers: str, path: str) -> str:
    return answers + APPENDIX.format(path=path)


def _canary_pdf(ws: Workspace, built: dict[str, Path]) -> Path:
    target = ws.outside / "outside.pdf"
    shutil.copy(built["canary_pdf"], target)
    return target


def _rebuild_case(ws: Workspace, built: dict[str, Path], how: str) -> list[str]:
    canary = _canary_pdf(ws, built)
    folder = ws.work / "received"
    folder.mkdir()
    path = str(canary) if how.endswith("absolute") else os.path.relpath(canary, folder)
    if how.startswith("manifest"):
        manifest = json.loads(built["manifest"].read_text())
        manifest["answers"] = _forged_answers(manifest["answers"], path)
        (folder / "forged.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
        return ["rebuild", "received/forged.manifest.json", "-o", "out/", "--format", "pdf"]

    def change(manifest: dict) -> None:
        manifest["answers"] = _forged_answers(manifest["answers"], path)

    forge_docx_manifest(built["docx"], folder / "forged.docx", change)
    return ["rebuild", "received/forged.docx", "-o", "out/", "--format", "pdf"]


@pytest.mark.parametrize("how", ["manifest-absolute", "manifest-relative", "docx-absolute", "docx-relative"])
def test_forged_appendix_path(ws: Workspace, record: list, built: dict[str, Path], how: str) -> None:
    args = _rebuild_case(ws, built, how)
    o = run(ws, args, trace=True)
    expect_safe(record, ws, o, report=True)


@pytest.mark.parametrize("how", ["parent-relative", "absolute"])
def test_answers_appendix_outside(ws: Workspace, record: list, built: dict[str, Path], how: str) -> None:
    canary = _canary_pdf(ws, built)
    path = os.path.relpath(canary, ws.work) if how == "parent-relative" else str(canary)
    basic_answers(ws.work, APPENDIX.format(path=path))
    o = run(ws, ["build", "basic.yaml", "-o", "out/", "--format", "pdf"], trace=True)
    expect_safe(record, ws, o)


def _symlinked_library(ws: Workspace, what: str) -> Path:
    lib = copy_library(ws.root / "lib")
    if what == "fragment-symlink":
        fragment = lib / "fragments" / "parter" / "1.0.0.md"
        secret = ws.outside / "parter.md"
        secret.write_text(fragment.read_text().replace("Parter", f"Parter {CANARY}", 1))
        fragment.unlink()
        fragment.symlink_to(secret)
    elif what == "fragments-folder-symlink":
        shutil.move(str(lib / "fragments"), str(ws.outside / "fragments"))
        (ws.outside / "fragments" / "parter" / "1.0.0.md").write_text(
            (ws.outside / "fragments" / "parter" / "1.0.0.md").read_text().replace("Parter", f"Parter {CANARY}", 1))
        (lib / "fragments").symlink_to(ws.outside / "fragments")
    elif what == "library-yaml-to-secret":
        secret = ws.outside / "shadow"
        secret.write_text(f"root:{CANARY}:19000:0:99999:7:::\n")
        (lib / "library.yaml").unlink()
        (lib / "library.yaml").symlink_to(secret)
    elif what == "approved-yaml-to-secret":
        secret = ws.outside / "shadow"
        secret.write_text(f"root:{CANARY}:19000:0:99999:7:::\n")
        (lib / "approved.yaml").unlink()
        (lib / "approved.yaml").symlink_to(secret)
    return lib


@pytest.mark.parametrize("command", ["validate", "build"])
@pytest.mark.parametrize("what", ["fragment-symlink", "fragments-folder-symlink", "library-yaml-to-secret",
                                  "approved-yaml-to-secret"])
def test_library_symlinks(ws: Workspace, record: list, what: str, command: str) -> None:
    lib = _symlinked_library(ws, what)
    basic_answers(ws.work)
    args = ["validate"] if command == "validate" else ["build", "basic.yaml", "-o", "out/", "--format", "docx"]
    o = run(ws, args + ["--library", str(lib)], trace=True)
    expect_safe(record, ws, o)


@pytest.mark.parametrize("how", ["file-symlink", "folder-symlink"])
def test_where_used_symlinks(ws: Workspace, record: list, built: dict[str, Path], how: str) -> None:
    shutil.copy(built["secret_docx"], ws.outside / "secret.docx")
    folder = ws.work / "agreements"
    folder.mkdir()
    shutil.copy(built["docx"], folder / "basic.docx")
    if how == "file-symlink":
        (folder / "linked.docx").symlink_to(ws.outside / "secret.docx")
    else:
        (folder / "linked").symlink_to(ws.outside)
    o = run(ws, ["where-used", "parter", "agreements"], trace=True)

    def still_finds_own(out: object) -> list[str]:
        return [] if "1 agreement(s)" in o.stdout else ["unsafe-output: the agreement inside the folder was not found"]

    expect_safe(record, ws, o, accept=True, extra=still_finds_own)
