"""Rules: conditions, variants, guards and version resolution, on the mini library."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.assembly.pipeline import plan_answers
from assembler.errors import AnswersError, GuardError, LibraryError


def _edit(path: Path, old: str, new: str) -> Path:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def ids(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{c.id}@{c.version}" for c in plan.clauses]


def test_conditions_and_variants_choose_the_clauses(mini_library: Path, mini_answers: Path) -> None:
    plan = plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    assert ids(plan) == ["parter@1.0.0", "definitioner@1.0.0", "sekretess@1.0.0", "villkor@1.0.0", "uppsagning@1.0.0"]
    _edit(mini_answers, "secrecy: true", "secrecy: false")
    _edit(mini_answers, "model: a", "model: b")
    plan = plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    assert ids(plan) == ["parter@1.0.0", "definitioner@1.0.0", "villkor@2.0.0", "uppsagning@1.0.0"]


def test_the_version_effective_on_the_date_is_used(mini_library: Path, mini_answers: Path) -> None:
    before = plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    after = plan_answers(mini_answers, library=mini_library, as_of="2026-07-01")
    assert "villkor@1.0.0" in ids(before) and "villkor@1.1.0" in ids(after)


def test_nothing_effective_yet_is_an_error(mini_library: Path, mini_answers: Path) -> None:
    with pytest.raises(LibraryError, match="no approved version of clause 'parter'"):
        plan_answers(mini_answers, library=mini_library, as_of="2025-12-31")


def test_drafts_only_with_the_flag(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "model: a", "model: b")
    assert "villkor@2.0.0" in ids(plan_answers(mini_answers, library=mini_library, as_of="2026-03-01"))
    plan = plan_answers(mini_answers, library=mini_library, as_of="2026-03-01", draft=True)
    assert "villkor@2.1.0" in ids(plan) and plan.draft


def test_an_error_guard_stops_with_its_message_and_field(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "amount: 0", "amount: 100")
    with pytest.raises(GuardError) as info:
        plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    assert "köp enligt LOU" in info.value.message
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.path) == (5, "amount")


def test_a_warning_guard_is_recorded_and_strict_refuses_it(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "months: 12", "months: 30")
    plan = plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    assert [w.message for w in plan.warnings] == ["Lång avtalstid."]
    with pytest.raises(GuardError, match="strict: warnings count as errors"):
        plan_answers(mini_answers, library=mini_library, as_of="2026-03-01", strict=True)


def test_guard_message_follows_the_language(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "amount: 0", "amount: 100")
    with pytest.raises(GuardError, match="purchase under LOU"):
        plan_answers(mini_answers, library=mini_library, as_of="2026-03-01", language="en")


def test_schema_errors_are_all_collected(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "model: a", "model: c")
    _edit(mini_answers, "orgnr: 556036-0793", "orgnr: 556036-0794")
    with pytest.raises(AnswersError) as info:
        plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    texts = [str(p) for p in info.value.problems]
    assert any("model: must be one of: a, b" in t for t in texts)
    assert any("parties[1].orgnr: the check digit is wrong" in t for t in texts)


def test_unknown_agreement_type(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "agreement: mini", "agreement: maxi")
    with pytest.raises(LibraryError, match="no agreement type 'maxi'"):
        plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")


def test_answer_values_are_never_evaluated(mini_library: Path, mini_answers: Path) -> None:
    _edit(mini_answers, "title: Smart belysning", "title: \"{{ 7*7 }} {% if true %}x{% endif %} <b>\"")
    plan = plan_answers(mini_answers, library=mini_library, as_of="2026-03-01")
    assert plan.context["title"] == "{{ 7*7 }} {% if true %}x{% endif %} <b>"
