"""Answer files: read as YAML or JSON with positions, checked against the blueprint's schema, problems with codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, MINI

from assembler.assembly.answers import load_answers, validate_answers
from assembler.errors import AnswersError, DocumentFormatError, InputError
from assembler.library.load import load_library


def _problems(path: Path) -> list[tuple[str, int | None, str | None, str]]:
    answers = load_answers(path)
    blueprint = load_library(MINI).blueprint(answers.agreement)
    return [(p.code, p.location.line if p.location else None, p.location.path if p.location else None, p.level)
            for p in validate_answers(answers, blueprint)]


def test_the_mini_answers_are_valid_and_keep_where_each_value_sits(mini_answers: Path) -> None:
    answers = load_answers(mini_answers)
    assert answers.agreement == "mini" and answers.language == "sv" and len(answers.sha256) == 64
    where = answers.locate(("parties", 1, "orgnr"))
    assert (where.file, where.line) == (str(mini_answers), 14)
    assert _problems(mini_answers) == []


def test_a_wrong_check_digit_has_its_code_line_and_field(mini_answers: Path) -> None:
    mini_answers.write_text(mini_answers.read_text(encoding="utf-8").replace("556036-0793", "556036-0794"),
                            encoding="utf-8")
    assert _problems(mini_answers) == [("answers.orgnr.check-digit", 14, "parties[1].orgnr", "error")]


def test_an_unknown_group_digit_is_a_warning_with_its_own_code(mini_answers: Path) -> None:
    # 412000-0148: a valid check digit under the unused group digit 4.
    mini_answers.write_text(mini_answers.read_text(encoding="utf-8").replace("556036-0793", "412000-0148"),
                            encoding="utf-8")
    assert _problems(mini_answers) == [("answers.orgnr.group", 14, "parties[1].orgnr", "warning")]


def test_schema_problems_are_coded_by_the_rule_they_break(mini_answers: Path) -> None:
    text = mini_answers.read_text(encoding="utf-8").replace("model: a", "model: x").replace("months: 12", "months: tolv")
    mini_answers.write_text(text, encoding="utf-8")
    codes = {code for code, *_ in _problems(mini_answers)}
    assert codes == {"answers.schema.enum", "answers.schema.type"}


def test_json_answers_read_the_same_as_yaml(mini_answers: Path, tmp_path: Path) -> None:
    as_json = tmp_path / "answers.json"
    as_json.write_text(json.dumps(load_answers(mini_answers).data, ensure_ascii=False), encoding="utf-8")
    assert load_answers(as_json).data == load_answers(mini_answers).data


@pytest.mark.parametrize(("text", "error", "code"), [
    ("- just\n- a list\n", AnswersError, "answers.not-a-mapping"),
    ("language: sv\ntitle: X\n", AnswersError, "answers.agreement-missing"),
    ("agreement: mini\n  title: [\n", DocumentFormatError, "input.yaml"),
])
def test_files_that_are_no_answer_file_say_why(tmp_path: Path, text: str, error: type, code: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error) as caught:
        load_answers(path)
    assert caught.value.code == code and caught.value.location.file == str(path)


def test_a_missing_or_binary_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        load_answers(tmp_path / "nope.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00agreement")
    with pytest.raises(DocumentFormatError) as caught:
        load_answers(tmp_path / "bin.yaml")
    assert caught.value.code == "input.not-utf8" and caught.value.exit_code == 1


def test_the_fixture_answers_used_across_the_suite_exist() -> None:
    assert (FIXTURES / "mini-answers.yaml").is_file()
