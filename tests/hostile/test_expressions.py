"""Work bombs in a library's expressions, and hostile regular expressions and $refs in its answers schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from generate import REPO, add_to_clause, basic_answers, copy_library
from harness import CANARY, Workspace, expect_safe, run

CLAUSE_BOMBS = {
    "range-10e10": "{{ range(10**10) | list | length }}",
    "nested-loops-10e10": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "macro-recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
    "string-repeat-10e10": "{{ ('a' * 10**10) | length }}",
    "power-9-9-9": "{{ 9 ** (9 ** 9) }}",
    "lipsum-10e7": "{{ lipsum(10**7) | length }}",
    "list-repeat": "{{ (range(100000) | list * 100000) | length }}",
    "format-width": "{{ '%999999999d' % 1 }}",
}

BLUEPRINT_BOMBS = {
    "blueprint-computed-power": "9 ** (9 ** 9) > 0",
    "blueprint-computed-list-repeat": "([1] * 10**10) | length > 0",
}


def _build(ws: Workspace, lib: Path) -> list[str]:
    return ["build", "basic.yaml", "-o", "out/", "--format", "docx", "--library", str(lib)]


@pytest.mark.parametrize("case", list(CLAUSE_BOMBS) + list(BLUEPRINT_BOMBS))
def test_expression_work_bombs(ws: Workspace, record: list, case: str) -> None:
    lib = copy_library(ws.root / "lib")
    if case in CLAUSE_BOMBS:
        add_to_clause(lib, "parter", CLAUSE_BOMBS[case])
    else:
        blueprint = lib / "agreements" / "opi-innovation.yaml"
        blueprint.write_text(blueprint.read_text().replace("computed:\n", f'computed:\n  x_bomb: "{BLUEPRINT_BOMBS[case]}"\n', 1))
    basic_answers(ws.work)
    o = run(ws, _build(ws, lib))
    expect_safe(record, ws, o)


def _schema_library(ws: Workspace, change: str) -> Path:
    lib = copy_library(ws.root / "lib")
    shutil.copytree(REPO / "schemas", lib / "schemas")
    path = lib / "schemas" / "answers" / "opi-innovation.schema.json"
    schema = json.loads(path.read_text())
    props = schema["properties"]
    if change == "catastrophic-regex":
        props["project"]["properties"]["title"]["pattern"] = "^(a+)+$"
    elif change == "ref-to-local-file":
        (ws.outside / "canary.json").write_text(json.dumps({"type": "integer", "description": CANARY}))
        props["reference"] = {"$ref": (ws.outside / "canary.json").as_uri()}
    elif change == "ref-to-etc-passwd":
        props["reference"] = {"$ref": "file:///etc/passwd"}
    elif change == "ref-to-http":
        props["reference"] = {"$ref": "http://127.0.0.1:9/schema.json"}
    elif change == "ref-relative-outside":
        (ws.outside / "canary.json").write_text(json.dumps({"type": "integer", "description": CANARY}))
        props["reference"] = {"$ref": "../../../outside/canary.json"}
    path.write_text(json.dumps(schema, indent=2))
    return lib


@pytest.mark.parametrize("case", ["catastrophic-regex", "ref-to-local-file", "ref-to-etc-passwd", "ref-to-http",
                                  "ref-relative-outside"])
def test_schema_hostile(ws: Workspace, record: list, case: str) -> None:
    lib = _schema_library(ws, case)
    title = "a" * 40 + "!" if case == "catastrophic-regex" else None
    answers = basic_answers(ws.work)
    if title:
        answers.write_text(answers.read_text().replace("title: Smart sortering av matavfall i flerbostadshus",
                                                       f"title: {title}", 1))
    o = run(ws, _build(ws, lib), trace=True)
    expect_safe(record, ws, o, outside=[Path("/etc/passwd")])
