"""Unbounded parsing: alias bombs, self-referencing aliases, deep nesting and huge files in every file we parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from generate import EXAMPLES, alias_bomb, basic_answers, copy_library, deep_json, sparse_file
from harness import Workspace, expect_safe, run

BUILD = ["build", "-o", "out/", "--format", "docx"]


def _answers(ws: Workspace, case: str) -> str:
    """Write the hostile answer file of ``case``; return its name."""
    if case == "answers-alias-bomb":
        bomb = "\n".join("  " + line for line in alias_bomb().splitlines())
        basic_answers(ws.work, f"\nx-bomb:\n{bomb}\nx-use: *a9\n", "bomb.yaml")
        return "bomb.yaml"
    if case == "answers-small-alias":
        text = (EXAMPLES / "basic.yaml").read_text().replace("reference: KS 2026/0412", "reference: &r KS 2026/0412")
        (ws.work / "alias.yaml").write_text(text + "\nnote: *r\n")
        return "alias.yaml"
    if case == "answers-self-alias":
        basic_answers(ws.work, "\nx-loop: &loop [*loop]\n", "loop.yaml")
        return "loop.yaml"
    if case == "answers-json-100000-deep":
        (ws.work / "deep.json").write_text('{"agreement": "opi-innovation", "x": ' + deep_json() + "}")
        return "deep.json"
    if case == "answers-yaml-100000-deep":
        basic_answers(ws.work, "\nx-deep: " + deep_json() + "\n", "deep.yaml")
        return "deep.yaml"
    if case == "answers-600MB-sparse":
        sparse_file(ws.work / "huge.yaml", 600 << 20, b"agreement: opi-innovation\n")
        return "huge.yaml"
    raise AssertionError(case)


ANSWER_CASES = ["answers-alias-bomb", "answers-small-alias", "answers-self-alias", "answers-json-100000-deep",
                "answers-yaml-100000-deep", "answers-600MB-sparse"]


@pytest.mark.parametrize("case", ANSWER_CASES)
def test_unbounded_answers(ws: Workspace, record: list, case: str) -> None:
    name = _answers(ws, case)
    o = run(ws, BUILD[:1] + [name] + BUILD[1:])
    # A harmless alias (PyYAML writes them for shared objects) is read like its expansion.
    expect_safe(record, ws, o, accept=case == "answers-small-alias", outputs=["work/out/alias.docx"])


def _library(ws: Workspace, case: str) -> Path:
    lib = copy_library(ws.root / "lib")
    bomb = alias_bomb()
    if case == "front-matter-alias-bomb":
        f = lib / "fragments" / "parter" / "1.0.0.md"
        f.write_text(f.read_text().replace("---\nid: parter", "---\n" + bomb.replace("a9: &a9", "x9: &a9")
                                           + "id: parter", 1))
    elif case == "front-matter-100000-deep":
        f = lib / "fragments" / "parter" / "1.0.0.md"
        f.write_text(f.read_text().replace("---\nid: parter", "---\nx: " + deep_json() + "\nid: parter", 1))
    elif case == "library-yaml-alias-bomb":
        (lib / "library.yaml").write_text((lib / "library.yaml").read_text() + "x-bomb:\n"
                                          + "\n".join("  " + line for line in bomb.splitlines()) + "\n")
    elif case == "library-yaml-self-alias":
        (lib / "library.yaml").write_text((lib / "library.yaml").read_text() + "x-loop: &loop [*loop]\n")
    elif case == "approved-yaml-alias-bomb":
        (lib / "approved.yaml").write_text((lib / "approved.yaml").read_text() + bomb)
    elif case == "approved-yaml-100000-deep":
        (lib / "approved.yaml").write_text((lib / "approved.yaml").read_text() + "x: " + deep_json() + "\n")
    elif case == "blueprint-alias-bomb":
        f = lib / "agreements" / "opi-innovation.yaml"
        f.write_text(f.read_text() + "x-bomb:\n" + "\n".join("  " + line for line in bomb.splitlines()) + "\n")
    elif case == "fragment-300MB-sparse":
        sparse_file(lib / "fragments" / "parter" / "9.0.0.md", 300 << 20, b"---\nid: parter\n")
    return lib


LIBRARY_CASES = ["front-matter-alias-bomb", "front-matter-100000-deep", "library-yaml-alias-bomb",
                 "library-yaml-self-alias", "approved-yaml-alias-bomb", "approved-yaml-100000-deep",
                 "blueprint-alias-bomb", "fragment-300MB-sparse"]


@pytest.mark.parametrize("command", ["build", "validate"])
@pytest.mark.parametrize("case", LIBRARY_CASES)
def test_unbounded_library(ws: Workspace, record: list, case: str, command: str) -> None:
    lib = _library(ws, case)
    basic_answers(ws.work)
    args = BUILD[:1] + ["basic.yaml"] + BUILD[1:] if command == "build" else ["validate"]
    o = run(ws, args + ["--library", str(lib)])
    expect_safe(record, ws, o)
