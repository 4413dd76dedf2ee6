"""Schemas: the format checkers for Swedish identifiers and dates, codes per broken rule, located problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

from assembler.library.schemas import check_schema_file, validate_sourced
from assembler.library.sources import parse_yaml

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": False,
    "properties": {"orgnr": {"type": "string", "format": "se-orgnr"},
                   "pnr": {"type": "string", "format": "se-personnummer"},
                   "day": {"type": "string", "format": "date"},
                   "kind": {"enum": ["a", "b"]}},
}


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "s.schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def _codes(schema: Path, text: str) -> list[tuple[str, int | None, str | None]]:
    doc = parse_yaml(text, "answers.yaml")
    return [(p.code, p.location.line, p.location.path) for p in validate_sourced(doc, schema, prefix="answers")]


@pytest.mark.parametrize(("line", "code"), [
    ("orgnr: 212000-0142", None), ("orgnr: 212000-1355", None), ("orgnr: 556036-0793", None),
    ("orgnr: 556036-0794", "answers.orgnr.check-digit"), ("orgnr: '55603607'", "answers.orgnr.form"),
    ("orgnr: 5560360793", "answers.schema.type"),
    ("pnr: 640823-3234", None), ("pnr: 640823-3235", "answers.personnummer.check-digit"),
    ("pnr: 641323-3234", "answers.personnummer.date"),
    ("day: 2026-03-01", None), ("day: 2026-02-30", "answers.date.form"),
    ("kind: c", "answers.schema.enum"), ("extra: 1", "answers.schema.additionalProperties"),
])
def test_each_value_is_checked_with_the_code_of_what_is_wrong(schema: Path, line: str, code: str | None) -> None:
    found = _codes(schema, f"# first line\n{line}\n")
    assert [c for c, *_ in found] == ([code] if code else [])
    assert all(where == 2 for _, where, _ in found)


def test_the_bundled_schemas_are_valid_json_schemas() -> None:
    files = sorted((REPO / "schemas").rglob("*.json"))
    assert files and [p for f in files for p in check_schema_file(f)] == []


def test_a_broken_schema_file_is_reported_with_a_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.schema.json"
    bad.write_text('{"type": 12}', encoding="utf-8")
    assert [p.code for p in check_schema_file(bad)] == ["library.schema-invalid"]
    assert [p.code for p in check_schema_file(tmp_path / "none.json")] == ["library.schema-missing"]
