"""Validation that remembers valid fields reports exactly what plain jsonschema validation reports."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from assembler.assembly.answers import load_answers
from assembler.library import schema_memo
from assembler.library.schemas import validate_sourced, validator

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schemas" / "answers" / "opi-innovation.schema.json"
ANSWER_FILES = sorted([*(REPO / "examples").glob("*.yaml"), *(REPO / "tests" / "fixtures" / "guards").glob("*.yaml")])


def _errors(errors: Any) -> list[tuple[Any, ...]]:
    return sorted((tuple(map(str, e.absolute_path)), tuple(map(str, e.schema_path)), e.validator, e.message)
                  for e in errors)


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, (*path, i))
    else:
        yield path


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def _variants() -> Iterator[Any]:
    """Every example and guard file, then the basic answers with each field in turn made wrong in five ways."""
    for path in ANSWER_FILES:
        yield yaml.safe_load(path.read_text(encoding="utf-8"))
    basic = yaml.safe_load((REPO / "examples" / "basic.yaml").read_text(encoding="utf-8"))
    for leaf in _leaves(basic):
        for wrong in (12, None, "", True, "556036-0794", [], {"x": 1}):
            yield _set(basic, leaf, wrong)
        yield basic  # the valid value again, between wrong ones
    yield {**basic, "unknown_field": 1}
    yield {k: v for k, v in basic.items() if k != "project"}
    yield {**basic, "personal_data": {"processed": True}}


def test_the_same_errors_as_plain_validation_for_every_variant() -> None:
    checked = validator(SCHEMA)
    count = 0
    for data in _variants():
        assert _errors(schema_memo.iter_errors(checked, data)) == _errors(checked.iter_errors(data)), data
        count += 1
    assert count > 300  # the variants really ran


def test_a_field_once_valid_is_still_reported_when_it_turns_wrong() -> None:
    basic = load_answers(REPO / "examples" / "basic.yaml")
    assert validate_sourced(basic.doc, SCHEMA, prefix="answers") == []
    assert validate_sourced(basic.doc, SCHEMA, prefix="answers") == []  # now remembered
    orgnr = ("private_parties", 0, "orgnr")
    wrong = _set(basic.data, orgnr, "556036-0794")
    problems = validate_sourced(basic.doc, SCHEMA, wrong, prefix="answers")
    assert [(p.location.path, p.code) for p in problems] == [("private_parties[0].orgnr", "answers.orgnr.check-digit")]
    # 1 and True print differently, and a schema tells them apart: neither may stand for the other
    flag = next(leaf for leaf in _leaves(basic.data) if basic_value(basic.data, leaf) is True)
    as_number = _set(basic.data, flag, 1)
    assert _errors(schema_memo.iter_errors(validator(SCHEMA), as_number)) != []


def basic_value(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"a": {"type": "integer"}}, "if": {"required": ["a"]}, "then": {"required": ["b"]}},
    {"type": "object", "properties": {"a": {"type": "integer"}}, "unevaluatedProperties": False},
])
def test_keywords_that_look_at_the_fields_give_the_same_errors(schema: dict[str, Any]) -> None:
    """if/then and unevaluatedProperties run on the whole object beside the remembered fields."""
    from jsonschema import Draft202012Validator
    checked = Draft202012Validator(schema)
    for data in ({"a": 1}, {"a": "x", "c": 2}, {"a": 1}, {"b": 1, "a": "y"}):
        assert _errors(schema_memo.iter_errors(checked, data)) == _errors(checked.iter_errors(data))


def _library_instances() -> Iterator[tuple[str, Any]]:
    """Every file of the bundled library with the schema it is validated against (front matter for clauses)."""
    clauses = REPO / "clauses"
    yield "library.schema.json", yaml.safe_load((clauses / "library.yaml").read_text(encoding="utf-8"))
    for path in sorted((clauses / "agreements").glob("*.yaml")):
        yield "agreement.schema.json", yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((clauses / "fragments").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        yield "clause.schema.json", yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))


def test_the_library_schemas_give_the_same_errors_as_plain_validation() -> None:
    count = 0
    for name, data in _library_instances():
        checked = validator(REPO / "schemas" / name)
        variants = [data, *(_set(data, leaf, wrong) for leaf in list(_leaves(data))[:12]
                            for wrong in (7, None, "", [], {"x": 1})), data, {**data, "surprise": 1}]
        for variant in variants:
            assert _errors(schema_memo.iter_errors(checked, variant)) == _errors(checked.iter_errors(variant))
            count += 1
    assert count > 1000
