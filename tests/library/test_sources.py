"""Reading YAML with positions."""

from __future__ import annotations

import pytest

from assembler.errors import AssemblerError
from assembler.library.sources import format_path, parse_yaml


def test_every_value_has_a_line_and_column() -> None:
    doc = parse_yaml("a:\n  b: [1, 2]\nparties:\n  - orgnr: '556036-0793'\n", "f.yaml")
    assert doc.data == {"a": {"b": [1, 2]}, "parties": [{"orgnr": "556036-0793"}]}
    loc = doc.locate(("parties", 0, "orgnr"))
    assert (loc.file, loc.line, loc.column, loc.path) == ("f.yaml", 4, 12, "parties[0].orgnr")
    assert str(doc.locate(("a", "b", 1))) == "f.yaml:2:10: a.b[1]"


def test_a_missing_field_is_located_at_its_parent() -> None:
    doc = parse_yaml("project:\n  title: X\n", "f.yaml")
    loc = doc.locate(("project", "start"))
    assert (loc.line, loc.path) == (1, "project.start")


def test_dates_stay_iso_text() -> None:
    assert parse_yaml("d: 2026-03-01\n", "f").data == {"d": "2026-03-01"}


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(AssemblerError) as info:
        parse_yaml("a: 1\nb: [\n", "bad.yaml")
    assert str(info.value).startswith("bad.yaml:3:")
    assert "not valid YAML" in str(info.value)


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(AssemblerError, match="appears twice") as info:
        parse_yaml("a: 1\na: 2\n", "dup.yaml")
    assert info.value.location is not None and info.value.location.line == 2


def test_line_offset_for_front_matter() -> None:
    doc = parse_yaml("id: x\nversion: 1\n", "c.md", line_offset=1)
    assert doc.locate(("version",)).line == 3


def test_format_path() -> None:
    assert format_path(("private_parties", 0, "contact", "email")) == "private_parties[0].contact.email"


def test_a_date_that_does_not_exist_stays_text_for_the_schema_to_explain() -> None:
    assert parse_yaml("start: 2026-13-01\n", "f").data == {"start": "2026-13-01"}


def test_yaml_tags_that_construct_objects_are_refused() -> None:
    with pytest.raises(AssemblerError, match="is not allowed here") as info:
        parse_yaml("language: !!python/object:os.system sv\n", "evil.yaml")
    assert info.value.location is not None and info.value.location.line == 1
