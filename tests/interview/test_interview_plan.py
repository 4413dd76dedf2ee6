"""The question plan: order and relevance derived from the answers schema and the blueprint, answers checked at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assembler.interview.answertree import set_value
from assembler.interview.fields import Field
from assembler.interview.plan import Plan, plan_for
from assembler.interview.session import Interview
from assembler.interview.values import check_value, parse_text
from assembler.library.load import load_library

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_for(load_library(), "opi-innovation")


def walk(plan: Plan, answers: dict[str, Any], script: dict[tuple[Any, ...], Any], limit: int = 200) -> list[tuple[Any, ...]]:
    """Answer every question from ``script`` (a default per kind otherwise); return the paths asked."""
    decided: dict[tuple[Any, ...], bool] = {}
    asked = []
    for _ in range(limit):
        step = plan.next_step(answers, decided)
        if step is None:
            return asked
        asked.append(step.path)
        if step.path in script:
            value = script[step.path]
        elif step.kind != "value":
            value = False
        else:
            value = {"list": ["x"], "boolean": False, "integer": 1, "number": 0, "date": "2026-01-01",
                     "choice": step.field.options[0] if step.field.options else "x"}.get(step.field.kind, "x")
        if step.kind != "value":
            decided[step.path] = value
        elif value is None:
            decided[step.path] = False
        else:
            set_value(answers, step.path, value)
    raise AssertionError("the interview did not end")


def test_questions_follow_the_schema_order(plan: Plan) -> None:
    asked = walk(plan, {"agreement": "opi-innovation"}, {})
    tops = []
    for path in asked:
        if path[0] not in tops:
            tops.append(path[0])
    schema = json.loads((REPO / "schemas/answers/opi-innovation.schema.json").read_text(encoding="utf-8"))
    order = [name for name in schema["properties"] if name in tops]
    assert tops == order
    assert "agreement" not in tops  # a constant is filled in, never asked


def test_no_personal_data_questions_when_none_is_processed(plan: Plan) -> None:
    asked = walk(plan, {"agreement": "opi-innovation"}, {("personal_data", "processed"): False})
    assert ("personal_data", "role") not in asked
    assert ("personal_data", "dpa_appendix") not in asked


def test_processor_role_asks_for_the_data_processing_agreement(plan: Plan) -> None:
    script = {("personal_data", "processed"): True, ("personal_data", "role"): "processor"}
    asked = walk(plan, {"agreement": "opi-innovation"}, script)
    assert ("personal_data", "role") in asked  # required by the schema's if/then
    assert ("personal_data", "dpa_appendix") in asked  # the dpa-required guard reads it


def test_joint_controllers_need_no_processor_agreement(plan: Plan) -> None:
    script = {("personal_data", "processed"): True, ("personal_data", "role"): "joint-controllers"}
    asked = walk(plan, {"agreement": "opi-innovation"}, script)
    assert ("personal_data", "role") in asked
    assert ("personal_data", "dpa_appendix") not in asked


def test_aid_value_only_for_de_minimis(plan: Plan) -> None:
    base = {("state_aid",): True}
    asked = walk(plan, {"agreement": "opi-innovation"}, {**base, ("state_aid", "model"): "no-advantage"})
    assert ("state_aid", "aid_value_sek") not in asked
    assert ("state_aid", "free_transfer_of_results") in asked  # the state-aid-risk guard reads it
    assert ("state_aid", "exclusive_use_of_public_resources") in asked
    asked = walk(plan, {"agreement": "opi-innovation"}, {**base, ("state_aid", "model"): "de-minimis"})
    assert ("state_aid", "aid_value_sek") in asked
    # Once the first of the two is answered, the guard is decided (it cannot fire under de minimis):
    # the second is not asked.  The first is, as the guard reads the second before the model.
    assert ("state_aid", "exclusive_use_of_public_resources") not in asked


def test_one_block_per_party(plan: Plan) -> None:
    script = {("public_parties", 1): True, ("public_parties", 2): False}
    asked = walk(plan, {"agreement": "opi-innovation"}, script)
    assert ("public_parties", 1, "orgnr") in asked and ("public_parties", 2, "orgnr") not in asked


def test_guard_fires_only_when_it_can_be_decided(plan: Plan) -> None:
    iv = Interview(plan, "sv")
    step = plan.next_step(iv.answers, iv.decided)
    assert step is not None
    # The open-call guard reads the signing date, which is not answered yet: no verdict.
    set_value(iv.answers, ("open_call", "published"), "2026-05-01")
    assert not [g.id for g in plan.fired_guards(iv.answers, iv.decided)]
    set_value(iv.answers, ("signing", "date"), "2026-03-02")
    assert [g.id for g in plan.fired_guards(iv.answers, iv.decided)] == ["open-call-after-signing"]


def test_not_including_the_open_call_is_refused(plan: Plan) -> None:
    iv = Interview(plan, "sv")
    step = next(s for s in plan.relevant(iv.answers, {}, complete=False) if s.path == ("open_call",))
    errors = iv.record(step, False)
    assert [g.id for g in errors] == ["open-call-missing"]
    assert ("open_call",) not in iv.decided  # taken back: the question is asked again


def field(plan: Plan, *path: Any) -> Field:
    found = plan.form.field_at(path)
    assert found is not None
    return found


@pytest.mark.parametrize(("value", "code", "sv", "en"), [
    ("556036-0794", "answers.orgnr.check-digit", "Kontrollsiffran stämmer inte", "The check digit is wrong"),
    ("12345", "answers.orgnr.form", "tio siffror", "ten digits"),
    ("640823-3235", "answers.personnummer.check-digit", "personnumret", "personnummer"),
])
def test_orgnr_messages_in_both_languages(plan: Plan, value: str, code: str, sv: str, en: str) -> None:
    f = field(plan, "private_parties", 0, "orgnr")
    [finding_sv] = check_value(f, value, "sv")
    [finding_en] = check_value(f, value, "en")
    assert finding_sv.code == finding_en.code == code
    assert sv in finding_sv.message and en in finding_en.message


def test_valid_orgnr_and_unknown_group_digit(plan: Plan) -> None:
    f = field(plan, "public_parties", 0, "orgnr")
    assert check_value(f, "212000-0142", "sv") == []
    [warning] = check_value(f, "402000-0149", "sv")
    assert (warning.code, warning.level) == ("answers.orgnr.group", "warning")


def test_dates_numbers_and_choices_are_read_and_checked(plan: Plan) -> None:
    date = field(plan, "project", "start")
    assert [f.code for f in check_value(date, "2026-02-30", "sv")] == ["answers.date"]
    amount = field(plan, "insurance", "liability_sek")
    assert parse_text(amount, "10 000 000", "sv") == (10000000, None)
    days = field(plan, "publication", "review_days")
    assert [f.code for f in check_value(days, 120, "en")] == ["answers.maximum"]
    model = field(plan, "ip", "model")
    assert parse_text(model, "2", "sv") == ("company-owns-with-licence", None)
    value, problem = parse_text(model, "owned", "en")
    assert value is None and problem is not None and problem.code == "answers.choice"


def test_every_field_has_a_swedish_title(plan: Plan) -> None:
    missing = []

    def visit(f: Field) -> None:
        for c in f.children:
            if c.key not in plan.form.labels.texts["sv"]:
                missing.append(c.key)
            if c.kind == "array" and c.item_key not in plan.form.labels.texts["sv"]:
                missing.append(c.item_key)
            if c.kind == "choice":
                for option in c.options:
                    if plan.form.labels.option(c, option, "sv") == option:
                        missing.append(f"{c.option_key}={option}")
            visit(c)
    visit(plan.form.root)
    assert missing == []
